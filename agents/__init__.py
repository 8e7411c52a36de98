"""The agents of outlast: one module per kind, each holding its state and its rules."""

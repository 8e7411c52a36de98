"""Solara pages on Mesa's SolaraViz: they read the model and never change its rules."""

"""The Solara dashboard (Mesa models, Solara components): it reads the model and never changes its rules."""

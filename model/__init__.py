"""The simulation alone: the Scenario, the Mesa model, the Western levers and the metrics."""

from model.scenario import PRESETS, Scenario, ScenarioError, load_scenario

__all__ = ["PRESETS", "Scenario", "ScenarioError", "load_scenario"]

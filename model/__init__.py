"""outlast: can Western policy make continuing the war riskier for the Kremlin than ending it."""

from model.scenario import PRESETS, Scenario, ScenarioError, load_scenario

__all__ = ["PRESETS", "Scenario", "ScenarioError", "load_scenario"]

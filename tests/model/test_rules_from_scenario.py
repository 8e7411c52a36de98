"""Each rule is read from the Scenario by its own `from_scenario`, and the model holds exactly those.

Agents never import model/ (imports run model -> agents), so `from_scenario` takes any object with
the Scenario's fields; the model is what passes it a Scenario.
"""

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from agents.elites import CoupRule, EliteMakeup, EliteRule
from agents.exile import ExileRule
from agents.leader import LeaderRule
from agents.partners import PARTNERS, PartnerRule
from agents.regime import RegimeRule
from agents.regions import UnrestRule
from agents.soldiers import ArmyWeek, DecisionWeights
from model.model import OutlastModel
from model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
RULES = (
    CoupRule,
    EliteMakeup,
    EliteRule,
    ExileRule,
    LeaderRule,
    PartnerRule,
    RegimeRule,
    UnrestRule,
)


@pytest.fixture(scope="module")
def model():
    return OutlastModel(rng=1, n_soldier_agents=500, citizens_per_region=20, horizon_weeks=2)


def test_the_model_holds_the_rules_its_scenario_gives(model):
    s = model.params
    assert model.weights == DecisionWeights.from_scenario(s)
    assert model.unrest_rule == UnrestRule.from_scenario(s)
    assert model.regime_rule == RegimeRule.from_scenario(s)
    assert model.elite_rule == EliteRule.from_scenario(s)
    assert model.coup_rule == CoupRule.from_scenario(s)
    assert model.elites.makeup == EliteMakeup.from_scenario(s)
    assert model.leader.rule == LeaderRule.from_scenario(s)
    assert model.exile.rule == ExileRule.from_scenario(s)
    assert model.partner_rule == PartnerRule.from_scenario(s)
    assert all(p.rule is model.partner_rule for p in model.partners)
    assert [p.archetype for p in model.partners] == list(model.partner_rule.archetypes)
    assert (model.fund.loss, model.fund.recovery) == (
        s.credibility_loss_unpaid,
        s.credibility_recovery_per_week,
    )


def test_the_weeks_army_inputs_take_the_scenarios_rules(model):
    week = model.army_week_inputs()
    s = model.params
    assert week.death_hazard == s.front_death_hazard_per_week
    assert week.deterrence_per_caught == s.caught_deterrence * s.punishment_severity
    assert week.punishment == model.expected_punishment()


@pytest.mark.parametrize(
    ("field", "value", "read"),
    [
        ("bonus_raise_per_week", 0.1, lambda m: m.leader.rule.bonus_raise_per_week),
        ("unrest_saturation", 0.3, lambda m: m.regime_rule.unrest_saturation),
        ("max_jail_weeks", 30, lambda m: m.unrest_rule.max_jail_weeks),
        ("repression_police_effect", 1.0, lambda m: m.unrest_rule.police_per_repression),
        ("elite_army_cost_security", 0.9, lambda m: m.elite_rule.army_cost_by_kind[1]),
        ("elite_loyalty_max", 0.5, lambda m: m.elites.makeup.loyalty_range[1]),
        ("partner_turkey_sensitivity", 1.0, lambda m: m.partner_rule.archetypes[2].sensitivity),
        ("partner_non_muslim_reach", 0.5, lambda m: m.partner_rule.non_muslim_reach),
    ],
)
def test_a_field_given_as_a_keyword_reaches_its_rule(field, value, read):
    m = OutlastModel(rng=1, n_soldier_agents=500, citizens_per_region=20, **{field: value})
    assert read(m) == value


def test_rules_read_any_object_with_the_scenarios_fields():
    values = Scenario().model_dump()
    stand_in = SimpleNamespace(**values)
    for rule in RULES:
        assert rule.from_scenario(stand_in) == rule.from_scenario(Scenario()), rule.__name__
    assert DecisionWeights.from_scenario(stand_in) == DecisionWeights.from_scenario(Scenario())
    weekly = dict(
        offer_reach=0.0,
        grievance_by_region=None,
        minority_grievance_by_region=None,
        offer_value_by_region=None,
        punishment=0.0,
    )
    a, b = ArmyWeek.from_scenario(stand_in, **weekly), ArmyWeek.from_scenario(Scenario(), **weekly)
    assert a == b


def test_partners_follow_the_declared_order():
    rule = PartnerRule.from_scenario(Scenario(partner_gulf_base_cooperation=0.25))
    assert [a.name for a in rule.archetypes] == [name for _, name, _ in PARTNERS]
    assert rule.archetypes[1].base_cooperation == 0.25


def test_agents_never_import_model():
    for path in sorted((ROOT / "agents").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n == "model" or n.startswith("model.") for n in names), path.name

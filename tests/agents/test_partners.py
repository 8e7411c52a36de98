from dataclasses import replace

import mesa
import pytest

from agents.partners import ForeignPartner, PartnerRule
from model.scenario import Scenario

RULE = PartnerRule.from_scenario(Scenario())
ARCHETYPES = RULE.archetypes


def partners_after(campaign, diplomacy, weeks=200, scale=1.0):
    model = mesa.Model(rng=1)
    rule = replace(RULE, awareness_rate=0.05, sensitivity_scale=scale)
    ps = [ForeignPartner(model, a, rule) for a in ARCHETYPES]
    for _ in range(weeks):
        for p in ps:
            p.update(campaign, diplomacy)
    return {p.archetype.name: p for p in ps}


def test_without_a_campaign_cooperation_stays_at_its_base():
    for p in partners_after(0.0, 0.0).values():
        assert p.awareness == 0.0
        assert p.cooperation == p.archetype.base_cooperation


def test_a_campaign_cuts_cooperation_most_where_publics_are_muslim():
    ps = partners_after(0.8, 0.0)
    for p in ps.values():
        assert 0.0 <= p.cooperation < p.archetype.base_cooperation
    cut = {name: 1 - p.cooperation / p.archetype.base_cooperation for name, p in ps.items()}
    assert min(cut[a.name] for a in ARCHETYPES if a.muslim_public) > cut["China"]


@pytest.mark.parametrize("more", [{"campaign": 1.0}, {"diplomacy": 0.6}, {"scale": 2.0}])
def test_more_campaign_diplomacy_or_sensitivity_means_less_cooperation(more):
    base = {"campaign": 0.4, "diplomacy": 0.0, "scale": 1.0}
    low = partners_after(**base)
    high = partners_after(**{**base, **more})
    assert sum(p.cooperation for p in high.values()) < sum(p.cooperation for p in low.values())

from dataclasses import replace

import mesa
import pytest

from agents.partners import ForeignPartner, PartnerRule, Public, SupplyChannel, relative_supply
from model.scenario import Scenario

RULE = PartnerRule.from_scenario(Scenario())
ARCHETYPES = RULE.archetypes


def partners_after(campaign, diplomacy, weeks=200, scale=1.0, archetypes=ARCHETYPES):
    model = mesa.Model(rng=1)
    rule = replace(RULE, awareness_rate=0.05, sensitivity_scale=scale)
    ps = [ForeignPartner(model, a, rule) for a in archetypes]
    for _ in range(weeks):
        for p in ps:
            p.update(campaign, diplomacy)
    return {p.archetype.name: p for p in ps}


def test_without_a_campaign_cooperation_stays_at_its_base():
    ps = partners_after(0.0, 0.0)
    for p in ps.values():
        assert p.awareness == 0.0
        assert p.cooperation == p.archetype.base_cooperation
    for channel in SupplyChannel:
        assert relative_supply(ps.values(), channel) == 1.0


def test_a_campaign_cuts_cooperation_most_where_publics_are_muslim():
    ps = partners_after(0.8, 0.0)
    cut = {name: 1 - p.cooperation / p.archetype.base_cooperation for name, p in ps.items()}
    muslim = [a.name for a in ARCHETYPES if a.public == Public.MUSLIM]
    assert min(cut[name] for name in muslim) > cut["China"] > 0.0


def test_north_korea_is_unaffected_by_the_campaign_however_sensitive():
    # A closed public: the campaign cannot reach it, even were its government to listen.
    sensitive = tuple(
        replace(a, sensitivity=3.0, interest=0.0) if a.public == Public.CLOSED else a
        for a in ARCHETYPES
    )
    north_korea = partners_after(1.0, 1.0, archetypes=sensitive)["North Korea"]
    assert north_korea.awareness == 0.0
    assert north_korea.cooperation == north_korea.archetype.base_cooperation


@pytest.mark.parametrize("more", [{"campaign": 1.0}, {"diplomacy": 0.6}, {"scale": 2.0}])
def test_more_campaign_diplomacy_or_sensitivity_means_less_cooperation(more):
    base = {"campaign": 0.4, "diplomacy": 0.0, "scale": 1.0}
    low = partners_after(**base)
    high = partners_after(**{**base, **more})
    assert sum(p.cooperation for p in high.values()) < sum(p.cooperation for p in low.values())


def test_a_government_with_more_at_stake_ignores_its_public_more():
    def iran_cooperation(interest):
        archetypes = tuple(replace(a, interest=interest) for a in ARCHETYPES)
        return partners_after(0.8, 0.6, archetypes=archetypes)["Iran"].cooperation

    assert iran_cooperation(0.0) < iran_cooperation(0.5) < iran_cooperation(1.0)
    assert iran_cooperation(1.0) == ARCHETYPES[0].base_cooperation


def test_the_campaign_cuts_every_channel_muslim_partners_supply():
    ps = partners_after(0.8, 0.6).values()
    for channel in SupplyChannel:
        assert 0.0 < relative_supply(ps, channel) < 1.0

"""The government-in-exile and the partner states in the whole model (issue #13, items 3 and 4).

Comparative statics over seeds with small runs: each mechanism moves its outcome in its direction,
and at 0 it is off.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from agents.partners import SupplyChannel
from model.model import OutlastModel

SEEDS = range(8)
SMALL = {"n_soldier_agents": 1000, "n_elites": 60, "citizens_per_region": 20}
#: The op-ed's package with talks fast enough to agree within about 20 weeks.
FAST_TALKS = {
    **SMALL,
    "preset": "combined",
    "exile_formation_week": 1,
    "exile_progress_per_week": 0.1,
    "horizon_weeks": 78,
}
#: Only the minority campaign, its partners' publics quick to learn.
CAMPAIGN = {
    **SMALL,
    "minority_campaign_intensity": 1.0,
    "partner_diplomacy": 1.0,
    "partner_awareness_rate_per_week": 0.5,
    "horizon_weeks": 52,
}


def runs(settings: dict[str, Any], **overrides: Any) -> list[OutlastModel]:
    models = []
    for seed in SEEDS:
        m = OutlastModel(rng=seed, **{**settings, **overrides})
        m.run_model()
        models.append(m)
    return models


def mean(models: list[OutlastModel], metric: str) -> float:
    return float(np.mean([m.metrics[metric] for m in models]))


# ---- the government-in-exile ------------------------------------------------------------------


def test_detection_of_contacts_purges_chiefs_and_is_off_at_zero():
    never = runs(FAST_TALKS, exile_contact_detection_per_week=0.0)
    often = runs(FAST_TALKS, exile_contact_detection_per_week=0.3)
    rarely = runs(FAST_TALKS, exile_contact_detection_per_week=0.03)
    assert mean(never, "exile_contacts_detected") == 0.0
    assert mean(often, "exile_contacts_detected") > mean(rarely, "exile_contacts_detected") > 0.0
    assert mean(often, "elites_purged") > mean(never, "elites_purged")


#: Fast talks whose agreement offers military chiefs a place worth defecting for, chiefs quick
#: to make contact and to act on it, and a regime that neither falls nor gives up the war (so
#: that the run lasts long enough to count defections).
GENEROUS = {
    **FAST_TALKS,
    "coup_threshold_power_share": 0.95,
    "leader_commitment": 1.0,
    "exile_outside_option": 1.0,
    "elite_outside_option_military": 2.0,
    "exile_contact_per_week": 0.3,
    "elite_defection_per_week": 0.5,
}


def test_a_credible_place_after_the_war_brings_defections_and_is_off_at_zero():
    generous = runs(GENEROUS)
    stingy = runs(GENEROUS, elite_outside_option_military=0.5)
    assert mean(generous, "elites_defected") > mean(stingy, "elites_defected")
    assert mean(runs(GENEROUS, elite_defection_per_week=0.0), "elites_defected") == 0
    assert mean(runs(GENEROUS, exile_contact_per_week=0.0), "elites_defected") == 0


def test_defections_lend_the_agreement_credibility():
    def credibility(gain: float) -> float:
        return float(
            np.mean(
                [m.exile.credibility for m in runs(GENEROUS, exile_defection_credibility_gain=gain)]
            )
        )

    assert credibility(5.0) > credibility(0.0)


# ---- partners as states ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel_field", "metric", "direction"),
    [
        ("partner_munitions_hazard_rise", "deaths_total", +1),
        ("partner_labour_recruitment_share", "recruits_total", -1),
        ("partner_capacity_share", "regime_capacity", -1),
    ],
)
def test_the_campaign_reaches_the_army_and_budget_through_each_channel(
    channel_field, metric, direction
):
    # Common random numbers: the same seeds under the campaign, the channel on and off.
    on = runs(CAMPAIGN, **{channel_field: 1.0})
    off = runs(CAMPAIGN, **{channel_field: 0.0})
    assert direction * (mean(on, metric) - mean(off, metric)) > 0


def test_each_channel_at_zero_leaves_the_army_as_if_partners_did_not_matter():
    m = OutlastModel(
        rng=1,
        **CAMPAIGN,
        partner_munitions_hazard_rise=0.0,
        partner_labour_recruitment_share=0.0,
        partner_capacity_share=0.0,
    )
    m.run_model()
    assert m.partner_supply(SupplyChannel.MUNITIONS) < 1.0  # the campaign did cut supplies
    assert m.front_hazard_factor() == m.partner_labour_factor() == m.regime_capacity() == 1.0


def test_without_the_campaign_partners_supply_as_at_the_start():
    m = OutlastModel(
        rng=1, **{**CAMPAIGN, "minority_campaign_intensity": 0.0, "partner_diplomacy": 0.0}
    )
    m.run_model()
    assert m.front_hazard_factor() == m.partner_labour_factor() == m.regime_capacity() == 1.0


def test_north_korea_keeps_supplying_whatever_the_campaign():
    m = OutlastModel(rng=1, **CAMPAIGN, partner_north_korea_sensitivity=3.0)
    m.run_model()
    north_korea = next(p for p in m.partners if p.archetype.name == "North Korea")
    iran = next(p for p in m.partners if p.archetype.name == "Iran")
    assert north_korea.cooperation == north_korea.archetype.base_cooperation
    assert iran.cooperation < iran.archetype.base_cooperation

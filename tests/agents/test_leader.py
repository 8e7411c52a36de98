import mesa
import pytest

from agents.leader import THREAT_PARTS, Leader, LeaderRule, Threats, threat_level
from model.scenario import Scenario

RULE = LeaderRule.from_scenario(Scenario())
CALM = Threats(**dict.fromkeys(THREAT_PARTS, 0.0))


def leader(**kw):
    return Leader(mesa.Model(rng=1), RULE, kw.get("belief", 0.9), kw.get("bonus", 1e6))


def test_threat_is_zero_when_calm_and_one_at_the_worst():
    assert threat_level(CALM, RULE) == 0.0
    worst = Threats(**{**dict.fromkeys(THREAT_PARTS, 1.0), "unrest": 0.5})
    assert threat_level(worst, RULE) == pytest.approx(1.0)
    assert sum(RULE.threat_weights.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("field", THREAT_PARTS)
def test_threat_rises_with_each_input(field):
    assert threat_level(Threats(**{**CALM.__dict__, field: 0.1}), RULE) > 0.0


def test_belief_moves_towards_one_minus_the_evidence():
    a, b = leader(), leader()
    for _ in range(500):
        a.update_belief(0.9)
        b.update_belief(0.3)
    assert a.belief_outlast == pytest.approx(0.1, abs=1e-3)
    assert b.belief_outlast == pytest.approx(0.7, abs=1e-3)


def test_lower_belief_lowers_the_threat_he_tolerates():
    sure, doubting = leader(belief=0.9), leader(belief=0.1)
    assert doubting.bar < sure.bar
    threats = Threats(
        **{
            **CALM.__dict__,
            "elite_pressure": 0.8,
            "coup_risk": 0.6,
            "army_decline": 0.2,
            "exile_agreement": 1,
        }
    )
    sure.perceive(threats)
    doubting.perceive(threats)
    assert sure.threat == doubting.threat
    assert doubting.wants_to_end_war and not sure.wants_to_end_war


def test_commitment_falls_with_lost_capacity_and_rises_with_a_rally():
    ld = leader()
    ld.update_commitment(capacity=1.0, rally=0.0)
    assert ld.commitment == pytest.approx(0.8)
    ld.update_commitment(capacity=0.6, rally=0.0)
    assert ld.commitment == pytest.approx(0.8 * (1 - 0.5 * 0.4))
    ld.update_commitment(capacity=1.0, rally=0.5)
    assert ld.commitment == 1.0


def test_responses_raise_bonus_within_the_ceiling_and_repression_then_relax():
    ld = leader(bonus=1e6)
    ld.threat = 0.5
    for _ in range(30):
        assert ld.respond(bonus_ceiling_rub=1.5e6)
    assert ld.bonus_rub == 1.5e6
    assert ld.repression == pytest.approx(0.3)
    ld.threat = 0.1
    assert not ld.respond(bonus_ceiling_rub=1.0e6)
    assert ld.bonus_rub == 1.5e6  # a bonus once promised is not cut
    assert ld.repression == pytest.approx(0.298)


def test_repression_stays_in_unit_interval():
    ld = leader()
    ld.crack_down(0.7)
    ld.crack_down(0.7)
    assert ld.repression == 1.0
    ld.threat = 0.0
    for _ in range(1000):
        ld.respond(1e6)
    assert ld.repression == 0.0


def test_the_fund_is_evidence_only_while_its_offer_stands():
    ld = leader()
    assert ld.resolve_evidence(0.4, fund_credibility=0.0, offer_on=False) == 0.4
    phi = RULE.fund_signal_weight
    kept = ld.resolve_evidence(0.4, fund_credibility=1.0, offer_on=True)
    broken = ld.resolve_evidence(0.4, fund_credibility=0.2, offer_on=True)
    assert kept == pytest.approx((1 - phi) * 0.4 + phi) and broken < 0.4 < kept


def bar_without_and_with_an_agreement(**params) -> tuple[float, float]:
    ld = Leader(mesa.Model(rng=1), LeaderRule.from_scenario(Scenario(**params)), 0.9, 1e6)
    ld.perceive(CALM)
    without = ld.bar
    ld.perceive(Threats(**{**CALM.__dict__, "exile_agreement": 0.8}))
    return without, ld.bar


def test_terms_cost_raises_the_bar_and_an_agreement_makes_terms_focal():
    free, _ = bar_without_and_with_an_agreement(agreement_terms_cost=0.0)
    without, with_agreement = bar_without_and_with_an_agreement(agreement_terms_cost=0.1)
    assert without == pytest.approx(free + 0.1)
    discount = Scenario().exile_focal_terms_discount
    assert with_agreement == pytest.approx(without - 0.1 * discount * 0.8)


@pytest.mark.parametrize(
    "off",
    [
        dict(agreement_terms_cost=0.0),
        dict(agreement_terms_cost=0.1, exile_focal_terms_discount=0.0),
    ],
)
def test_no_terms_cost_or_no_focal_effect_leaves_the_bar_to_the_agreement(off):
    without, with_agreement = bar_without_and_with_an_agreement(**off)
    assert with_agreement == without


@pytest.mark.parametrize("part", ["army_strain", "economic_strain"])
def test_a_road_weighs_nothing_at_weight_zero(part):
    defaults = Scenario()
    moved = defaults.threat_weight_elite_pressure + getattr(defaults, f"threat_weight_{part}")
    off = Scenario(**{f"threat_weight_{part}": 0.0, "threat_weight_elite_pressure": moved})
    rule = LeaderRule.from_scenario(off)
    strained = Threats(**{**CALM.__dict__, part: 1.0})
    assert threat_level(strained, rule) == 0.0 < threat_level(strained, RULE)

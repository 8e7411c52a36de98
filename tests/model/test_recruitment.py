"""Who signs up and who dies first: the recruitment rule's terms, the pre-war force, the data."""

import dataclasses

import numpy as np
import pytest

from agents.regions import RecruitmentRule
from model.model import OutlastModel, load_regions
from model.scenario import Scenario

#: A model only for its regions and rule (no week is run).
TINY = dict(n_soldier_agents=200, soldiers_per_agent=3_000.0, horizon_weeks=1)
#: Every term of the rule off: sign-ups follow men and nominal pay against nominal income only.
TERMS_OFF = dict(
    price_adjustment=0.0,
    unemployment_effect=0.0,
    rural_effect=0.0,
    garrison_effect=0.0,
    buddhist_effect=0.0,
    muslim_effect=0.0,
)
REWARD_RUB = 12 * 210_000.0 + 1_000_000.0


@pytest.fixture(scope="module")
def model() -> OutlastModel:
    return OutlastModel(rng=0, **TINY)


def shares(model: OutlastModel, rule: RecruitmentRule) -> dict[str, float]:
    """Each region's share of the national sign-ups per man, relative to the national mean."""
    r = model.regions
    w = rule.weights(r, REWARD_RUB, np.zeros(r.n))
    per_man = (w / r.men_16_61) / (w.sum() / r.men_16_61.sum())
    return dict(zip(r.iso, per_man, strict=True))


def test_with_every_term_off_sign_ups_follow_nominal_pay_over_income(model):
    rule = dataclasses.replace(RecruitmentRule.from_scenario(Scenario()), **TERMS_OFF)
    r = model.regions
    expected = r.men_16_61 * (REWARD_RUB / r.yearly_income_rub()) ** rule.pay_elasticity
    assert np.allclose(rule.weights(r, REWARD_RUB, np.zeros(r.n)), expected)


@pytest.mark.parametrize(
    ("term", "value", "higher", "lower"),
    [
        # Real income: the Far North's high nominal income buys less (Magadan against Tatarstan).
        ("price_adjustment", 1.0, "MAG", "TA"),
        # Jobs: Ingushetia (30% unemployed) against Tatarstan (3.6%).
        ("unemployment_effect", 5.0, "IN", "TA"),
        # Villages: the Altai Republic (31% urban) against Khanty-Mansi (92%).
        ("rural_effect", 2.0, "AL", "KHM"),
        # Garrisons: Pskov (the 76th air assault division) against Kaluga (none).
        ("garrison_effect", 20.0, "PSK", "KLU"),
        # Groups: Tuva against the Altai Republic (another tradition); Chechnya (99% minority)
        # against Adygea (37%), both Muslim-minority regions.
        ("buddhist_effect", 1.0, "TY", "AL"),
        ("muslim_effect", 1.0, "CE", "AD"),
    ],
)
def test_each_term_moves_sign_ups_its_way_and_switches_off_at_zero(
    model, term, value, higher, lower
):
    off = dataclasses.replace(RecruitmentRule.from_scenario(Scenario()), **TERMS_OFF)
    on = dataclasses.replace(off, **{term: value})
    without, with_term = shares(model, off), shares(model, on)
    ratio_without = without[higher] / without[lower]
    assert with_term[higher] / with_term[lower] > 1.1 * ratio_without
    # A negative group effect turns the comparison round.
    if term.endswith("_effect") and term != "garrison_effect":
        negative = dataclasses.replace(off, **{term: -value})
        assert shares(model, negative)[higher] / shares(model, negative)[lower] < ratio_without


def test_urban_gaps_are_filled_by_the_federal_districts_median():
    table = load_regions()
    assert table["urban_share_2021"].notna().all()
    filled = table[table["urban_share_filled"]]
    assert len(filled) == 23
    sourced = table[~table["urban_share_filled"]]
    medians = sourced.groupby("federal_district")["urban_share_2021"].median()
    assert np.allclose(filled["urban_share_2021"], filled["federal_district"].map(medians))
    # 261,500 soldiers in the garrison table (model/data/README.md).
    assert table["garrison_strength_2022"].sum() == 261_500


def initial_force(share: float, seed: int = 1) -> OutlastModel:
    return OutlastModel(
        rng=seed,
        n_soldier_agents=20_000,
        soldiers_per_agent=10.0,
        horizon_weeks=1,
        initial_force_garrison_share=share,
    )


def test_garrison_placed_soldiers_come_from_garrisons_and_take_the_front_first():
    plain, placed = initial_force(0.0), initial_force(0.5)
    garrison = placed.regions.garrison_strength > 0
    for m in (plain, placed):
        # The front share stays share_at_front whatever the mix.
        assert m.corps.view("at_front").mean() == pytest.approx(0.6, abs=0.02)
    first = np.arange(10_000)
    assert garrison[placed.corps.view("region")[first]].all()
    assert placed.corps.view("at_front")[first].all()
    share_from_garrisons = {
        name: garrison[m.corps.view("region")].mean()
        for name, m in (("plain", plain), ("placed", placed))
    }
    # Half placed by garrison, half drawn as before (where garrison regions hold about 65%).
    assert share_from_garrisons["placed"] > share_from_garrisons["plain"] + 0.1


def test_garrison_regions_lose_more_of_their_men_early_when_the_force_is_placed_by_garrison():
    def garrison_share_of_deaths(share: float) -> float:
        values = []
        for seed in range(3):
            m = OutlastModel(
                rng=seed,
                preset="historical-2022",
                n_soldier_agents=19_000,
                soldiers_per_agent=10.0,
                horizon_weeks=8,
                initial_force_garrison_share=share,
            )
            m.run_model()
            garrison = m.regions.garrison_strength > 0
            values.append(m.regions.deaths[garrison].sum() / m.regions.deaths.sum())
        return float(np.mean(values))

    assert garrison_share_of_deaths(0.6) > garrison_share_of_deaths(0.0) + 0.1

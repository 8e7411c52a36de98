"""Regions: the real table as MinorityRegion agents, grievance, awareness and Epstein unrest."""

from dataclasses import replace

import mesa
import numpy as np
import pytest

from agents.regions import MinorityRegion, RegionPopulation, UnrestRule
from model.model import load_regions
from model.scenario import Scenario

EPSTEIN = UnrestRule.from_scenario(Scenario())
HARDSHIP_SPREAD = Scenario().citizen_hardship_spread


def make_regions(seed: int = 0, citizens: int = 200) -> RegionPopulation:
    model = mesa.Model(rng=seed)
    return RegionPopulation(model, load_regions(), citizens, model.rng, HARDSHIP_SPREAD)


def epstein(cop_density=0.04, death_hardship=0.05, discrimination=0.15) -> UnrestRule:
    """The default rule with its police, war-death hardship and discrimination changed."""
    return replace(
        EPSTEIN,
        cop_density=cop_density,
        death_hardship_per_permille=death_hardship,
        discrimination=discrimination,
    )


def mean_unrest(regions, weeks=30, seed=1, legitimacy=0.75, **rule) -> float:
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(weeks):
        regions.update_unrest(legitimacy, 0.0, epstein(**rule), rng)
        values.append(regions.population_weighted(regions.unrest))
    return float(np.mean(values[5:]))


def test_the_85_regions_are_registered_agents_viewing_the_table():
    model = mesa.Model(rng=0)
    regions = RegionPopulation(model, load_regions(), 50, model.rng, HARDSHIP_SPREAD)
    agents = model.agents_by_type[MinorityRegion]
    assert len(agents) == regions.n == 85
    tuva = next(a for a in agents if a.name == "Tuva")
    assert tuva.men_16_61 == 92_884
    assert tuva.minority_share == pytest.approx(1 - 0.169)
    tuva.deaths = 929.0
    assert regions.death_toll_permille()[tuva.index] == pytest.approx(10.0, rel=1e-3)


def test_lower_legitimacy_raises_unrest_and_repression_lowers_it():
    base = mean_unrest(make_regions())
    illegitimate = mean_unrest(make_regions(), legitimacy=0.4)
    repressed = mean_unrest(make_regions(), legitimacy=0.4, cop_density=0.15)
    assert illegitimate > base
    assert repressed < illegitimate


def test_war_deaths_raise_grievance_where_they_fall():
    regions = make_regions()
    rng = np.random.default_rng(0)
    regions.update_unrest(0.75, 0.0, epstein(0.04, 0.05, 0.15), rng)
    before = regions.grievance.copy()
    tuva = list(regions.names).index("Tuva")
    regions.deaths[tuva] = 5 * regions.men_16_61[tuva] / 1000  # 5 per 1,000 men
    regions.citizen_jail[:] = 0
    regions.update_unrest(0.75, 0.0, epstein(0.04, 0.05, 0.15), rng)
    rise = regions.grievance - before
    assert rise[tuva] > 0.03
    others = np.delete(rise, tuva)
    assert np.allclose(others, 0.0)


def test_discrimination_and_awareness_raise_minority_regions_grievance():
    quiet = make_regions()
    quiet.update_unrest(0.75, 0.0, epstein(0.04, 0.0, 0.0), np.random.default_rng(0))
    aware = make_regions()
    for _ in range(100):
        aware.raise_awareness(0.8, replace(EPSTEIN, awareness_rate=0.05))
    assert aware.awareness == pytest.approx(np.full(85, 0.8), abs=0.01)
    aware.update_unrest(0.75, 0.0, epstein(0.04, 0.0, 0.3), np.random.default_rng(0))
    rise = aware.grievance - quiet.grievance
    # The rise follows the minority share: largest in Chechnya, smallest in Russian regions.
    assert np.corrcoef(rise, aware.minority_share)[0, 1] > 0.8


def test_arrests_never_exceed_the_police_and_jail_empties():
    regions = make_regions(citizens=100)
    rng = np.random.default_rng(3)
    regions.update_unrest(0.0, 0.0, epstein(0.03, 0.0, 0.5), rng)
    jailed = (regions.citizen_jail > 0).reshape(85, 100).sum(axis=1)
    assert jailed.max() <= 3
    for _ in range(20):
        regions.update_unrest(1.0, 0.0, epstein(0.03, 0.0, 0.0), rng)
    assert regions.citizen_jail.max() == 0
    assert regions.unrest.max() == 0.0


def unrest_path(legitimacy_by_week: list[float], seed: int) -> np.ndarray:
    regions = make_regions(seed)
    rng = np.random.default_rng(seed)
    path = []
    for legitimacy in legitimacy_by_week:
        regions.update_unrest(legitimacy, 0.0, epstein(0.04, 0.05, 0.15), rng)
        path.append(regions.population_weighted(regions.unrest))
    return np.array(path)


@pytest.mark.slow
def test_sudden_fall_in_legitimacy_explodes_where_the_same_fall_in_steps_does_not():
    """Epstein (2002): a sudden fall in legitimacy brings an outburst of rebellion; the same fall
    in small steps lets the police keep pace."""
    sudden = [0.8] * 20 + [0.5] * 50
    gradual = [0.8] * 20 + list(np.linspace(0.8, 0.5, 45)) + [0.5] * 5
    for seed in range(2):
        assert unrest_path(sudden, seed).max() > 0.3
        assert unrest_path(gradual, seed).max() < 0.1


def _epstein_in_numpy(r: RegionPopulation, legitimacy, repression, rule, rng):
    """One week of Epstein's rule written plainly in numpy: what the compiled loop must give.

    Returns grievance and unrest by region, and the citizens' jail terms and activity after it.
    """
    m = r.citizens_per_region
    region = r.citizen_region
    police = rule.police_density(repression) * m
    jail, was_active = r.citizen_jail.copy(), r.citizen_active.copy()
    free = jail == 0
    active_before = np.bincount(region[was_active & free], minlength=r.n)
    arrest_p = 1.0 - np.exp(-rule.arrest_k * np.round(police / (active_before + 1.0)))
    death = (rule.death_hardship_per_permille * r.death_toll_permille())[region]
    hardship = (r.citizen_hardship + death) + (float(rule.discrimination) * r.citizen_minority) * (
        1.0 + r.awareness
    )[region]
    grievance = np.clip(hardship, 0.0, 1.0) * (1.0 - legitimacy)
    active = free & (grievance - r.citizen_risk_aversion * arrest_p[region] > rule.threshold)
    jail = np.maximum(jail - 1, 0)
    arrested = np.zeros(region.size, dtype=bool)
    cap = int(np.floor(police))
    for k in range(r.n):
        # Where the active outnumber the police, a uniformly random `cap` of them (a partial
        # Fisher-Yates shuffle); then each arrested's term, in the order they were chosen.
        candidates = np.flatnonzero(active & (region == k))
        if candidates.size > cap:
            for j in range(cap):
                i = j + rng.integers(0, candidates.size - j)
                candidates[[j, i]] = candidates[[i, j]]
        for i in candidates[:cap]:
            arrested[i] = True
            jail[i] = rng.integers(1, rule.max_jail_weeks + 1)
    grievance_by_region = np.bincount(region, weights=grievance, minlength=r.n) / m
    unrest = np.bincount(region[active], minlength=r.n) / m
    return grievance_by_region, unrest, jail, active & ~arrested


@pytest.mark.parametrize("legitimacy", [0.2, 0.5, 0.8])
def test_the_compiled_rule_is_the_rule_in_numpy(legitimacy):
    # Low legitimacy and few police: many active citizens, arrests capped in most regions.
    regions = make_regions(seed=3, citizens=60)
    regions.deaths = regions.men_16_61 * np.linspace(0.0, 0.02, regions.n)
    regions.awareness = np.linspace(0.0, 1.0, regions.n)
    rule = epstein(cop_density=0.05, death_hardship=0.05, discrimination=0.2)
    compiled_rng, numpy_rng = np.random.default_rng(9), np.random.default_rng(9)
    for week in range(12):
        repression = 0.1 * week
        expected = _epstein_in_numpy(regions, legitimacy, repression, rule, numpy_rng)
        regions.update_unrest(legitimacy, repression, rule, compiled_rng)
        got = (regions.grievance, regions.unrest, regions.citizen_jail, regions.citizen_active)
        for a, b in zip(got, expected, strict=True):
            assert np.array_equal(a, b)
        assert regions.citizen_jail.any()


def test_the_police_arrest_a_uniform_choice_of_the_active_for_uniform_terms():
    """Where the active outnumber the police, each active citizen is as likely to be arrested,
    and terms are uniform on 1..max_jail_weeks: the rule's draws are only what it needs, and
    must not favour the first or last citizens (chi-square, alpha 0.001, fixed seeds)."""
    from scipy import stats

    regions = make_regions(seed=5, citizens=60)
    rule = epstein(cop_density=0.05, death_hardship=0.0, discrimination=0.0)
    cap = int(np.floor(rule.police_density(0.0) * 60))
    rng = np.random.default_rng(11)
    arrested_times = np.zeros(regions.citizen_region.size)
    terms = []
    active = None
    for _ in range(400):
        # The same free, calm citizens every time; only the police's draws differ.
        regions.citizen_jail[:] = 0
        regions.citizen_active[:] = False
        regions.update_unrest(0.0, 0.0, rule, rng)
        jailed = regions.citizen_jail > 0
        active = jailed | regions.citizen_active
        arrested_times += jailed
        terms.extend(regions.citizen_jail[jailed].tolist())
    counts = active.reshape(regions.n, 60).sum(axis=1)
    assert counts.max() > 4 * cap  # arrests are capped: the choice is a real one
    busiest = int(np.argmax(counts))
    in_busiest = np.flatnonzero(active & (regions.citizen_region == busiest))
    assert arrested_times[in_busiest].sum() == 400 * cap
    assert stats.chisquare(arrested_times[in_busiest]).pvalue > 0.001
    observed = np.bincount(terms, minlength=rule.max_jail_weeks + 1)[1:]
    assert stats.chisquare(observed).pvalue > 0.001
    # A choice that always took the first active citizens would fail the first test.
    first_only = np.zeros(in_busiest.size)
    first_only[:cap] = 400
    assert stats.chisquare(first_only).pvalue < 1e-9

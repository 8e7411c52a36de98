"""Property-based tests: anywhere in the parameter space, a short run keeps every invariant.

Sizes (agents, elites, citizens, horizon) are drawn from the small end of their ranges so that each
example runs in well under a second; every other parameter is drawn from its whole range. The
number of examples comes from the Hypothesis profile (tests/conftest.py): ``ci`` by default,
``--hypothesis-profile=thorough`` for 25 times as many.
"""

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import model.model
from model.model import OutlastModel
from model.scenario import (
    ELITE_KINDS,
    PARTNER_KEYS,
    PRESETS,
    WEIGHT_GROUPS,
    WEIGHT_SUM_TOLERANCE,
    Scenario,
    ScenarioError,
    make_scenario,
)
from tests.model.invariants import Invariants

SIZE_CAPS = {
    "n_soldier_agents": 1_500,
    "n_elites": 60,
    "citizens_per_region": 40,
    "horizon_weeks": 10,
    "unit_size_agents": 200,
    "peer_ties": 12,
    "mobilisation_size": 100_000,
}
NUMERIC = [n for n, f in Scenario.model_fields.items() if f.annotation in (int, float)]


#: The army's ceiling in these tests: extreme recruitment reaches it in a week, and at the real
#: ceiling (4,000,000 agents) one example would take a minute and gigabytes.
TEST_CEILING = 30_000


@pytest.fixture(autouse=True, scope="module")
def small_ceiling():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model.model, "MAX_SOLDIER_AGENTS", TEST_CEILING)
        yield


def bounds(name: str) -> tuple[float, float]:
    extra = Scenario.model_fields[name].json_schema_extra
    return extra["lo"], extra["hi"]


def field_strategy(name: str):
    info = Scenario.model_fields[name]
    if name == "start_date":
        return st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1))
    if info.annotation not in (int, float):
        return st.sampled_from(info.annotation.__args__)
    lo, hi = bounds(name)
    if name in SIZE_CAPS:
        hi = min(hi, SIZE_CAPS[name])
    if info.annotation is int:
        return st.integers(int(lo), int(hi))
    # The ends themselves are where rules divide by zero or saturate: draw them often.
    return st.one_of(st.sampled_from([lo, hi]), st.floats(lo, hi, allow_nan=False))


def default(name: str):
    return Scenario.model_fields[name].default


def satisfy_joint_constraints(values: dict) -> dict:
    """Make drawn values meet the Scenario's joint constraints, changing as few as it can.

    Recruitment kinds share at most 1; peer ties even and below the unit size; each weight group
    sums to 1 (scaled, or equal weights if all are 0); each drawn range's lowest value at most
    its highest (swapped); some partner supports the regime at the start.
    """
    mobilised = values.get("share_mobilised", default("share_mobilised"))
    contract = values.get("share_contract", default("share_contract"))
    if mobilised + contract > 1.0:
        values["share_contract"] = 1.0 - mobilised
    unit = values.get("unit_size_agents", default("unit_size_agents"))
    ties = values.get("peer_ties", default("peer_ties"))
    if ties % 2 or ties >= unit:
        ties = min(ties, unit - 1)
        values["peer_ties"] = max(2, ties - ties % 2)
    for prefix, parts in WEIGHT_GROUPS.items():
        names = [prefix + part for part in parts]
        weights = [values.get(name, default(name)) for name in names]
        total = sum(weights)
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            for name, weight in zip(names, weights, strict=True):
                values[name] = weight / total if total > 0 else 1.0 / len(names)
    ranges = [(f"elite_base_cost_min_{k}", f"elite_base_cost_max_{k}") for k in ELITE_KINDS]
    for lo, hi in [*ranges, ("elite_loyalty_min", "elite_loyalty_max")]:
        low, high = values.get(lo, default(lo)), values.get(hi, default(hi))
        if low > high:
            values[lo], values[hi] = high, low
    if not any(
        values.get(f"partner_{key}_base_cooperation", default(f"partner_{key}_base_cooperation"))
        * values.get(f"partner_{key}_capacity_weight", default(f"partner_{key}_capacity_weight"))
        for key in PARTNER_KEYS
    ):
        # Restore the first partner that supports the regime at the defaults.
        key = next(
            k
            for k in PARTNER_KEYS
            if default(f"partner_{k}_base_cooperation") * default(f"partner_{k}_capacity_weight")
        )
        for name in (f"partner_{key}_base_cooperation", f"partner_{key}_capacity_weight"):
            values[name] = default(name)
    return values


@st.composite
def scenarios(draw):
    values = {name: draw(field_strategy(name)) for name in Scenario.model_fields}
    return Scenario(**satisfy_joint_constraints(values))


@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_any_scenario_runs_and_keeps_every_invariant(scenario, seed):
    check = Invariants(OutlastModel(rng=seed, scenario_obj=scenario))
    check.run()
    assert check.weeks_checked >= 2
    assert check.model.corps.size <= TEST_CEILING + check.model.params.n_soldier_agents


@st.composite
def preset_overrides(draw):
    """A preset, small sizes, and up to eight other parameters anywhere in their ranges."""
    preset = draw(st.sampled_from(sorted(PRESETS)))
    names = draw(st.lists(st.sampled_from(sorted(Scenario.model_fields)), max_size=8, unique=True))
    values = {name: draw(field_strategy(name)) for name in names}
    for name in ("n_soldier_agents", "n_elites", "citizens_per_region", "horizon_weeks"):
        values[name] = draw(field_strategy(name))
    merged = satisfy_joint_constraints({**PRESETS[preset], **values})
    return preset, {
        k: merged[k] for k in merged if k in values or merged[k] != PRESETS[preset].get(k)
    }


@given(drawn=preset_overrides(), seed=st.integers(0, 2**63 - 1))
def test_every_preset_with_random_overrides_runs_through_the_model_keywords(drawn, seed):
    # The path SolaraViz and mesa.batch_run take: OutlastModel(preset=..., **fields).
    preset, overrides = drawn
    model = OutlastModel(rng=seed, preset=preset, **overrides)
    for name, value in overrides.items():
        assert getattr(model.params, name) == value
    Invariants(model).run()


def test_extreme_recruitment_stops_at_the_men_there_are_and_at_the_ceiling():
    # Every lever of recruitment at its top: sign-ups would be thousands of times the 2024 rate.
    top = {
        name: bounds(name)[1]
        for name in (
            "monthly_pay_rub",
            "signup_bonus_rub",
            "bonus_budget_rub",
            "recruitment_pay_elasticity",
            "recruits_per_week_at_defaults",
        )
    }
    big = {"soldiers_per_agent": 10_000.0, "n_soldier_agents": 100, "horizon_weeks": 4}
    few_men = OutlastModel(rng=2, **big, **top)
    check = Invariants(few_men)
    check.run()
    men = few_men.regions.men_16_61.sum()
    # At 10,000 soldiers an agent every region sends about all its men in the first week, and
    # never more than it has (its share of the initial force aside).
    initial = few_men.params.n_soldier_agents * few_men.params.soldiers_per_agent
    assert 0.9 * men < few_men.regions.recruits.sum() <= men + initial
    assert check.previous["recruits_week"] < 0.01 * men
    many_agents = OutlastModel(rng=2, soldiers_per_agent=1.0, horizon_weeks=3, **top)
    check = Invariants(many_agents)
    check.run()
    assert many_agents.corps.size == TEST_CEILING


def bad_values(name: str):
    """Values of the wrong type or outside the bounds of numeric parameter `name`."""
    lo, hi = bounds(name)
    integer = Scenario.model_fields[name].annotation is int
    span = max(hi - lo, 1.0)
    below = st.floats(lo - 1e6 * span, lo, exclude_max=True, allow_nan=False)
    above = st.floats(hi, hi + 1e6 * span, exclude_min=True, allow_nan=False)
    if integer:
        below = st.integers(int(lo) - 10**6, int(lo) - 1)
        above = st.integers(int(hi) + 1, int(hi) + 10**6)
    wrong_type = st.one_of(
        st.booleans(),
        st.text(max_size=8),
        st.none(),
        st.lists(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
        st.sampled_from([math.nan, math.inf, -math.inf]),
    )
    if integer:
        wrong_type = st.one_of(wrong_type, st.floats(lo, hi).filter(lambda v: v != int(v)))
    return st.one_of(below, above, wrong_type)


@settings(max_examples=settings.default.max_examples * 5)
@given(data=st.data(), name=st.sampled_from(NUMERIC))
def test_any_bad_value_of_any_parameter_is_one_line_naming_it(data, name):
    value = data.draw(bad_values(name))
    for build in (make_scenario, lambda values: OutlastModel(rng=1, **values)):
        with pytest.raises(ScenarioError) as err:
            build({name: value})
        message = str(err.value)
        assert message.startswith(f"parameter '{name}' = ")
        assert "is not allowed: " in message and "\n" not in message

"""The dashboard's controls: generated from the Scenario, and SolaraViz's reset builds from them."""

from __future__ import annotations

import math

import pytest
from mesa.visualization.solara_viz import _build_model_init_kwargs

from dashboards.controls import (
    DEFAULT_SEED,
    KEY_FIELDS,
    LEVER_FIELDS,
    SLIDER_FIELDS,
    DashboardModel,
    field_label,
    model_params,
    nice_step,
)
from model.model import OutlastModel
from model.scenario import PRESETS, Scenario, make_scenario

SMALL = {"n_soldier_agents": 500, "horizon_weeks": 5}


def slider_values(params: dict) -> dict:
    """What SolaraViz's ModelCreator starts its values at: fixed params and each input's value."""
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def test_every_slider_has_its_fields_bounds_type_and_unit() -> None:
    params = model_params()
    for name in SLIDER_FIELDS:
        spec = params[name]
        extra = Scenario.model_fields[name].json_schema_extra
        assert (spec["min"], spec["max"]) == (extra["lo"], extra["hi"]), name
        assert spec["label"].endswith(f"({extra['unit']})"), name
        is_int = Scenario.model_fields[name].annotation is int
        assert spec["type"] == ("SliderInt" if is_int else "SliderFloat"), name
        assert (spec["max"] - spec["min"]) / spec["step"] >= 100, name


@pytest.mark.parametrize("preset", list(PRESETS))
def test_every_preset_value_is_on_its_sliders_grid(preset: str) -> None:
    spec = model_params(preset)
    for name in SLIDER_FIELDS:
        s = spec[name]
        steps = (s["value"] - s["min"]) / s["step"]
        assert s["min"] <= s["value"] <= s["max"], name
        assert math.isclose(steps, round(steps), abs_tol=1e-6), (preset, name, s)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_reset_from_the_controls_rebuilds_the_presets_scenario(preset: str) -> None:
    # What SolaraViz's reset does: type(model)(**_build_model_init_kwargs(model, values)).
    model = OutlastModel(rng=1, **SMALL)
    values = slider_values(model_params(preset, seed=42))
    kwargs = _build_model_init_kwargs(
        model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    rebuilt = type(model)(**kwargs)
    assert rebuilt.params == make_scenario(dict(PRESETS[preset]))
    assert rebuilt.seed == 42


def test_reset_with_a_moved_slider_uses_its_value_and_keeps_the_preset_elsewhere() -> None:
    model = OutlastModel(rng=1, **SMALL)
    values = {**slider_values(model_params("defection_fund")), "defection_payment_usd": 20_000.0}
    kwargs = _build_model_init_kwargs(
        model, values, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    rebuilt = type(model)(**kwargs)
    assert rebuilt.params.defection_payment_usd == 20_000.0
    assert (
        rebuilt.params.seized_asset_fund_usd == PRESETS["defection_fund"]["seized_asset_fund_usd"]
    )


def test_a_seed_typed_as_text_gives_the_same_run_as_the_number() -> None:
    typed, number = OutlastModel(rng=" 7", **SMALL), OutlastModel(rng=7, **SMALL)
    typed.run_model()
    number.run_model()
    assert typed.seed == number.seed == 7
    assert typed.weekly_table().equals(number.weekly_table())


@pytest.mark.parametrize("text", ["abc", "-3", "1.5", str(2**63)])
def test_a_bad_seed_in_the_seed_box_is_reported_and_the_default_used(text: str) -> None:
    model = DashboardModel(rng=text, **SMALL)
    assert model.seed == DEFAULT_SEED
    assert model.input_error.startswith("seed ")
    assert str(DEFAULT_SEED) in model.input_error


def test_a_good_seed_in_the_seed_box_has_no_error() -> None:
    model = DashboardModel(rng="12", **SMALL)
    assert (model.seed, model.input_error) == (12, None)


def test_the_sliders_are_numeric_fields_free_of_joint_constraints() -> None:
    assert len(set(SLIDER_FIELDS)) == len(LEVER_FIELDS) + len(KEY_FIELDS)
    constrained = {"share_mobilised", "share_contract", "peer_ties", "unit_size_agents"}
    assert not constrained & set(SLIDER_FIELDS)
    for name in SLIDER_FIELDS:
        assert Scenario.model_fields[name].annotation in (int, float), name


def test_labels_read_as_words_with_the_unit() -> None:
    assert field_label("defection_payment_usd") == "Defection payment (USD/soldier)"
    assert field_label("fund_income_usd_per_week") == "Fund income (USD/week)"
    assert field_label("horizon_weeks") == "Horizon (weeks)"
    assert field_label("n_soldier_agents") == "Number of soldier agents (agents)"


def test_nice_step_is_coarsest_step_reaching_every_value() -> None:
    assert nice_step(0.0, 1.0, [0.3], integer=False) == pytest.approx(0.01)
    assert nice_step(0.0, 1e7, [1e6, 195_000.0], integer=False) == 5_000
    assert nice_step(100, 2_000_000, [20_000, 10_000], integer=True) == 100
    assert nice_step(0, 1040, [4], integer=True) == 2

"""Every Scenario field has a role; `outlast params` rows carry it with numeric bounds; the joint
constraints of the new weight groups and ranges give one-line errors."""

import json

import pytest

from model.scenario import (
    ELITE_KINDS,
    PARTNER_KEYS,
    ROLES,
    WEIGHT_GROUPS,
    Scenario,
    ScenarioError,
    make_scenario,
    param,
    parameter_json,
    parameter_markdown,
    parameter_rows,
)


def test_every_field_has_a_known_role():
    for name, info in Scenario.model_fields.items():
        assert info.json_schema_extra["role"] in ROLES, name


def test_calibrated_fields_and_only_they_name_their_figure():
    rows = parameter_rows()
    calibrated = {r["name"] for r in rows if r["role"] == "calibrated"}
    assert calibrated == {
        "leave_threshold_mean",
        "surrender_barrier",
        "contact_margin",
        "coup_success_intercept",
        "recruits_per_week_at_defaults",
        "recruitment_muslim_effect",
    }
    for r in rows:
        assert bool(r["calibrated_to"]) == (r["role"] == "calibrated"), r["name"]


def test_levers_are_the_wests_choices_and_their_start_weeks():
    levers = {r["name"] for r in parameter_rows() if r["role"] == "lever"}
    assert {"defection_payment_usd", "exile_support", "western_resolve"} <= levers
    assert {"resolve_start_week", "minority_campaign_start_week"} <= levers
    assert "signup_bonus_rub" not in levers  # the Kremlin's choice, not the West's


def test_a_field_without_a_role_or_with_a_stray_figure_is_refused():
    with pytest.raises(ValueError, match="unknown role"):
        param(0.5, 0.0, 1.0, "share", "x", role="guess")
    with pytest.raises(ValueError, match="names the figure"):
        param(0.5, 0.0, 1.0, "share", "x", role="calibrated")
    with pytest.raises(ValueError, match="names the figure"):
        param(0.5, 0.0, 1.0, "share", "x", role="uncertainty", calibrated_to="a figure")


def test_json_rows_give_role_and_numeric_bounds():
    rows = {r["name"]: r for r in json.loads(parameter_json())}
    assert rows.keys() == Scenario.model_fields.keys()
    assert rows["horizon_weeks"]["lower"] == 1 and rows["horizon_weeks"]["upper"] == 1040
    assert rows["front_death_hazard_per_week"]["upper"] == 0.05
    assert rows["start_date"]["lower"] is None and rows["start_date"]["default"] == "2026-12-07"
    for name, row in rows.items():
        assert row["role"] in ROLES
        if row["lower"] is not None:
            assert isinstance(row["lower"], int | float) and isinstance(row["upper"], int | float)
            assert row["lower"] <= row["upper"], name


def test_the_markdown_table_has_a_role_column():
    lines = parameter_markdown().splitlines()
    assert lines[0].startswith("| parameter | role |")
    assert lines[2].startswith("| `horizon_weeks` | setting |")
    assert len(lines) == 2 + len(Scenario.model_fields)


@pytest.mark.parametrize("prefix", list(WEIGHT_GROUPS))
def test_each_weight_group_must_sum_to_one(prefix):
    first = prefix + WEIGHT_GROUPS[prefix][0]
    with pytest.raises(ScenarioError) as err:
        make_scenario({first: getattr(Scenario(), first) + 0.1})
    message = str(err.value)
    assert "\n" not in message and message.endswith("must sum to 1, not 1.1")
    assert all(prefix + part in message for part in WEIGHT_GROUPS[prefix])


def test_weights_moved_together_are_accepted():
    s = make_scenario({"elite_share_military": 0.5, "elite_share_civilian": 0.2})
    assert (s.elite_share_military, s.elite_share_security, s.elite_share_civilian) == (
        0.5,
        0.3,
        0.2,
    )


@pytest.mark.parametrize(
    ("low", "high"),
    [
        *((f"elite_base_cost_min_{k}", f"elite_base_cost_max_{k}") for k in ELITE_KINDS),
        ("elite_loyalty_min", "elite_loyalty_max"),
    ],
)
def test_a_drawn_range_must_not_be_upside_down(low, high):
    with pytest.raises(ScenarioError, match=f"^{low} must be at most {high}$"):
        make_scenario({low: getattr(Scenario(), high) + 0.01})


def test_some_partner_must_support_the_regime_at_the_start():
    no_weight = {f"partner_{key}_capacity_weight": 0.0 for key in PARTNER_KEYS}
    with pytest.raises(ScenarioError, match="some partner must have both"):
        make_scenario(no_weight)
    make_scenario({**no_weight, "partner_china_capacity_weight": 1.0})

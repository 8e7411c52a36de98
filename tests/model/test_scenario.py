import datetime as dt
import math

import pytest

from model.scenario import (
    PRESETS,
    Scenario,
    ScenarioError,
    load_scenario,
    make_scenario,
    parameter_rows,
)


def numeric_fields():
    for row in parameter_rows():
        info = Scenario.model_fields[row["name"]]
        extra = info.json_schema_extra
        if extra.get("lo") is not None:
            yield row["name"], extra["lo"], extra["hi"], info.annotation


def test_every_parameter_has_unit_source_and_description():
    for row in parameter_rows():
        assert row["unit"], row["name"]
        assert row["description"].strip(), row["name"]
        assert row["source"] in ("FACTS.md", "assumption"), row["name"]


def test_defaults_lie_within_bounds():
    s = Scenario()
    for name, lo, hi, _ in numeric_fields():
        assert lo <= getattr(s, name) <= hi, name


@pytest.mark.parametrize(("name", "lo", "hi", "kind"), list(numeric_fields()))
def test_every_bound_is_enforced(name, lo, hi, kind):
    step = 1 if kind is int else max(abs(hi - lo) * 1e-3, 1e-9)
    for bad in (lo - step, hi + step):
        if kind is int:
            bad = math.floor(bad) if bad < lo else math.ceil(bad)
        with pytest.raises(ScenarioError, match=f"parameter '{name}' = .* is not allowed"):
            make_scenario({name: bad})


def test_unknown_key_names_it_and_suggests():
    with pytest.raises(
        ScenarioError, match="unknown parameter 'legitimcy'; did you mean 'legitimacy'"
    ):
        make_scenario({"legitimcy": 0.5})


def test_wrong_type_is_rejected_in_one_line():
    with pytest.raises(ScenarioError) as err:
        make_scenario({"horizon_weeks": "many"})
    assert "\n" not in str(err.value)
    assert "horizon_weeks" in str(err.value)


def test_joint_constraint_on_recruitment_kinds():
    with pytest.raises(ScenarioError, match="share_mobilised \\+ share_contract"):
        make_scenario({"share_mobilised": 0.6, "share_contract": 0.6})


def test_every_preset_is_valid_and_names_only_known_fields():
    for name, values in PRESETS.items():
        s = load_scenario(preset=name)
        for key, value in values.items():
            assert getattr(s, key) == value, (name, key)


def test_unknown_preset():
    with pytest.raises(ScenarioError, match="unknown preset 'nope'; allowed: baseline"):
        load_scenario(preset="nope")


def test_toml_preset_plus_overrides_and_set_wins(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text(
        'preset = "defection_fund"\nstart_date = 2023-01-02\n'
        "[parameters]\ndefection_payment_usd = 20000\ndefection_offer_start_week = 26\n"
    )
    s = load_scenario(config=f, overrides=["defection_payment_usd=30000"])
    assert s.defection_payment_usd == 30000
    assert s.defection_offer_start_week == 26
    assert s.seized_asset_fund_usd == PRESETS["defection_fund"]["seized_asset_fund_usd"]
    assert s.start_date == dt.date(2023, 1, 2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("x = [", "is not valid TOML"),
        ("preset = 3", "'preset' must be a string"),
        ("bogus = 1", "unknown parameter 'bogus'"),
        ("legitimacy = 'high'", "parameter 'legitimacy'"),
    ],
)
def test_bad_toml_files(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(ScenarioError, match=message):
        load_scenario(config=f)


def test_missing_file():
    with pytest.raises(ScenarioError, match=r"cannot read 'nowhere\.toml'"):
        load_scenario(config="nowhere.toml")


def test_scenario_is_immutable():
    s = Scenario()
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own ValidationError
        s.legitimacy = 0.1

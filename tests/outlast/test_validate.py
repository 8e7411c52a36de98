"""`outlast validate`: the registry, the measures, the table and the command."""

import math

import numpy as np
import pandas as pd
import pytest

from outlast.analysis import validate as v
from outlast.cli import main
from outlast.experiments.runner import RunResult


def fake_result(deaths: dict[str, float], week_values: dict[str, list[float]]) -> RunResult:
    names = list(deaths)
    regions = pd.DataFrame(
        {
            "region": names,
            "men_16_61": [100_000.0] * len(names),
            "deaths": list(deaths.values()),
            "deaths_per_100k_men": list(deaths.values()),
            "pct_below_subsistence": list(range(len(names))),
            "minority_tradition": ["buddhist", "muslim"] + ["none"] * (len(names) - 2),
        }
    )
    weekly = pd.DataFrame({"week": range(len(next(iter(week_values.values())))), **week_values})
    return RunResult(weekly=weekly, regions=regions, summary={})


def test_measures_on_a_known_run():
    deaths = {"Tuva": 90.0, "Chechnya": 10.0, "Moscow": 20.0, "A": 30.0, "B": 50.0}
    result = fake_result(
        deaths,
        {
            "hotline_contacts_total": [0, 100, 400],
            "hotline_surrenders_total": [0, 1, 2],
            "recruits_week": [0, 10, 30],
        },
    )
    assert v.pooled_death_ratio(result, "buddhist") == pytest.approx(90 / 40)
    assert v.pooled_death_ratio(result, "muslim") == pytest.approx(10 / 40)
    assert v.percentile_rank(v.deaths_per_100k(result), ["Tuva"], "min") == pytest.approx(0.8)
    assert v.percentile_rank(v.deaths_per_100k(result), ["Moscow", "A"], "max") == 0.4
    assert v.hotline_surrender_share(result) == pytest.approx(2 / 400)
    assert v.weekly_value(result, "hotline_contacts_total", 1) == 100
    assert v.weekly_value(result, "hotline_contacts_total", 99) == 400
    assert v.weekly_mean(result, "recruits_week", 1, 2) == 20
    # Deaths rise with the poverty column's order except for Tuva and Moscow.
    assert -1 <= v.poverty_rank_correlation(result) <= 1


def test_registry_refuses_duplicates_and_unknown_names():
    check = next(iter(v.CHECKS.values()))
    with pytest.raises(ValueError, match="already registered"):
        v.register(check)
    with pytest.raises(ValueError, match="unknown validation check 'nope'; allowed: "):
        v.select(["nope"])
    assert v.select(None) == list(v.CHECKS.values())


def test_a_registered_check_is_run_and_reported(monkeypatch):
    probe = v.Check(
        "probe_force",
        "active force at week 3",
        "test",
        "anything",
        0.0,
        math.inf,
        "baseline",
        lambda r: v.weekly_value(r, "force_active", 3),
        (("horizon_weeks", 3), ("n_soldier_agents", 500)),
    )
    monkeypatch.setitem(v.CHECKS, probe.name, probe)
    table = v.validate(seeds=3, names=["probe_force"], overrides=["soldiers_per_agent=10"])
    row = table.iloc[0]
    assert row["check"] == "probe_force"
    assert row["seeds"] == 3
    assert row["within"] == "yes"
    # 500 agents of 10 soldiers and three weeks of about 6,400 recruits, less the losses.
    assert 15_000 < row["model_mean"] < 25_000
    assert row["model_p05"] <= row["model_mean"] <= row["model_p95"]
    markdown = v.to_markdown(table)
    assert "| active force at week 3 (`probe_force`) | test | anything |" in markdown


def test_every_check_reads_a_preset_that_exists_and_has_a_range_or_says_none():
    from model.scenario import PRESETS

    for check in v.CHECKS.values():
        assert check.preset in PRESETS
        assert check.kind in (v.CALIBRATION, v.CHECK)
        assert (check.lo is None) == (check.hi is None)
        if check.lo is not None:
            assert check.lo <= check.hi


def test_validate_command_writes_csv_and_markdown(tmp_path, capsys):
    out = tmp_path / "val"
    code = main(
        [
            "validate",
            "--seeds",
            "2",
            "--only",
            "recruits_per_week_2024_25",
            "--set",
            "n_soldier_agents=1000",
            "--set",
            "soldiers_per_agent=600",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "validation.csv")
    assert table["check"].tolist() == ["recruits_per_week_2024_25"]
    assert np.isfinite(table["model_mean"]).all()
    assert "recruits a week" in (out / "validation.md").read_text()
    assert "recruits_per_week_2024_25" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "nope"], "unknown validation check 'nope'"),
        (["--set", "no_such=1"], "unknown parameter 'no_such'"),
        (["--set", "leave_threshold_mean=99"], "parameter 'leave_threshold_mean' = 99"),
        (["--seeds", "0"], "'0' must be at least 1"),
    ],
)
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, message):
    out = tmp_path / "val"
    with pytest.raises(SystemExit) if args[0] == "--seeds" else _no_raise() as caught:
        code = main(["validate", *args, "--out", str(out)])
    code = caught.value.code if caught else code
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


class _no_raise:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False

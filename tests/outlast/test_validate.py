"""`outlast validate`: the registry, the measures, the table and the command on the run engine."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from outlast.analysis import validate as v
from outlast.cli import main
from outlast.exit_codes import EXIT_INTERRUPTED
from outlast.experiments import engine
from outlast.experiments.design import run_seed
from outlast.experiments.runner import RunResult
from outlast.experiments.store import SweepStore

#: A small check (500 agents, three weeks) for the tests that run the engine.
PROBE = v.Check(
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
#: A second point: the same check's figure from a preset with regions, read from the region table.
PROBE_REGIONS = v.Check(
    "probe_tuva_rank",
    "Tuva's rank in deaths per 100,000 men at week 4",
    "test",
    "anything",
    None,
    None,
    "historical-2022",
    lambda r: v.percentile_rank(v.deaths_per_100k(r), ["Tuva"], "min"),
    (("horizon_weeks", 4), ("n_soldier_agents", 500)),
)


@pytest.fixture
def probes(monkeypatch):
    """Register the two small checks for this test."""
    for check in (PROBE, PROBE_REGIONS):
        monkeypatch.setitem(v.CHECKS, check.name, check)
    return [PROBE.name, PROBE_REGIONS.name]


def count_runs(monkeypatch) -> list[int]:
    """Count the runs made in this process (the local backend with one worker runs here)."""
    seeds: list[int] = []
    original = engine.run_simulation

    def counted(scenario, seed, *args):
        seeds.append(seed)
        return original(scenario, seed, *args)

    monkeypatch.setattr(engine, "run_simulation", counted)
    return seeds


#: The iso codes of the regions the fake runs name (others are their own code).
ISO = {"Tuva": "TY", "Chechnya": "CE", "Moscow": "MOW"}


def fake_result(deaths: dict[str, float], week_values: dict[str, list[float]]) -> RunResult:
    names = list(deaths)
    regions = pd.DataFrame(
        {
            "region": names,
            "iso": [ISO.get(name, name) for name in names],
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
    # Chechnya and Moscow together: 30 deaths per 200,000 men against 200 per 500,000.
    assert v.group_death_ratio(result, ["CE", "MOW"]) == pytest.approx(0.375)
    # Rates 90, 10, 20, 30, 50: mean 40, sample standard deviation sqrt(1,000).
    assert v.regional_cv(result) == pytest.approx(1_000**0.5 / 40)


def test_registry_refuses_duplicates_and_unknown_names():
    check = next(iter(v.CHECKS.values()))
    with pytest.raises(ValueError, match="already registered"):
        v.register(check)
    with pytest.raises(ValueError, match="unknown validation check 'nope'; allowed: "):
        v.select(["nope"])
    assert v.select(None) == list(v.CHECKS.values())


def test_a_registered_check_is_run_and_reported(probes, monkeypatch):
    seeds = count_runs(monkeypatch)
    table = v.validate(
        seeds=3, names=["probe_force"], overrides=["soldiers_per_agent=10"], master_seed=7
    )
    # The sweeps' seeding: seed i of design point 0 derives from the master seed.
    assert seeds == [run_seed(7, 0, i) for i in range(3)]
    row = table.iloc[0]
    assert row["check"] == "probe_force"
    assert row["seeds"] == 3
    assert row["within"] == "yes"
    # 500 agents of 10 soldiers and three weeks of about 6,400 recruits, less the losses.
    assert 15_000 < row["model_mean"] < 25_000
    assert row["model_p05"] <= row["model_mean"] <= row["model_p95"]
    markdown = v.to_markdown(table)
    assert "| active force at week 3 (`probe_force`) | test | anything |" in markdown


def test_the_design_points_are_the_distinct_scenarios_the_checks_read(probes):
    checks = v.select([*probes, "recruits_per_week_2024_25", "desertion_rate_baseline"])
    exp = v.validation_experiment(checks, seeds=2, overrides=["horizon_weeks=2"], master_seed=1)
    # The two baseline checks share a point; the user's --set wins over a check's overrides; the
    # points follow the registry, whatever the order the checks are named in.
    assert exp.points["preset"].tolist() == ["baseline", "baseline", "historical-2022"]
    assert exp.sha256 == v.validation_experiment(checks[::-1], 2, ["horizon_weeks=2"], 1).sha256
    assert [s.horizon_weeks for s in exp.scenarios] == [2, 2, 2]
    assert exp.scenarios[1].n_soldier_agents == 500
    assert exp.runs["seed"].tolist() == [run_seed(1, p, i) for p in range(3) for i in range(2)]
    assert exp.keep_regions


def test_coup_share_is_pooled_with_a_wilson_interval():
    runs = [
        RunResult(pd.DataFrame(), pd.DataFrame(), {"coup_attempts": a, "coups_succeeded": s})
        for a, s in [(3, 1), (0, 0), (2, 2)]
    ]
    share, low, high = v.coup_share_pooled(runs)
    assert share == pytest.approx(3 / 5)
    # Wilson's 90% interval for 3 of 5, from its formula: asymmetric about the share.
    z, n, p = 1.6448536, 5, 3 / 5
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert (low, high) == pytest.approx((centre - half, centre + half), rel=1e-6)


def test_validate_resumes_an_interrupted_run_and_refuses_another_one(
    probes, tmp_path, monkeypatch, capsys
):
    args = ["validate", "--seeds", "3", "--seed", "11", "--quiet", *(f"--only={p}" for p in probes)]
    out, fresh = tmp_path / "val", tmp_path / "fresh"
    assert main([*args, "--out", str(fresh)]) == 0
    original, stored = SweepStore.write_batch, []

    def write_then_interrupt(self, *frames):
        original(self, *frames)
        stored.append(len(frames[0]))
        if len(stored) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(SweepStore, "write_batch", write_then_interrupt)
    assert main([*args, "--out", str(out)]) == EXIT_INTERRUPTED
    assert "run the same command again to resume" in capsys.readouterr().err
    assert not (out / "validation.csv").exists()
    monkeypatch.setattr(SweepStore, "write_batch", original)
    seeds = count_runs(monkeypatch)
    assert main([*args, "--out", str(out)]) == 0
    finished = sum(stored)
    assert len(seeds) == 6 - finished
    assert f"{6 - finished} run now, {finished} found finished" in capsys.readouterr().out
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "validation.csv"), pd.read_csv(fresh / "validation.csv")
    )
    manifest = json.loads((out / "runs" / "manifest.json").read_text())
    assert (manifest["master_seed"], manifest["seeds"], manifest["complete"]) == (11, 3, True)
    assert len(manifest["sessions"]) == 2
    # Finished: the same command runs nothing; another validation needs --overwrite.
    assert main([*args, "--out", str(out)]) == 0
    assert len(seeds) == 6 - finished
    capsys.readouterr()
    assert main([*args, "--seeds", "2", "--out", str(out)]) == 2
    assert "use --overwrite" in capsys.readouterr().err
    assert main([*args, "--seeds", "2", "--overwrite", "--out", str(out)]) == 0


def test_the_same_seeds_give_the_same_checks_on_one_and_two_workers(probes):
    one = v.validate(seeds=3, names=probes, workers=1, master_seed=5)
    two = v.validate(seeds=3, names=probes, workers=2, master_seed=5)
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    assert one["seeds"].tolist() == [3, 3]
    assert 0.0 <= one.loc[1, "model_mean"] <= 1.0


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

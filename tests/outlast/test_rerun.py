"""`outlast rerun`: one row of a sweep rerun from its stored scenario and seed, checked bit for bit."""

import contextlib
import io
import json
import shutil

import pandas as pd
import pytest

from outlast.cli import main
from outlast.experiments import store

TINY = """
name = "tiny"
preset = "combined"
master_seed = 5
seeds = 2

[parameters]
horizon_weeks = 20
n_soldier_agents = 2000
n_elites = 30
citizens_per_region = 200

[design]
kind = "grid"
[design.parameters.defection_payment_usd]
values = [0, 20000]

[keep]
final = ["force_active", "war_ended"]
weekly = ["stability_index", "surrenders_week"]
regions = true
"""


def cli(*args) -> tuple[int, str, str]:
    """Run `outlast ARGS` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's own errors
            code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    """A finished tiny sweep (2 points x 2 seeds, regions kept) and what `sweep --json` printed."""
    root = tmp_path_factory.mktemp("rerun")
    (root / "tiny.toml").write_text(TINY)
    code, stdout, err = cli(
        "sweep", root / "tiny.toml", "--out", root / "out", "--workers", 1, "--json"
    )
    assert code == 0, err
    return root / "out", json.loads(stdout)


@pytest.fixture
def copy(swept, tmp_path):
    """A copy of the sweep that a test may damage."""
    shutil.copytree(swept[0], tmp_path / "sweep")
    return tmp_path / "sweep"


def test_sweep_stores_each_scenario_and_each_runs_digest_and_keeps_regions(swept):
    out, printed = swept
    assert printed["runs"] == 4 and printed["failed"] == 0 and printed["points"] == 2
    assert "regions.parquet" in printed["files"]
    scenarios = pd.read_parquet(out / "scenarios.parquet")
    results = pd.read_parquet(out / "results.parquet")
    assert scenarios["point_id"].tolist() == [0, 1]
    assert json.loads(scenarios.at[1, "scenario"])["defection_payment_usd"] == 20000
    by_point = dict(zip(scenarios["point_id"], scenarios["scenario_sha256"], strict=True))
    assert results["scenario_sha256"].tolist() == [by_point[p] for p in results["point_id"]]
    assert by_point[0] != by_point[1]
    regions = pd.read_parquet(out / "regions.parquet")
    assert regions.groupby("run_id").size().tolist() == [85] * 4


def test_rerun_of_a_row_matches_bit_for_bit_and_writes_it_with_out(swept, tmp_path):
    out, _ = swept
    code, stdout, err = cli("rerun", out, 3, "--out", tmp_path / "again")
    assert code == 0, stdout + err
    assert "matches bit for bit" in stdout and "run 3 of 'tiny'" in stdout
    weekly = pd.read_parquet(tmp_path / "again" / "weekly.parquet")
    stored = pd.read_parquet(out / "weekly.parquet", filters=[("run_id", "==", 3)])
    assert weekly["stability_index"].tolist() == stored["stability_index"].tolist()
    manifest = json.loads((tmp_path / "again" / "manifest.json").read_text())
    assert manifest["kind"] == "rerun" and manifest["source"]["run_id"] == 3
    assert manifest["seed"] == int(pd.read_parquet(out / "results.parquet").at[3, "seed"])


def test_rerun_json_has_the_verdict_and_the_run(swept):
    code, stdout, _ = cli("rerun", swept[0], 0, "--json")
    report = json.loads(stdout)
    assert code == 0
    assert report["matches"] is True and report["reproduced"] is True
    assert report["differences"] == [] and report["installation_differences"] == []
    assert {"run_id", "point_id", "seed", "scenario_sha256", "commit"} <= set(report)


def test_a_changed_stored_value_is_named_and_exits_1(copy):
    weekly = pd.read_parquet(copy / "weekly.parquet")
    row = weekly.index[(weekly["run_id"] == 1) & (weekly["week"] == 5)][0]
    weekly.loc[row, "stability_index"] += 1e-12  # one bit's worth of difference
    weekly.to_parquet(copy / "weekly.parquet", index=False)
    code, stdout, _ = cli("rerun", copy, 1)
    assert code == 1
    assert "does not match: 1 difference(s)" in stdout
    assert "weekly: stability_index differs in 1 of 21 rows, first at week 5" in stdout


def test_a_changed_installation_fails_loudly_naming_the_distribution(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["versions"]["numba"] = "0.1.0"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    code, stdout, err = cli("rerun", copy, 2)
    assert code == 1
    assert "matches bit for bit" in stdout  # the numbers still agree ...
    assert "the installation differs from the sweep's: numba 0.1.0 in the sweep" in err  # ... but


def test_an_installed_version_unlike_the_manifests_is_named(swept, monkeypatch):
    installed = store.installed_distributions()
    numpy_name = next(name for name in installed if name.lower() == "numpy")
    monkeypatch.setattr(
        store, "installed_distributions", lambda: {**installed, numpy_name: "9.9.9"}
    )
    code, _, err = cli("rerun", swept[0], 0, "--json", "--quiet")
    assert code == 1
    assert "numpy" in err and "9.9.9 here" in err


def test_an_older_sweep_without_stored_scenarios_is_rebuilt_from_its_file(copy):
    (copy / "scenarios.parquet").unlink()
    results = pd.read_parquet(copy / "results.parquet").drop(columns="scenario_sha256")
    results.to_parquet(copy / "results.parquet", index=False)
    code, stdout, err = cli("rerun", copy, 1)
    assert code == 0, err
    assert "matches bit for bit" in stdout
    assert "rebuilt from the experiment file in its manifest" in err


def test_a_validation_directory_is_found_through_its_runs_subdirectory(swept, tmp_path):
    shutil.copytree(swept[0], tmp_path / "validate" / "runs")
    code, stdout, _ = cli("rerun", tmp_path / "validate", 0, "--quiet")
    assert (code, stdout) == (0, "matches bit for bit\n")


@pytest.mark.parametrize(
    ("where", "run_id", "message"),
    [
        ("sweep", "4", "run id 4 is not in"),
        ("sweep", "-1", "run id '-1'"),
        ("sweep", "x", "run id 'x' is not a whole number"),
        ("missing", "0", "is not a directory"),
        ("empty", "0", "holds no sweep"),
    ],
)
def test_a_bad_run_id_or_directory_is_one_line_and_exit_2(swept, tmp_path, where, run_id, message):
    (tmp_path / "empty").mkdir()
    directory = {"sweep": swept[0], "missing": tmp_path / "missing", "empty": tmp_path / "empty"}
    code, stdout, err = cli("rerun", directory[where], run_id, "--out", tmp_path / "never")
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and stdout == ""
    assert not (tmp_path / "never").exists()


def test_report_json_lists_its_files_and_points(copy):
    code, stdout, err = cli("report", copy, "--json")
    assert code == 0, err
    report = json.loads(stdout)
    assert report["out"] == str(copy / "report")
    assert any(path.endswith("report.md") for path in report["files"])
    assert [p["point_id"] for p in report["points"]] == [0, 1]
    assert {"runs", "p_war_ended", "war_ended_low", "war_ended_high"} <= set(report["points"][0])


def test_a_run_that_now_raises_is_a_mismatch_and_writes_nothing(swept, tmp_path, monkeypatch):
    from outlast.experiments import rerun

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(rerun, "run_simulation", broken)
    code, stdout, _ = cli("rerun", swept[0], 1, "--out", tmp_path / "r")
    assert code == 1
    assert "results: status differs in 1 of 1 rows" in stdout
    assert "the rerun raised RuntimeError: boom; nothing written" in stdout
    assert not (tmp_path / "r").exists()

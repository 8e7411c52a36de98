"""Conventions every command keeps: --json for tables, --quiet, exit statuses, one-line help."""

import contextlib
import io
import json
import math

import pandas as pd
import pytest

from outlast.analysis import validate as v
from outlast.cli import COMMANDS, build_parser, main
from outlast.exit_codes import EXIT_FAILED, EXIT_STATUSES
from outlast.experiments import engine

#: Commands that print a table, and so take --json.
TABLE_COMMANDS = ("run", "params", "validate", "sweep", "match", "report", "rerun")
#: The least each command needs to parse.
MINIMAL = {
    "run": [],
    "params": [],
    "validate": [],
    "sweep": ["x.toml"],
    "match": ["x.toml"],
    "report": ["dir"],
    "rerun": ["dir", "0"],
    "dashboard": [],
}
SMALL = [
    "--set",
    "n_soldier_agents=2000",
    "--set",
    "n_elites=30",
    "--set",
    "citizens_per_region=200",
]
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


def cli(*args) -> tuple[int, str, str]:
    """Run `outlast ARGS` in this process: exit status, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_top_level_help_lists_every_command_on_one_line_and_the_exit_statuses():
    text = build_parser().format_help()
    for name in COMMANDS:
        (line,) = [ln for ln in text.splitlines() if ln.split()[:1] == [name]]
        assert len(line.split()) > 2, f"'{name}' has no one-line description: {line!r}"
    for code, meaning in EXIT_STATUSES.items():
        assert f"{code:<5}{meaning}" in text


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_takes_quiet_and_every_table_command_takes_json(command):
    parser = build_parser()
    assert parser.parse_args([command, *MINIMAL[command], "--quiet"]).quiet is True
    if command in TABLE_COMMANDS:
        assert parser.parse_args([command, *MINIMAL[command], "--json"]).json is True


def test_run_json_is_the_summary(tmp_path):
    code, stdout, err = cli("run", "--weeks", "6", "--out", tmp_path / "r", "--json", *SMALL)
    assert code == 0, err
    printed = json.loads(stdout)
    assert printed["out"] == str(tmp_path / "r")
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert printed["summary"]["weeks_run"] == 6 == summary["weeks_run"]
    assert {"outcome", "outcome_week", "force_active", "stability_index"} <= set(printed["summary"])


def test_run_quiet_prints_the_summary_but_no_notes(tmp_path):
    code, stdout, _ = cli("run", "--weeks", "2", "--out", tmp_path / "r", "--quiet", *SMALL)
    assert code == 0 and "active force" in stdout and "results:" not in stdout


def test_params_json_equals_format_json():
    code, stdout, _ = cli("params", "--json")
    rows = json.loads(stdout)
    assert code == 0 and stdout == cli("params", "--format", "json")[1]
    assert {"name", "role", "default", "unit", "source"} <= set(rows[0])


def test_validate_json_has_a_row_per_check_and_the_run_counts(tmp_path, monkeypatch):
    monkeypatch.setitem(v.CHECKS, PROBE.name, PROBE)
    args = ("validate", "--only", PROBE.name, "--seeds", "2", "--out", tmp_path / "val", "--json")
    code, stdout, err = cli(*args)
    assert code == 0, err
    printed = json.loads(stdout)
    assert [row["check"] for row in printed["checks"]] == [PROBE.name]
    assert {"observed", "model_mean", "within"} <= set(printed["checks"][0])
    assert (printed["runs"], printed["failed"]) == (2, 0)
    checks = json.loads(cli("validate", "--list", "--json")[1])
    assert {c["check"] for c in checks} == set(v.CHECKS)


def fail_one_run(monkeypatch, failing_seed_index: int = 1) -> None:
    """Make the run with this place among the runs of this process raise, as a broken run would."""
    original, calls = engine.run_simulation, []

    def sometimes(scenario, seed, *args, **kwargs):
        calls.append(seed)
        if len(calls) == failing_seed_index + 1:
            raise RuntimeError("injected failure")
        return original(scenario, seed, *args, **kwargs)

    monkeypatch.setattr(engine, "run_simulation", sometimes)


def test_a_sweep_with_a_failed_run_writes_everything_and_exits_1(tmp_path, monkeypatch):
    (tmp_path / "e.toml").write_text(
        "master_seed = 1\nseeds = 3\n[parameters]\nhorizon_weeks = 8\nn_soldier_agents = 2000\n"
        'n_elites = 30\n[design]\nkind = "presets"\npresets = ["baseline"]\n'
        '[keep]\nfinal = ["force_active"]\nweekly = ["stability_index"]\nregions = true\n'
    )
    fail_one_run(monkeypatch)
    out = tmp_path / "out"
    code, stdout, err = cli("sweep", tmp_path / "e.toml", "--out", out, "--workers", "1")
    assert code == EXIT_FAILED
    assert "1 of 3 runs failed" in err and "3 runs (1 points x 3 seeds)" in stdout
    results = pd.read_parquet(out / "results.parquet")
    assert results["status"].tolist() == ["ok", "failed", "ok"]
    assert results.at[1, "error"] == "RuntimeError: injected failure"
    assert set(pd.read_parquet(out / "weekly.parquet")["run_id"]) == {0, 2}
    assert set(pd.read_parquet(out / "regions.parquet")["run_id"]) == {0, 2}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["complete"] is True and manifest["runs_failed"] == 1
    assert (out / "scenarios.parquet").is_file()


def test_a_validation_with_a_failed_run_writes_its_table_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.setitem(v.CHECKS, PROBE.name, PROBE)
    fail_one_run(monkeypatch)
    out = tmp_path / "val"
    code, _, err = cli("validate", "--only", PROBE.name, "--seeds", "3", "--out", out, "--quiet")
    assert code == EXIT_FAILED
    assert "1 of 3 runs failed" in err
    assert (out / "validation.csv").is_file() and (out / "validation.md").is_file()

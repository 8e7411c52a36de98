import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from model.scenario import parameter_markdown
from outlast.cli import main

ROOT = Path(__file__).resolve().parents[2]
FAST = ["--set", "n_soldier_agents=500", "--set", "n_elites=30", "--set", "citizens_per_region=20"]


def outlast(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "outlast", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
    )


def test_run_writes_results_and_prints_summary(tmp_path):
    out = tmp_path / "r"
    result = outlast("run", "--weeks", "6", "--seed", "3", "--out", str(out), "--quiet", *FAST)
    assert result.returncode == 0, result.stderr
    for word in ("outcome", "active force", "desertions", "surrenders", "elite loyalty", "unrest"):
        assert word in result.stdout
    weekly = pd.read_parquet(out / "weekly.parquet")
    assert len(weekly) == 7
    regions = pd.read_parquet(out / "regions.parquet")
    assert len(regions) == 85 and "deaths_per_100k_men" in regions
    summary = json.loads((out / "summary.json").read_text())
    assert summary["weeks_run"] == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["scenario"]["horizon_weeks"] == 6
    assert manifest["versions"]["mesa"].startswith("3.")
    assert "git_commit" in manifest


def test_same_run_twice_may_reuse_its_directory_but_not_another_runs(tmp_path):
    out = tmp_path / "r"
    args = ["run", "--weeks", "2", "--out", str(out), "--quiet", *FAST]
    assert outlast(*args, "--seed", "1").returncode == 0
    assert outlast(*args, "--seed", "1").returncode == 0
    before = (out / "manifest.json").read_bytes()
    other = outlast(*args, "--seed", "2")
    assert other.returncode == 2
    assert "holds another run" in other.stderr
    assert (out / "manifest.json").read_bytes() == before


def test_default_directory_names_the_run_and_differs_for_changed_scenarios(tmp_path):
    """Without --out: run-PRESET-seedN; --set adds the scenario's digest, so runs don't collide."""
    args = ["run", "--weeks", "2", "--seed", "4", "--quiet", *FAST]
    first = outlast(*args, "--preset", "exile", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (made,) = (tmp_path / "runs" / "output").iterdir()
    assert made.name.startswith("run-exile-") and made.name.endswith("-seed4")
    again = outlast(*args, "--preset", "exile", cwd=tmp_path)
    other = outlast(*args, "--preset", "exile", "--set", "western_resolve=0.9", cwd=tmp_path)
    assert (again.returncode, other.returncode) == (0, 0), other.stderr
    names = sorted(p.name for p in (tmp_path / "runs" / "output").iterdir())
    assert len(names) == 2 and all(n.startswith("run-exile-") for n in names)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "nonsense=1"], "unknown parameter 'nonsense'"),
        (["--set", "legitimacy=1.5"], "parameter 'legitimacy' = 1.5 is not allowed: 0 to 1"),
        (["--set", "legitimacy"], "not of the form key=value"),
        (["--preset", "nope"], "invalid choice: 'nope'"),
        (["--weeks", "0"], "'0' must be at least 1"),
        (["--seed", "x"], "seed 'x' is not a whole number"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--config", "missing.toml"], "cannot read 'missing.toml'"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(tmp_path, args, message):
    out = tmp_path / "never"
    result = outlast("run", "--out", str(out), "--quiet", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_malformed_toml_is_rejected(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("preset = [")
    result = outlast("run", "--config", str(bad), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "is not valid TOML" in result.stderr
    assert not (tmp_path / "o").exists()


def test_output_path_that_is_a_file(tmp_path):
    f = tmp_path / "file"
    f.write_text("keep me")
    result = outlast("run", "--out", str(f), "--weeks", "1", *FAST)
    assert result.returncode == 2
    assert "is a file" in result.stderr
    assert f.read_text() == "keep me"


def test_params_lists_every_parameter(capsys):
    from model.scenario import field_names

    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for name in field_names():
        assert name in out


def test_docs_parameter_table_matches_the_scenario():
    text = (ROOT / "docs" / "MODEL.md").read_text()
    start = text.index("<!-- params:start -->") + len("<!-- params:start -->")
    end = text.index("<!-- params:end -->")
    assert text[start:end].strip() == parameter_markdown().strip(), (
        "docs/MODEL.md's parameter table is stale: regenerate it with "
        "`outlast params --format markdown`"
    )

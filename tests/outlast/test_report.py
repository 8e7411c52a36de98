"""The report of a sweep: its tables agree with the runs, figures are written, errors are clear."""

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from outlast.analysis.discovery import Discovery, discover
from outlast.analysis.report import write_report
from outlast.analysis.sensitivity import sensitivity
from outlast.analysis.tables import Sweep, outcome_table, weekly_bands
from outlast.cli import main
from outlast.experiments.design import load_experiment
from outlast.experiments.engine import LocalBackend, run_sweep

BASE = """
    seeds = {seeds}
    master_seed = 21
    [parameters]
    n_soldier_agents = 500
    horizon_weeks = 8
    [keep]
    final = ["stability_index", "force_active", "war_ended"]
    weekly = ["stability_index", "unrest"]
"""


def sweep_dir(tmp_path: Path, design: str, seeds: int = 2) -> Path:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "exp.toml"
    path.write_text(textwrap.dedent(BASE.format(seeds=seeds)) + textwrap.dedent(design))
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, LocalBackend(1), progress=False)
    return out


def is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5_000


def test_report_of_a_grid_writes_tables_and_figures(tmp_path):
    out = sweep_dir(
        tmp_path,
        """
        [design]
        kind = "grid"
        [design.parameters.defection_payment_usd]
        values = [0, 50000]
        [design.parameters.western_resolve]
        values = [0.2, 0.9]
    """,
    )
    written = write_report(out)
    names = {p.name for p in written}
    assert {
        "report.md",
        "points.csv",
        "outcomes.png",
        "weekly_stability_index.png",
        "weekly_unrest.png",
        "grid_p_war_ended.png",
        "grid_force_active.png",
    } <= names
    assert all(is_png(p) for p in written if p.suffix == ".png")
    points = pd.read_csv(out / "report" / "points.csv")
    results = pd.read_parquet(out / "results.parquet")
    assert len(points) == 4 and (points["runs"] == 2).all()
    medians = results.groupby("point_id")["force_active"].median()
    assert np.allclose(points["force_active_median"], medians.to_numpy())
    text = (out / "report" / "report.md").read_text()
    assert "## Outcomes per design point" in text and "defection_payment_usd=50,000" in text
    # 8 runs: too few for a PRIM box, and the report says so rather than drawing one.
    assert "### PRIM box\n\nNo box: 'war ended or regime changed' holds in" in text


def test_cli_report_on_a_presets_sweep(tmp_path, capsys):
    out = sweep_dir(
        tmp_path,
        """
        [design]
        kind = "presets"
        presets = ["baseline", "defection_fund"]
    """,
    )
    assert main(["report", str(out)]) == 0
    assert "report.md" in capsys.readouterr().out
    text = (out / "report" / "report.md").read_text()
    assert "| baseline |" in text and "| defection_fund |" in text
    assert "Not done: the design's points are presets" in text


SAMPLED = """
    [design]
    kind = "{kind}"
    samples = {samples}
    [design.parameters.front_death_hazard_per_week]
    range = [0.001, 0.02]
    [design.parameters.legitimacy]
    range = [0.3, 0.9]
"""


def from_design(tmp_path: Path, kind: str, samples: int) -> Sweep:
    """A sweep over a real design whose output is known: m = 100 * hazard, legitimacy unused."""
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / f"{kind}.toml"
    body = BASE.format(seeds=1) + SAMPLED.format(kind=kind, samples=samples)
    path.write_text(textwrap.dedent(body))
    exp = load_experiment(path)
    results = exp.runs.merge(exp.points, on="point_id").assign(
        m=lambda d: 100 * d["front_death_hazard_per_week"], outcome="ongoing", status="ok"
    )
    manifest = {
        "design": {
            "salib_problem": exp.salib_problem(),
            "kind": kind,
            "parameters": exp.design_parameters,
            "n_points": len(exp.points),
            "morris_levels": 4,
        },
        "keep": {"final": ["m"], "weekly": []},
        "master_seed": 1,
    }
    return Sweep(tmp_path, manifest, results, pd.DataFrame())


def test_sobol_indices_put_all_variance_on_the_parameter_that_matters(tmp_path):
    table = sensitivity(from_design(tmp_path, "sobol", 64)).indices["m"]
    assert list(table.columns) == ["S1", "S1_conf", "ST", "ST_conf"]
    assert table.loc["front_death_hazard_per_week", "S1"] == pytest.approx(1, abs=0.05)
    assert table.loc["front_death_hazard_per_week", "ST"] == pytest.approx(1, abs=0.05)
    assert abs(table.loc["legitimacy", "ST"]) < 0.01


def test_morris_effects_are_zero_for_a_parameter_that_does_not_matter(tmp_path):
    table = sensitivity(from_design(tmp_path, "morris", 6)).indices["m"]
    assert list(table.columns) == ["mu_star", "mu_star_conf", "sigma"]
    # m rises by 100 x (0.02 - 0.001) over the range; Morris scales effects by the range.
    assert table.loc["front_death_hazard_per_week", "mu_star"] == pytest.approx(1.9, rel=1e-6)
    assert table.loc["front_death_hazard_per_week", "sigma"] == pytest.approx(0, abs=1e-9)
    assert table.loc["legitimacy", "mu_star"] == 0


def test_report_of_a_real_sobol_sweep_writes_its_index_figures(tmp_path):
    out = sweep_dir(tmp_path, SAMPLED.format(kind="sobol", samples=4), seeds=1)
    names = {p.name for p in write_report(out)}
    assert {"sobol_force_active.png", "sobol_stability_index.png"} <= names
    text = (out / "report" / "report.md").read_text()
    assert "## Sensitivity" in text and "p_end_or_change: no indices" in text


def synthetic(n: int = 400) -> Sweep:
    """Runs whose outcome is decided by x alone: regime change when x > 0.6, else ongoing."""
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    outcome = np.where(x > 0.6, "regime_change", "ongoing")
    results = pd.DataFrame(
        {
            "run_id": range(n),
            "point_id": range(n),
            "x": x,
            "y": y,
            "outcome": outcome,
            "outcome_week": np.where(x > 0.6, 30, -1),
            "status": "ok",
            "m": y,
        }
    )
    manifest = {
        "design": {"kind": "lhs", "parameters": ["x", "y"], "n_points": n},
        "keep": {"final": ["m"], "weekly": []},
        "master_seed": 1,
    }
    return Sweep(Path("."), manifest, results, pd.DataFrame())


def test_scenario_discovery_finds_the_range_that_decides_the_outcome():
    found = discover(synthetic())
    assert isinstance(found, Discovery)
    top = found.leaves.iloc[0]
    assert top["p_end_or_change"] == 1.0 and top["p_regime_change"] == 1.0
    assert top["box"].startswith("x > 0.5") or top["box"].startswith("x > 0.6")
    assert "y" not in top["box"]
    assert found.leaves["runs"].sum() == 400
    assert found.leaves.iloc[-1]["p_end_or_change"] == 0.0


def test_outcome_probabilities_and_their_intervals():
    sweep = synthetic(40)
    sweep.results["point_id"] = np.arange(40) // 20  # two points of 20 runs
    sweep.results.loc[:, "outcome"] = ["regime_change"] * 5 + ["ongoing"] * 15 + ["ongoing"] * 20
    sweep.results.loc[3, "status"] = "failed"
    sweep.manifest["design"]["parameters"] = ["y"]
    table = outcome_table(sweep)
    first = table.iloc[0]
    assert (first["runs"], first["failed"]) == (20, 1)
    assert first["p_regime_change"] == pytest.approx(4 / 19)
    assert first["regime_change_low"] < 4 / 19 < first["regime_change_high"]
    assert table.iloc[1]["p_regime_change"] == 0 and table.iloc[1]["regime_change_high"] > 0
    # Without the metrics kept, P(war ended) and P(hard-line successor) are unknown, not 0.
    assert np.isnan(first["p_war_ended"]) and np.isnan(first["p_hard_line"])
    assert np.isnan(first["ends"])


def test_war_ended_apart_from_regime_change_and_the_roads_to_the_end():
    sweep = synthetic(20)
    sweep.results["point_id"] = 0
    sweep.manifest["design"]["parameters"] = ["y"]
    # 4 negotiated ends (1 without an agreement, 2 without a coup attempt), 6 regime changes of
    # which 2 ended the war and 3 are hard-line, 10 ongoing.
    outcome = ["ended_by_negotiation"] * 4 + ["regime_change"] * 6 + ["ongoing"] * 10
    sweep.results["outcome"] = outcome
    sweep.results["war_ended"] = [1.0] * 4 + [1.0, 1.0, 0, 0, 0, 0] + [0.0] * 10
    sweep.results["successor_stance_code"] = [0.0] * 4 + [1, 1, 3, 3, 3, 2] + [0.0] * 10
    sweep.results["exile_agreement"] = [0.0, 1, 1, 1] + [1.0] * 6 + [0.0] * 10
    sweep.results["coup_attempts"] = [0.0, 0, 2, 1] + [1.0] * 6 + [0.0] * 10
    row = outcome_table(sweep).iloc[0]
    assert row["p_war_ended"] == pytest.approx(6 / 20)
    assert row["war_ended_low"] < 6 / 20 < row["war_ended_high"]
    assert row["p_regime_change"] == pytest.approx(6 / 20)
    assert row["p_hard_line"] == pytest.approx(3 / 20)
    assert row["hard_line_low"] < 3 / 20 < row["hard_line_high"]
    assert row["ends"] == 6
    assert (row["ends_no_agreement"], row["share_no_agreement"]) == (1, pytest.approx(1 / 6))
    assert (row["ends_no_coup"], row["share_no_coup"]) == (2, pytest.approx(2 / 6))
    # army_cracked was not kept: unknown.
    assert np.isnan(row["ends_no_crack"]) and np.isnan(row["share_no_crack"])


def test_weekly_bands_leave_a_finished_run_out_of_a_stock_after_its_end():
    weekly = pd.DataFrame(
        {
            "run_id": [0, 0, 0, 1, 1],
            "point_id": 0,
            "week": [0, 1, 2, 0, 1],
            "stability_index": [0.0, 1.0, 2.0, 0.0, 5.0],
        }
    )
    sweep = Sweep(Path("."), {"keep": {"weekly": ["stability_index"]}}, pd.DataFrame(), weekly)
    bands = weekly_bands(sweep, "stability_index").set_index("week")
    assert bands.loc[1, "q50"] == pytest.approx(3.0) and bands.loc[1, "going"] == 2
    # Run 1 ended at week 1 with 5.0: not carried into week 2.
    assert bands.loc[2, "q50"] == pytest.approx(2.0) and bands.loc[2, "going"] == 1


def test_report_refuses_an_unfinished_or_missing_sweep(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("outlast report: error: ") and "holds no sweep" in err
    assert err.count("\n") == 1 and not (tmp_path / "empty" / "report").exists()
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    (unfinished / "manifest.json").write_text('{"kind": "sweep", "complete": false}')
    assert main(["report", str(unfinished)]) == 2
    assert "is not finished" in capsys.readouterr().err
    assert not (unfinished / "report").exists()

"""Report figures fit to publish: labels with units, labelled colour bars, honest ended runs and n."""

import re
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from outlast.analysis import figures
from outlast.analysis.labels import axis_label
from outlast.analysis.report import write_report
from outlast.analysis.tables import Sweep, final_table, load_sweep, outcome_table, weekly_bands
from outlast.cli import main
from outlast.experiments.design import load_experiment
from outlast.experiments.engine import LocalBackend, run_sweep

BASE = """
    seeds = {seeds}
    master_seed = 5
    [parameters]
    n_soldier_agents = 2000
    citizens_per_region = 200
    horizon_weeks = 20
    [keep]
    final = ["stability_index", "force_active", "war_ended", "fund_spent_usd"]
    weekly = ["stability_index", "surrenders_week", "war_ended"]
"""
GRID = """
    [design]
    kind = "grid"
    [design.parameters.defection_payment_usd]
    values = [0, 50000]
    [design.parameters.western_resolve]
    values = [0.2, 0.9]
"""
LHS = """
    [design]
    kind = "lhs"
    samples = 6
    [design.parameters.front_death_hazard_per_week]
    range = [0.001, 0.02]
    [design.parameters.legitimacy]
    range = [0.3, 0.9]
"""


def sweep_dir(tmp_path: Path, design: str, seeds: int) -> Path:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / "exp.toml"
    path.write_text(textwrap.dedent(BASE.format(seeds=seeds)) + textwrap.dedent(design))
    out = tmp_path / "out"
    run_sweep(load_experiment(path), out, LocalBackend(1), progress=False)
    return out


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory) -> Path:
    return sweep_dir(tmp_path_factory.mktemp("grid"), GRID, seeds=2)


@pytest.fixture(scope="module")
def lhs_sweep(tmp_path_factory) -> Path:
    return sweep_dir(tmp_path_factory.mktemp("lhs"), LHS, seeds=1)


#: Units a label must carry when its quantity is one of these.
UNITS = {
    "defection_payment_usd": "(USD/soldier)",
    "western_resolve": "(share)",
    "front_death_hazard_per_week": "(probability/week)",
    "stability_index": "(share)",
    "force_active": "(soldiers)",
    "surrenders_week": "(soldiers)",
    "fund_spent_usd": "(USD)",
}


def check_labels(made: list[figures.ReportFigure]) -> None:
    """Every axes: plain labels (no snake_case), outer axes labelled, colour bars labelled."""
    for item in made:
        texts = []
        xlabels, ylabels = [], []
        for ax in item.figure.axes:
            texts += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
            texts += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
            if ax.get_label() == "<colorbar>":
                assert ax.get_ylabel(), f"{item.stem}: colour bar without a label"
                continue
            xlabels.append(ax.get_xlabel())
            ylabels.append(ax.get_ylabel())
        suptitle = item.figure.get_suptitle()
        for text in [*texts, suptitle, item.caption]:
            assert not re.search(r"[a-z]_[a-z]", text), f"{item.stem}: snake_case in {text!r}"
        assert any(xlabels) and any(ylabels), f"{item.stem}: axes without labels"
        for name, unit in UNITS.items():
            for label in xlabels + ylabels:
                if label.startswith(axis_label(name).split(" (")[0]) and "Median" not in label:
                    assert unit in label, f"{item.stem}: {label!r} lacks {unit}"


def test_grid_figures_have_plain_labels_units_and_labelled_colour_bars(grid_sweep):
    sweep = load_sweep(grid_sweep)
    made = figures.report_figures(sweep, outcome_table(sweep), min_runs=30)
    stems = {f.stem for f in made}
    assert {"outcomes", "weekly_stability_index", "grid_p_war_ended", "grid_force_active"} <= stems
    check_labels(made)
    heat = next(f for f in made if f.stem == "grid_fund_spent_usd").figure
    bar = next(ax for ax in heat.axes if ax.get_label() == "<colorbar>")
    assert bar.get_ylabel() == "Median defection fund paid out (USD)"
    assert not bar.yaxis.get_offset_text().get_text()  # no bare "1e9"
    cells = [t.get_text() for t in heat.axes[0].texts]
    assert len(cells) == 4 and all("n=2 †" in c for c in cells)
    assert "grid_war_ended" not in stems  # the same share as grid_p_war_ended
    share = next(f for f in made if f.stem == "grid_p_war_ended").figure
    assert all(re.search(r"\[[\d.]+, [\d.]+\]", t.get_text()) for t in share.axes[0].texts)
    # Every figure rests on 2 runs a point: all flagged as small samples.
    assert all(f.small_sample for f in made if f.stem != "discovery_tree")
    for f in made:
        plt.close(f.figure)


def test_lhs_figures_have_plain_labels_and_shares_by_bin(lhs_sweep, monkeypatch):
    sweep = load_sweep(lhs_sweep)
    made = figures.report_figures(sweep, outcome_table(sweep))
    check_labels(made)
    for f in made:
        plt.close(f.figure)
    monkeypatch.setattr(figures, "MAX_BARS", 3)  # a large design: shares per parameter bin
    made = figures.outcome_figures(sweep, outcome_table(sweep))
    check_labels(made)
    ax = made[0].figure.axes[0]
    assert ax.get_ylabel() == "Share of runs in which the war ended"
    assert any(t.get_text().startswith("n=") for t in ax.texts)
    plt.close(made[0].figure)


def test_report_writes_each_format_and_cli_options(grid_sweep, tmp_path, capsys):
    out = tmp_path / "figs"
    assert (
        main(
            ["report", str(grid_sweep), "--format", "png,svg,pdf", "--dpi", "80", "--out", str(out)]
        )
        == 0
    )
    assert (out / "outcomes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (out / "outcomes.svg").read_bytes()[:500]
    assert (out / "outcomes.pdf").read_bytes()[:5] == b"%PDF-"
    assert (out / "weekly_stability_index.pdf").exists()
    assert not (grid_sweep / "report").exists()
    text = (out / "report.md").read_text()
    assert "## How to read this report" in text and "fewer than 30 runs" in text
    capsys.readouterr()
    for bad in (["--format", "png,gif"], ["--dpi", "0"], ["--dpi", "x"], ["--min-runs", "0"]):
        with pytest.raises(SystemExit) as stop:  # argparse's errors
            main(["report", str(grid_sweep), "--out", str(tmp_path / "bad"), *bad])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("outlast report: error:"), err
        assert not (tmp_path / "bad").exists()


def test_a_report_of_three_runs_gives_shares_not_quantiles_of_yes_no(tmp_path):
    out = sweep_dir(tmp_path, '[design]\nkind = "presets"\npresets = ["combined"]\n', seeds=3)
    write_report(out)
    text = (out / "report" / "report.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| combined | 3 |"))
    final = text[text.index("## Final metrics") :].split("\n## ")[0]
    final_row = next(line for line in final.splitlines() if line.startswith("| combined"))
    cells = [c.strip() for c in final_row.split("|")[1:-1]]
    heads = [c.strip() for c in final.splitlines()[4].split("|")[1:-1]]
    war_ended = cells[heads.index("War ended")]
    shares = (pd.read_parquet(out / "results.parquet")["war_ended"] > 0).sum()
    # A share and its Wilson interval, with the small-sample mark: not a quantile range.
    assert re.fullmatch(r"[\d.]+ \[[\d.]+, [\d.]+\] †", war_ended), war_ended
    assert float(war_ended.split()[0]) == pytest.approx(shares / 3, abs=0.005)
    assert "†" in row and "fewer than 30 runs" in text


def ended_sweep() -> Sweep:
    """Three runs at one point: two run 120 weeks; run 2 ends in week 92 (war ended) with 60
    surrenders that week and a force of 1,000,000."""
    rows = []
    for run, last in ((0, 120), (1, 120), (2, 92)):
        for week in range(last + 1):
            rows.append(
                {
                    "run_id": run,
                    "point_id": 0,
                    "week": week,
                    "surrenders_week": 60.0 if run == 2 else 1.0,
                    "force_active": 1e6 if run == 2 else 5e5 + run,
                    "war_ended": float(run == 2 and week == 92),
                }
            )
    weekly = pd.DataFrame(rows)
    keep = {"weekly": ["surrenders_week", "force_active", "war_ended"], "final": []}
    return Sweep(Path("."), {"keep": keep}, pd.DataFrame(), weekly)


def test_a_run_that_ends_in_week_92_adds_nothing_to_stocks_and_zero_to_flows_after():
    sweep = ended_sweep()
    stock = weekly_bands(sweep, "force_active").set_index("week")
    assert (stock.loc[:92, "going"] == 3).all() and (stock.loc[93:, "going"] == 2).all()
    assert (stock.loc[93:, "n"] == 2).all() and (stock["runs"] == 3).all()
    assert stock.loc[92, "q95"] > 9e5  # the run counts up to its last week
    assert (stock.loc[93:, ["q05", "q50", "q95"]] <= 5e5 + 1).all().all()  # and not after it
    flow = weekly_bands(sweep, "surrenders_week").set_index("week")
    assert (flow.loc[93:, "n"] == 3).all()  # the ended run counts, as zero
    assert (flow.loc[93:, "q05"] < 1).all() and (flow.loc[93:, "q95"] <= 1).all()
    assert flow.loc[92, "q95"] > 50
    flag = weekly_bands(sweep, "war_ended").set_index("week")
    assert "q50" not in flag.columns  # a yes/no metric: a share, never quantiles
    assert flag.loc[91, "share"] == 0 and flag.loc[120, "share"] == pytest.approx(1 / 3)
    assert flag.loc[120, "share_low"] < 1 / 3 < flag.loc[120, "share_high"]


def test_final_table_gives_flags_as_shares_with_wilson_intervals():
    results = pd.DataFrame(
        {"point_id": 0, "status": "ok", "war_ended": [1.0, 0, 0, 0], "force_active": [1.0, 2, 3, 4]}
    )
    sweep = Sweep(
        Path("."), {"keep": {"final": ["war_ended", "force_active"]}}, results, pd.DataFrame()
    )
    table = final_table(sweep)
    assert table.loc[0, ("war_ended", "share")] == 0.25
    assert ("war_ended", "median") not in table.columns
    assert table.loc[0, ("war_ended", "low")] < 0.25 < table.loc[0, ("war_ended", "high")]
    assert table.loc[0, ("force_active", "median")] == 2.5
    assert np.isfinite(table.loc[0, ("force_active", "q95")])


def test_final_table_counts_a_codes_categories_and_gives_it_no_quantiles():
    results = pd.DataFrame({"point_id": 0, "status": "ok", "successor_stance_code": [0.0, 0, 3, 1]})
    sweep = Sweep(
        Path("."), {"keep": {"final": ["successor_stance_code"]}}, results, pd.DataFrame()
    )
    table = final_table(sweep)["successor_stance_code"]
    assert list(table.columns) == ["n_none", "n_ends_war", "n_continues", "n_hard_line"]
    assert table.loc[0].tolist() == [2, 1, 0, 1]


@pytest.mark.parametrize("kind, samples", [("sobol", 16), ("morris", 4)])
def test_sensitivity_figures_have_plain_labels(tmp_path, kind, samples):
    from outlast.analysis.sensitivity import sensitivity
    from tests.outlast.test_report import from_design

    sweep = from_design(tmp_path, kind, samples)
    sweep.results["stability_index"] = sweep.results["m"]  # a declared metric, with a unit
    sweep.manifest["keep"]["final"] = ["stability_index"]
    made = figures.sensitivity_figures(sensitivity(sweep))
    check_labels(made)
    ax = made[0].figure.axes[0]
    if kind == "sobol":
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks == ["Front death hazard (probability/week)", "Legitimacy (share)"]
    else:
        assert ax.get_xlabel() == "Mean absolute elementary effect, mu* (share)"
    for f in made:
        plt.close(f.figure)


def test_the_discovery_figure_shows_held_out_shares_with_n_and_plain_rules():
    from outlast.analysis.discovery import Discovery
    from outlast.analysis.figures import discovery_figure

    leaves = pd.DataFrame(
        {
            "box": ["defection_payment_usd > 2e+04", "defection_payment_usd <= 2e+04"],
            "runs": [80, 70],
            "held_out_runs": [40, 35],
            "held_out_p": [0.5, 0.1],
            "low": [0.35, 0.04],
            "high": [0.65, 0.26],
            "finding": [True, False],
        }
    )
    found = Discovery(None, ["defection_payment_usd"], ["ongoing"], leaves)
    (made,) = discovery_figure(found)
    ax = made.figure.axes[0]
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert len(ticks) == 2 and not any("_" in t for t in ticks)
    assert ax.get_xlabel() and "_" not in ax.get_xlabel()
    notes = [t.get_text() for t in ax.texts]
    assert "n = 40 held out; finding" in notes and "n = 35 held out; not significant" in notes

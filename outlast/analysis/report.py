"""The report of a finished sweep: tables, sensitivity indices, scenario discovery, figures.

``outlast report runs/output/NAME`` reads the sweep's manifest, results.parquet and
weekly.parquet and writes ``report/`` beside them: ``report.md`` (every table), ``points.csv``
(one row per design point) and PNG figures (`outlast.analysis.figures`). Uncertainty across
seeds is shown as intervals (`outlast.analysis.tables`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.metrics import OUTCOMES
from outlast.analysis import figures
from outlast.analysis.discovery import DISCOVERY_DEPTH, MIN_LEAF_SHARE, Discovery, discover
from outlast.analysis.sensitivity import Sensitivity, sensitivity
from outlast.analysis.tables import (
    Sweep,
    final_table,
    format_number,
    load_sweep,
    outcome_table,
)
from outlast.experiments.design import ExperimentError
from outlast.experiments.store import output_dir_problem

#: Designs with more points than this list them in points.csv only, not in report.md.
MAX_TABLE_POINTS = 40


def markdown_table(df: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table, numbers formatted by `format_number`."""
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    body = [
        "| " + " | ".join(format_number(v) for v in row) + " |"
        for row in df.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _final_summary(sweep: Sweep, labels: pd.Series) -> pd.DataFrame:
    table = final_table(sweep)
    out = pd.DataFrame({"point": labels.reindex(table.index).to_numpy()})
    for metric in sweep.final_metrics:
        med, lo, hi = (table[(metric, s)].to_numpy() for s in ("median", "q05", "q95"))
        out[metric] = [
            f"{format_number(m)} [{format_number(a)}, {format_number(b)}]"
            for m, a, b in zip(med, lo, hi, strict=True)
        ]
    return out


def write_report(root: Path) -> list[Path]:
    """Write report.md, points.csv and the figures of the sweep in `root`.

    Returns:
        The files written.

    Raises:
        ExperimentError: If `root` holds no finished sweep.

    """
    sweep = load_sweep(root)
    out = sweep.root / "report"
    problem = output_dir_problem(out)
    if problem:
        raise ExperimentError(problem)
    out.mkdir(exist_ok=True)
    points = sweep.points()
    outcomes = outcome_table(sweep)
    labels = points.set_index("point_id")["label"]
    written = [out / "points.csv"]
    points_csv = points.merge(outcomes.drop(columns="label"), on="point_id")
    final = final_table(sweep)
    final.columns = [f"{m}_{s}" for m, s in final.columns]
    points_csv.merge(final, left_on="point_id", right_index=True, how="left").to_csv(
        written[0], index=False
    )
    written += figures.outcome_figures(sweep, outcomes, out)
    written += figures.weekly_figures(sweep, out)
    sens = sensitivity(sweep)
    if sens is not None:
        written += figures.sensitivity_figures(sens, out)
    found = discover(sweep)
    if isinstance(found, Discovery):
        written += figures.discovery_figure(found, out)
    md = out / "report.md"
    md.write_text(_markdown(sweep, outcomes, labels, sens, found, written), encoding="utf-8")
    return [md, *written]


def _markdown(
    sweep: Sweep,
    outcomes: pd.DataFrame,
    labels: pd.Series,
    sens: Sensitivity | None,
    found: Discovery | str,
    figures_written: list[Path],
) -> str:
    m = sweep.manifest
    design = m["design"]
    lines = [
        f"# Sweep report: {m['name']}",
        "",
        f"Experiment file `{m['experiment']['file']}` (sha256 `{m['experiment']['sha256'][:12]}`), "
        f"git commit `{m['git_commit']}`, master seed {m['master_seed']}.",
        f"Design: {design['kind']} over {', '.join(design['parameters'])}; "
        f"{design['n_points']} points x {m['seeds']} seeds = {m['n_runs']} runs "
        f"({m['runs_failed']} failed).",
        "",
        "## Outcomes per design point",
        "",
        "P(end or change) is the share of runs in which the war ended by negotiation or the regime "
        "changed, with its Wilson 95% interval [p_low, p_high] across seeds.",
        "",
    ]
    if len(outcomes) <= MAX_TABLE_POINTS:
        lines += [
            markdown_table(outcomes.drop(columns="point_id").rename(columns={"label": "point"})),
            "",
            "## Final metrics per design point",
            "",
            "Median [5%, 95%] across seeds, at each run's last week.",
            "",
            markdown_table(_final_summary(sweep, labels)),
            "",
        ]
    else:
        shares = sweep.ok["outcome"].value_counts(normalize=True).reindex(OUTCOMES, fill_value=0)
        lines += [
            f"{len(outcomes)} design points: one row each in points.csv. Over all runs: "
            + ", ".join(f"{o} {shares[o]:.1%}" for o in OUTCOMES)
            + ".",
            "",
        ]
    if sens is not None:
        what = (
            "first-order (S1) and total-order (ST) Sobol indices"
            if sens.method == "sobol"
            else ("Morris mu* (mean absolute elementary effect) and sigma")
        )
        lines += ["## Sensitivity", "", f"SALib {what} of each output's mean over seeds.", ""]
        for output, table in sens.indices.items():
            lines += [f"### {output}", "", markdown_table(table.reset_index(names="parameter")), ""]
        for output, why in sens.skipped.items():
            lines.append(f"- {output}: no indices ({why}).")
        lines.append("")
    lines += ["## Scenario discovery", ""]
    if isinstance(found, Discovery):
        lines += [
            f"A classification tree (depth {DISCOVERY_DEPTH}, leaves of at least "
            f"{MIN_LEAF_SHARE:.0%} of runs) of the outcome on {', '.join(found.features)}. Each "
            "leaf is a box of parameter ranges; boxes where runs most often end in negotiation "
            "or regime change come first.",
            "",
            markdown_table(found.leaves),
            "",
        ]
    else:
        lines += [f"Not done: {found}.", ""]
    lines += ["## Figures", ""]
    lines += [f"- [{p.name}]({p.name})" for p in figures_written if p.suffix == ".png"]
    return "\n".join(lines) + "\n"

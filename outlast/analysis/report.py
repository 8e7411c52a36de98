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
from outlast.analysis import figures, robustness_figures
from outlast.analysis.discovery import (
    DISCOVERY_DEPTH,
    LEAF_ALPHA,
    MIN_LEAF_RUNS,
    MIN_LEAF_SHARE,
    SIGNIFICANCE_RULE,
    Discovery,
    PrimBox,
    discover,
    sweep_box,
)
from outlast.analysis.sensitivity import Sensitivity, sensitivity
from outlast.analysis.tables import (
    ENDS_WITHOUT,
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


#: The headline probabilities of the outcome table: column stem and heading.
HEADLINE = {
    "war_ended": "P(war ended)",
    "regime_change": "P(regime change)",
    "hard_line": "P(hard-line successor)",
}


def _with_interval(p: float, low: float, high: float) -> str:
    """A probability and its interval, '0.62 [0.47, 0.75]'; '-' when unknown."""
    if pd.isna(p):
        return "-"
    return f"{p:.2f} [{low:.2f}, {high:.2f}]"


def _count_and_share(count: float, share: float) -> str:
    """'3 (0.25)'; '-' when unknown."""
    return "-" if pd.isna(count) else f"{count:.0f} ({format_number(share)})"


def _headline(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per point: the headline probabilities with intervals, the median week, the shares."""
    out = pd.DataFrame({"point": outcomes["label"], "runs": outcomes["runs"]})
    out["failed"] = outcomes["failed"]
    for stem, heading in HEADLINE.items():
        out[heading] = [
            _with_interval(p, lo, hi)
            for p, lo, hi in zip(
                outcomes[f"p_{stem}"],
                outcomes[f"{stem}_low"],
                outcomes[f"{stem}_high"],
                strict=True,
            )
        ]
    for outcome in OUTCOMES:
        out[f"p_{outcome}"] = outcomes[f"p_{outcome}"]
    out["median_outcome_week"] = outcomes["median_outcome_week"]
    return out


def _roads(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per point: runs where the war ended, and how many (share) ended without each road."""
    out = pd.DataFrame({"point": outcomes["label"], "war ended": outcomes["ends"]})
    for road in ENDS_WITHOUT:
        out[f"no {road}"] = [
            _count_and_share(c, p)
            for c, p in zip(outcomes[f"ends_no_{road}"], outcomes[f"share_no_{road}"], strict=True)
        ]
    return out


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
    box = sweep_box(sweep)
    if isinstance(box, PrimBox):
        written += [
            robustness_figures.prim_tradeoff_figure(box, out / "prim_tradeoff.png"),
            robustness_figures.prim_limits_figure(box, out / "prim_box.png"),
        ]
    md = out / "report.md"
    md.write_text(_markdown(sweep, outcomes, labels, sens, found, written, box), encoding="utf-8")
    return [md, *written]


def _prim_markdown(box: PrimBox | str) -> str:
    """The PRIM box of the runs, with its measures and whether it is a finding."""
    lines = ["### PRIM box", ""]
    if isinstance(box, str):
        return "\n".join([*lines, f"No box: {box}.", "", ""])
    verdict = "significant" if box.significant else f"**not significant** ({box.why_not})"
    lines += [
        f"PRIM (EMA Workbench) over {box.n_futures} runs, {box.n_of_interest} of which ended in "
        f"negotiation or regime change: {box.describe()}; coverage {box.coverage:.2f}, density "
        f"{box.density:.2f}, mass {box.mass:.2f}; {verdict}. {SIGNIFICANCE_RULE.capitalize()}.",
        "",
        markdown_table(box.limits[["dimension", "low", "high", "quasi_p"]]),
        "",
        "",
    ]
    return "\n".join(lines)


def _markdown(
    sweep: Sweep,
    outcomes: pd.DataFrame,
    labels: pd.Series,
    sens: Sensitivity | None,
    found: Discovery | str,
    figures_written: list[Path],
    box: PrimBox | str | None = None,
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
        "P(war ended) is the share of runs in which the war ended, by negotiation or by a new "
        "regime that ends it; P(regime change) the share in which a coup replaced the leader, "
        "whatever the new regime then did; P(hard-line successor) the share in which the new regime "
        "is hard-line. Each with its Wilson 95% interval across seeds; '-' where the sweep did not "
        "keep the metric it needs (`war_ended`, `successor_stance_code`). Then each outcome's "
        "share: ongoing at the horizon, ended by negotiation, regime change.",
        "",
    ]
    if len(outcomes) <= MAX_TABLE_POINTS:
        lines += [
            markdown_table(_headline(outcomes)),
            "",
            "## Roads to the end",
            "",
            "Among runs where the war ended: how many ended with no exile agreement, with no coup "
            "attempt and with no crack of the army (count and share; '-' where the metric was "
            "not kept). A lever whose road every end took is necessary by construction.",
            "",
            markdown_table(_roads(outcomes)),
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
            f"{MIN_LEAF_RUNS} runs and {MIN_LEAF_SHARE:.0%} of them) of the outcome on "
            f"{', '.join(found.features)}, grown on half of the runs. Each leaf is a box of "
            "parameter ranges; boxes where runs most often end in negotiation or regime change "
            "come first. A tree splits noise as readily as signal, so each leaf is judged on the "
            "other half of the runs: its P(end or change) there (held_out_p) with a Wilson 95% "
            "interval, and it is a finding only when that differs from the other held-out runs' "
            f"(Fisher exact test, p < {LEAF_ALPHA} / leaves); the others are chance.",
            "",
            markdown_table(found.leaves),
            "",
        ]
    else:
        lines += [f"Not done: {found}.", ""]
    if box is not None:
        lines.append(_prim_markdown(box))
    lines += ["## Figures", ""]
    lines += [f"- [{p.name}]({p.name})" for p in figures_written if p.suffix == ".png"]
    return "\n".join(lines) + "\n"

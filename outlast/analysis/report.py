"""The report of a finished sweep: tables, sensitivity indices, scenario discovery, figures.

``outlast report runs/output/NAME`` reads the sweep's manifest, results.parquet and
weekly.parquet and writes ``report/`` beside them (or ``--out DIR``): ``report.md`` (every table),
``points.csv`` (one row per design point) and figures in PNG, SVG or PDF
(`outlast.analysis.figures`). Uncertainty across seeds is shown as intervals
(`outlast.analysis.tables`); whatever rests on fewer than `MIN_RUNS` runs is flagged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from model.metrics import OUTCOMES, SUCCESSOR_STANCES
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
from outlast.analysis.labels import axis_label
from outlast.analysis.sensitivity import Sensitivity, sensitivity
from outlast.analysis.tables import (
    ENDS_WITHOUT,
    FLAGS,
    FLOWS,
    MIN_RUNS,
    Sweep,
    final_table,
    format_number,
    load_sweep,
    markdown_table,
    outcome_table,
    runs_per_point,
    with_interval,
)
from outlast.experiments.design import ExperimentError
from outlast.experiments.store import output_dir_problem

#: Designs with more points than this list them in points.csv only, not in report.md.
MAX_TABLE_POINTS = 40


#: The headline probabilities of the outcome table: column stem and heading.
HEADLINE = {
    "war_ended": "P(war ended)",
    "regime_change": "P(regime change)",
    "hard_line": "P(hard-line successor)",
}


#: The outcome shares' headings.
OUTCOME_HEADINGS = {
    "ongoing": "share ongoing",
    "ended_by_negotiation": "share ended by negotiation",
    "regime_change": "share regime change",
}


def _count_and_share(count: float, share: float) -> str:
    """'3 (0.25)'; '-' when unknown."""
    return "-" if pd.isna(count) else f"{count:.0f} ({format_number(share)})"


def _flagged(text: str, n: int, min_runs: int) -> str:
    """A table cell, with the small-sample mark when it rests on fewer than `min_runs` runs."""
    return f"{text} {figures.SMALL}" if n < min_runs and text != "-" else text


def _headline(outcomes: pd.DataFrame, min_runs: int = MIN_RUNS) -> pd.DataFrame:
    """Per point: the headline probabilities with intervals, the median week, the shares."""
    n = (outcomes["runs"] - outcomes["failed"]).to_numpy()
    out = pd.DataFrame({"point": outcomes["label"], "runs": outcomes["runs"]})
    out["failed"] = outcomes["failed"]
    for stem, heading in HEADLINE.items():
        out[heading] = [
            _flagged(with_interval(p, lo, hi), k, min_runs)
            for p, lo, hi, k in zip(
                outcomes[f"p_{stem}"],
                outcomes[f"{stem}_low"],
                outcomes[f"{stem}_high"],
                n,
                strict=True,
            )
        ]
    for outcome in OUTCOMES:
        out[OUTCOME_HEADINGS[outcome]] = outcomes[f"p_{outcome}"]
    out["median week of the end"] = outcomes["median_outcome_week"]
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


#: The categories of each code metric, by code.
CODES = {"outcome_code": OUTCOMES, "successor_stance_code": SUCCESSOR_STANCES}


def _final_summary(sweep: Sweep, labels: pd.Series, min_runs: int = MIN_RUNS) -> pd.DataFrame:
    """Per point and final metric: a flag's share [Wilson 95%], a code's counts, else quantiles."""
    table = final_table(sweep)
    n = runs_per_point(sweep).reindex(table.index)
    out = pd.DataFrame({"point": labels.reindex(table.index).to_numpy(), "runs": n.to_numpy()})
    for metric in sweep.final_metrics:
        if metric in FLAGS:
            cells = [
                with_interval(*(table.loc[pid, (metric, s)] for s in ("share", "low", "high")))
                for pid in table.index
            ]
        elif metric in CODES:
            cells = [_code_counts(sweep.ok, pid, metric) for pid in table.index]
        else:
            med, lo, hi = (table[(metric, s)].to_numpy() for s in ("median", "q05", "q95"))
            cells = [
                f"{format_number(m)} [{format_number(a)}, {format_number(b)}]"
                for m, a, b in zip(med, lo, hi, strict=True)
            ]
        out[axis_label(metric)] = [_flagged(c, k, min_runs) for c, k in zip(cells, n, strict=True)]
    return out


def _code_counts(ok: pd.DataFrame, point_id: int, metric: str) -> str:
    """A code metric at one point as counts of its categories: 'none 30, hard_line 2'."""
    codes = ok.loc[ok["point_id"] == point_id, metric].dropna().astype(int).value_counts()
    names = CODES[metric]
    return ", ".join(f"{names[c]} {k}" for c, k in codes.sort_index().items()) or "-"


def write_report(
    root: Path,
    out: Path | None = None,
    formats: tuple[str, ...] = ("png",),
    dpi: int = figures.DPI,
    min_runs: int = MIN_RUNS,
) -> list[Path]:
    """Write report.md, points.csv and the figures of the sweep in `root`.

    Args:
        root: The sweep's output directory.
        out: Where to write the report; ``root/report`` by default.
        formats: The figure formats (`figures.FORMATS`).
        dpi: The resolution of raster figures (PNG).
        min_runs: Fewer runs than this behind a figure or table cell flags it as a small sample.

    Returns:
        The files written.

    Raises:
        ExperimentError: If `root` holds no finished sweep, or `out` cannot be written.

    """
    sweep = load_sweep(root)
    if sweep.kind == "robustness":
        from outlast.analysis.robustness_report import write_robustness_report

        return write_robustness_report(root, out, formats=formats, dpi=dpi)
    out = sweep.root / "report" if out is None else Path(out)
    problem = output_dir_problem(out)
    if problem:
        raise ExperimentError(problem)
    out.mkdir(parents=True, exist_ok=True)
    points = sweep.points()
    outcomes = outcome_table(sweep)
    labels = points.set_index("point_id")["label"]
    written = [out / "points.csv"]
    points_csv = points.merge(outcomes.drop(columns="label"), on="point_id")
    final = final_table(sweep)
    final.columns = [f"{m}_{s}" for m, s in final.columns]
    # A flag's Wilson bounds (war_ended_low, _high) are already among the outcomes' columns.
    final = final.drop(columns=[c for c in final.columns if c in points_csv.columns])
    points_csv.merge(final, left_on="point_id", right_index=True, how="left").to_csv(
        written[0], index=False
    )
    sens = sensitivity(sweep)
    found = discover(sweep)
    made = figures.report_figures(sweep, outcomes, sens, found, min_runs)
    box = sweep_box(sweep)
    text = _markdown(sweep, outcomes, labels, sens, found, made, formats, min_runs, box)
    written += figures.save_figures(made, out, formats, dpi)
    if isinstance(box, PrimBox):
        with robustness_figures.figure_output(formats, dpi):
            for figure, stem in (
                (robustness_figures.prim_tradeoff_figure, "prim_tradeoff"),
                (robustness_figures.prim_limits_figure, "prim_box"),
            ):
                figure(box, out / f"{stem}.png")
                written += robustness_figures.every_format(out / f"{stem}.png")
    md = out / "report.md"
    md.write_text(text, encoding="utf-8")
    return [md, *written]


def _reading_notes(sweep: Sweep, min_runs: int) -> list[str]:
    """How the report treats runs that ended early, small samples and yes/no outcomes."""
    weekly = sweep.weekly_metrics
    flows = [m for m in weekly if m in FLOWS]
    flags = [m for m in weekly if m in FLAGS]
    stocks = [m for m in weekly if m not in FLOWS and m not in FLAGS]
    kinds = [
        ("flows (counted within the week; 0 after a run's end)", flows),
        ("flags (shares of runs with the flag set; a set flag stays set after the end)", flags),
        ("stocks (censored: a run that ended is left out of later weeks)", stocks),
    ]
    listed = "; ".join(f"{what}: {', '.join(names)}" for what, names in kinds if names)
    return [
        "## How to read this report",
        "",
        "- **Runs that end.** A run stops at its outcome (a negotiated end or a regime change), "
        "so weekly figures treat the weeks after it by the metric's kind, declared with each "
        "metric in `model/metrics.py`. Weekly figures show the runs still going each week "
        f"(dashed, right axis). Here {listed or 'no weekly metrics were kept'}.",
        f"- **Small samples.** A table cell or figure computed from fewer than {min_runs} runs "
        f"is marked {figures.SMALL} (in weekly figures: a hatched background behind those weeks); "
        "its interval is wide and its median unsteady. The threshold is `--min-runs`.",
        "- **Yes/no outcomes** (war ended, regime change, exile agreement, army cracked) are "
        "given as shares of runs with Wilson 95% intervals, never as quantiles of 0/1 values; "
        "codes (a successor's stance) as counts of each category.",
        "",
    ]


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
    made: list[figures.ReportFigure],
    formats: tuple[str, ...],
    min_runs: int,
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
        *_reading_notes(sweep, min_runs),
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
            markdown_table(_headline(outcomes, min_runs)),
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
            "At each run's last week, across seeds: median [5%, 95%]; for a yes/no metric the "
            "share of runs [Wilson 95% interval]; for a code the count of each category.",
            "",
            markdown_table(_final_summary(sweep, labels, min_runs)),
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
            lines += [
                f"### {axis_label(output)}",
                "",
                markdown_table(table.reset_index(names="parameter")),
                "",
            ]
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
    lines += ["## Figures", "", f"Each in {', '.join(formats)}.", ""]
    for item in made:
        flag = f" **Small sample: fewer than {min_runs} runs.**" if item.small_sample else ""
        name = f"{item.stem}.{formats[0]}"
        lines.append(f"- [{name}]({name}): {item.caption}.{flag}")
    if isinstance(box, PrimBox):
        tradeoff, limits = (f"{stem}.{formats[0]}" for stem in ("prim_tradeoff", "prim_box"))
        lines += [
            f"- [{tradeoff}]({tradeoff}): PRIM's peeling trajectory (coverage "
            "against density) with the chosen box marked.",
            f"- [{limits}]({limits}): the chosen PRIM box's limits on each restricted parameter.",
        ]
    return "\n".join(lines) + "\n"

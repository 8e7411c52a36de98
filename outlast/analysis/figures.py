"""Figures of a sweep's report, fit for print: plain labels with units, no overlaps, honest n.

Every figure shows the spread across seeds and the number of runs behind it: weekly medians
with 50% and 90% bands and the runs still going each week; shares of yes/no outcomes with Wilson
95% intervals (never a median of a 0/1 value); heatmaps with a labelled colour bar and n in every
cell. Small multiples are laid out by seaborn's FacetGrid, so titles and labels never overlap.
Labels and units come from the metrics' and the Scenario's declarations (`labels`), colours from
one colour-blind-safe palette (`palette`). What rests on fewer than `MIN_RUNS` runs is marked: a
grey background behind those weeks, a dagger (†) beside those points and cells.

`report_figures` builds the figures (matplotlib Figures, to be checked or saved);
`save_figures` writes each in the formats asked for (PNG, SVG, PDF) and closes it.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from model.metrics import OUTCOMES
from outlast.analysis import palette
from outlast.analysis.discovery import Discovery
from outlast.analysis.labels import axis_label, compact_number, plain, point_title
from outlast.analysis.sensitivity import Sensitivity
from outlast.analysis.tables import (
    FLAGS,
    MIN_RUNS,
    Sweep,
    ended_runs_rule,
    final_table,
    runs_per_point,
    weekly_bands,
    wilson_bounds,
)

#: Up to this many design points get a panel each in weekly figures; beyond, bands pool all runs.
MAX_PANELS = 36
#: Panels per row of a weekly figure.
PANELS_PER_ROW = 4
#: Up to this many design points get a bar each in the outcome chart; beyond, shares per bin.
MAX_BARS = 40
#: Bins per parameter of the outcome chart of a large design (quantile bins of the points).
OUTCOME_BINS = 5
#: The figure formats `save_figures` writes, and the default resolution of raster ones.
FORMATS = ("png", "svg", "pdf")
DPI = 200
#: The mark beside a point, cell or panel computed from fewer than `MIN_RUNS` runs.
SMALL = "†"
OUTCOME_WORDS = {
    "ongoing": "Ongoing at the horizon",
    "ended_by_negotiation": "Ended by negotiation",
    "regime_change": "Regime change",
}


@dataclass
class ReportFigure:
    """A figure of the report: its file stem, the figure, a one-line caption, small-sample flag."""

    stem: str
    figure: Figure
    caption: str
    small_sample: bool = False


COMPACT = FuncFormatter(lambda v, _: compact_number(v))


def save_figures(
    found: Sequence[ReportFigure], out: Path, formats: Sequence[str], dpi: int
) -> list[Path]:
    """Write every figure in each format to `out` (``stem.png`` ...), then close it."""
    written = []
    for item in found:
        for fmt in formats:
            path = out / f"{item.stem}.{fmt}"
            item.figure.savefig(path, dpi=dpi, bbox_inches="tight", format=fmt)
            written.append(path)
        plt.close(item.figure)
    return written


def report_figures(
    sweep: Sweep,
    outcomes: pd.DataFrame,
    sens: Sensitivity | None = None,
    found: Discovery | str | None = None,
    min_runs: int = MIN_RUNS,
) -> list[ReportFigure]:
    """Every figure of a sweep's report, in the order the report lists them."""
    figures = outcome_figures(sweep, outcomes, min_runs)
    figures += weekly_figures(sweep, min_runs)
    if sens is not None:
        figures += sensitivity_figures(sens)
    if isinstance(found, Discovery):
        figures += discovery_figure(found)
    return figures


def _titles(sweep: Sweep) -> pd.Series:
    """Each design point's title in words, by point_id."""
    points = sweep.points()
    titles = [point_title(row, sweep.parameters) for _, row in points.iterrows()]
    return pd.Series(titles, index=points["point_id"])


def weekly_figures(sweep: Sweep, min_runs: int = MIN_RUNS) -> list[ReportFigure]:
    """One figure per weekly metric: a panel per design point, with the runs still going."""
    if sweep.weekly.empty:
        return []
    titles = _titles(sweep)
    by_point = len(titles) <= MAX_PANELS
    figures = []
    for metric in sweep.weekly_metrics:
        bands = weekly_bands(sweep, metric, by_point=by_point)
        if by_point:
            bands["panel"] = bands["point_id"].map(lambda p: _panel_title(titles[p]))
        else:
            bands["panel"] = f"All {len(titles)} design points pooled"
        order = list(dict.fromkeys(bands["panel"]))
        columns = min(PANELS_PER_ROW, len(order))
        grid = sns.FacetGrid(
            bands,
            col="panel",
            col_order=order,
            col_wrap=columns if len(order) > 1 else None,
            height=2.3,
            aspect=1.5,
            sharey=True,
            despine=False,
        )
        flag = metric in FLAGS
        small = False
        # The y labels go on the middle row only, so that labels of short rows cannot overlap.
        middle = (-(-len(order) // columns) - 1) // 2
        what = f"Share of runs: {plain(metric).lower()}" if flag else axis_label(metric)
        grid.set_axis_labels("Week", "")
        for i, (panel, ax) in enumerate(grid.axes_dict.items()):
            data = bands[bands["panel"] == panel]
            small |= bool((data["n"] < min_runs).any())
            _shade_small(ax, data, min_runs)
            (_share_band if flag else _band)(ax, data)
            right = i % columns == columns - 1 or i == len(order) - 1
            label = i // columns == middle
            _runs_going(ax, data, right, label and right, top=int(bands["runs"].max()))
            if label and i % columns == 0:
                ax.set_ylabel(what)
            ax.grid(alpha=0.3)
        grid.set_titles("{col_name}", size="small")
        if not flag:
            for ax in grid.axes.flat:
                ax.yaxis.set_major_formatter(COMPACT)
        summary = (
            "share of runs with a Wilson 95% interval" if flag else "median, 50% and 90% of runs"
        )
        grid.figure.suptitle(f"{plain(metric)}: {summary}; {ended_runs_rule(metric)}", y=1.0)
        grid.figure.legend(
            handles=_weekly_legend(flag, min_runs),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=3,
            fontsize="small",
            frameon=False,
        )
        grid.tight_layout()
        runs = int(bands.groupby("point_id")["runs"].first().min())
        caption = (
            f"{plain(metric)} by week ({summary}), {runs}+ runs per panel; {ended_runs_rule(metric)}; "
            "dashed: runs still going"
        )
        figures.append(ReportFigure(f"weekly_{metric}", grid.figure, caption, small))
    return figures


def _panel_title(title: str) -> str:
    return "\n".join(textwrap.wrap(title, 32))


def _band(ax, bands: pd.DataFrame) -> None:
    colour = palette.BAND
    ax.fill_between(bands["week"], bands["q05"], bands["q95"], color=colour, alpha=0.15, lw=0)
    ax.fill_between(bands["week"], bands["q25"], bands["q75"], color=colour, alpha=0.35, lw=0)
    ax.plot(bands["week"], bands["q50"], color=colour, lw=1.5)


def _share_band(ax, bands: pd.DataFrame) -> None:
    colour = palette.WAR_ENDED
    ax.fill_between(
        bands["week"], bands["share_low"], bands["share_high"], color=colour, alpha=0.15, lw=0
    )
    ax.plot(bands["week"], bands["share"], color=colour, lw=1.5)
    ax.set_ylim(0, 1)


def _shade_small(ax, bands: pd.DataFrame, min_runs: int) -> None:
    """A grey background behind the weeks computed from fewer than `min_runs` runs."""
    ax.fill_between(
        bands["week"],
        0,
        1,
        where=(bands["n"] < min_runs).to_numpy(),
        transform=ax.get_xaxis_transform(),
        facecolor="none",
        edgecolor=palette.SMALL_SAMPLE,
        hatch="///",
        lw=0,
        step="mid",
        zorder=0,
    )


def _runs_going(ax, bands: pd.DataFrame, ticks: bool, label: bool, top: int) -> None:
    """The runs still going each week, on a right-hand axis with ticks at each row's end."""
    twin = ax.twinx()
    twin.step(bands["week"], bands["going"], where="post", color=palette.RUNS_GOING, lw=1, ls="--")
    twin.set_ylim(0, top * 1.05)
    twin.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not ticks:
        twin.tick_params(labelright=False)
    if label:
        twin.set_ylabel("Runs still going", color=palette.RUNS_GOING)


def _weekly_legend(flag: bool, min_runs: int) -> list:
    if flag:
        handles = [
            Line2D([], [], color=palette.WAR_ENDED, label="share of runs"),
            Patch(color=palette.WAR_ENDED, alpha=0.15, label="Wilson 95% interval"),
        ]
    else:
        handles = [
            Line2D([], [], color=palette.BAND, label="median"),
            Patch(color=palette.BAND, alpha=0.35, label="50% of runs"),
            Patch(color=palette.BAND, alpha=0.15, label="90% of runs"),
        ]
    return [
        *handles,
        Line2D([], [], color=palette.RUNS_GOING, ls="--", label="runs still going (right axis)"),
        Patch(
            facecolor="none",
            edgecolor=palette.SMALL_SAMPLE,
            hatch="///",
            label=f"fewer than {min_runs} runs",
        ),
    ]


def outcome_figures(
    sweep: Sweep, outcomes: pd.DataFrame, min_runs: int = MIN_RUNS
) -> list[ReportFigure]:
    """How runs ended per design point; for a two-parameter grid, heatmaps over the grid."""
    if len(outcomes) <= MAX_BARS:
        figures = [_outcome_bars(sweep, outcomes, min_runs)]
    else:
        figures = [_outcome_bins(sweep, min_runs)]
    numeric = [p for p in sweep.parameters if pd.api.types.is_numeric_dtype(sweep.results[p])]
    if sweep.kind == "grid" and len(numeric) == 2 == len(sweep.parameters):
        figures += _grid_heatmaps(sweep, outcomes, min_runs)
    return figures


def _outcome_bars(sweep: Sweep, outcomes: pd.DataFrame, min_runs: int) -> ReportFigure:
    titles = _titles(sweep)
    n = (outcomes["runs"] - outcomes["failed"]).to_numpy()
    small = n < min_runs
    ticks = [
        f"{titles[p]} (n = {k}){' ' + SMALL if s else ''}"
        for p, k, s in zip(outcomes["point_id"], n, small, strict=True)
    ]
    fig = Figure(figsize=(8, 2.0 + 0.35 * len(outcomes)), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    y = np.arange(len(outcomes))
    left = np.zeros(len(outcomes))
    for outcome in OUTCOMES:
        share = outcomes[f"p_{outcome}"].fillna(0).to_numpy()
        ax.barh(
            y,
            share,
            left=left,
            color=palette.OUTCOME_COLOURS[outcome],
            label=OUTCOME_WORDS[outcome],
            height=0.6,
        )
        left += share
    if outcomes["p_war_ended"].notna().any():
        p = outcomes["p_war_ended"].to_numpy()
        err = np.vstack([p - outcomes["war_ended_low"], outcomes["war_ended_high"] - p])
        ax.errorbar(
            p,
            y,
            xerr=err,
            fmt="o",
            color=palette.WAR_ENDED,
            capsize=3,
            label="War ended: share, Wilson 95% interval",
        )
    ax.set_yticks(y, ticks, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of runs")
    ax.set_ylabel("Design point (runs)")
    ax.set_title("How runs ended, per design point", fontsize="medium")
    fig.legend(fontsize="small", loc="outside lower center", ncol=2, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    caption = (
        "Share of runs by outcome per design point; dots: share in which the war ended with its "
        f"Wilson 95% interval; {SMALL}: fewer than {min_runs} runs"
    )
    return ReportFigure("outcomes", fig, caption, bool(small.any()))


def _outcome_bins(sweep: Sweep, min_runs: int) -> ReportFigure:
    """Share of runs in which the war ended per quantile bin of each parameter (large designs)."""
    ok = sweep.ok
    if "war_ended" in ok.columns:
        ended, what = ok["war_ended"] > 0, "p_war_ended"
    else:
        ended, what = ok["outcome"].isin(OUTCOMES[1:]), "p_end_or_change"
    rows = []
    numeric = [p for p in sweep.parameters if pd.api.types.is_numeric_dtype(ok[p])]
    for name in numeric:
        bins = pd.qcut(ok[name], OUTCOME_BINS, duplicates="drop")
        for interval, hits in ended.groupby(bins, observed=True):
            rows.append(
                {
                    "parameter": axis_label(name),
                    "x": interval.mid,
                    "hits": int(hits.sum()),
                    "n": len(hits),
                }
            )
    data = pd.DataFrame(rows)
    data["share"] = data["hits"] / data["n"]
    data["low"], data["high"] = wilson_bounds(data["hits"].to_numpy(), data["n"].to_numpy())
    grid = sns.FacetGrid(
        data, col="parameter", col_wrap=min(3, len(numeric)), sharex=False, height=2.6, aspect=1.3
    )
    for panel, ax in grid.axes_dict.items():
        d = data[data["parameter"] == panel]
        err = np.vstack([d["share"] - d["low"], d["high"] - d["share"]])
        ax.errorbar(d["x"], d["share"], yerr=err, fmt="o", color=palette.WAR_ENDED, capsize=3)
        for x, s, k in zip(d["x"], d["high"], d["n"], strict=True):
            mark = f" {SMALL}" if k < min_runs else ""
            ax.annotate(
                f"n={k}{mark}",
                (x, s),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                fontsize="x-small",
            )
        ax.set_xlabel(panel)
        ax.xaxis.set_major_formatter(COMPACT)
        ax.set_ylim(0, 1.1)
        ax.grid(alpha=0.3)
    grid.set_titles("")
    for ax in grid.axes.flat:
        ax.set_ylabel(plain(what) if ax.get_subplotspec().is_first_col() else "")
    grid.figure.suptitle(f"{plain(what)} by bins of each parameter (Wilson 95% intervals)", y=1.02)
    grid.tight_layout()
    small = bool((data["n"] < min_runs).any())
    caption = (
        f"{plain(what)} in {OUTCOME_BINS} quantile bins of each parameter, Wilson 95% intervals, "
        f"n per bin; {SMALL}: fewer than {min_runs} runs"
    )
    return ReportFigure("outcomes", grid.figure, caption, small)


def _grid_heatmaps(sweep: Sweep, outcomes: pd.DataFrame, min_runs: int) -> list[ReportFigure]:
    """One heatmap per outcome share and final metric over a two-parameter grid."""
    x_name, y_name = sweep.parameters
    points = sweep.points().set_index("point_id")
    n = runs_per_point(sweep)
    table = final_table(sweep)
    o = outcomes.set_index("point_id")
    cells: dict[str, tuple[pd.Series, pd.Series | None, pd.Series | None, str]] = {}
    if o["p_war_ended"].notna().any():
        cells["p_war_ended"] = (
            o["p_war_ended"],
            o["war_ended_low"],
            o["war_ended_high"],
            plain("p_war_ended"),
        )
    for metric in sweep.final_metrics:
        if metric == "war_ended" and "p_war_ended" in cells:
            continue  # the same share as p_war_ended
        if metric in FLAGS:
            cells[metric] = (
                table[(metric, "share")],
                table[(metric, "low")],
                table[(metric, "high")],
                f"Share of runs: {plain(metric).lower()}",
            )
        else:
            label = axis_label(metric)
            cells[metric] = (
                table[(metric, "median")],
                None,
                None,
                f"Median {label[:1].lower()}{label[1:]}",
            )
    figures = []
    for name, (value, low, high, what) in cells.items():
        frame = points.assign(v=value, n=n)
        texts = []
        for pid, row in frame.iterrows():
            value = compact_number(row["v"])
            if low is not None:  # a share: two decimals and its interval
                value = f"{row['v']:.2f}\n[{low[pid]:.2f}, {high[pid]:.2f}]"
            mark = f" {SMALL}" if row["n"] < min_runs else ""
            texts.append(f"{value}\nn={int(row['n'])}{mark}")
        frame["text"] = texts
        values = frame.pivot(index=y_name, columns=x_name, values="v").sort_index(ascending=False)
        notes = frame.pivot(index=y_name, columns=x_name, values="text").reindex_like(values)
        fig = Figure(figsize=(2.2 + 1.3 * values.shape[1], 1.6 + 0.8 * values.shape[0]))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        share = low is not None
        sns.heatmap(
            values.astype(float),
            ax=ax,
            annot=notes.to_numpy(),
            fmt="",
            annot_kws={"fontsize": "x-small"},
            cmap=palette.SEQUENTIAL,
            vmin=0 if share or values.min().min() >= 0 else None,
            vmax=1 if share else None,
            cbar_kws={"label": what, "format": COMPACT},
            xticklabels=[compact_number(v) for v in values.columns],
            yticklabels=[compact_number(v) for v in values.index],
        )
        ax.set_xlabel(axis_label(x_name))
        ax.set_ylabel(axis_label(y_name))
        stat = "share of runs [Wilson 95% interval]" if share else "median across runs"
        ax.set_title(f"{stat[:1].upper()}{stat[1:]}, n runs per cell", fontsize="small")
        small = bool((n < min_runs).any())
        caption = f"{what} over the grid ({stat}, n per cell; {SMALL}: fewer than {min_runs} runs)"
        figures.append(ReportFigure(f"grid_{name}", fig, caption, small))
    return figures


def sensitivity_figures(sens: Sensitivity) -> list[ReportFigure]:
    """Sobol: S1 and ST bars with confidence intervals; Morris: mu* against sigma."""
    figures = []
    for output, table in sens.indices.items():
        fig = Figure(figsize=(7, 1.2 + 0.4 * len(table)))
        FigureCanvasAgg(fig)
        ax = fig.subplots()
        names = [axis_label(p) for p in table.index]
        if sens.method == "sobol":
            y = np.arange(len(table))
            ax.barh(
                y - 0.2,
                table["S1"],
                xerr=table["S1_conf"],
                height=0.4,
                color=palette.FIRST_ORDER,
                label="First order (S1)",
            )
            ax.barh(
                y + 0.2,
                table["ST"],
                xerr=table["ST_conf"],
                height=0.4,
                color=palette.TOTAL_ORDER,
                label="Total order (ST)",
            )
            ax.set_yticks(y, names, fontsize="small")
            ax.invert_yaxis()
            ax.set_xlabel("Sobol index (share of variance, 95% confidence)")
            ax.set_ylabel("Parameter")
            ax.legend(fontsize="small")
        else:
            ax.errorbar(
                table["mu_star"],
                table["sigma"],
                xerr=table["mu_star_conf"],
                fmt="o",
                color=palette.FIRST_ORDER,
            )
            for name, (_, row) in zip(names, table.iterrows(), strict=True):
                ax.annotate(
                    name,
                    (row["mu_star"], row["sigma"]),
                    fontsize="x-small",
                    xytext=(4, 4),
                    textcoords="offset points",
                )
            ax.set_xlabel(f"Mean absolute elementary effect, mu* ({_output_unit(output)})")
            ax.set_ylabel(f"Spread of the effects, sigma ({_output_unit(output)})")
        ax.grid(alpha=0.3)
        method = "Sobol" if sens.method == "sobol" else "Morris"
        ax.set_title(
            f"{method} sensitivity of {plain(output).lower()} (mean over seeds)", fontsize="medium"
        )
        caption = f"{method} sensitivity of the mean over seeds of {plain(output).lower()}"
        figures.append(ReportFigure(f"{sens.method}_{output}", fig, caption))
    return figures


def _output_unit(output: str) -> str:
    label = axis_label(output)
    return label[label.index("(") + 1 : -1] if label.endswith(")") else "share of runs"


def discovery_figure(found: Discovery) -> list[ReportFigure]:
    """The scenario-discovery tree's leaves as the shares of their held-out runs that ended.

    Each leaf is a box of parameter ranges (its rule, in plain words); its bar is the share of the
    runs held out from growing the tree that ended in negotiation or regime change, with a Wilson
    95% interval and its n; a leaf is a finding only if it differs from the rest beyond chance
    (discovery.py's test), otherwise it is drawn pale and labelled "not significant".
    """
    leaves = found.leaves.sort_values("held_out_p", kind="stable").reset_index(drop=True)
    fig = Figure(figsize=(9.0, 1.4 + 0.6 * len(leaves)), layout="constrained")
    ax = fig.subplots()
    colour = palette.OUTCOME_COLOURS["ended_by_negotiation"]
    for i, leaf in leaves.iterrows():
        p, low, high = leaf["held_out_p"], leaf["low"], leaf["high"]
        ax.barh(i, p, color=colour, alpha=1.0 if leaf["finding"] else 0.35)
        ax.errorbar(p, i, xerr=[[p - low], [high - p]], fmt="none", color="black", lw=0.8)
        verdict = "finding" if leaf["finding"] else "not significant"
        ax.text(
            1.01,
            i,
            f"n = {int(leaf['held_out_runs'])} held out; {verdict}",
            va="center",
            fontsize="small",
            transform=ax.get_yaxis_transform(),
        )
    ax.set_yticks(range(len(leaves)), [textwrap.fill(r, 45) for r in _rules(leaves, found)])
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of held-out runs that ended (negotiation or regime change; Wilson 95%)")
    ax.set_ylabel("leaf of the tree (parameter ranges)")
    ax.set_title("Scenario discovery: where the war ends, judged on runs the tree did not see")
    return [
        ReportFigure(
            "discovery_tree",
            fig,
            "Scenario discovery: each leaf's share of held-out runs that ended, with n",
        )
    ]


def _rules(leaves: pd.DataFrame, found: Discovery) -> list[str]:
    """Each leaf's rule with the parameters' plain names."""
    rules = []
    for box in leaves["box"]:
        rule = str(box) or "all runs"
        for feature in sorted(found.features, key=len, reverse=True):
            rule = rule.replace(feature, plain(feature))
        rules.append(rule)
    return rules

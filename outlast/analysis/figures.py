"""PNG figures of a sweep's report (matplotlib's object API: no pyplot, no display needed).

Every figure shows the spread across seeds: bands of weekly metrics around their median,
intervals of outcome probabilities, confidence intervals of sensitivity indices.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model.metrics import METRICS, OUTCOMES
from outlast.analysis.discovery import Discovery
from outlast.analysis.sensitivity import Sensitivity
from outlast.analysis.tables import Sweep, final_table, weekly_bands

#: Up to this many design points share one axes; up to `MAX_PANELS` get a panel each; beyond
#: that, bands pool every run.
MAX_OVERLAID = 8
MAX_PANELS = 36
#: Up to this many design points get a bar each in the outcome chart.
MAX_BARS = 40
DPI = 120
UNITS = {m.name: m.unit for m in METRICS}
OUTCOME_COLOURS = {"ended_by_negotiation": "tab:blue", "regime_change": "tab:red"}


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    return path


def _axis_label(metric: str) -> str:
    unit = UNITS.get(metric)
    return f"{metric} ({unit})" if unit else metric


def weekly_figures(sweep: Sweep, out: Path) -> list[Path]:
    """One figure per weekly metric: median and 50%/90% bands across seeds, week by week."""
    points = sweep.points().set_index("point_id")
    n = len(points)
    written = []
    for metric in sweep.weekly_metrics:
        if sweep.weekly.empty:
            break
        bands = weekly_bands(sweep, metric, by_point=n <= MAX_PANELS)
        if n <= MAX_OVERLAID:
            fig = Figure(figsize=(8, 4.5))
            ax = fig.subplots()
            for i, (pid, b) in enumerate(bands.groupby("point_id")):
                _band(ax, b, f"C{i}", points.loc[pid, "label"])
            ax.legend(fontsize="small", loc="best")
            axes = [ax]
        elif n <= MAX_PANELS:
            cols = math.ceil(math.sqrt(n))
            rows = math.ceil(n / cols)
            fig = Figure(figsize=(3 * cols, 2.2 * rows))
            grid = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False).ravel()
            for ax, (pid, b) in zip(grid, bands.groupby("point_id"), strict=False):
                _band(ax, b, "C0", None)
                ax.set_title(points.loc[pid, "label"], fontsize="x-small")
            for ax in grid[n:]:
                ax.set_visible(False)
            axes = list(grid[:n])
        else:
            fig = Figure(figsize=(8, 4.5))
            ax = fig.subplots()
            _band(ax, bands, "C0", f"all {n} design points")
            ax.legend(fontsize="small")
            axes = [ax]
        for ax in axes:
            ax.grid(alpha=0.3)
        fig.supxlabel("week")
        fig.supylabel(_axis_label(metric))
        fig.suptitle(f"{metric}: median, 50% and 90% of runs across seeds")
        written.append(_save(fig, out / f"weekly_{metric}.png"))
    return written


def _band(ax, bands: pd.DataFrame, colour: str, label: str | None) -> None:
    ax.fill_between(bands["week"], bands["q05"], bands["q95"], color=colour, alpha=0.15, lw=0)
    ax.fill_between(bands["week"], bands["q25"], bands["q75"], color=colour, alpha=0.3, lw=0)
    ax.plot(bands["week"], bands["q50"], color=colour, lw=1.5, label=label)


def outcome_figures(sweep: Sweep, outcomes: pd.DataFrame, out: Path) -> list[Path]:
    """Outcome probabilities per point; for a two-parameter grid, heatmaps over the grid."""
    written = []
    if len(outcomes) <= MAX_BARS:
        written.append(_outcome_bars(outcomes, out / "outcomes.png"))
    else:
        written.append(_outcome_scatter(sweep, outcomes, out / "outcomes.png"))
    numeric = [p for p in sweep.parameters if pd.api.types.is_numeric_dtype(sweep.results[p])]
    if sweep.kind == "grid" and len(numeric) == 2 == len(sweep.parameters):
        written += _grid_heatmaps(sweep, outcomes, out)
    return written


def _outcome_bars(outcomes: pd.DataFrame, path: Path) -> Path:
    fig = Figure(figsize=(8, 0.9 + 0.35 * len(outcomes)))
    ax = fig.subplots()
    y = np.arange(len(outcomes))
    left = np.zeros(len(outcomes))
    for outcome in OUTCOMES[1:]:
        share = outcomes[f"p_{outcome}"].fillna(0).to_numpy()
        ax.barh(y, share, left=left, color=OUTCOME_COLOURS[outcome], label=outcome, height=0.6)
        left += share
    p = outcomes["p_war_ended"].to_numpy()
    err = np.vstack([p - outcomes["war_ended_low"], outcomes["war_ended_high"] - p])
    ax.errorbar(
        p, y, xerr=err, fmt="o", color="black", capsize=3, label="P(war ended), 95% interval"
    )
    ax.set_yticks(y, outcomes["label"], fontsize="small")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of runs")
    ax.set_title("How runs ended, per design point (P(war ended): Wilson 95% interval)")
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def _outcome_scatter(sweep: Sweep, outcomes: pd.DataFrame, path: Path) -> Path:
    points = sweep.points().merge(outcomes[["point_id", "p_war_ended"]], on="point_id")
    params = sweep.parameters
    fig = Figure(figsize=(3.2 * len(params), 3))
    for ax, name in zip(fig.subplots(1, len(params), squeeze=False).ravel(), params, strict=True):
        ax.scatter(points[name], points["p_war_ended"], s=8, alpha=0.6)
        ax.set_xlabel(name, fontsize="small")
        ax.grid(alpha=0.3)
    fig.supylabel("P(war ended) across seeds")
    fig.suptitle("P(war ended) per design point against each parameter")
    return _save(fig, path)


def _grid_heatmaps(sweep: Sweep, outcomes: pd.DataFrame, out: Path) -> list[Path]:
    x_name, y_name = sweep.parameters
    points = sweep.points().set_index("point_id")
    values = {"p_war_ended": outcomes.set_index("point_id")["p_war_ended"]}
    final = final_table(sweep)
    for metric in sweep.final_metrics:
        values[metric] = final[(metric, "median")]
    written = []
    for name, series in values.items():
        table = points.assign(v=series).pivot(index=y_name, columns=x_name, values="v")
        fig = Figure(figsize=(1.2 + 1.1 * table.shape[1], 1.2 + 0.6 * table.shape[0]))
        ax = fig.subplots()
        image = ax.imshow(
            table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis"
        )
        ax.set_xticks(
            range(table.shape[1]),
            [compact_number(v) for v in table.columns],
            rotation=45,
            fontsize="small",
        )
        ax.set_yticks(
            range(table.shape[0]), [compact_number(v) for v in table.index], fontsize="small"
        )
        for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
            bright = image.norm(v) > 0.6  # dark text on the bright end of viridis
            ax.text(
                j,
                i,
                compact_number(v),
                ha="center",
                va="center",
                fontsize="x-small",
                color="black" if bright else "white",
            )
        ax.set_xlabel(x_name)
        ax.set_ylabel(y_name)
        what = "share of runs in which the war ended" if name == "p_war_ended" else f"median {name}"
        ax.set_title(what, fontsize="small")
        fig.colorbar(image, ax=ax)
        written.append(_save(fig, out / f"grid_{name}.png"))
    return written


def compact_number(value: float) -> str:
    """A short label: 250k, 1.5m, 100bn; small numbers with 3 significant digits."""
    if pd.isna(value):
        return "-"
    for scale, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.3g}"


def sensitivity_figures(sens: Sensitivity, out: Path) -> list[Path]:
    """Sobol: S1 and ST bars with confidence intervals; Morris: mu* against sigma."""
    written = []
    for output, table in sens.indices.items():
        fig = Figure(figsize=(7, 0.9 + 0.4 * len(table)))
        ax = fig.subplots()
        if sens.method == "sobol":
            y = np.arange(len(table))
            ax.barh(y - 0.2, table["S1"], xerr=table["S1_conf"], height=0.4, label="S1 (first)")
            ax.barh(y + 0.2, table["ST"], xerr=table["ST_conf"], height=0.4, label="ST (total)")
            ax.set_yticks(y, table.index, fontsize="small")
            ax.invert_yaxis()
            ax.set_xlabel("Sobol index (95% confidence)")
            ax.legend(fontsize="small")
        else:
            ax.errorbar(table["mu_star"], table["sigma"], xerr=table["mu_star_conf"], fmt="o")
            for name, row in table.iterrows():
                ax.annotate(
                    name,
                    (row["mu_star"], row["sigma"]),
                    fontsize="x-small",
                    xytext=(4, 4),
                    textcoords="offset points",
                )
            ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_ylabel("sigma (non-linearity, interactions)")
        ax.grid(alpha=0.3)
        ax.set_title(f"{sens.method.capitalize()} sensitivity of {output} (mean over seeds)")
        written.append(_save(fig, out / f"{sens.method}_{output}.png"))
    return written


def discovery_figure(found: Discovery, out: Path) -> list[Path]:
    """The scenario-discovery tree."""
    from sklearn.tree import plot_tree

    fig = Figure(figsize=(16, 6))
    FigureCanvasAgg(fig)  # plot_tree measures text, so the figure needs a renderer
    ax = fig.subplots()
    plot_tree(
        found.tree,
        feature_names=found.features,
        class_names=found.classes,
        ax=ax,
        filled=True,
        impurity=False,
        proportion=True,
        fontsize=7,
    )
    ax.set_title("Scenario discovery: outcome by parameter ranges (shares of runs per node)")
    return [_save(fig, out / "discovery_tree.png")]

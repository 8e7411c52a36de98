"""A finished sweep on disk, read for the dashboard, and the charts of its results.

A finished sweep is a directory ``runs/output/<experiment>/`` holding ``manifest.json``,
``results.parquet`` (one row per run: run_id, point_id, seed, one column per design parameter,
the kept final metrics, outcome, outcome_week, status, error) and ``weekly.parquet`` (run_id,
point_id, week, the kept weekly metrics). Design parameters are the manifest's (a ``presets``
design's is ``preset``), else the columns named after Scenario fields; metrics are the columns
named after `model.metrics.METRICS`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from dashboards.palette import OUTCOME_COLOURS, WAR_ENDED
from model.metrics import METRIC_NAMES, OUTCOMES
from model.scenario import Scenario
from outlast.analysis.labels import axis_label

RESULTS_COLUMNS = ("run_id", "point_id", "seed", "outcome", "outcome_week", "status", "error")
WEEKLY_COLUMNS = ("run_id", "point_id", "week")
#: Outcomes in words, in the order of `model.metrics.OUTCOMES`, coloured by the project's palette.
OUTCOME_LABELS = tuple(outcome.replace("_", " ") for outcome in OUTCOMES)
OUTCOME_SCALE = alt.Scale(
    domain=list(OUTCOME_LABELS), range=[OUTCOME_COLOURS[outcome] for outcome in OUTCOMES]
)
#: A design parameter with more distinct values than this is cut into this many quantile bins.
MAX_GROUPS = 6
#: Vega-Lite charts carry their data inline; a scatter of more runs is sampled to this many.
MAX_POINTS = 5_000


class SweepError(ValueError):
    """A sweep directory that cannot be read; the message is one line saying what is wrong."""


@dataclass(frozen=True)
class Sweep:
    """A finished sweep: its manifest, its runs and their weekly metrics.

    Attributes:
        name: The experiment's name (the directory's name).
        manifest: The parsed manifest.json.
        results: One row per run (failed runs included, see `ok`).
        weekly: One row per run and week (empty if the sweep kept no weekly metrics).
        parameters: The design parameters (columns of `results` named after Scenario fields).
        metrics: The kept final metrics (columns of `results` named after weekly metrics).
        weekly_metrics: The kept weekly metrics.

    """

    name: str
    manifest: dict[str, Any]
    results: pd.DataFrame
    weekly: pd.DataFrame
    parameters: tuple[str, ...]
    metrics: tuple[str, ...]
    weekly_metrics: tuple[str, ...]

    @property
    def ok(self) -> pd.DataFrame:
        """The runs that finished without an error."""
        error = self.results["error"]
        return self.results[error.isna() | (error.astype(str).str.strip() == "")]


#: The sweep the tab opens on when it is among those found: the project's main experiment.
MAIN_SWEEP = "policies"


def default_sweep(names: list[str]) -> str | None:
    """The sweep the tab opens on: the project's main one if present, else the first."""
    if MAIN_SWEEP in names:
        return MAIN_SWEEP
    return names[0] if names else None


def find_sweeps(root: Path) -> list[str]:
    """Names of the finished sweeps under `root` (directories with a manifest and results)."""
    if not root.is_dir():
        return []
    return sorted(
        d.name
        for d in root.iterdir()
        if (d / "manifest.json").is_file() and (d / "results.parquet").is_file()
    )


def _read_parquet(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        table = pd.read_parquet(path)
    except (OSError, ValueError) as exc:
        raise SweepError(f"cannot read '{path}': {exc}") from None
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise SweepError(f"'{path}' lacks the column(s) {', '.join(missing)}")
    return table


def load_sweep(directory: Path) -> Sweep:
    """Read a finished sweep.

    Raises:
        SweepError: If the manifest or results are missing, unreadable or lack a column.

    """
    directory = Path(directory)
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SweepError(f"cannot read '{manifest_path}': {exc.strerror}") from None
    except ValueError as exc:
        raise SweepError(f"'{manifest_path}' is not valid JSON: {exc}") from None
    results = _read_parquet(directory / "results.parquet", RESULTS_COLUMNS)
    weekly_path = directory / "weekly.parquet"
    weekly = (
        _read_parquet(weekly_path, WEEKLY_COLUMNS)
        if weekly_path.is_file()
        else pd.DataFrame(columns=list(WEEKLY_COLUMNS))
    )
    return Sweep(
        name=directory.name,
        manifest=manifest,
        results=results,
        weekly=weekly,
        parameters=design_parameters(manifest, results),
        metrics=tuple(c for c in results.columns if c in METRIC_NAMES and c != "week"),
        weekly_metrics=tuple(c for c in weekly.columns if c in METRIC_NAMES and c != "week"),
    )


def design_parameters(manifest: dict[str, Any], results: pd.DataFrame) -> tuple[str, ...]:
    """The design's dimensions: the manifest's list if it has one, else Scenario-named columns.

    A ``presets`` design's one dimension is ``preset`` (a preset's name, not a Scenario field).
    """
    design = manifest.get("design")
    listed = design.get("parameters") if isinstance(design, dict) else None
    if isinstance(listed, list) and listed:
        return tuple(str(c) for c in listed if c in results.columns)
    named = [c for c in results.columns if c in Scenario.model_fields]
    return tuple((["preset"] if "preset" in results.columns else []) + named)


def is_numeric(values: pd.Series) -> bool:
    """Whether a design parameter's values are numbers (a preset's name is not)."""
    return pd.api.types.is_numeric_dtype(values)


def manifest_summary(sweep: Sweep) -> dict[str, str]:
    """The manifest's plain values (name, design, seeds, commit...) as text, for a summary."""
    summary = {
        "runs": f"{len(sweep.results):,}",
        "design points": f"{sweep.results['point_id'].nunique():,}",
    }
    for key, value in sweep.manifest.items():
        # The manifest's keys in words: no snake_case on the page.
        words = key.replace("_", " ")
        if isinstance(value, str | int | float | bool) and words not in summary:
            summary[words] = str(value)
        elif isinstance(value, dict) and key == "design":
            summary[words] = ", ".join(
                f"{k.replace('_', ' ')}: {v}"
                for k, v in value.items()
                if isinstance(v, str | int | float | bool)
                # morris_levels has a default whatever the design; it means something in one
                and (k != "morris_levels" or value.get("kind") == "morris")
            )
    return summary


def parameter_groups(values: pd.Series) -> pd.Series:
    """Group a design parameter's values: as they are if few or not numbers, else quantile bins."""
    if values.nunique() <= MAX_GROUPS or not is_numeric(values):
        return values.map(lambda v: f"{v:g}" if isinstance(v, int | float) else str(v))
    bins = pd.qcut(values, MAX_GROUPS, duplicates="drop")
    return bins.map(lambda b: f"{b.left:.3g} to {b.right:.3g}").astype(str)


def _group_order(groups: pd.Series, values: pd.Series) -> list[str]:
    if not is_numeric(values):  # in the design's order (point_id), e.g. baseline first
        return list(dict.fromkeys(groups))
    return list(
        pd.DataFrame({"g": groups, "v": values}).groupby("g")["v"].min().sort_values().index
    )


def outcome_shares(sweep: Sweep, parameter: str) -> pd.DataFrame:
    """Share of runs ending in each outcome, by group of a design parameter's values."""
    runs = sweep.ok
    table = pd.DataFrame({"group": parameter_groups(runs[parameter]), "outcome": runs["outcome"]})
    shares = (
        table.groupby("group")["outcome"].value_counts(normalize=True).rename("share").reset_index()
    )
    shares["order"] = shares["group"].map(
        {g: i for i, g in enumerate(_group_order(table["group"], runs[parameter]))}
    )
    shares["runs"] = shares["group"].map(table["group"].value_counts())
    return shares


def parameter_title(parameter: str) -> str:
    """A design parameter's plain label with its unit ("Preset" for a presets design)."""
    return "Preset" if parameter == "preset" else axis_label(parameter)


def war_ended_shares(sweep: Sweep, parameter: str) -> pd.DataFrame:
    """P(war ended) by group of a design parameter, with Wilson 95% intervals and run counts.

    Needs the ``war_ended`` final metric kept (empty table otherwise). Failed runs are left out.
    """
    runs = sweep.ok
    if "war_ended" not in runs.columns:
        return pd.DataFrame(columns=["group", "runs", "ended", "share", "low", "high", "order"])
    table = pd.DataFrame(
        {"group": parameter_groups(runs[parameter]), "ended": runs["war_ended"] > 0}
    )
    counts = table.groupby("group", sort=False)["ended"].agg(runs="size", ended="sum")
    low, high = proportion_confint(counts["ended"], counts["runs"], alpha=0.05, method="wilson")
    shares = counts.assign(share=counts["ended"] / counts["runs"], low=low, high=high)
    order = _group_order(table["group"], runs[parameter])
    shares = shares.reset_index()
    shares["order"] = shares["group"].map({g: i for i, g in enumerate(order)})
    return shares.sort_values("order")


def war_ended_chart(sweep: Sweep, parameter: str) -> alt.LayerChart:
    """Bars of P(war ended) by a design parameter, with Wilson 95% intervals as error bars."""
    shares = war_ended_shares(sweep, parameter)
    label = parameter_title(parameter)
    x = alt.X(
        "group:N",
        sort=alt.EncodingSortField("order", op="min"),
        title=label,
        axis=alt.Axis(labelAngle=-30),
    )
    base = alt.Chart(shares, title="Share of runs in which the war ended").encode(x=x)
    tooltip = [
        alt.Tooltip("group:N", title=label),
        alt.Tooltip("ended:Q", title="War ended in (runs)"),
        alt.Tooltip("runs:Q", title="Of runs"),
        alt.Tooltip("share:Q", format=".0%", title="Share of runs"),
        alt.Tooltip("low:Q", format=".0%", title="95% interval from"),
        alt.Tooltip("high:Q", format=".0%", title="95% interval to"),
    ]
    bars = base.mark_bar(color=WAR_ENDED, opacity=0.75).encode(
        y=alt.Y(
            "share:Q",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
            title="War ended (share of runs, Wilson 95% interval)",
        ),
        tooltip=tooltip,
    )
    whiskers = base.mark_rule(color=WAR_ENDED, strokeWidth=2).encode(
        y="low:Q", y2="high:Q", tooltip=tooltip
    )
    return alt.layer(bars, whiskers).properties(width="container", height=260)


def outcome_chart(sweep: Sweep, parameter: str) -> alt.Chart:
    """Stacked shares of outcomes by a design parameter."""
    shares = outcome_shares(sweep, parameter)
    shares["outcome"] = shares["outcome"].str.replace("_", " ")
    label = parameter_title(parameter)
    return (
        alt.Chart(shares, title="Outcomes")
        .mark_bar()
        .encode(
            x=alt.X(
                "group:N",
                sort=alt.EncodingSortField("order", op="min"),
                title=label,
                axis=alt.Axis(labelAngle=-30),
            ),
            y=alt.Y("share:Q", axis=alt.Axis(format="%"), title="Share of runs (0-1)"),
            color=alt.Color("outcome:N", scale=OUTCOME_SCALE, title="Outcome"),
            tooltip=[
                alt.Tooltip("group:N", title=label),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("share:Q", format=".1%", title="Share of runs"),
                alt.Tooltip("runs:Q", title="Runs in the group"),
            ],
        )
        .properties(width="container", height=240)
    )


def metric_scatter(sweep: Sweep, parameter: str, metric: str) -> alt.Chart:
    """Each run's final `metric` against a design parameter, coloured by outcome (sampled)."""
    runs = sweep.ok[["run_id", parameter, metric, "outcome"]]
    shown = runs.sample(MAX_POINTS, random_state=0) if len(runs) > MAX_POINTS else runs
    shown = shown.assign(outcome=shown["outcome"].str.replace("_", " "))
    label, metric_title = parameter_title(parameter), axis_label(metric)
    title = f"{metric_title} at the run's end"
    if len(shown) < len(runs):
        title += f" ({len(shown):,} of {len(runs):,} runs)"
    return (
        alt.Chart(shown, title=title)
        .mark_circle(opacity=0.6)
        .encode(
            x=(
                alt.X(f"{parameter}:Q", scale=alt.Scale(zero=False), title=label)
                if is_numeric(runs[parameter])
                else alt.X(f"{parameter}:N", sort=list(dict.fromkeys(runs[parameter])), title=label)
            ),
            y=alt.Y(f"{metric}:Q", title=metric_title),
            color=alt.Color("outcome:N", scale=OUTCOME_SCALE, title="Outcome"),
            tooltip=[
                alt.Tooltip("run_id:N", title="Run"),
                alt.Tooltip(f"{parameter}", title=label),
                alt.Tooltip(f"{metric}:Q", title=metric_title),
                alt.Tooltip("outcome:N", title="Outcome"),
            ],
        )
        .properties(width="container", height=240)
    )


#: More groups than this in a weekly chart: its title says how to pick one out.
MANY_GROUPS = 4


def weekly_bands(sweep: Sweep, parameter: str, metric: str) -> pd.DataFrame:
    """Per week and group of a design parameter: the mean and 10-90% range of a weekly metric."""
    runs = sweep.ok[["run_id", parameter]].assign(group=lambda d: parameter_groups(d[parameter]))
    weekly = sweep.weekly[["run_id", "week", metric]].merge(runs, on="run_id", validate="m:1")
    grouped = weekly.groupby(["group", "week"])[metric]
    return pd.DataFrame(
        {"mean": grouped.mean(), "low": grouped.quantile(0.1), "high": grouped.quantile(0.9)}
    ).reset_index()


def weekly_chart(sweep: Sweep, parameter: str, metric: str) -> alt.LayerChart:
    """A weekly metric over the runs: mean line and 10-90% band per group of a parameter."""
    bands = weekly_bands(sweep, parameter, metric)
    runs = sweep.ok
    order = _group_order(parameter_groups(runs[parameter]), runs[parameter])
    label, metric_title = parameter_title(parameter), axis_label(metric)
    # Groups are ordered categories, not meanings: a colour-blind-safe sequential scheme.
    colour = alt.Color(
        "group:N",
        title=label,
        sort=order,
        scale=alt.Scale(scheme="viridis"),
        legend=alt.Legend(titleLimit=0),
    )
    # Many groups (a dozen presets) are one tangle of lines: a click on the legend picks one out.
    picked = alt.selection_point(fields=["group"], bind="legend")
    title = f"{metric_title} week by week (mean, 10-90% of runs)"
    if len(order) > MANY_GROUPS:
        title = [title, "click a legend entry to pick one out; shift-click for more"]
    base = alt.Chart(bands, title=title).encode(x=alt.X("week:Q", title="Week of the run"))
    band = base.mark_area().encode(
        y=alt.Y("low:Q", title=metric_title),
        y2="high:Q",
        color=colour,
        opacity=alt.condition(picked, alt.value(0.18), alt.value(0.02)),
    )
    line = base.mark_line().encode(
        y="mean:Q",
        color=colour,
        opacity=alt.condition(picked, alt.value(1.0), alt.value(0.12)),
        tooltip=[
            alt.Tooltip("group:N", title=label),
            alt.Tooltip("week:Q", title="Week of the run"),
            alt.Tooltip("mean:Q", format=",.3~f", title=f"{metric_title}, mean"),
        ],
    )
    return alt.layer(band, line.add_params(picked)).properties(width="container", height=260)

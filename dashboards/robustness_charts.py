"""The Robustness tab's charts: policies across futures, backfires and PRIM boxes (Vega-Lite).

Each function takes a table of `dashboards.robustness_data` and returns a Vega-Lite spec (a dict)
of one chart as wide as its container. Colours are the project's (`dashboards.palette`): shares
and their intervals in black like every P(war ended) on the page, futures in the neutral grey.
Verdicts have no colour of their own (every Okabe-Ito colour already means something on the
page, and red means regime change only): worse and better are drawn on either side of zero.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from dashboards import palette
from outlast.analysis.discovery import PrimBox
from outlast.analysis.labels import axis_label

#: Height of one policy's row, and of a chart's axes and title, in pixels.
ROW_PX = 26
FRAME_PX = 70


def words(name: str) -> str:
    """A policy's name in a title: its words, not its snake_case."""
    return name.replace("_", " ")


def _height(rows: int) -> int:
    return FRAME_PX + ROW_PX * max(rows, 1)


def _policy_axis(order: list[str]) -> alt.Y:
    # Labels clear of the largest circle drawn at a share of 0.
    return alt.Y(
        "policy:N", sort=order, title="Policy", axis=alt.Axis(labelLimit=220, labelPadding=14)
    )


#: A share's axis: percent, ten ticks at most (a tick every 4% crowds the grid).
SHARE_AXIS = alt.Axis(format="%", tickCount=10)


def pooled_chart(rows: pd.DataFrame, heading: str) -> dict[str, Any]:
    """Per policy: the outcome's share of all runs (every future and seed), Wilson 95% interval.

    Args:
        rows: `robustness_data.outcome_rows`.
        heading: The outcome as the report heads it, e.g. "P(war ended)".

    """
    order = rows["policy"].tolist()
    data = rows[["policy", "n_runs", "pooled", "pooled_low", "pooled_high", "small_sample"]].copy()
    data["sample"] = data["small_sample"].map({True: "small sample (under 30 runs)", False: ""})
    data = data.drop(columns="small_sample")
    tooltip = [
        alt.Tooltip("policy:N", title="Policy"),
        alt.Tooltip("n_runs:Q", title="Runs"),
        alt.Tooltip("pooled:Q", format=".1%", title="Share of runs"),
        alt.Tooltip("pooled_low:Q", format=".1%", title="95% interval from"),
        alt.Tooltip("pooled_high:Q", format=".1%", title="95% interval to"),
        alt.Tooltip("sample:N", title="Note"),
    ]
    base = alt.Chart(
        data, title=f"{heading}: share of all runs, every future and seed (Wilson 95% interval)"
    ).encode(y=_policy_axis(order), tooltip=tooltip)
    x = alt.X(
        "pooled:Q",
        scale=alt.Scale(domain=[0, 1]),
        axis=SHARE_AXIS,
        title=f"{heading} (share of runs)",
    )
    whiskers = base.mark_rule(color=palette.WAR_ENDED, strokeWidth=2).encode(
        x=alt.X("pooled_low:Q", scale=alt.Scale(domain=[0, 1]), title=f"{heading} (share of runs)"),
        x2="pooled_high:Q",
    )
    points = base.mark_point(color=palette.WAR_ENDED, filled=True, size=60).encode(
        x=x,
        shape=alt.Shape(
            "sample:N",
            scale=alt.Scale(domain=["", "small sample (under 30 runs)"], range=["circle", "cross"]),
            legend=None,
        ),
    )
    chart = alt.layer(whiskers, points).properties(width="container", height=_height(len(order)))
    return chart.to_dict()


def futures_chart(shares: pd.DataFrame, rows: pd.DataFrame, heading: str) -> dict[str, Any]:
    """Per policy: how the per-future share of the outcome spreads across futures.

    Circles: the futures with each per-future share (area: how many); black: the 10-90% range of
    the per-future shares and its median (`distribution_table`'s q10, q50, q90).

    Args:
        shares: `robustness_data.future_shares`.
        rows: `robustness_data.outcome_rows` (the quantiles).
        heading: The outcome as the report heads it.

    """
    order = rows["policy"].tolist()
    title = (
        f"{heading} in each future: share of its seeds (circles: futures; black: 10-90%, median)"
    )
    x_title = f"{heading} in a future (share of its seeds)"
    scale = alt.Scale(domain=[0, 1])
    dots = (
        alt.Chart(shares)
        .mark_circle(color=palette.GREY, opacity=0.8)
        .encode(
            x=alt.X("share:Q", scale=scale, axis=SHARE_AXIS, title=x_title),
            y=_policy_axis(order),
            size=alt.Size(
                "futures:Q", title="Futures", scale=alt.Scale(range=[20, 400], zero=False)
            ),
            tooltip=[
                alt.Tooltip("policy:N", title="Policy"),
                alt.Tooltip("share:Q", format=".0%", title="Share of seeds"),
                alt.Tooltip("futures:Q", title="Futures"),
                alt.Tooltip("of_futures:Q", title="Of futures"),
            ],
        )
    )
    quantiles = rows[["policy", "q10", "q50", "q90", "n_futures"]]
    tooltip = [
        alt.Tooltip("policy:N", title="Policy"),
        alt.Tooltip("q10:Q", format=".0%", title="10% of futures below"),
        alt.Tooltip("q50:Q", format=".0%", title="Median future"),
        alt.Tooltip("q90:Q", format=".0%", title="90% of futures below"),
        alt.Tooltip("n_futures:Q", title="Futures"),
    ]
    spread = (
        alt.Chart(quantiles)
        .mark_rule(color=palette.WAR_ENDED, strokeWidth=2)
        .encode(x=alt.X("q10:Q", scale=scale, title=x_title), x2="q90:Q", y=_policy_axis(order))
        .encode(tooltip=tooltip)
    )
    median = (
        alt.Chart(quantiles)
        .mark_tick(color=palette.WAR_ENDED, thickness=3, size=ROW_PX * 0.8)
        .encode(x=alt.X("q50:Q", scale=scale, title=x_title), y=_policy_axis(order))
        .encode(tooltip=tooltip)
    )
    chart = alt.layer(dots, spread, median, title=title)
    return chart.properties(width="container", height=_height(len(order))).to_dict()


def verdict_chart(rows: pd.DataFrame, reference: str) -> dict[str, Any]:
    """Per policy: the shares of futures where it is clearly worse (left) and better (right).

    Bars of the share of futures judged worse (a backfire) to the left of zero and better to
    the right, each with its Wilson 95% interval over futures; the rest is no clear difference.

    Args:
        rows: `robustness_data.backfire_rows`.
        reference: The policy they are judged against.

    """
    order = rows["policy"].tolist()
    parts = []
    for key, sign, word in (("worse", -1, "worse (backfire)"), ("better", 1, "better")):
        part = pd.DataFrame(
            {
                "policy": rows["policy"],
                "verdict": word,
                "futures": rows[key],
                "of_futures": rows["n_futures"],
                "share": sign * rows[f"p_{key}_futures"],
                "low": sign * rows[f"p_{key}_futures_low"],
                "high": sign * rows[f"p_{key}_futures_high"],
                "shown": rows[f"p_{key}_futures"],
            }
        )
        parts.append(part)
    data = pd.concat(parts, ignore_index=True)
    # As wide as the widest interval (in tenths, at least one), the same on both sides.
    widest = float(data[["low", "high"]].abs().max().max()) if len(data) else 0.0
    reach = max(0.1, min(1.0, np.ceil(widest * 10 + 1e-9) / 10))
    domain = [-reach, reach]
    # Worse to the left, better to the right: the axis shows shares without their sign.
    x_axis = alt.Axis(tickCount=10, labelExpr="format(abs(datum.value), '.0%')")
    x_title = f"Share of futures: worse than {words(reference)} (left), better (right)"
    tooltip = [
        alt.Tooltip("policy:N", title="Policy"),
        alt.Tooltip("verdict:N", title="Than the reference"),
        alt.Tooltip("futures:Q", title="Futures"),
        alt.Tooltip("of_futures:Q", title="Of futures"),
        alt.Tooltip("shown:Q", format=".1%", title="Share of futures"),
    ]
    base = alt.Chart(data).encode(y=_policy_axis(order), tooltip=tooltip)
    bars = base.mark_bar(color=palette.GREY).encode(
        x=alt.X("share:Q", scale=alt.Scale(domain=domain), axis=x_axis, title=x_title)
    )
    whiskers = base.mark_rule(color=palette.WAR_ENDED).encode(
        x=alt.X("low:Q", scale=alt.Scale(domain=domain), title=x_title), x2="high:Q"
    )
    zero = (
        alt.Chart(pd.DataFrame({"zero": [0.0]}))
        .mark_rule(color=palette.THRESHOLD)
        .encode(x=alt.X("zero:Q", scale=alt.Scale(domain=domain), title=x_title))
    )
    chart = alt.layer(
        bars,
        whiskers,
        zero,
        # Two lines: one line was cut short at 1280 px.
        title=[
            f"Futures where each policy does clearly worse or better than {words(reference)}",
            "(sign test over paired seeds; Wilson 95% intervals)",
        ],
    )
    return chart.properties(width="container", height=_height(len(order))).to_dict()


def prim_limits_chart(box: PrimBox) -> dict[str, Any]:
    """The box's restricted parameters: its range (black) within the ensemble's (grey), 0-1.

    Each parameter's range across the futures is scaled to 0-1 so that parameters of any unit
    share one axis; the tooltip gives the values in the parameter's own unit and its quasi-p.
    """
    limits = box.limits.copy()
    span = (limits["range_high"] - limits["range_low"]).where(lambda s: s > 0, 1.0)
    limits["box_low"] = (limits["low"] - limits["range_low"]) / span
    limits["box_high"] = (limits["high"] - limits["range_low"]) / span
    limits["parameter"] = [axis_label(d) for d in limits["dimension"]]
    limits["all_low"], limits["all_high"] = 0.0, 1.0
    columns = ["parameter", "low", "high", "range_low", "range_high", "quasi_p"]
    data = limits[[*columns, "box_low", "box_high", "all_low", "all_high"]]
    order = data["parameter"].tolist()
    y = alt.Y(
        "parameter:N", sort=order, title="Restricted parameter", axis=alt.Axis(labelLimit=260)
    )
    x_title = "Position within the futures' range (0: lowest, 1: highest)"
    tooltip = [
        alt.Tooltip("parameter:N", title="Parameter"),
        alt.Tooltip("low:Q", format=",.4~g", title="Box from"),
        alt.Tooltip("high:Q", format=",.4~g", title="Box to"),
        alt.Tooltip("range_low:Q", format=",.4~g", title="Futures from"),
        alt.Tooltip("range_high:Q", format=",.4~g", title="Futures to"),
        alt.Tooltip("quasi_p:Q", format=".2g", title="Quasi-p"),
    ]
    base = alt.Chart(data).encode(y=y, tooltip=tooltip)
    scale = alt.Scale(domain=[0, 1])
    whole = base.mark_bar(color=palette.GREY, opacity=0.35, size=ROW_PX * 0.7).encode(
        x=alt.X("all_low:Q", scale=scale, title=x_title), x2="all_high:Q"
    )
    inside = base.mark_bar(color=palette.WAR_ENDED, size=ROW_PX * 0.4).encode(
        x=alt.X("box_low:Q", scale=scale, title=x_title), x2="box_high:Q"
    )
    verdict = "significant" if box.significant else "not significant: no finding"
    chart = alt.layer(
        whole,
        inside,
        title=f"The box's limits within the futures' ranges (coverage {box.coverage:.2f}, "
        f"density {box.density:.2f}; {verdict})",
    )
    return chart.properties(width="container", height=_height(len(order))).to_dict()


def prim_tradeoff_chart(box: PrimBox) -> dict[str, Any]:
    """PRIM's peeling trajectory: coverage against density at each step; the chosen one ringed."""
    steps = box.trajectory.copy()
    steps["judged"] = steps["significant"].map({True: "significant", False: "not significant"})
    steps["chosen"] = steps["step"] == box.step
    tooltip = [
        alt.Tooltip("step:Q", title="Step"),
        alt.Tooltip("coverage:Q", format=".2f", title="Coverage"),
        alt.Tooltip("density:Q", format=".2f", title="Density"),
        alt.Tooltip("mass:Q", format=".2f", title="Mass"),
        alt.Tooltip("restricted_dimensions:Q", title="Restricted parameters"),
        alt.Tooltip("judged:N", title="By the rule"),
    ]
    data = steps[
        ["step", "coverage", "density", "mass", "restricted_dimensions", "judged", "chosen"]
    ]
    x = alt.X(
        "coverage:Q", scale=alt.Scale(domain=[0, 1]), title="Coverage (share of cases in the box)"
    )
    y = alt.Y(
        "density:Q",
        scale=alt.Scale(domain=[0, 1]),
        title="Density (share of the box that are cases)",
    )
    points = (
        alt.Chart(data)
        .mark_point(color=palette.SERIES, size=50)
        .encode(
            x=x,
            y=y,
            shape=alt.Shape(
                "judged:N",
                title="By the rule",
                scale=alt.Scale(
                    domain=["significant", "not significant"], range=["circle", "cross"]
                ),
            ),
            tooltip=tooltip,
        )
    )
    chosen = (
        alt.Chart(data[data["chosen"]])
        .mark_point(color=palette.THRESHOLD, size=400, strokeWidth=2)
        .encode(x=x, y=y, tooltip=tooltip)
    )
    chart = alt.layer(
        points,
        chosen,
        title=f"Peeling steps: coverage against density (ringed: step {box.step}, chosen)",
    )
    return chart.properties(width="container", height=260).to_dict()

"""The ensemble's chart: per metric, each arm's weekly median with 50% and 90% bands, and the draw.

Each metric has its own panel and its own y scale, so that small shares (the leader's threat,
unrest) are not flattened against a 0-1 axis; each panel is as wide as its cell of the page's
grid. Colours (`dashboards.palette`): the current levers blue, the baseline grey, and the one run
shown on the page dashed black.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from dashboards import palette
from dashboards.ensemble import ARMS, BAND_METRICS
from dashboards.formatting import plain_label, tooltip
from outlast.analysis.labels import axis_label

PANEL_HEIGHT = 150
DRAW = "this run (the page's seed)"
WEEK_TITLE = "Week of the run"


def _panel(bands: pd.DataFrame, draw: pd.DataFrame, metric: str, horizon: int) -> alt.LayerChart:
    rows = bands[bands["metric"] == plain_label(metric)]
    title = axis_label(metric)
    colour = alt.Color(
        "arm:N",
        scale=alt.Scale(domain=list(ARMS), range=[palette.CURRENT_LEVERS, palette.BASELINE]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    x = alt.X("week:Q", scale=alt.Scale(domain=[0, horizon]), title=WEEK_TITLE)
    base = alt.Chart(rows, title=title)
    wide = base.mark_area(opacity=0.15).encode(
        x=x,
        y=alt.Y("q05:Q", title=None, scale=alt.Scale(zero=False)),
        y2="q95:Q",
        color=colour,
    )
    mid = base.mark_area(opacity=0.3).encode(x=x, y="q25:Q", y2="q75:Q", color=colour)
    median = base.mark_line(strokeWidth=2).encode(
        x=x,
        y="median:Q",
        color=colour,
        tooltip=[
            alt.Tooltip("arm:N", title="Levers"),
            alt.Tooltip("week:Q", title=WEEK_TITLE),
            alt.Tooltip("median:Q", format=",.3~f", title=f"{title}, median"),
            alt.Tooltip("runs:Q", title="Runs still going"),
        ],
    )
    one = (
        alt.Chart(draw.assign(run=DRAW))
        .mark_line(color=palette.THRESHOLD, strokeWidth=1, strokeDash=[4, 2])
        .encode(
            x=x,
            y=alt.Y(f"{metric}:Q", title=None),
            detail="run:N",
            tooltip=[
                alt.Tooltip("run:N", title="Run"),
                alt.Tooltip("week:Q", title=WEEK_TITLE),
                alt.Tooltip(f"{metric}:Q", format=",.3~f", title=title),
            ],
        )
    )
    return alt.layer(wide, mid, median, one, description=tooltip(metric)).properties(
        width="container", height=PANEL_HEIGHT
    )


def ensemble_spec(bands: pd.DataFrame, draw: pd.DataFrame, horizon: int) -> list[dict[str, Any]]:
    """One panel per `BAND_METRICS` for `ensemble.censored_bands` and the page's run."""
    return [_panel(bands, draw, m, horizon).to_dict() for m in BAND_METRICS]

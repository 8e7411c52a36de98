"""The ensemble's chart: per metric, each arm's weekly median with 50% and 90% bands, and the draw.

Each metric has its own panel and its own y scale, so that small shares (the leader's threat,
unrest) are not flattened against a 0-1 axis. Colours: `palette.CURRENT_LEVERS` and
`palette.BASELINE` for the arms, black for the one run shown on the page.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from dashboards import palette
from dashboards.ensemble import ARMS, BAND_METRICS
from dashboards.formatting import plain_label, unit_of

PANEL_WIDTH = 330
PANEL_HEIGHT = 150
DRAW = "this run (the page's seed)"


def _panel(bands: pd.DataFrame, draw: pd.DataFrame, metric: str, horizon: int) -> alt.LayerChart:
    label = plain_label(metric)
    rows = bands[bands["metric"] == label]
    colour = alt.Color(
        "arm:N",
        scale=alt.Scale(domain=list(ARMS), range=[palette.CURRENT_LEVERS, palette.BASELINE]),
        legend=alt.Legend(title=None, orient="bottom"),
    )
    x = alt.X("week:Q", scale=alt.Scale(domain=[0, horizon]), title="week")
    unit = unit_of(metric)
    base = alt.Chart(rows, title=label)
    wide = base.mark_area(opacity=0.15).encode(
        x=x, y=alt.Y("q05:Q", title=unit, scale=alt.Scale(zero=False)), y2="q95:Q", color=colour
    )
    mid = base.mark_area(opacity=0.3).encode(x=x, y="q25:Q", y2="q75:Q", color=colour)
    median = base.mark_line(strokeWidth=2).encode(
        x=x,
        y="median:Q",
        color=colour,
        tooltip=[
            "arm:N",
            "week:Q",
            alt.Tooltip("median:Q", format=",.3~f"),
            alt.Tooltip("runs:Q", title="runs still going"),
        ],
    )
    one = (
        alt.Chart(draw.assign(run=DRAW))
        .mark_line(color=palette.OKABE_ITO["black"], strokeWidth=1, strokeDash=[4, 2])
        .encode(x=x, y=f"{metric}:Q", detail="run:N", tooltip=["run:N", "week:Q", f"{metric}:Q"])
    )
    return alt.layer(wide, mid, median, one).properties(width=PANEL_WIDTH, height=PANEL_HEIGHT)


def ensemble_spec(bands: pd.DataFrame, draw: pd.DataFrame, horizon: int) -> dict[str, Any]:
    """Panels of `BAND_METRICS`, two to a row, for `ensemble.censored_bands` and the page's run."""
    panels = [_panel(bands, draw, m, horizon) for m in BAND_METRICS]
    rows = [alt.hconcat(*panels[i : i + 2]) for i in range(0, len(panels), 2)]
    return alt.vconcat(*rows).resolve_scale(color="shared").to_dict()

"""The colours of every figure and chart: Okabe and Ito's colour-blind-safe palette, one meaning each.

The report's figures (`outlast.analysis.figures`) and the dashboard import these names, so that a
colour means the same thing wherever it appears: an outcome's colour is used for that outcome
only, and a weekly metric's band is always drawn in `BAND`. Okabe, M. and Ito, K. (2008), "Color
Universal Design": distinguishable under the common forms of colour blindness, and in grey print.
"""

from __future__ import annotations

#: The eight colours of Okabe and Ito (2008), by their names.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: A neutral grey for what is not a finding: runs still going, the war ongoing at the horizon.
GREY = "#999999"

#: Each outcome's colour (model.metrics.OUTCOMES), used for nothing else.
OUTCOME_COLOURS: dict[str, str] = {
    "ongoing": GREY,
    "ended_by_negotiation": OKABE_ITO["bluish_green"],
    "regime_change": OKABE_ITO["vermillion"],
}
#: The share of runs in which the war ended, and its Wilson interval.
WAR_ENDED = OKABE_ITO["black"]
#: A weekly metric's median and its 50% and 90% bands across runs.
BAND = OKABE_ITO["blue"]
#: The number of runs still going, week by week.
RUNS_GOING = "#555555"
#: The background of weeks or cells computed from fewer runs than the small-sample threshold.
SMALL_SAMPLE = "#E8E8E8"
#: Sobol first-order (S1) and total-order (ST) indices; Morris mu*.
FIRST_ORDER = OKABE_ITO["orange"]
TOTAL_ORDER = OKABE_ITO["reddish_purple"]
#: Sequential colour map of heatmaps: perceptually uniform and readable with colour blindness.
SEQUENTIAL = "cividis"

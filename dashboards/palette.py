"""The dashboard's colours: the Okabe-Ito palette, one colour per meaning, safe for colour blindness.

Okabe and Ito's eight colours ("Color Universal Design", 2008) stay distinct under the common
forms of colour blindness. Each meaning gets one colour everywhere on the page: red-orange
(vermillion) is only ever "the current levers", grey only ever "the baseline". Helper "pub18" is
adding ``outlast/analysis/palette.py`` for the report's figures; until it is merged the dashboard
keeps its own copy here (the same hex values), to be replaced by an import afterwards.
"""

from __future__ import annotations

#: Okabe-Ito, by name.
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
GREY = "#8C8C8C"

#: The two arms of every comparison.
CURRENT_LEVERS = OKABE_ITO["vermillion"]
BASELINE = GREY
#: Outcomes of a run (ongoing, ended by negotiation, regime change).
OUTCOME_COLOURS: dict[str, str] = {
    "ongoing": GREY,
    "ended_by_negotiation": OKABE_ITO["bluish_green"],
    "regime_change": OKABE_ITO["reddish_purple"],
}
#: Lines within one panel: distinct hues, in order of use (never vermillion, kept for the levers).
SERIES = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
)
#: What an elite does: loyal, pressing, conspiring, purged.
ELITE_STATE_COLOURS = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    GREY,
)
#: Soldiers from minorities and the rest.
MINORITY = OKABE_ITO["orange"]
NOT_MINORITY = OKABE_ITO["blue"]
#: Thresholds drawn on charts (the coup threshold, the leader's tolerance).
THRESHOLD = OKABE_ITO["black"]

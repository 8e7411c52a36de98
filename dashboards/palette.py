"""What each colour means on the dashboard: the project's Okabe-Ito palette, one meaning each.

Every hex value comes from `outlast.analysis.palette` (the report's figures use the same names),
so an outcome has the same colour on the page as in the report. Vermillion, the palette's red, is
regime change and nothing else; the current levers are blue (the report's band colour), the
baseline and every neutral (ongoing, purged seats, the other soldiers) grey, and annotations
(thresholds, coups, the war's end, the page's own run among the ensemble) black.
"""

from __future__ import annotations

from outlast.analysis.palette import BAND, GREY, OKABE_ITO, OUTCOME_COLOURS, WAR_ENDED

__all__ = [
    "BASELINE",
    "CURRENT_LEVERS",
    "ELITE_STATE_COLOURS",
    "GREY",
    "MEANINGS",
    "MINORITY",
    "NOT_MINORITY",
    "OKABE_ITO",
    "OUTCOME_COLOURS",
    "PURGED",
    "SERIES",
    "THRESHOLD",
    "WAR_ENDED",
]

#: The two arms of every comparison: the levers as set on the page, and no levers.
CURRENT_LEVERS = BAND
BASELINE = GREY
#: A line of one run's metric on a panel of its own: a neutral dark grey (it means no category).
SERIES = "#333333"
#: Thresholds and events drawn on charts (the coup threshold, coups, the war's end).
THRESHOLD = OKABE_ITO["black"]
#: A seat purged in the last weeks: darker than the neutral grey, so it reads as a state.
PURGED = "#6E6E6E"
#: What an elite does: loyal, pressing, conspiring, purged (`charts.ELITE_STATES`' order).
ELITE_STATE_COLOURS = (
    OKABE_ITO["sky_blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["reddish_purple"],
    PURGED,
)
#: Soldiers from minorities, and the rest (a neutral).
MINORITY = OKABE_ITO["yellow"]
NOT_MINORITY = GREY

#: Each categorical meaning with its colour; a colour stands for one of these only (tests check).
MEANINGS: dict[str, str] = {
    "current levers": CURRENT_LEVERS,
    "ended by negotiation": OUTCOME_COLOURS["ended_by_negotiation"],
    "regime change": OUTCOME_COLOURS["regime_change"],
    "loyal elites": ELITE_STATE_COLOURS[0],
    "pressing elites": ELITE_STATE_COLOURS[1],
    "conspiring elites": ELITE_STATE_COLOURS[2],
    "purged seat": PURGED,
    "minority soldiers": MINORITY,
    "thresholds and events": THRESHOLD,
    "neutral (baseline, ongoing, other soldiers)": GREY,
}

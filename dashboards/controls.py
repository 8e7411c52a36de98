"""The dashboard's controls, generated from the Scenario: sliders with real bounds and units.

SolaraViz builds its "Model Parameters" card from a ``model_params`` dict and rebuilds the model on
reset with ``OutlastModel(**values)``. This module writes that dict from the Scenario's fields:
each slider's range is the field's declared bounds, its label carries the unit, and its value is
the chosen preset's (or the default). Not every one of the ~90 parameters gets a slider: a policy
user needs the Western levers and a few parameters of the army, the elites and the leader
(`SLIDER_FIELDS`); every other parameter keeps its preset or default value.
"""

from __future__ import annotations

import math
from typing import Any

from model.model import OutlastModel
from model.scenario import PRESETS, Scenario, ScenarioError
from model.seeds import DEFAULT_SEED, parse_seed

#: The Western levers, each with its start week: what the op-ed proposes and the user explores.
LEVER_FIELDS = (
    "defection_payment_usd",
    "defection_offer_start_week",
    "seized_asset_fund_usd",
    "fund_income_usd_per_week",
    "offer_reach_per_week",
    "minority_campaign_intensity",
    "minority_campaign_start_week",
    "partner_diplomacy",
    "exile_support",
    "exile_formation_week",
    "western_resolve",
    "resolve_start_week",
)

#: Parameters a policy user most wants to question, beyond the levers (run length and size, the
#: army's cohesion, the regime's hold on its elites and society, the leader's resolve). Fields
#: with joint constraints (the force's mix of kinds, unit size and ties) are left to scenario
#: files, so no slider position can make an invalid scenario.
KEY_FIELDS = (
    "horizon_weeks",
    "n_soldier_agents",
    "front_death_hazard_per_week",
    "signup_bonus_rub",
    "leave_threshold_mean",
    "punishment_severity",
    "deserter_detection_per_week",
    "crossing_success_prob",
    "legitimacy",
    "repression_cop_density",
    "conspiracy_cost",
    "coup_threshold_power_share",
    "leader_commitment",
    "belief_outlast_west",
    "bonus_budget_rub",
)

SLIDER_FIELDS = LEVER_FIELDS + KEY_FIELDS

#: Name endings that repeat the unit shown in brackets ("defection_payment_usd" -> "Defection
#: payment (USD/soldier)").
UNIT_WORDS = ("usd", "rub", "per", "week", "weeks")

#: Slider steps are 1, 2 or 5 times a power of ten, at least this many to a slider's range.
MIN_STEPS = 100

DEFAULT_PRESET = "baseline"


def field_bounds(name: str) -> tuple[float, float, str]:
    """A Scenario field's declared lower and upper bound and its unit."""
    extra = Scenario.model_fields[name].json_schema_extra or {}
    if extra.get("lo") is None:
        raise ValueError(f"parameter '{name}' has no numeric bounds, so it cannot be a slider")
    return extra["lo"], extra["hi"], extra.get("unit", "")


def field_label(name: str) -> str:
    """A readable label with the unit: ``fund_income_usd_per_week`` -> "Fund income (USD/week)"."""
    _, _, unit = field_bounds(name)
    words = name.split("_")
    if words[0] == "n":
        words = ["number", "of", *words[1:]]
    while len(words) > 1 and words[-1] in UNIT_WORDS:
        words.pop()
    text = " ".join(words)
    return f"{text[0].upper()}{text[1:]} ({unit})"


def _on_grid(value: float, lo: float, step: float) -> bool:
    k = (value - lo) / step
    return math.isclose(k, round(k), abs_tol=1e-6)


def nice_step(lo: float, hi: float, values: list[float], integer: bool) -> float:
    """The slider step for a range and the values it must reach.

    The largest step of 1, 2 or 5 x 10^k that cuts [lo, hi] into at least `MIN_STEPS` steps and
    on whose grid from `lo` every one of `values` lies, so defaults and presets are reachable.
    The search goes down four powers of ten (and to 1 for whole numbers) and ends at the finest.
    """
    span = hi - lo
    exponent = math.floor(math.log10(span / MIN_STEPS))
    candidates = [m * 10.0**e for e in range(exponent, exponent - 4, -1) for m in (5, 2, 1)]
    candidates = [s for s in candidates if s * MIN_STEPS <= span and (s >= 1 or not integer)]
    if integer:
        candidates.append(1)
    for step in candidates:
        if all(_on_grid(v, lo, step) for v in values):
            break
    return int(step) if integer else step


def preset_values(preset: str) -> dict[str, Any]:
    """Every Scenario field's value under `preset` (defaults where the preset is silent)."""
    return Scenario(**PRESETS[preset]).model_dump()


def slider_spec(name: str, value: float) -> dict[str, Any]:
    """SolaraViz's description of one slider for Scenario field `name`, set at `value`."""
    lo, hi, _ = field_bounds(name)
    integer = Scenario.model_fields[name].annotation is int
    reachable = [Scenario.model_fields[name].default, value]
    reachable += [preset_values(p)[name] for p in PRESETS]
    return {
        "type": "SliderInt" if integer else "SliderFloat",
        "value": value,
        "min": lo,
        "max": hi,
        "step": nice_step(lo, hi, reachable, integer),
        "label": field_label(name),
    }


def model_params(preset: str = DEFAULT_PRESET, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """SolaraViz's ``model_params``: the seed box, one slider per `SLIDER_FIELDS`, and the preset.

    The preset is a fixed parameter: on reset the model gets ``preset=...`` (for the parameters
    without a slider) and every slider's value as a keyword (which wins).

    Args:
        preset: The preset whose values the sliders start at.
        seed: The seed shown in the seed box.

    Returns:
        The dict SolaraViz's ``model_params`` takes.

    """
    values = preset_values(preset)
    params: dict[str, Any] = {
        "rng": {"type": "InputText", "value": str(seed), "label": "Random seed"},
        "preset": preset,
    }
    for name in SLIDER_FIELDS:
        params[name] = slider_spec(name, values[name])
    return params


#: Parameters typed in a number box: money, whose range spans orders of magnitude that a slider's
#: 100-pixel track cannot resolve.
NUMBER_BOX_UNITS = ("USD", "USD/soldier", "USD/week", "RUB")
#: Start weeks, bounded on the page by the run's length (their declared bound is 1040 weeks).
START_WEEK_FIELDS = tuple(name for name in LEVER_FIELDS if name.endswith("_week"))
#: Agent counts offered for the army's resolution (the army's size in soldiers stays the same).
AGENT_COUNTS = (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 600_000)


def resolution_options(army_soldiers: float) -> list[int]:
    """Agent counts for an army of `army_soldiers`: at least one soldier per agent, in bounds.

    Examples:
        >>> resolution_options(600_000)[-3:]
        [100000, 200000, 600000]
        >>> resolution_options(190_000)[-1]
        100000

    """
    lo, hi, _ = field_bounds("n_soldier_agents")
    spa_lo, spa_hi, _ = field_bounds("soldiers_per_agent")
    return [n for n in AGENT_COUNTS if lo <= n <= hi and spa_lo <= army_soldiers / n <= spa_hi]


def with_resolution(values: dict[str, Any], n_agents: int) -> dict[str, Any]:
    """`values` with `n_agents` soldier agents and as many soldiers per agent as keep the army."""
    army = values["n_soldier_agents"] * values["soldiers_per_agent"]
    return {**values, "n_soldier_agents": n_agents, "soldiers_per_agent": army / n_agents}


class PendingParameters:
    """What the sidebar's controls hold until Reset: the preset, the seed typed and the values.

    The page keeps one of these for its whole life; Reset builds the model from it
    (``DashboardModel(pending=...)``), so it reads the controls as they are at that moment.
    """

    def __init__(self, preset: str, seed: int | str, values: dict[str, Any]) -> None:
        self.preset: str = preset
        self.seed: int | str = seed
        self.values: dict[str, Any] = dict(values)


def control_values(preset: str) -> dict[str, Any]:
    """The values the page's controls start at for `preset` (sliders, boxes and resolution)."""
    values = preset_values(preset)
    return {name: values[name] for name in (*SLIDER_FIELDS, "soldiers_per_agent")}


class DashboardModel(OutlastModel):
    """OutlastModel as the dashboard builds it: a bad seed in the seed box is reported, not raised.

    Reset builds the model in a click handler, where an exception would replace the whole page
    with a traceback. The seed box is free text, so it is the one control
    that can hold a bad value: a seed that is not a whole number from 0 to 2^63 - 1 is replaced by
    `DEFAULT_SEED` and the reason kept in `input_error`, which the page shows as one line.
    """

    def __init__(
        self, rng: Any = None, pending: PendingParameters | None = None, **params: Any
    ) -> None:
        if pending is not None:
            rng = pending.seed
            params = {**params, "preset": pending.preset, **pending.values}
        error = None
        if isinstance(rng, str):
            try:
                rng = parse_seed(rng)
            except ScenarioError as exc:
                error = f"{exc}; the run uses the default seed {DEFAULT_SEED}"
                rng = DEFAULT_SEED
        super().__init__(rng=rng, **params)
        #: Why the seed typed was not used, or None.
        self.input_error: str | None = error

"""Scenario: every parameter of the model exactly once, validated, with presets and TOML loading.

A `Scenario` is an immutable, validated set of parameters. Each field carries its default, bounds,
unit, description and source (a figure in ``shared/data/FACTS.md`` or "assumption"); the parameter
table in docs/MODEL.md and ``outlast params`` are generated from these fields, so the code is the
single place where a parameter is defined.

Examples:
    >>> s = Scenario()
    >>> s.horizon_weeks
    156
    >>> load_scenario(preset="defection_fund", overrides=["defection_payment_usd=20000"]).defection_payment_usd
    20000.0

"""

from __future__ import annotations

import datetime as dt
import difflib
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

FACTS = "FACTS.md"
ASSUMPTION = "assumption"

#: How one real rouble compares to one US dollar. A fixed rate keeps the model's money in one unit.
RUB_PER_USD = 90.0


class ScenarioError(ValueError):
    """Bad scenario input; the message is one line naming the field, the value and what is allowed."""


def param(
    default: Any,
    lo: float | None,
    hi: float | None,
    unit: str,
    description: str,
    source: str = ASSUMPTION,
) -> Any:
    """Declare a Scenario field with bounds, unit, description and source.

    Args:
        default: The default value.
        lo: Smallest allowed value (inclusive), or None for a non-numeric field.
        hi: Largest allowed value (inclusive), or None.
        unit: Unit of the value ("share", "weeks", "RUB", ...).
        description: One sentence on what the parameter means in the model.
        source: Where the default comes from: a FACTS.md figure or "assumption".

    Returns:
        A pydantic FieldInfo.

    """
    bounds = {} if lo is None else {"ge": lo, "le": hi}
    return Field(
        default,
        description=description,
        json_schema_extra={"unit": unit, "source": source, "lo": lo, "hi": hi},
        **bounds,
    )


class Scenario(BaseModel):
    """Every parameter of an outlast run. Immutable and validated on construction."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # --- run ---------------------------------------------------------------------------------
    horizon_weeks: int = param(156, 1, 1040, "weeks", "Length of a run; one step is one week.")
    start_date: dt.date = param(
        dt.date(2026, 12, 7), None, None, "date", "Calendar date of week 0 (labels only)."
    )

    # --- army --------------------------------------------------------------------------------
    n_soldier_agents: int = param(
        20_000, 100, 2_000_000, "agents", "Soldier agents at the start of a run."
    )
    soldiers_per_agent: float = param(
        30.0,
        1.0,
        10_000.0,
        "soldiers",
        "Real soldiers each agent stands for; 20,000 x 30 = 600,000, the order of the force "
        "deployed against Ukraine in 2024-25 reported in the press (not in FACTS.md).",
    )
    share_at_front: float = param(
        0.6, 0.05, 0.95, "share", "Share of the force at the front at the start."
    )
    share_mobilised: float = param(
        0.2,
        0.0,
        0.8,
        "share",
        "Share of the initial force mobilised in Sept 2022 (300,000 men, FACTS.md) and still serving.",
    )
    share_contract: float = param(
        0.6,
        0.0,
        0.9,
        "share",
        "Share of the initial force on the post-2022 bonus contracts (FACTS.md: 166,200 signed in "
        "H1 2024 alone); the rest are pre-war professionals.",
    )
    unit_size_agents: int = param(
        100, 10, 5_000, "agents", "Agents per unit; peers are tied within a unit."
    )
    peer_ties: int = param(
        8, 2, 40, "ties", "Ties per soldier to unit mates (even; Watts-Strogatz ring within unit)."
    )
    peer_rewire_prob: float = param(
        0.05, 0.0, 1.0, "probability", "Chance a tie is rewired to a random mate of the same unit."
    )
    front_death_hazard_per_week: float = param(
        0.0025,
        0.0,
        0.05,
        "probability/week",
        "Weekly chance a front soldier of baseline exposure is killed; with the exposures of the "
        "default force's mix it gives about 1,100 dead a week at the start and 1,430 on average "
        "over the baseline's three years, the order of open-source counts for 2024-25 (not in "
        "FACTS.md).",
    )
    minority_exposure: float = param(
        1.3,
        0.5,
        3.0,
        "multiplier",
        "Front death hazard of minority soldiers relative to others (Bessudnov 2023, FACTS.md: "
        "some minorities strongly over-represented among the dead).",
        FACTS,
    )
    mobilised_exposure: float = param(
        1.5, 0.5, 3.0, "multiplier", "Front death hazard of mobilised soldiers relative to others."
    )
    contract_exposure: float = param(
        1.2, 0.5, 3.0, "multiplier", "Front death hazard of contract soldiers relative to others."
    )
    invalided_per_death: float = param(
        2.0,
        0.0,
        10.0,
        "soldiers per death",
        "Front soldiers who leave the force for good through wounds, illness or discharge for each "
        "one killed (same exposure). Modern wars see about three wounded per killed, some of whom "
        "return to duty; without this outflow the force would grow by a third a year at the "
        "recruitment rate of FACTS.md.",
    )
    rotation_rate_per_week: float = param(
        0.05, 0.0, 0.5, "probability/week", "Chance a soldier moves between front and rear."
    )
    loyalty_professional: float = param(
        0.15,
        -1.0,
        1.0,
        "utility",
        "Loyalty of pre-war professional soldiers (held against leaving).",
    )
    loyalty_mobilised: float = param(
        -0.05, -1.0, 1.0, "utility", "Loyalty of mobilised soldiers (conscripted, least loyal)."
    )
    loyalty_contract: float = param(
        0.05, -1.0, 1.0, "utility", "Loyalty of volunteers on the post-2022 bonus contracts."
    )

    # --- pay and recruitment ------------------------------------------------------------------
    signup_bonus_rub: float = param(
        1_000_000.0,
        0.0,
        10_000_000.0,
        "RUB",
        "One-time sign-up bonus, federal plus average regional part (about 1m RUB in 2024).",
        FACTS,
    )
    monthly_pay_rub: float = param(
        210_000.0,
        0.0,
        2_000_000.0,
        "RUB/month",
        "Minimum monthly pay of a contract soldier (210,000 RUB, Moscow Times 31 Jul 2024).",
        FACTS,
    )
    recruits_per_week_at_defaults: float = param(
        6_400.0,
        0.0,
        100_000.0,
        "soldiers/week",
        "National weekly sign-ups when pay and bonus are at their defaults and unrest is zero; "
        "166,200 contracts in H1 2024 = 6,400/week. Sets the scale of the recruitment rule.",
        FACTS,
    )
    recruitment_pay_elasticity: float = param(
        1.0, 0.0, 4.0, "elasticity", "How sign-ups grow with the reward relative to home income."
    )
    recruitment_unrest_penalty: float = param(
        3.0, 0.0, 20.0, "per unit unrest", "How fast regional unrest cuts sign-ups."
    )
    mobilisation_week: int = param(
        -1, -1, 1040, "week", "Week of a partial mobilisation (-1: none)."
    )
    mobilisation_size: float = param(
        300_000.0,
        0.0,
        2_000_000.0,
        "soldiers",
        "Men called up by a mobilisation, spread by regional quotas (300,000 in Sept 2022).",
        FACTS,
    )
    initial_force_regional_mix: Literal["recruitment", "population"] = param(
        "recruitment",
        None,
        None,
        "choice",
        "How the initial force's home regions are drawn: by the recruitment rule's weights or by "
        "population (no pre-war garrison table yet; docs/MODEL.md).",
    )

    # --- soldiers' decision to leave -------------------------------------------------------------
    leave_threshold_mean: float = param(
        0.4,
        0.0,
        5.0,
        "utility",
        "Mean of soldiers' thresholds for leaving (Granovetter). Calibrated so that baseline "
        "desertion is rare but present, about 0.2-0.3% of the force a month ('well under 1%', "
        "FACTS.md); docs/MODEL.md gives the calibration.",
        FACTS,
    )
    leave_threshold_sd: float = param(
        0.25, 0.0, 2.0, "utility", "Spread of soldiers' thresholds across soldiers."
    )
    leave_noise_scale: float = param(
        0.08,
        0.0,
        1.0,
        "utility",
        "Scale of the weekly logistic shock to the push to leave: a change of this size in the "
        "push multiplies a soldier's weekly chance of leaving by about e.",
    )
    peer_weight: float = param(
        1.0, 0.0, 5.0, "utility", "Weight of the share of a soldier's peers who already left."
    )
    grievance_weight: float = param(
        0.4, 0.0, 3.0, "utility", "Weight of a soldier's grievance in the push to leave."
    )
    money_weight: float = param(
        0.08,
        0.0,
        2.0,
        "utility per log unit",
        "Weight of money relative to home income, log1p(amount / yearly home income), the same "
        "for the Kremlin's pay and the West's payment. The default equals leave_noise_scale x "
        "recruitment_pay_elasticity: money moves the odds of leaving as it moves the odds of "
        "signing up.",
    )
    fear_weight: float = param(
        0.15, 0.0, 2.0, "utility", "Weight of the front's danger (death exposure) in the push."
    )
    surrender_barrier: float = param(
        0.6,
        0.0,
        3.0,
        "utility",
        "Cost of crossing the line at the front (being shot by either side, fear of captivity). "
        "Calibrated so that voluntary surrenders are of the order of those through the 'I Want to "
        "Live' line, about 200 in its first year (FACTS.md).",
        FACTS,
    )
    punishment_severity: float = param(
        0.5, 0.0, 1.0, "share", "Severity of punishment of caught deserters (1 = harshest)."
    )
    punishment_weight: float = param(
        0.6,
        0.0,
        3.0,
        "utility",
        "Weight of expected punishment (severity x repression x chance of being caught within "
        "half a year) in the push to leave.",
    )
    deserter_detection_per_week: float = param(
        0.1, 0.0, 1.0, "probability/week", "Chance a deserter at large is caught each week."
    )
    caught_deterrence: float = param(
        0.05,
        0.0,
        1.0,
        "utility",
        "Rise in unit mates' resistance to leaving for each caught deserter, times severity.",
    )
    deterrence_decay_per_week: float = param(
        0.05, 0.0, 1.0, "share/week", "Weekly fading of a unit's deterrence from caught deserters."
    )
    crossing_success_prob: float = param(
        0.7,
        0.0,
        1.0,
        "probability",
        "Chance a surrender attempt at the front succeeds (else killed).",
    )
    contact_margin: float = param(
        0.55,
        0.0,
        2.0,
        "utility",
        "How far below his threshold an aware front soldier still contacts the surrender line "
        "(once). Calibrated to 'I Want to Live': about 2,000 contacts a month and under 1% of "
        "contacts surrendering (FACTS.md).",
        FACTS,
    )

    # --- Western defection offer ----------------------------------------------------------------
    offer_reach_per_week: float = param(
        0.01,
        0.0,
        1.0,
        "probability/week",
        "Chance an unaware soldier hears of the surrender line and any offer by broadcast each "
        "week; the default is Ukraine's 'I Want to Live' line (from Sept 2022).",
        FACTS,
    )
    offer_reach_start_week: int = param(
        0, 0, 1040, "week", "Week from which the line and any offer are broadcast."
    )
    awareness_spread_per_tie: float = param(
        0.02, 0.0, 1.0, "probability/week", "Chance per aware tie that awareness spreads per week."
    )
    defection_payment_usd: float = param(
        0.0,
        0.0,
        1_000_000.0,
        "USD/soldier",
        "Western payment to each surrendering soldier (0: no payment).",
    )
    offer_trust: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "How much a soldier trusts a Western promise to pay after surrender, against the "
        "Kremlin's pay in hand (multiplies the payment's value).",
    )
    defection_offer_start_week: int = param(
        0, 0, 1040, "week", "Week from which the payment is offered and the fund receives income."
    )
    seized_asset_fund_usd: float = param(
        0.0,
        0.0,
        300e9,
        "USD",
        "Starting balance of the defection fund from seized Russian assets (about $300bn frozen).",
        FACTS,
    )
    fund_income_usd_per_week: float = param(
        0.0,
        0.0,
        1e9,
        "USD/week",
        "Weekly income paid into the fund (Euroclear windfall EUR 6.9bn in 2024 = about "
        "$145m a week).",
        FACTS,
    )
    credibility_loss_unpaid: float = param(
        0.3, 0.0, 1.0, "share", "Fall in the offer's credibility in a week the fund cannot pay."
    )
    credibility_recovery_per_week: float = param(
        0.02,
        0.0,
        1.0,
        "share/week",
        "Share of the gap to full credibility recovered in a week with every claim paid.",
    )

    # --- regions and unrest (Epstein 2002) ---------------------------------------------------------
    citizens_per_region: int = param(
        200, 20, 5_000, "agents", "Sampled citizens per region for the unrest rule."
    )
    legitimacy: float = param(
        0.75, 0.0, 1.0, "share", "Regime legitimacy L in Epstein's grievance G = H(1 - L)."
    )
    arrest_k: float = param(
        2.3, 0.1, 10.0, "constant", "Epstein's k in P = 1 - exp(-k C/A).", FACTS
    )
    unrest_threshold: float = param(
        0.1, 0.0, 1.0, "utility", "Epstein's activation threshold T.", FACTS
    )
    repression_cop_density: float = param(
        0.04, 0.0, 0.5, "police per citizen", "Police per citizen at the start (repression)."
    )
    minority_awareness_rate_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "share/week",
        "Speed at which regional awareness of discrimination moves towards the Western minority "
        "campaign's intensity.",
    )
    death_grievance_per_permille: float = param(
        0.05,
        0.0,
        2.0,
        "hardship per death per 1,000 men",
        "Rise in a region's hardship per war death per 1,000 men aged 16-61.",
    )
    discrimination_grievance: float = param(
        0.15,
        0.0,
        1.0,
        "hardship",
        "Extra hardship of minority citizens from discrimination (second-class treatment).",
    )

    # --- minorities campaign and partners ----------------------------------------------------------
    minority_campaign_intensity: float = param(
        0.0, 0.0, 1.0, "share", "Western campaign exposing the treatment of Russia's minorities."
    )
    minority_campaign_start_week: int = param(
        0, 0, 1040, "week", "Week from which the minority campaign runs."
    )
    partner_diplomacy: float = param(
        0.0, 0.0, 1.0, "share", "Western diplomacy with Muslim-majority partners of Russia."
    )
    partner_awareness_rate_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "share/week",
        "Weekly rate at which awareness of Russian Muslims' treatment in partners' publics moves "
        "towards the level the campaign and diplomacy drive.",
    )
    partner_awareness_sensitivity: float = param(
        1.0, 0.0, 3.0, "multiplier", "How strongly partners' cooperation falls with awareness."
    )
    partner_capacity_share: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the regime's economic capacity (supplies, trade, budget) that rests on "
        "partners' cooperation.",
    )

    # --- elites and coups -------------------------------------------------------------------------------
    n_elites: int = param(100, 30, 300, "agents", "Elite agents (military, security, civilian).")
    elite_power_alpha: float = param(
        1.5, 1.05, 5.0, "Pareto shape", "Tail of the elites' power distribution (heavy-tailed)."
    )
    n_factions: int = param(4, 1, 12, "factions", "Patronage factions in the elite network.")
    tie_prob_within_faction: float = param(
        0.3, 0.0, 1.0, "probability", "Tie probability between elites of one faction."
    )
    tie_prob_between_factions: float = param(
        0.02, 0.0, 1.0, "probability", "Tie probability between elites of different factions."
    )
    elite_neighbour_weight: float = param(
        0.3,
        0.0,
        3.0,
        "utility",
        "Weight of network neighbours' pressing on an elite's dissatisfaction, and of their "
        "conspiring in lowering the regime's strength he perceives.",
    )
    elite_signal_noise: float = param(
        0.08, 0.0, 1.0, "strength", "Noise sigma on each elite's private signal of the fundamental."
    )
    press_threshold: float = param(
        0.3, 0.0, 2.0, "utility", "Dissatisfaction above which an elite presses the leader."
    )
    conspiracy_cost: float = param(
        0.3,
        0.0,
        2.0,
        "utility",
        "Base loss from a failed plot (prison, death) in the cost-benefit ratio c = L / (L + G) "
        "of the Morris & Shin global game; fear, loyalty and any rally add to it.",
    )
    coup_resilience: float = param(
        0.35,
        0.05,
        1.0,
        "share of elite power",
        "Power share a plot needs to topple the regime at full strength; the global game's "
        "fundamental is this times the regime's perceived strength. Set so that at the starting "
        "strength (0.95) the fundamental (0.33) is near the coup threshold (0.3): the elites' "
        "game and the coup rule agree on how much power a coup needs.",
    )
    coup_threshold_power_share: float = param(
        0.3, 0.05, 0.95, "share of elite power", "Conspiring power that triggers a coup attempt."
    )
    coup_success_intercept: float = param(
        -0.7,
        -10.0,
        10.0,
        "log-odds",
        "Log-odds of coup success at the threshold with an intact army and calm; calibrated so "
        "that about half of attempts succeed across conditions where coups happen (Powell & "
        "Thyne: 243 of 488, FACTS.md).",
        FACTS,
    )
    coup_success_power_coef: float = param(
        4.0, 0.0, 20.0, "log-odds per share", "Rise in log-odds per share of conspiring power."
    )
    coup_success_army_coef: float = param(
        3.0, 0.0, 20.0, "log-odds per share", "Rise in log-odds per share of army decline."
    )
    coup_success_unrest_coef: float = param(
        2.0,
        0.0,
        20.0,
        "log-odds per unit",
        "Rise in log-odds per unit of unrest pressure (unrest over its saturation, 0.2).",
    )
    purge_fear: float = param(
        0.5,
        0.0,
        1.0,
        "fear",
        "Fear after a purge: every elite after a failed coup (June 2023, FACTS.md), the "
        "successors and network neighbours of purged conspirators.",
    )
    fear_decay_per_week: float = param(
        0.03, 0.0, 1.0, "share/week", "Weekly decay of elites' own fear."
    )
    newcomer_loyalty: float = param(
        0.2, 0.0, 1.0, "utility", "Extra loyalty of a purged elite's successor (owes his seat)."
    )
    conspirator_detection_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "probability/week",
        "Chance the security services detect a conspirator in a week, times 1 + repression; "
        "detected conspirators are purged while the leader responds to threat.",
    )
    repression_elite_fear: float = param(
        0.5,
        0.0,
        2.0,
        "fear per unit",
        "Fear every elite feels per unit of the leader's repression.",
    )
    repression_after_failed_coup: float = param(
        0.1, 0.0, 1.0, "share", "Rise in repression after a failed coup (June 2023 aftermath)."
    )
    army_trend_window_weeks: int = param(
        26,
        1,
        520,
        "weeks",
        "Window of the army's trend: decline is measured from the start and from the highest "
        "active force of this many past weeks, whichever is larger.",
    )
    war_end_prob_after_coup: float = param(
        0.4, 0.0, 1.0, "probability", "Chance a new regime ends the war with no exile agreement."
    )
    war_end_prob_after_coup_agreement: float = param(
        0.85, 0.0, 1.0, "probability", "Chance a new regime ends the war given an exile agreement."
    )

    # --- leader -----------------------------------------------------------------------------------
    leader_commitment: float = param(
        0.8,
        0.0,
        1.0,
        "share",
        "The leader's commitment to continuing the war with full economic capacity and no rally.",
    )
    commitment_capacity_weight: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the leader's commitment that rests on the regime's economic capacity.",
    )
    commitment_belief_share: float = param(
        0.6,
        0.0,
        1.0,
        "share",
        "Share of the threat the leader tolerates that rests on his belief that he can outlast "
        "the West: bar = commitment x (1 - share + share x belief).",
    )
    belief_outlast_west: float = param(
        0.9, 0.0, 1.0, "share", "The leader's initial belief that he can outlast the West."
    )
    leader_response_threshold: float = param(
        0.25,
        0.0,
        1.0,
        "threat",
        "Threat above which the leader raises bonuses, represses and purges detected plotters.",
    )
    bonus_budget_rub: float = param(
        3_000_000.0,
        0.0,
        20_000_000.0,
        "RUB",
        "Most the leader will raise the sign-up bonus to at full economic capacity (Tatarstan "
        "paid 2.5m in 2026); scaled by the regime's capacity.",
        FACTS,
    )
    repression_step: float = param(
        0.01, 0.0, 0.1, "share/week", "Rise in repression per week of response to threat."
    )
    repression_relax_per_week: float = param(
        0.002, 0.0, 0.1, "share/week", "Fall in repression per week without response."
    )

    # --- government in exile --------------------------------------------------------------------------
    exile_support: float = param(
        0.0, 0.0, 1.0, "share", "Western support for a democratic government-in-exile (0: none)."
    )
    exile_formation_week: int = param(
        0, 0, 1040, "week", "Week the government-in-exile is formed, if supported."
    )
    exile_progress_per_week: float = param(
        0.02,
        0.0,
        0.5,
        "progress/week",
        "Mean weekly progress towards a settlement with Kyiv at full support.",
    )
    exile_progress_noise: float = param(
        0.02, 0.0, 0.5, "progress/week", "Noise on weekly progress."
    )
    nationalist_friction: float = param(
        0.05, 0.0, 1.0, "probability/week", "Weekly chance of a setback from nationalist friction."
    )
    friction_setback: float = param(0.15, 0.0, 1.0, "progress", "Progress lost in a setback.")
    exile_outside_option: float = param(
        0.5,
        0.0,
        1.0,
        "utility",
        "Outside option an agreement offers elites (amnesty, a role), at full Western support.",
    )
    exile_credibility_uptake_per_week: float = param(
        0.1,
        0.0,
        1.0,
        "share/week",
        "Weekly rate at which an agreement's terms become credible to elites (share of the gap "
        "to full credibility closed each week).",
    )
    rally_effect: float = param(
        0.1,
        0.0,
        1.0,
        "legitimacy",
        "Rally effect per unit of the exile government's visibility: legitimacy gained, elites' "
        "loyalty and the leader's commitment raised by portraying it as a Western tool.",
    )

    # --- Western resolve ---------------------------------------------------------------------------------
    western_resolve: float = param(
        0.3, 0.0, 1.0, "share", "Western resolve as perceived in the Kremlin."
    )
    resolve_start_week: int = param(0, 0, 1040, "week", "Week from which resolve is shown.")
    resolve_belief_effect: float = param(
        0.02,
        0.0,
        0.5,
        "share/week",
        "Weekly rate at which the leader's belief that he can outlast the West moves towards "
        "1 - resolve.",
    )
    resolve_elite_cost: float = param(
        0.15,
        0.0,
        1.0,
        "utility per unit",
        "Elites' expected lasting cost of the war per unit of Western resolve (sanctions that "
        "will not be lifted).",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_are_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # Pydantic would read "0.5" as 0.5 and true as 1: in a hand-written file or a keyword
        # either is more likely a mistake (a quoted number, a flag in the wrong place) than meant.
        if cls.model_fields[info.field_name].annotation in (int, float) and isinstance(
            value, bool | str
        ):
            raise ValueError("a number is needed")
        return value

    @model_validator(mode="after")
    def _check_joint_constraints(self) -> Scenario:
        if self.share_mobilised + self.share_contract > 1.0:
            raise ValueError("share_mobilised + share_contract must be at most 1")
        if self.peer_ties % 2 or self.peer_ties >= self.unit_size_agents:
            raise ValueError("peer_ties must be even and smaller than unit_size_agents")
        return self

    def with_overrides(self, overrides: dict[str, Any]) -> Scenario:
        """Return a new Scenario with some fields changed, validated.

        Args:
            overrides: Field names and new values.

        Returns:
            The new Scenario.

        Raises:
            ScenarioError: On an unknown field or a value out of bounds.

        """
        return make_scenario({**self.model_dump(), **overrides})


#: Presets: named sets of overrides to the defaults. Each lever alone, the op-ed's package, a back-cast.
PRESETS: dict[str, dict[str, Any]] = {
    "baseline": {},
    "exile": {"exile_support": 0.8, "exile_formation_week": 4},
    "minorities": {"minority_campaign_intensity": 0.8, "partner_diplomacy": 0.6},
    "defection_fund": {
        "defection_payment_usd": 50_000.0,
        "seized_asset_fund_usd": 5e9,
        "fund_income_usd_per_week": 145e6,
        "offer_reach_per_week": 0.05,
    },
    "resolve": {"western_resolve": 0.9},
    "combined": {
        "exile_support": 0.8,
        "exile_formation_week": 4,
        "minority_campaign_intensity": 0.8,
        "partner_diplomacy": 0.6,
        "defection_payment_usd": 50_000.0,
        "seized_asset_fund_usd": 5e9,
        "fund_income_usd_per_week": 145e6,
        "offer_reach_per_week": 0.05,
        "western_resolve": 0.9,
    },
    # 24 Feb 2022 to mid-April 2023: the pre-war professional army, the Sept 2022 mobilisation
    # (week 30), the 'I Want to Live' line from 18 Sept 2022 (week 29); no Western levers.
    "historical-2022": {
        "start_date": dt.date(2022, 2, 24),
        "horizon_weeks": 60,
        "n_soldier_agents": 10_000,
        "soldiers_per_agent": 19.0,
        "share_mobilised": 0.0,
        "share_contract": 0.15,
        "signup_bonus_rub": 195_000.0,
        "monthly_pay_rub": 195_000.0,
        # 26,700 contracts in H1 2023 (FACTS.md) = 1,030 a week at 2022-23 pay and bonus; the
        # scale is stated at the default pay and bonus, whose yearly reward is 3.52m against
        # 2.535m RUB: 1,030 x 3.52 / 2.535 = 1,430 (with the default elasticity of 1).
        "recruits_per_week_at_defaults": 1_430.0,
        "mobilisation_week": 30,
        "offer_reach_start_week": 29,
        "western_resolve": 0.2,
    },
}
# The op-ed's package where the exile government backfires: the regime's propaganda turns a
# visible Western-backed exile government into a rally round the flag (docs/MODEL.md, "Backfire").
PRESETS["exile-backfire"] = {**PRESETS["combined"], "rally_effect": 0.5}


def field_names() -> list[str]:
    """Names of every Scenario field, in declaration order."""
    return list(Scenario.model_fields)


def _describe_allowed(name: str) -> str:
    info = Scenario.model_fields[name]
    extra = info.json_schema_extra or {}
    unit = extra.get("unit", "")
    if extra.get("lo") is not None:
        return f"{extra['lo']:g} to {extra['hi']:g} {unit}".rstrip()
    if name == "start_date":
        return "a date YYYY-MM-DD"
    annotation = info.annotation
    if getattr(annotation, "__origin__", None) is Literal:
        return "one of " + ", ".join(annotation.__args__)
    return unit


#: How a numeric field's type is named in an error about a value of the wrong type.
NUMBER_KINDS = {int: "a whole number", float: "a number"}
#: Pydantic's error types of a number outside its bounds (its type was right).
BOUND_ERRORS = ("greater_than_equal", "less_than_equal")


def _unknown_key_message(key: str) -> str:
    close = difflib.get_close_matches(key, field_names(), n=1)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown parameter '{key}'{hint} (`outlast params` lists all {len(field_names())})"


def make_scenario(values: dict[str, Any]) -> Scenario:
    """Build a Scenario from a mapping, turning validation errors into one-line ScenarioErrors.

    Args:
        values: Field names and values; missing fields take their defaults.

    Returns:
        The validated Scenario.

    Raises:
        ScenarioError: On the first unknown field, wrong type or value out of bounds.

    """
    for key in values:
        if key not in Scenario.model_fields:
            raise ScenarioError(_unknown_key_message(key))
    try:
        return Scenario(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        if not err["loc"]:
            raise ScenarioError(err["msg"].removeprefix("Value error, ")) from None
        name = str(err["loc"][0])
        value = values.get(name, err.get("input"))
        allowed = _describe_allowed(name)
        kind = NUMBER_KINDS.get(Scenario.model_fields[name].annotation)
        if kind and err["type"] not in BOUND_ERRORS:
            allowed = f"{kind}, {allowed}"
        raise ScenarioError(f"parameter '{name}' = {value!r} is not allowed: {allowed}") from None


def preset_overrides(name: str) -> dict[str, Any]:
    """Return the overrides of a preset.

    Raises:
        ScenarioError: If there is no preset of that name.

    """
    if name not in PRESETS:
        raise ScenarioError(f"unknown preset '{name}'; allowed: {', '.join(PRESETS)}")
    return dict(PRESETS[name])


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse one ``key=value`` override; the value is read as a TOML value, else as a string.

    Raises:
        ScenarioError: If the text has no '=' or names an unknown parameter.

    """
    if "=" not in text:
        raise ScenarioError(f"override '{text}' is not of the form key=value")
    key, raw = (part.strip() for part in text.split("=", 1))
    if key not in Scenario.model_fields:
        raise ScenarioError(_unknown_key_message(key))
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key, value


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file into a dict, with one-line errors for a missing, empty or malformed file.

    Raises:
        ScenarioError: If the file cannot be read or parsed.

    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"cannot read '{path}': {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"'{path}' is not a UTF-8 text file") from None
    if not text.strip():
        raise ScenarioError(f"'{path}' is empty; expected TOML with a preset and/or parameters")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"'{path}' is not valid TOML: {exc}") from None


def scenario_from_mapping(data: dict[str, Any], where: str = "scenario") -> Scenario:
    """Build a Scenario from a TOML-like mapping: an optional ``preset`` and parameter overrides.

    The parameters may sit at the top level or in a ``[parameters]`` table.

    Raises:
        ScenarioError: On an unknown preset, key or bad value.

    """
    data = dict(data)
    preset = data.pop("preset", "baseline")
    if not isinstance(preset, str):
        raise ScenarioError(f"{where}: 'preset' must be a string; allowed: {', '.join(PRESETS)}")
    params = data.pop("parameters", {})
    if not isinstance(params, dict):
        raise ScenarioError(f"{where}: [parameters] must be a table of key = value")
    values = {**preset_overrides(preset), **data, **params}
    return make_scenario(values)


def load_scenario(
    preset: str | None = None,
    config: Path | None = None,
    overrides: list[str] | None = None,
) -> Scenario:
    """Combine a preset, a TOML file and ``key=value`` overrides into a Scenario (later wins).

    Args:
        preset: Preset name; defaults to the file's preset, else "baseline".
        config: A TOML file with an optional ``preset`` key and parameter values.
        overrides: ``key=value`` strings, e.g. from ``--set``.

    Returns:
        The validated Scenario.

    Raises:
        ScenarioError: On any bad input, with a one-line message.

    """
    file_values: dict[str, Any] = {}
    if config is not None:
        file_values = read_toml(config)
        if "preset" in file_values and preset is None:
            preset = file_values["preset"]
        file_values.pop("preset", None)
    values: dict[str, Any] = {"preset": preset or "baseline", **file_values}
    sets = dict(parse_assignment(text) for text in overrides or [])
    base = scenario_from_mapping(values, where=str(config or "scenario"))
    return base.with_overrides(sets) if sets else base


def parameter_rows() -> list[dict[str, Any]]:
    """One row per parameter: name, default, bounds, unit, source, description."""
    rows = []
    for name, info in Scenario.model_fields.items():
        extra = info.json_schema_extra or {}
        rows.append(
            {
                "name": name,
                "default": info.default,
                "allowed": _describe_allowed(name),
                "unit": extra.get("unit", ""),
                "source": extra.get("source", ASSUMPTION),
                "description": info.description or "",
            }
        )
    return rows

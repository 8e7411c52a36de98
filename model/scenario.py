"""Scenario: every parameter of the model exactly once, validated, with presets and TOML loading.

A `Scenario` is an immutable, validated set of parameters. Each field carries its default, bounds,
unit, description and source (a figure in ``docs/FACTS.md`` or "assumption"); the parameter
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
import json
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

from agents.from_scenario import STRENGTH_PARTS, THREAT_PARTS

FACTS = "FACTS.md"
ASSUMPTION = "assumption"

#: Elites' kinds, partners and weight groups whose values are Scenario fields named after them
#: (``elite_share_military``, ``partner_iran_sensitivity``, ``threat_weight_unrest``, ...).
ELITE_KINDS = ("military", "security", "civilian")
PARTNER_KEYS = ("iran", "gulf", "turkey", "central_asia", "china", "north_korea")
#: Weight groups that must each sum to 1, by field prefix, and what each weighs.
WEIGHT_GROUPS = {
    "elite_share_": ("military", "security", "civilian"),
    "strength_weight_": STRENGTH_PARTS,
    "threat_weight_": THREAT_PARTS,
    "stability_weight_": (
        "elite_loyalty",
        "calm",
        "force_ratio",
        "partner_cooperation",
        "security",
    ),
}
#: How far a weight group's sum may stray from 1 (decimal weights such as 0.3 + 0.25 + 0.2 + 0.15
#: + 0.1 are not exactly 1 in binary).
WEIGHT_SUM_TOLERANCE = 1e-9


class ScenarioError(ValueError):
    """Bad scenario input; the message is one line naming the field, the value and what is allowed."""


#: The roles of parameters (the XLRM frame of exploratory modelling): what the West chooses, what
#: nobody knows exactly, what was fitted to a published figure, and how a run is set up.
Role = Literal["lever", "uncertainty", "calibrated", "setting"]
ROLES: tuple[Role, ...] = ("lever", "uncertainty", "calibrated", "setting")


def param(
    default: Any,
    lo: float | None,
    hi: float | None,
    unit: str,
    description: str,
    source: str = ASSUMPTION,
    *,
    role: Role,
    calibrated_to: str | None = None,
) -> Any:
    """Declare a Scenario field with bounds, unit, description, source and role.

    Args:
        default: The default value.
        lo: Smallest allowed value (inclusive), or None for a non-numeric field.
        hi: Largest allowed value (inclusive), or None.
        unit: Unit of the value ("share", "weeks", "RUB", ...).
        description: One sentence on what the parameter means in the model.
        source: Where the default comes from: a FACTS.md figure or "assumption".
        role: "lever" (a Western policy choice, or when it starts), "uncertainty" (an assumption
            whose true value is unknown), "calibrated" (an uncertainty fitted to a published
            figure) or "setting" (run size, horizon, resolution, dates, how a result is measured).
        calibrated_to: The published figure a calibrated parameter was fitted to.

    Returns:
        A pydantic FieldInfo.

    Raises:
        ValueError: If the role is unknown, or a calibrated parameter names no figure (or
            another role names one): a mistake in this module, caught at import.

    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; allowed: {', '.join(ROLES)}")
    if (role == "calibrated") != (calibrated_to is not None):
        raise ValueError("a calibrated parameter, and only one, names the figure it was fitted to")
    bounds = {} if lo is None else {"ge": lo, "le": hi}
    extra = {"unit": unit, "source": source, "lo": lo, "hi": hi, "role": role}
    if calibrated_to is not None:
        extra["calibrated_to"] = calibrated_to
    return Field(default, description=description, json_schema_extra=extra, **bounds)


class Scenario(BaseModel):
    """Every parameter of an outlast run. Immutable and validated on construction."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # --- run ---------------------------------------------------------------------------------
    horizon_weeks: int = param(
        156, 1, 1040, "weeks", "Length of a run; one step is one week.", role="setting"
    )
    start_date: dt.date = param(
        dt.date(2026, 12, 7),
        None,
        None,
        "date",
        "Calendar date of week 0 (labels only).",
        role="setting",
    )

    # --- army --------------------------------------------------------------------------------
    n_soldier_agents: int = param(
        20_000, 100, 2_000_000, "agents", "Soldier agents at the start of a run.", role="setting"
    )
    soldiers_per_agent: float = param(
        30.0,
        1.0,
        10_000.0,
        "soldiers",
        "Real soldiers each agent stands for; 20,000 x 30 = 600,000, the order of the force "
        "deployed against Ukraine in 2024-25 reported in the press (not in FACTS.md).",
        role="setting",
    )
    share_at_front: float = param(
        0.6,
        0.05,
        0.95,
        "share",
        "Share of the force at the front at the start.",
        role="uncertainty",
    )
    share_mobilised: float = param(
        0.2,
        0.0,
        0.8,
        "share",
        "Share of the initial force mobilised in Sept 2022 (300,000 men, FACTS.md) and still "
        "serving.",
        role="uncertainty",
    )
    share_contract: float = param(
        0.6,
        0.0,
        0.9,
        "share",
        "Share of the initial force on the post-2022 bonus contracts (FACTS.md: 166,200 signed in "
        "H1 2024 alone); the rest are pre-war professionals.",
        role="uncertainty",
    )
    unit_size_agents: int = param(
        100,
        10,
        5_000,
        "agents",
        "Agents per unit; peers are tied within a unit.",
        role="uncertainty",
    )
    peer_ties: int = param(
        8,
        2,
        40,
        "ties",
        "Ties per soldier to unit mates (even; Watts-Strogatz ring within unit).",
        role="uncertainty",
    )
    peer_rewire_prob: float = param(
        0.05,
        0.0,
        1.0,
        "probability",
        "Chance a tie is rewired to a random mate of the same unit.",
        role="uncertainty",
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
        role="uncertainty",
    )
    minority_exposure: float = param(
        1.3,
        0.5,
        3.0,
        "multiplier",
        "Front death hazard of minority soldiers relative to others (Bessudnov 2023, FACTS.md: "
        "some minorities strongly over-represented among the dead).",
        FACTS,
        role="uncertainty",
    )
    mobilised_exposure: float = param(
        1.5,
        0.5,
        3.0,
        "multiplier",
        "Front death hazard of mobilised soldiers relative to others.",
        role="uncertainty",
    )
    contract_exposure: float = param(
        1.2,
        0.5,
        3.0,
        "multiplier",
        "Front death hazard of contract soldiers relative to others.",
        role="uncertainty",
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
        role="uncertainty",
    )
    rotation_rate_per_week: float = param(
        0.05,
        0.0,
        0.5,
        "probability/week",
        "Chance a soldier moves between front and rear.",
        role="uncertainty",
    )
    loyalty_professional: float = param(
        0.15,
        -1.0,
        1.0,
        "utility",
        "Loyalty of pre-war professional soldiers (held against leaving).",
        role="uncertainty",
    )
    loyalty_mobilised: float = param(
        -0.05,
        -1.0,
        1.0,
        "utility",
        "Loyalty of mobilised soldiers (conscripted, least loyal).",
        role="uncertainty",
    )
    loyalty_contract: float = param(
        0.05,
        -1.0,
        1.0,
        "utility",
        "Loyalty of volunteers on the post-2022 bonus contracts.",
        role="uncertainty",
    )

    # --- pay and recruitment ------------------------------------------------------------------
    signup_bonus_rub: float = param(
        1_000_000.0,
        0.0,
        10_000_000.0,
        "RUB",
        "One-time sign-up bonus, federal plus average regional part (about 1m RUB in 2024).",
        FACTS,
        role="uncertainty",
    )
    monthly_pay_rub: float = param(
        210_000.0,
        0.0,
        2_000_000.0,
        "RUB/month",
        "Minimum monthly pay of a contract soldier (210,000 RUB, Moscow Times 31 Jul 2024).",
        FACTS,
        role="uncertainty",
    )
    recruits_per_week_at_defaults: float = param(
        6_400.0,
        0.0,
        100_000.0,
        "soldiers/week",
        "National weekly sign-ups when pay and bonus are at their defaults and unrest is zero; "
        "166,200 contracts in H1 2024 = 6,400/week. Sets the scale of the recruitment rule.",
        FACTS,
        role="calibrated",
        calibrated_to="contracts signed in H1 2024, 166,200 = 6,400 a week (FACTS.md)",
    )
    recruitment_pay_elasticity: float = param(
        1.0,
        0.0,
        4.0,
        "elasticity",
        "How sign-ups grow with the reward relative to home income.",
        role="uncertainty",
    )
    recruitment_unrest_penalty: float = param(
        3.0,
        0.0,
        20.0,
        "per unit unrest",
        "How fast regional unrest cuts sign-ups.",
        role="uncertainty",
    )
    mobilisation_week: int = param(
        -1, -1, 1040, "week", "Week of a partial mobilisation (-1: none).", role="uncertainty"
    )
    mobilisation_size: float = param(
        300_000.0,
        0.0,
        2_000_000.0,
        "soldiers",
        "Men called up by a mobilisation, spread by regional quotas (300,000 in Sept 2022).",
        FACTS,
        role="uncertainty",
    )
    initial_force_regional_mix: Literal["recruitment", "population"] = param(
        "recruitment",
        None,
        None,
        "choice",
        "How the home regions of the initial force not placed by garrison are drawn: by the "
        "recruitment rule's weights or by population.",
        role="uncertainty",
    )
    initial_force_garrison_share: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the initial force whose home region is the garrison region of the combat "
        "formations of February 2022 (model/data/garrisons_2022_by_region.csv); they start at the "
        "front, as the formations first sent in. 0 for a force that has turned over since 2022; "
        "historical-2022 sets it. Garrison is not origin (VDV, spetsnaz and naval infantry "
        "recruit nationally; new divisions were filled from elsewhere), hence a share.",
        role="uncertainty",
    )
    recruitment_price_adjustment: float = param(
        1.0,
        0.0,
        1.0,
        "exponent",
        "How far home income is deflated by the region's subsistence level against the national "
        "mean (Rosstat, regions.csv) when it is set against the contract's pay: 1 real income in "
        "national prices, 0 nominal roubles.",
        role="uncertainty",
    )
    recruitment_unemployment_effect: float = param(
        2.0,
        0.0,
        20.0,
        "per unit share",
        "Rise of log sign-ups per unit of the region's unemployment rate (Rosstat, regions.csv): "
        "2 makes 15% unemployment draw 1.2 times the sign-ups of 5%.",
        role="uncertainty",
    )
    recruitment_rural_effect: float = param(
        1.5,
        0.0,
        5.0,
        "per unit share",
        "Rise of log sign-ups per unit of the region's rural share (1 - urban share, 2021 "
        "census, regions_geography.csv): villages and small towns, fewer jobs and lower wages "
        "than the mean income says.",
        role="uncertainty",
    )
    recruitment_garrison_effect: float = param(
        10.0,
        0.0,
        100.0,
        "per garrison soldier per man",
        "Rise of sign-ups per soldier of the 2022 garrison per man aged 16-61: units recruit "
        "locally and military families and networks live around garrisons; 10 makes a region "
        "with one garrison soldier per 20 men (Pskov, the Jewish Autonomous Oblast) sign up 1.5 "
        "times as much.",
        role="uncertainty",
    )
    recruitment_buddhist_effect: float = param(
        0.5,
        -3.0,
        3.0,
        "per unit minority share",
        "Rise of log sign-ups per unit minority share where the main minority is Buddhist "
        "(Buryats, Tuvans, Kalmyks; FACTS.md: Buryats and Tuvans strongly over-represented among "
        "the dead).",
        FACTS,
        role="uncertainty",
    )
    recruitment_muslim_effect: float = param(
        -1.5,
        -3.0,
        3.0,
        "per unit minority share",
        "Rise (negative: fall) of log sign-ups per unit minority share where the main minority "
        "is Muslim: kin networks, informal incomes the statistics miss and, in Chechnya, "
        "recruitment into Rosgvardia rather than Ministry of Defence contracts.",
        FACTS,
        role="calibrated",
        calibrated_to="FACTS.md (Bessudnov 2023): the North Caucasus and Tatars/Bashkirs not "
        "over-represented among the dead (historical-2022: ratios to the national rate at most "
        "1.1; docs/MODEL.md section 5)",
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
        role="calibrated",
        calibrated_to="baseline desertion, 0.2-0.3% of the force a month (FACTS.md: well under 1%)",
    )
    leave_threshold_sd: float = param(
        0.25,
        0.0,
        2.0,
        "utility",
        "Spread of soldiers' thresholds across soldiers.",
        role="uncertainty",
    )
    leave_noise_scale: float = param(
        0.08,
        0.0,
        1.0,
        "utility",
        "Scale of the weekly logistic shock to the push to leave: a change of this size in the "
        "push multiplies a soldier's weekly chance of leaving by about e.",
        role="uncertainty",
    )
    peer_weight: float = param(
        1.0,
        0.0,
        5.0,
        "utility",
        "Weight of the share of a soldier's peers who already left.",
        role="uncertainty",
    )
    grievance_weight: float = param(
        0.4,
        0.0,
        3.0,
        "utility",
        "Weight of a soldier's grievance in the push to leave.",
        role="uncertainty",
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
        role="uncertainty",
    )
    fear_weight: float = param(
        0.15,
        0.0,
        2.0,
        "utility",
        "Weight of the front's danger (death exposure) in the push.",
        role="uncertainty",
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
        role="calibrated",
        calibrated_to="surrenders through 'I Want to Live' in its first year, about 200 (FACTS.md)",
    )
    punishment_severity: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Severity of punishment of caught deserters (1 = harshest).",
        role="uncertainty",
    )
    punishment_weight: float = param(
        0.6,
        0.0,
        3.0,
        "utility",
        "Weight of expected punishment (severity x repression x chance of being caught within "
        "half a year) in the push to leave.",
        role="uncertainty",
    )
    deserter_detection_per_week: float = param(
        0.1,
        0.0,
        1.0,
        "probability/week",
        "Chance a deserter at large is caught each week.",
        role="uncertainty",
    )
    detection_horizon_weeks: int = param(
        26,
        1,
        520,
        "weeks",
        "Horizon over which a would-be deserter weighs his chance of being caught: 1 - (1 - "
        "detection per week)^horizon (half a year).",
        role="uncertainty",
    )
    caught_deterrence: float = param(
        0.05,
        0.0,
        1.0,
        "utility",
        "Rise in unit mates' resistance to leaving for each caught deserter, times severity.",
        role="uncertainty",
    )
    deterrence_decay_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "share/week",
        "Weekly fading of a unit's deterrence from caught deserters.",
        role="uncertainty",
    )
    crossing_success_prob: float = param(
        0.7,
        0.0,
        1.0,
        "probability",
        "Chance a surrender attempt at the front succeeds (else killed).",
        role="uncertainty",
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
        role="calibrated",
        calibrated_to="contacts with 'I Want to Live' by 3 Mar 2023, 9,836 (FACTS.md)",
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
        role="lever",
    )
    offer_reach_start_week: int = param(
        0, 0, 1040, "week", "Week from which the line and any offer are broadcast.", role="lever"
    )
    awareness_spread_per_tie: float = param(
        0.02,
        0.0,
        1.0,
        "probability/week",
        "Chance per aware tie that awareness spreads per week.",
        role="uncertainty",
    )
    defection_payment_usd: float = param(
        0.0,
        0.0,
        1_000_000.0,
        "USD/soldier",
        "Western payment to each surrendering soldier (0: no payment).",
        role="lever",
    )
    offer_trust: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "How much a soldier trusts a Western promise to pay after surrender, against the "
        "Kremlin's pay in hand (multiplies the payment's value).",
        role="uncertainty",
    )
    rub_per_usd: float = param(
        90.0,
        1.0,
        1000.0,
        "RUB/USD",
        "Exchange rate at which a Western payment in dollars is compared with Kremlin pay in "
        "roubles; fixed over a run so that the model's money stays in one unit.",
        role="uncertainty",
    )
    defection_offer_start_week: int = param(
        0,
        0,
        1040,
        "week",
        "Week from which the payment is offered and the fund receives income.",
        role="lever",
    )
    seized_asset_fund_usd: float = param(
        0.0,
        0.0,
        300e9,
        "USD",
        "Starting balance of the defection fund from seized Russian assets (about $300bn frozen).",
        FACTS,
        role="lever",
    )
    fund_income_usd_per_week: float = param(
        0.0,
        0.0,
        1e9,
        "USD/week",
        "Weekly income paid into the fund (Euroclear windfall EUR 6.9bn in 2024 = about "
        "$145m a week).",
        FACTS,
        role="lever",
    )
    credibility_loss_unpaid: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Fall in the offer's credibility in a week the fund cannot pay.",
        role="uncertainty",
    )
    credibility_recovery_per_week: float = param(
        0.02,
        0.0,
        1.0,
        "share/week",
        "Share of the gap to full credibility recovered in a week with every claim paid.",
        role="uncertainty",
    )
    fund_punishment_backlash: float = param(
        0.0,
        0.0,
        1.0,
        "severity",
        "Backlash of the fund: punishment severity added while a payment for surrender is "
        "offered (collective punishment of deserters' and surrenderers' families, stricter "
        "control of units against 'bought traitors'); 0: none.",
        role="uncertainty",
    )

    # --- regions and unrest (Epstein 2002) ---------------------------------------------------------
    citizens_per_region: int = param(
        200, 20, 5_000, "agents", "Sampled citizens per region for the unrest rule.", role="setting"
    )
    citizen_hardship_spread: float = param(
        0.8,
        0.0,
        1.0,
        "hardship",
        "Width of the uniform draw of a citizen's base hardship, which is then shifted by his "
        "region's poverty share and capped at 1.",
        role="uncertainty",
    )
    legitimacy: float = param(
        0.75,
        0.0,
        1.0,
        "share",
        "Regime legitimacy L in Epstein's grievance G = H(1 - L).",
        role="uncertainty",
    )
    arrest_k: float = param(
        2.3, 0.1, 10.0, "constant", "Epstein's k in P = 1 - exp(-k C/A).", FACTS, role="uncertainty"
    )
    unrest_threshold: float = param(
        0.1, 0.0, 1.0, "utility", "Epstein's activation threshold T.", FACTS, role="uncertainty"
    )
    max_jail_weeks: int = param(
        15,
        1,
        520,
        "weeks",
        "Longest jail term of an arrested active citizen; terms are drawn uniformly from 1 to it "
        "(Epstein's J_max).",
        role="uncertainty",
    )
    repression_cop_density: float = param(
        0.04,
        0.0,
        0.5,
        "police per citizen",
        "Police per citizen at the start (repression).",
        role="uncertainty",
    )
    repression_police_effect: float = param(
        2.0,
        0.0,
        10.0,
        "multiplier",
        "Rise in police per citizen per unit of the leader's repression: density = base x (1 + "
        "effect x repression), so full repression triples the police.",
        role="uncertainty",
    )
    minority_awareness_rate_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "share/week",
        "Speed at which regional awareness of discrimination moves towards the Western minority "
        "campaign's intensity.",
        role="uncertainty",
    )
    death_grievance_per_permille: float = param(
        0.05,
        0.0,
        2.0,
        "hardship per death per 1,000 men",
        "Rise in a region's hardship per war death per 1,000 men aged 16-61.",
        role="uncertainty",
    )
    discrimination_grievance: float = param(
        0.15,
        0.0,
        1.0,
        "hardship",
        "Extra hardship of minority citizens from discrimination (second-class treatment).",
        role="uncertainty",
    )

    # --- minorities campaign and partners ----------------------------------------------------------
    minority_campaign_intensity: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Western campaign exposing the treatment of Russia's minorities.",
        role="lever",
    )
    minority_campaign_start_week: int = param(
        0, 0, 1040, "week", "Week from which the minority campaign runs.", role="lever"
    )
    campaign_rally_effect: float = param(
        0.0,
        0.0,
        1.0,
        "legitimacy",
        "Backlash of the minority campaign: rally per unit of the campaign's intensity (a "
        "foreign-run campaign as the regime's propaganda), added to the exile government's rally: "
        "legitimacy, elites' restraint and the leader's commitment rise; 0: none.",
        role="uncertainty",
    )
    campaign_repression_floor: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Backlash of the minority campaign: the leader's repression is kept at least this much "
        "per unit of the campaign's intensity (crackdowns on 'foreign agents' and minority "
        "activists); 0: none.",
        role="uncertainty",
    )
    partner_diplomacy: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Western diplomacy with Muslim-majority partners of Russia.",
        role="lever",
    )
    partner_awareness_rate_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "share/week",
        "Weekly rate at which awareness of Russian Muslims' treatment in partners' publics moves "
        "towards the level the campaign and diplomacy drive.",
        role="uncertainty",
    )
    partner_awareness_sensitivity: float = param(
        1.0,
        0.0,
        3.0,
        "multiplier",
        "How strongly partners' cooperation falls with awareness.",
        role="uncertainty",
    )
    partner_capacity_share: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the regime's economic capacity (supplies, trade, budget) that rests on "
        "partners' cooperation.",
        role="uncertainty",
    )
    partner_non_muslim_reach: float = param(
        0.2,
        0.0,
        1.0,
        "share",
        "Reach of the minority campaign and diplomacy in partners whose publics are not mainly "
        "Muslim (1 for the others).",
        role="uncertainty",
    )
    partner_diplomacy_weight: float = param(
        0.5,
        0.0,
        2.0,
        "share",
        "Weight of Western diplomacy relative to the public campaign in driving partners' "
        "awareness.",
        role="uncertainty",
    )
    partner_munitions_hazard_rise: float = param(
        0.3,
        0.0,
        2.0,
        "share",
        "Rise of the front's death hazard, as a share of itself, if partners' munitions and "
        "drones stopped entirely: hazard x (1 + rise x (1 - relative munitions supply)) (0: "
        "partners' munitions do not matter).",
        role="uncertainty",
    )
    partner_labour_recruitment_share: float = param(
        0.1,
        0.0,
        1.0,
        "share",
        "Share of weekly recruits that rests on partners' migrant labour (naturalised migrants "
        "who sign up, migrants who fill the jobs recruits leave): recruits x (1 - share x (1 - "
        "relative labour supply)) (0: off).",
        role="uncertainty",
    )
    partner_iran_base_cooperation: float = param(
        0.8,
        0.0,
        1.0,
        "share",
        "Cooperation of Iran with Russia before any campaign (stylised partner).",
        role="uncertainty",
    )
    partner_iran_munitions_weight: float = param(
        0.4,
        0.0,
        1.0,
        "share",
        "Share of the munitions and drones Russia gets from partners that comes from Iran.",
        role="uncertainty",
    )
    partner_iran_capacity_weight: float = param(
        0.05,
        0.0,
        1.0,
        "share",
        "Share of the components and trade Russia gets from partners (the regime's capacity) that "
        "comes from Iran.",
        role="uncertainty",
    )
    partner_iran_labour_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the migrant labour Russia gets from partners that comes from Iran.",
        role="uncertainty",
    )
    partner_iran_sensitivity: float = param(
        1.0,
        0.0,
        3.0,
        "share per unit",
        "How far the cooperation of Iran falls per unit of its public's awareness of Russian "
        "Muslims' treatment, before its interest in the relationship.",
        role="uncertainty",
    )
    partner_iran_interest: float = param(
        0.6,
        0.0,
        1.0,
        "share",
        "What Iran has at stake in its relationship with Russia: its government discounts its "
        "public's anger by 1 minus this (at 1 it ignores its public).",
        role="uncertainty",
    )
    partner_gulf_base_cooperation: float = param(
        0.6,
        0.0,
        1.0,
        "share",
        "Cooperation of the Gulf monarchies with Russia before any campaign (stylised partner).",
        role="uncertainty",
    )
    partner_gulf_munitions_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the munitions and drones Russia gets from partners that comes from the Gulf "
        "monarchies.",
        role="uncertainty",
    )
    partner_gulf_capacity_weight: float = param(
        0.2,
        0.0,
        1.0,
        "share",
        "Share of the components and trade Russia gets from partners (the regime's capacity) that "
        "comes from the Gulf monarchies.",
        role="uncertainty",
    )
    partner_gulf_labour_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the migrant labour Russia gets from partners that comes from the Gulf "
        "monarchies.",
        role="uncertainty",
    )
    partner_gulf_sensitivity: float = param(
        0.7,
        0.0,
        3.0,
        "share per unit",
        "How far the cooperation of the Gulf monarchies falls per unit of its public's awareness "
        "of Russian Muslims' treatment, before its interest in the relationship.",
        role="uncertainty",
    )
    partner_gulf_interest: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "What the Gulf monarchies has at stake in its relationship with Russia: its government "
        "discounts its public's anger by 1 minus this (at 1 it ignores its public).",
        role="uncertainty",
    )
    partner_turkey_base_cooperation: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Cooperation of Turkey with Russia before any campaign (stylised partner).",
        role="uncertainty",
    )
    partner_turkey_munitions_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the munitions and drones Russia gets from partners that comes from Turkey.",
        role="uncertainty",
    )
    partner_turkey_capacity_weight: float = param(
        0.2,
        0.0,
        1.0,
        "share",
        "Share of the components and trade Russia gets from partners (the regime's capacity) that "
        "comes from Turkey.",
        role="uncertainty",
    )
    partner_turkey_labour_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the migrant labour Russia gets from partners that comes from Turkey.",
        role="uncertainty",
    )
    partner_turkey_sensitivity: float = param(
        1.2,
        0.0,
        3.0,
        "share per unit",
        "How far the cooperation of Turkey falls per unit of its public's awareness of Russian "
        "Muslims' treatment, before its interest in the relationship.",
        role="uncertainty",
    )
    partner_turkey_interest: float = param(
        0.4,
        0.0,
        1.0,
        "share",
        "What Turkey has at stake in its relationship with Russia: its government discounts its "
        "public's anger by 1 minus this (at 1 it ignores its public).",
        role="uncertainty",
    )
    partner_central_asia_base_cooperation: float = param(
        0.7,
        0.0,
        1.0,
        "share",
        "Cooperation of the Central Asian states with Russia before any campaign (stylised "
        "partner).",
        role="uncertainty",
    )
    partner_central_asia_munitions_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the munitions and drones Russia gets from partners that comes from the Central "
        "Asian states.",
        role="uncertainty",
    )
    partner_central_asia_capacity_weight: float = param(
        0.05,
        0.0,
        1.0,
        "share",
        "Share of the components and trade Russia gets from partners (the regime's capacity) that "
        "comes from the Central Asian states.",
        role="uncertainty",
    )
    partner_central_asia_labour_weight: float = param(
        1.0,
        0.0,
        1.0,
        "share",
        "Share of the migrant labour Russia gets from partners that comes from the Central Asian "
        "states.",
        role="uncertainty",
    )
    partner_central_asia_sensitivity: float = param(
        1.2,
        0.0,
        3.0,
        "share per unit",
        "How far the cooperation of the Central Asian states falls per unit of its public's "
        "awareness of Russian Muslims' treatment, before its interest in the relationship.",
        role="uncertainty",
    )
    partner_central_asia_interest: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "What the Central Asian states has at stake in its relationship with Russia: its "
        "government discounts its public's anger by 1 minus this (at 1 it ignores its public).",
        role="uncertainty",
    )
    partner_china_base_cooperation: float = param(
        0.8,
        0.0,
        1.0,
        "share",
        "Cooperation of China with Russia before any campaign (stylised partner).",
        role="uncertainty",
    )
    partner_china_munitions_weight: float = param(
        0.1,
        0.0,
        1.0,
        "share",
        "Share of the munitions and drones Russia gets from partners that comes from China.",
        role="uncertainty",
    )
    partner_china_capacity_weight: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the components and trade Russia gets from partners (the regime's capacity) that "
        "comes from China.",
        role="uncertainty",
    )
    partner_china_labour_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the migrant labour Russia gets from partners that comes from China.",
        role="uncertainty",
    )
    partner_china_sensitivity: float = param(
        0.15,
        0.0,
        3.0,
        "share per unit",
        "How far the cooperation of China falls per unit of its public's awareness of Russian "
        "Muslims' treatment, before its interest in the relationship.",
        role="uncertainty",
    )
    partner_china_interest: float = param(
        0.7,
        0.0,
        1.0,
        "share",
        "What China has at stake in its relationship with Russia: its government discounts its "
        "public's anger by 1 minus this (at 1 it ignores its public).",
        role="uncertainty",
    )
    partner_north_korea_base_cooperation: float = param(
        0.9,
        0.0,
        1.0,
        "share",
        "Cooperation of North Korea with Russia before any campaign (stylised partner). North "
        "Korea's numbers are assumptions: FACTS.md has no figures for it.",
        role="uncertainty",
    )
    partner_north_korea_munitions_weight: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the munitions and drones Russia gets from partners that comes from North Korea.",
        role="uncertainty",
    )
    partner_north_korea_capacity_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the components and trade Russia gets from partners (the regime's capacity) that "
        "comes from North Korea.",
        role="uncertainty",
    )
    partner_north_korea_labour_weight: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the migrant labour Russia gets from partners that comes from North Korea.",
        role="uncertainty",
    )
    partner_north_korea_sensitivity: float = param(
        0.0,
        0.0,
        3.0,
        "share per unit",
        "How far the cooperation of North Korea falls per unit of its public's awareness of "
        "Russian Muslims' treatment, before its interest in the relationship.",
        role="uncertainty",
    )
    partner_north_korea_interest: float = param(
        0.9,
        0.0,
        1.0,
        "share",
        "What North Korea has at stake in its relationship with Russia: its government discounts "
        "its public's anger by 1 minus this (at 1 it ignores its public).",
        role="uncertainty",
    )

    # --- elites and coups -------------------------------------------------------------------------------
    n_elites: int = param(
        100, 30, 300, "agents", "Elite agents (military, security, civilian).", role="uncertainty"
    )
    elite_power_alpha: float = param(
        1.5,
        1.05,
        5.0,
        "Pareto shape",
        "Tail of the elites' power distribution (heavy-tailed).",
        role="uncertainty",
    )
    n_factions: int = param(
        4, 1, 12, "factions", "Patronage factions in the elite network.", role="uncertainty"
    )
    tie_prob_within_faction: float = param(
        0.3,
        0.0,
        1.0,
        "probability",
        "Tie probability between elites of one faction.",
        role="uncertainty",
    )
    tie_prob_between_factions: float = param(
        0.02,
        0.0,
        1.0,
        "probability",
        "Tie probability between elites of different factions.",
        role="uncertainty",
    )
    elite_neighbour_weight: float = param(
        0.3,
        0.0,
        3.0,
        "utility",
        "Weight of network neighbours' pressing on an elite's dissatisfaction, and of their "
        "conspiring in lowering the regime's strength he perceives.",
        role="uncertainty",
    )
    elite_signal_noise: float = param(
        0.08,
        0.0,
        1.0,
        "strength",
        "Noise sigma on each elite's private signal of the fundamental.",
        role="uncertainty",
    )
    press_threshold: float = param(
        0.3,
        0.0,
        2.0,
        "utility",
        "Dissatisfaction above which an elite presses the leader.",
        role="uncertainty",
    )
    conspiracy_cost: float = param(
        0.3,
        0.0,
        2.0,
        "utility",
        "Base loss from a failed plot (prison, death) in the cost-benefit ratio c = L / (L + G) "
        "of the Morris & Shin global game; fear, loyalty and any rally add to it.",
        role="uncertainty",
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
        role="uncertainty",
    )
    coup_threshold_power_share: float = param(
        0.3,
        0.05,
        0.95,
        "share of elite power",
        "Conspiring power that triggers a coup attempt.",
        role="uncertainty",
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
        role="calibrated",
        calibrated_to="coup success, Powell & Thyne 243 of 488 attempts (FACTS.md)",
    )
    coup_success_power_coef: float = param(
        4.0,
        0.0,
        20.0,
        "log-odds per share",
        "Rise in log-odds per share of conspiring power.",
        role="uncertainty",
    )
    coup_success_army_coef: float = param(
        3.0,
        0.0,
        20.0,
        "log-odds per share",
        "Rise in log-odds per share of army decline.",
        role="uncertainty",
    )
    coup_success_unrest_coef: float = param(
        2.0,
        0.0,
        20.0,
        "log-odds per unit",
        "Rise in log-odds per unit of unrest pressure (unrest over `unrest_saturation`).",
        role="uncertainty",
    )
    purge_fear: float = param(
        0.5,
        0.0,
        1.0,
        "fear",
        "Fear after a purge: every elite after a failed coup (June 2023, FACTS.md), the "
        "successors and network neighbours of purged conspirators.",
        role="uncertainty",
    )
    fear_decay_per_week: float = param(
        0.03, 0.0, 1.0, "share/week", "Weekly decay of elites' own fear.", role="uncertainty"
    )
    newcomer_loyalty: float = param(
        0.2,
        0.0,
        1.0,
        "utility",
        "Extra loyalty of a purged elite's successor (owes his seat).",
        role="uncertainty",
    )
    elite_share_military: float = param(
        0.4,
        0.0,
        1.0,
        "share",
        "Share of elites of the military kind; the three shares sum to 1.",
        role="uncertainty",
    )
    elite_share_security: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Share of elites of the security kind; the three shares sum to 1.",
        role="uncertainty",
    )
    elite_share_civilian: float = param(
        0.3,
        0.0,
        1.0,
        "share",
        "Share of elites of the civilian kind; the three shares sum to 1.",
        role="uncertainty",
    )
    elite_base_cost_min_military: float = param(
        0.05,
        0.0,
        2.0,
        "utility",
        "Smallest base cost of the war (sanctions, lost business, risk) drawn for a military "
        "elite.",
        role="uncertainty",
    )
    elite_base_cost_max_military: float = param(
        0.25,
        0.0,
        2.0,
        "utility",
        "Largest base cost of the war drawn for a military elite (uniform draw).",
        role="uncertainty",
    )
    elite_base_cost_min_security: float = param(
        0.0,
        0.0,
        2.0,
        "utility",
        "Smallest base cost of the war (sanctions, lost business, risk) drawn for a security "
        "elite.",
        role="uncertainty",
    )
    elite_base_cost_max_security: float = param(
        0.15,
        0.0,
        2.0,
        "utility",
        "Largest base cost of the war drawn for a security elite (uniform draw).",
        role="uncertainty",
    )
    elite_base_cost_min_civilian: float = param(
        0.15,
        0.0,
        2.0,
        "utility",
        "Smallest base cost of the war (sanctions, lost business, risk) drawn for a civilian "
        "elite.",
        role="uncertainty",
    )
    elite_base_cost_max_civilian: float = param(
        0.4,
        0.0,
        2.0,
        "utility",
        "Largest base cost of the war drawn for a civilian elite (uniform draw).",
        role="uncertainty",
    )
    elite_army_cost_military: float = param(
        0.8,
        0.0,
        3.0,
        "utility per share",
        "Rise in a military elite's cost of the war per share of army decline (the military bears "
        "the army's losses most).",
        role="uncertainty",
    )
    elite_army_cost_security: float = param(
        0.4,
        0.0,
        3.0,
        "utility per share",
        "Rise in a security elite's cost of the war per share of army decline (the security "
        "services less).",
        role="uncertainty",
    )
    elite_army_cost_civilian: float = param(
        0.2,
        0.0,
        3.0,
        "utility per share",
        "Rise in a civilian elite's cost of the war per share of army decline (civilians least).",
        role="uncertainty",
    )
    elite_economy_cost_military: float = param(
        0.2,
        0.0,
        3.0,
        "utility per share",
        "Rise in a military elite's cost of the war per share of lost economic capacity.",
        role="uncertainty",
    )
    elite_economy_cost_security: float = param(
        0.2,
        0.0,
        3.0,
        "utility per share",
        "Rise in a security elite's cost of the war per share of lost economic capacity.",
        role="uncertainty",
    )
    elite_economy_cost_civilian: float = param(
        0.6,
        0.0,
        3.0,
        "utility per share",
        "Rise in a civilian elite's cost of the war per share of lost economic capacity "
        "(civilians hold the businesses that lose partners' trade).",
        role="uncertainty",
    )
    elite_outside_option_military: float = param(
        1.0,
        0.0,
        2.0,
        "multiplier",
        "How much a military elite values an exile agreement's amnesty and role (the op-ed "
        "expects military chiefs to keep their role).",
        role="uncertainty",
    )
    elite_outside_option_security: float = param(
        0.6,
        0.0,
        2.0,
        "multiplier",
        "How much a security elite values an exile agreement's amnesty and role (security chiefs "
        "are most compromised, so amnesty is least credible to them).",
        role="uncertainty",
    )
    elite_outside_option_civilian: float = param(
        0.8,
        0.0,
        2.0,
        "multiplier",
        "How much a civilian elite values an exile agreement's amnesty and role (civilians "
        "between the two).",
        role="uncertainty",
    )
    elite_loyalty_min: float = param(
        0.1,
        0.0,
        2.0,
        "utility",
        "Smallest personal loyalty to the leader drawn for an elite at the start (patronage).",
        role="uncertainty",
    )
    elite_loyalty_max: float = param(
        0.4,
        0.0,
        2.0,
        "utility",
        "Largest personal loyalty to the leader drawn for an elite at the start (uniform draw).",
        role="uncertainty",
    )
    conspirator_detection_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "probability/week",
        "Chance the security services detect a conspirator in a week, times 1 + repression; "
        "detected conspirators are purged while the leader responds to threat.",
        role="uncertainty",
    )
    repression_elite_fear: float = param(
        0.5,
        0.0,
        2.0,
        "fear per unit",
        "Fear every elite feels per unit of the leader's repression.",
        role="uncertainty",
    )
    repression_after_failed_coup: float = param(
        0.1,
        0.0,
        1.0,
        "share",
        "Rise in repression after a failed coup (June 2023 aftermath).",
        role="uncertainty",
    )
    army_trend_window_weeks: int = param(
        26,
        1,
        520,
        "weeks",
        "Window of the army's trend: decline is measured from the start and from the highest "
        "active force of this many past weeks, whichever is larger; the army's strain (losses "
        "against recruits) is summed over the same window.",
        role="uncertainty",
    )
    army_crack_share: float = param(
        0.9,
        0.0,
        1.0,
        "share",
        "The army counts as cracked (metric army_cracked, 1 from then on) from the first week "
        "its active force falls below this share of its highest level so far (a measure only: "
        "it changes no decision; 0 never).",
        role="setting",
    )
    unrest_saturation: float = param(
        0.2,
        0.01,
        1.0,
        "share",
        "Population-weighted unrest at which its effect on elites, the leader, coups and the "
        "stability index saturates (a fifth of men in the streets is a regime-threatening "
        "uprising).",
        role="uncertainty",
    )
    strength_weight_army: float = param(
        0.35,
        0.0,
        1.0,
        "weight",
        "Weight of the army's intactness (1 - decline) in the regime's strength as elites see it; "
        "the four weights sum to 1.",
        role="uncertainty",
    )
    strength_weight_calm: float = param(
        0.25,
        0.0,
        1.0,
        "weight",
        "Weight of calm (1 - unrest pressure) in the regime's strength as elites see it; the four "
        "weights sum to 1.",
        role="uncertainty",
    )
    strength_weight_capacity: float = param(
        0.2,
        0.0,
        1.0,
        "weight",
        "Weight of economic capacity in the regime's strength as elites see it; the four weights "
        "sum to 1.",
        role="uncertainty",
    )
    strength_weight_legitimacy: float = param(
        0.2,
        0.0,
        1.0,
        "weight",
        "Weight of legitimacy in the regime's strength as elites see it; the four weights sum to "
        "1.",
        role="uncertainty",
    )
    war_end_prob_after_coup: float = param(
        0.4,
        0.0,
        1.0,
        "probability",
        "Chance a new regime ends the war with no exile agreement.",
        role="uncertainty",
    )
    war_end_prob_after_coup_agreement: float = param(
        0.85,
        0.0,
        1.0,
        "probability",
        "Chance a new regime ends the war given an exile agreement.",
        role="uncertainty",
    )
    hardline_successor_prob: float = param(
        0.3,
        0.0,
        1.0,
        "probability",
        "Chance that a new regime which does not end the war is hard-line (the op-ed's risk of a "
        "successor harder than the leader it replaced); otherwise it continues the war as before.",
        role="uncertainty",
    )

    # --- leader -----------------------------------------------------------------------------------
    leader_commitment: float = param(
        0.8,
        0.0,
        1.0,
        "share",
        "The leader's commitment to continuing the war with full economic capacity and no rally.",
        role="uncertainty",
    )
    commitment_capacity_weight: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the leader's commitment that rests on the regime's economic capacity.",
        role="uncertainty",
    )
    commitment_belief_share: float = param(
        0.6,
        0.0,
        1.0,
        "share",
        "Share of the threat the leader tolerates that rests on his belief that he can outlast "
        "the West: bar = commitment x (1 - share + share x belief).",
        role="uncertainty",
    )
    belief_outlast_west: float = param(
        0.9,
        0.0,
        1.0,
        "share",
        "The leader's initial belief that he can outlast the West.",
        role="uncertainty",
    )
    leader_response_threshold: float = param(
        0.25,
        0.0,
        1.0,
        "threat",
        "Threat above which the leader raises bonuses, represses and purges detected plotters.",
        role="uncertainty",
    )
    bonus_budget_rub: float = param(
        3_000_000.0,
        0.0,
        20_000_000.0,
        "RUB",
        "Most the leader will raise the sign-up bonus to at full economic capacity (Tatarstan "
        "paid 2.5m in 2026); scaled by the regime's capacity.",
        FACTS,
        role="uncertainty",
    )
    threat_weight_elite_pressure: float = param(
        0.25,
        0.0,
        1.0,
        "weight",
        "Weight of elite pressure (power share pressing or conspiring) in the leader's threat "
        "perception; the seven weights sum to 1.",
        role="uncertainty",
    )
    threat_weight_coup_risk: float = param(
        0.2,
        0.0,
        1.0,
        "weight",
        "Weight of coup risk (conspiring power over the coup threshold) in the leader's threat "
        "perception; the seven weights sum to 1.",
        role="uncertainty",
    )
    threat_weight_army_decline: float = param(
        0.1,
        0.0,
        1.0,
        "weight",
        "Weight of the army's decline in the leader's threat perception; the seven weights sum to "
        "1.",
        role="uncertainty",
    )
    threat_weight_unrest: float = param(
        0.1,
        0.0,
        1.0,
        "weight",
        "Weight of unrest pressure in the leader's threat perception; the seven weights sum to 1.",
        role="uncertainty",
    )
    threat_weight_exile_agreement: float = param(
        0.1,
        0.0,
        1.0,
        "weight",
        "Weight of an exile agreement (its Western support) in the leader's threat perception; "
        "the seven weights sum to 1.",
        role="uncertainty",
    )
    threat_weight_army_strain: float = param(
        0.15,
        0.0,
        1.0,
        "weight",
        "Weight of the army's strain (the share of losses over the trend window that recruits did "
        "not replace) in the leader's threat perception; the seven weights sum to 1.",
        role="uncertainty",
    )
    threat_weight_economic_strain: float = param(
        0.1,
        0.0,
        1.0,
        "weight",
        "Weight of the economy's strain (1 - capacity after partners and sanctions) in the "
        "leader's threat perception; the seven weights sum to 1.",
        role="uncertainty",
    )
    agreement_terms_cost: float = param(
        0.0,
        0.0,
        1.0,
        "threat",
        "What accepting a settlement's terms costs the leader, added to the threat he tolerates "
        "(0, the default: ending the war costs him nothing beyond his commitment; 0.1 closes the "
        "combined package's negotiated ends).",
        role="uncertainty",
    )
    exile_focal_terms_discount: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "Share of the terms' cost that an exile-Kyiv agreement removes per unit of its Western "
        "support: agreed terms are focal, a settlement he need not invent (0: no focal effect).",
        role="uncertainty",
    )
    bonus_raise_per_week: float = param(
        0.05,
        0.0,
        1.0,
        "share/week",
        "Weekly rise of the sign-up bonus while the leader responds to threat, up to his budget.",
        role="uncertainty",
    )
    repression_step: float = param(
        0.01,
        0.0,
        0.1,
        "share/week",
        "Rise in repression per week of response to threat.",
        role="uncertainty",
    )
    repression_relax_per_week: float = param(
        0.002,
        0.0,
        0.1,
        "share/week",
        "Fall in repression per week without response.",
        role="uncertainty",
    )

    # --- government in exile --------------------------------------------------------------------------
    exile_support: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Western support for a democratic government-in-exile (0: none).",
        role="lever",
    )
    exile_formation_week: int = param(
        0, 0, 1040, "week", "Week the government-in-exile is formed, if supported.", role="lever"
    )
    exile_progress_per_week: float = param(
        0.02,
        0.0,
        0.5,
        "progress/week",
        "Mean weekly progress towards a settlement with Kyiv at full support.",
        role="uncertainty",
    )
    exile_progress_noise: float = param(
        0.02, 0.0, 0.5, "progress/week", "Noise on weekly progress.", role="uncertainty"
    )
    nationalist_friction: float = param(
        0.05,
        0.0,
        1.0,
        "probability/week",
        "Weekly chance of a setback from nationalist friction.",
        role="uncertainty",
    )
    friction_setback: float = param(
        0.15, 0.0, 1.0, "progress", "Progress lost in a setback.", role="uncertainty"
    )
    exile_outside_option: float = param(
        0.5,
        0.0,
        1.0,
        "utility",
        "Outside option an agreement offers elites (amnesty, a role), at full Western support.",
        role="uncertainty",
    )
    exile_credibility_uptake_per_week: float = param(
        0.1,
        0.0,
        1.0,
        "share/week",
        "Weekly rate at which an agreement's terms become credible to elites (share of the gap "
        "to full credibility closed each week).",
        role="uncertainty",
    )
    rally_effect: float = param(
        0.1,
        0.0,
        1.0,
        "legitimacy",
        "Rally effect per unit of the exile government's visibility: legitimacy gained, elites' "
        "loyalty and the leader's commitment raised by portraying it as a Western tool.",
        role="uncertainty",
    )
    exile_nationalist_stance: float = param(
        0.5,
        0.0,
        1.0,
        "share",
        "The exile government's stance on Crimea and reparations: 0 accepts Kyiv's terms, 1 is as "
        "nationalist as the Kremlin (the op-ed expects nationalist sentiments 'to some degree').",
        role="uncertainty",
    )
    exile_stance_kyiv_penalty: float = param(
        0.3,
        0.0,
        1.0,
        "share per unit",
        "Fall in Kyiv's willingness to agree per unit of the exile's nationalist stance (0: the "
        "stance does not slow the talks).",
        role="uncertainty",
    )
    exile_stance_elite_weight: float = param(
        0.2,
        0.0,
        1.0,
        "share",
        "Share of the agreement's credibility among Russian chiefs that rests on the exile's "
        "nationalist credentials: its credibility approaches 1 - weight + weight x stance (0: "
        "credentials do not matter).",
        role="uncertainty",
    )
    exile_kyiv_battlefield_weight: float = param(
        1.0,
        0.0,
        5.0,
        "share per unit",
        "Rise in Kyiv's willingness to agree per unit of the Russian army's decline: a regime "
        "that is losing its army makes a Russian alternative worth a deal (0: the battlefield "
        "does not matter).",
        role="uncertainty",
    )
    exile_rival_opposition: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Share of the exile government's following drawn off by a rival Kremlin-made "
        "'opposition': its progress with Kyiv and the outside option it offers elites are scaled "
        "by 1 minus this (0: no rival).",
        role="uncertainty",
    )
    exile_contact_repression: float = param(
        0.3,
        0.0,
        1.0,
        "share per unit",
        "Slowing of the talks per unit of the leader's repression (the exile's contacts in Russia "
        "hunted down): progress x (1 - this x repression) (0: off).",
        role="uncertainty",
    )
    exile_foreign_agent_label: float = param(
        0.0,
        0.0,
        1.0,
        "share",
        "Labelling of the exile government as foreign agents: share by which it slows the spread "
        "of the agreement's credibility among elites (0: no labelling).",
        role="uncertainty",
    )
    exile_contact_per_week: float = param(
        0.02,
        0.0,
        1.0,
        "probability/week",
        "Weekly chance that a pressing or conspiring military or security elite contacts a formed "
        "exile government (0: no contacts, no defections).",
        role="uncertainty",
    )
    exile_contact_detection_per_week: float = param(
        0.02,
        0.0,
        1.0,
        "probability/week",
        "Weekly chance that the security services detect an elite's contact with the exile "
        "government, times 1 + repression; the detected are purged (0: never detected).",
        role="uncertainty",
    )
    elite_defection_per_week: float = param(
        0.1,
        0.0,
        1.0,
        "probability/week",
        "Weekly chance that a pressing military or security elite in contact with the exile "
        "government, whose outside option from it outweighs his loyalty, fear and the rally, "
        "defects to it (0: no defections).",
        role="uncertainty",
    )
    exile_defection_credibility_gain: float = param(
        1.0,
        0.0,
        5.0,
        "credibility per power share",
        "Rise in the exile agreement's credibility among elites per share of elite power that "
        "defects to it (0: defections lend it nothing).",
        role="uncertainty",
    )

    # --- Western resolve ---------------------------------------------------------------------------------
    western_resolve: float = param(
        0.3, 0.0, 1.0, "share", "Western resolve as perceived in the Kremlin.", role="lever"
    )
    resolve_start_week: int = param(
        0, 0, 1040, "week", "Week from which resolve is shown.", role="lever"
    )
    resolve_belief_effect: float = param(
        0.02,
        0.0,
        0.5,
        "share/week",
        "Learning rate of the leader's belief that he can outlast the West: the weekly share of "
        "the gap to 1 - the evidence of Western resolve that he closes (0: belief never moves).",
        role="uncertainty",
    )
    belief_fund_signal_weight: float = param(
        0.25,
        0.0,
        1.0,
        "weight",
        "Weight of the defection fund's kept payments (its credibility) in the evidence of "
        "Western resolve the leader sees while the fund's offer stands; the rest is resolve in "
        "force (aid delivered, sanctions enforced). 0: the fund is no signal.",
        role="uncertainty",
    )
    sanctions_economy_cost: float = param(
        0.2,
        0.0,
        1.0,
        "share",
        "Share of the regime's economic capacity that sanctions enforced at full resolve cost, "
        "as the leader reads his economy's strain (0: sanctions do not bite).",
        role="uncertainty",
    )
    resolve_lapse_start_week: int = param(
        -1,
        -1,
        1040,
        "week",
        "Week from which the West wavers: no aid delivered and no sanctions enforced "
        "(resolve 0) for resolve_lapse_weeks (-1: no lapse).",
        role="lever",
    )
    resolve_lapse_weeks: int = param(
        26, 0, 1040, "weeks", "Length of a lapse of Western resolve (0: none).", role="lever"
    )
    resolve_elite_cost: float = param(
        0.15,
        0.0,
        1.0,
        "utility per unit",
        "Elites' expected lasting cost of the war per unit of Western resolve (sanctions that "
        "will not be lifted).",
        role="uncertainty",
    )

    # --- measurement ---------------------------------------------------------------------------------
    stability_weight_elite_loyalty: float = param(
        0.3,
        0.0,
        1.0,
        "weight",
        "Weight of power-weighted elite loyalty in the stability index (a measure only: it "
        "changes no decision); the five weights sum to 1.",
        role="setting",
    )
    stability_weight_calm: float = param(
        0.15,
        0.0,
        1.0,
        "weight",
        "Weight of calm (1 - unrest pressure) in the stability index (a measure only: it changes "
        "no decision); the five weights sum to 1.",
        role="setting",
    )
    stability_weight_force_ratio: float = param(
        0.2,
        0.0,
        1.0,
        "weight",
        "Weight of the active force relative to its start in the stability index (a measure only: "
        "it changes no decision); the five weights sum to 1.",
        role="setting",
    )
    stability_weight_partner_cooperation: float = param(
        0.15,
        0.0,
        1.0,
        "weight",
        "Weight of partners' cooperation relative to its start in the stability index (a measure "
        "only: it changes no decision); the five weights sum to 1.",
        role="setting",
    )
    stability_weight_security: float = param(
        0.2,
        0.0,
        1.0,
        "weight",
        "Weight of security (1 - the leader's threat) in the stability index (a measure only: it "
        "changes no decision); the five weights sum to 1.",
        role="setting",
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
        for prefix, parts in WEIGHT_GROUPS.items():
            names = [prefix + part for part in parts]
            total = sum(getattr(self, name) for name in names)
            if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
                raise ValueError(f"{' + '.join(names)} must sum to 1, not {total:g}")
        for kind in ELITE_KINDS:
            lo, hi = f"elite_base_cost_min_{kind}", f"elite_base_cost_max_{kind}"
            if getattr(self, lo) > getattr(self, hi):
                raise ValueError(f"{lo} must be at most {hi}")
        if self.elite_loyalty_min > self.elite_loyalty_max:
            raise ValueError("elite_loyalty_min must be at most elite_loyalty_max")
        if not any(
            getattr(self, f"partner_{key}_base_cooperation")
            * getattr(self, f"partner_{key}_capacity_weight")
            for key in PARTNER_KEYS
        ):
            # Partners' cooperation is measured relative to this starting support.
            raise ValueError(
                "some partner must have both partner_*_base_cooperation and "
                "partner_*_capacity_weight above 0"
            )
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
        # Every soldier an agent, so that a small region's deaths are counts (docs/MODEL.md).
        "n_soldier_agents": 190_000,
        "soldiers_per_agent": 1.0,
        "initial_force_garrison_share": 0.3,
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
# The op-ed's package with every lever's backlash strong (docs/MODEL.md, "Backfire"): the exile
# rally, the campaign's rally and repression, collective punishment against the fund, and a
# successor that, when it does not end the war, is always hard-line.
PRESETS["backlash"] = {
    **PRESETS["combined"],
    "rally_effect": 0.5,
    "campaign_rally_effect": 0.3,
    "campaign_repression_floor": 0.5,
    "fund_punishment_backlash": 0.5,
    "hardline_successor_prob": 1.0,
}
# The package minus one lever each: is any lever necessary?
PRESETS["combined-no-exile"] = {**PRESETS["combined"], "exile_support": 0.0}
PRESETS["combined-no-minorities"] = {
    **PRESETS["combined"],
    "minority_campaign_intensity": 0.0,
    "partner_diplomacy": 0.0,
}
PRESETS["combined-no-fund"] = {
    **PRESETS["combined"],
    **{name: Scenario.model_fields[name].default for name in PRESETS["defection_fund"]},
}
PRESETS["combined-no-resolve"] = {
    **PRESETS["combined"],
    "western_resolve": Scenario.model_fields["western_resolve"].default,
}


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
    """One row per parameter, in declaration order.

    Each row has name, default, role, the figure a calibrated parameter was fitted to (else
    None), allowed (the bounds as text), lower and upper (the bounds as numbers, None for a
    field without numeric bounds), unit, source and description.
    """
    rows = []
    for name, info in Scenario.model_fields.items():
        extra = info.json_schema_extra or {}
        rows.append(
            {
                "name": name,
                "default": info.default,
                "role": extra["role"],
                "calibrated_to": extra.get("calibrated_to"),
                "allowed": _describe_allowed(name),
                "lower": extra.get("lo"),
                "upper": extra.get("hi"),
                "unit": extra.get("unit", ""),
                "source": extra.get("source", ASSUMPTION),
                "description": info.description or "",
            }
        )
    return rows


def parameter_json() -> str:
    """`parameter_rows` as JSON (``outlast params --format json``): bounds print as numbers.

    Dates print as ISO text; every other default and bound keeps its JSON type.
    """
    return json.dumps(parameter_rows(), indent=2, default=str)


def parameter_markdown() -> str:
    """The parameter table of docs/MODEL.md (``outlast params --format markdown``)."""
    lines = [
        "| parameter | role | default | allowed | unit | source | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in parameter_rows():
        desc = r["description"].replace("|", "/")
        lines.append(
            f"| `{r['name']}` | {r['role']} | {r['default']} | {r['allowed']} | {r['unit']} "
            f"| {r['source']} | {desc} |"
        )
    return "\n".join(lines)

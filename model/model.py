"""OutlastModel: builds the agents, runs the weekly order of events, collects the metrics.

One step is one week. The order of events within a week (docs/MODEL.md, "Process overview"):

1. Western levers for this week (policy schedule); the fund receives its income.
2. Foreign partners update their cooperation; their munitions, trade and migrant labour set this
   week's front death hazard, the regime's capacity and the recruits.
3. Recruitment by region (and any mobilisation), with the bonus the leader sets.
4. Soldiers: rotation, casualties at the front, awareness of the offer, the leave decision,
   surrenders paid from the fund, deserters caught and returned.
5. Regions: grievance and Epstein unrest, with the leader's repression and any rally effect.
6. The government-in-exile negotiates with Kyiv (the army's decline and repression as they stand).
7. Elites choose loyal, pressing or conspiring; a coup is attempted if conspiring power suffices.
   Chiefs contact the exile government; contacts are detected and purged; some chiefs defect.
8. The leader updates his belief (on the evidence of Western resolve), commitment and threat
   (elites, coups, the army's decline and strain, the economy, unrest, an exile agreement), and
   ends the war or responds (bonus, repression, purges of detected conspirators).
9. Metrics are collected; the run stops at an outcome or the horizon.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.draws import categorical
from agents.elites import (
    CoupRule,
    EliteAction,
    EliteCircle,
    EliteMakeup,
    EliteRule,
    EliteSignals,
    coup_success_probability,
)
from agents.exile import ExileRule, GovernmentInExile
from agents.leader import Leader, LeaderRule, Threats
from agents.partners import ForeignPartner, PartnerRule, SupplyChannel, relative_supply
from agents.regime import RegimeRule, unit_interval, weighted_mean
from agents.regions import MONTHS_PER_YEAR, RecruitmentRule, RegionPopulation, UnrestRule
from agents.soldiers import (
    EAGER_VIEW_LIMIT,
    ArmyWeek,
    DecisionWeights,
    SoldierCorps,
    SoldierKind,
)
from model.metrics import (
    OUTCOMES,
    SUCCESSOR_STANCES,
    MetricsCollector,
    compute_metrics,
    stability_weights,
)
from model.policy import DefectionFund, Levers, collective_punishment, levers_at
from model.scenario import Scenario, make_scenario, preset_overrides
from model.seeds import parse_seed
from model.streams import RandomStreams


@dataclass(frozen=True)
class CoupEvent:
    """A coup attempt: its week, the conspiring power share, its chance and its result."""

    week: int
    conspiring_power: float
    success_probability: float
    succeeded: bool


KIND_EXPOSURE_FIELDS = {
    SoldierKind.PROFESSIONAL: None,
    SoldierKind.MOBILISED: "mobilised_exposure",
    SoldierKind.CONTRACT: "contract_exposure",
}
KIND_LOYALTY_FIELDS = {
    SoldierKind.PROFESSIONAL: "loyalty_professional",
    SoldierKind.MOBILISED: "loyalty_mobilised",
    SoldierKind.CONTRACT: "loyalty_contract",
}
#: Most soldier agents a run holds (twice the largest starting force, about 2 GB with their ties):
#: recruits beyond it are thinned at random. Only extreme recruitment (one soldier per agent, or
#: pay, bonus and elasticity at the top of their ranges) reaches it (docs/MODEL.md).
MAX_SOLDIER_AGENTS = 4_000_000
#: Room in the soldier arrays allocated at the start over a run's recruitment at the default rate.
#: The unit network is drawn for every slot at the start, so it changes the random draws; it is a
#: numerical choice (a run that recruits more grows the arrays), not an assumption about the world.
RECRUIT_CAPACITY_HEADROOM = 1.3
#: Cumulative army counts kept by the model (in agents).
ARMY_COUNTS = ("deaths", "invalided", "desertions", "surrenders", "returned", "contacts")


def _read_data(name: str) -> pd.DataFrame:
    """A CSV file shipped in model/data."""
    with resources.files("model").joinpath(f"data/{name}").open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


def load_regions() -> pd.DataFrame:
    """The 85 regions of model/data/regions.csv with their geography and 2022 garrisons.

    Read and merged once per process (`_regions_table`, about 14 ms, 5% of a default run);
    each call returns a deep copy, so a caller may change its table freely.

    Adds `federal_district` and `urban_share_2021` (regions_geography.csv) and
    `garrison_strength_2022`, the nominal strength of the combat formations garrisoned in the
    region in February 2022 (garrisons_2022_by_region.csv). An urban share the sources lack is
    the median of the filled regions of its federal district, never a value chosen by name;
    `urban_share_filled` marks those rows (model/data/README.md).
    """
    return _regions_table().copy(deep=True)


@functools.cache
def _regions_table() -> pd.DataFrame:
    """`load_regions`'s table, read from the shipped CSV files (once per process)."""
    regions = _read_data("regions.csv")
    geography = _read_data("regions_geography.csv")[["iso", "federal_district", "urban_share_2021"]]
    garrisons = _read_data("garrisons_2022_by_region.csv")[["iso", "nominal_strength_total"]]
    table = regions.merge(geography, on="iso", how="left", validate="one_to_one").merge(
        garrisons.rename(columns={"nominal_strength_total": "garrison_strength_2022"}),
        on="iso",
        how="left",
        validate="one_to_one",
    )
    district_median = table.groupby("federal_district")["urban_share_2021"].transform("median")
    table["urban_share_filled"] = table["urban_share_2021"].isna()
    table["urban_share_2021"] = table["urban_share_2021"].fillna(district_median)
    table["garrison_strength_2022"] = table["garrison_strength_2022"].fillna(0.0)
    return table


class OutlastModel(mesa.Model):
    """The simulation. Accepts every Scenario field as a keyword, plus ``preset`` and ``rng``.

    Args:
        rng: Seed or numpy Generator (Mesa's ``rng``). The model's own draws come from one
            stream per subsystem spawned from it (`streams`, model/streams.py); Mesa's
            ``self.rng`` stays for Mesa's own use. A seed may be a string of digits (SolaraViz's
            seed box returns text).
        preset: A preset name whose values are applied before the keyword overrides.
        scenario_obj: A ready Scenario (overrides ``preset`` and keywords when given).
        per_agent_decisions: Step soldiers' decisions through each Soldier agent instead of the
            vectorized kernel (same rule, same draws, same results; for tests and small runs).
        scenario: Mesa's own Scenario, which SolaraViz's reset passes; its values are taken as
            keywords and its rng as ``rng`` when none is given. Not outlast's Scenario.
        **params: Scenario fields.

    Examples:
        >>> m = OutlastModel(rng=1, n_soldier_agents=2_000, horizon_weeks=4)
        >>> m.run_model()
        >>> m.outcome
        'ongoing'

    """

    def __init__(
        self,
        rng: Any = None,
        preset: str | None = None,
        scenario_obj: Scenario | None = None,
        per_agent_decisions: bool = False,
        scenario: mesa.experimental.scenarios.Scenario | None = None,
        **params: Any,
    ) -> None:
        if scenario is not None:
            mesa_values = dict(scenario)
            mesa_rng = mesa_values.pop("rng")
            rng = mesa_rng if rng is None else rng
            params = {**mesa_values, **params}
        rng = parse_seed(rng) if isinstance(rng, str) else rng
        super().__init__(rng=rng)
        #: The integer seed of this run (None when built from a Generator or from entropy).
        self.seed: int | None = int(rng) if isinstance(rng, int | np.integer) else None
        #: One random stream per subsystem, each week from its own place (model/streams.py).
        self.streams = RandomStreams.from_generator(self.rng)
        if scenario_obj is None:
            base = preset_overrides(preset) if preset else {}
            scenario_obj = make_scenario({**base, **params})
        self.params: Scenario = scenario_obj
        self.per_agent_decisions = per_agent_decisions
        s = scenario_obj
        self.week = 0
        self.outcome = OUTCOMES[0]
        self.outcome_week = -1
        self.war_ended = False
        self.coup_attempts = 0
        self.coups_succeeded = 0
        self.coup_events: list[CoupEvent] = []
        self.conspiring_power = 0.0
        self.elite_pressure = 0.0
        # The same power shares after this week's coup and purges: what the leader reads as threat.
        self.threat_conspiring_power = 0.0
        self.threat_elite_pressure = 0.0
        #: A new regime's stance towards the war (`SUCCESSOR_STANCES`); "none" without one.
        self.successor_stance = SUCCESSOR_STANCES[0]
        # Values that cannot change for the rest of the week once the army has moved, kept while
        # `step` holds the memo open (`_memo`); None outside a step, where nothing is kept.
        self._week_memo: dict[str, float] | None = None
        # Active force at the end of each week, for the army's trend (`army_decline`).
        self.active_history: list[float] = []
        # Each week's (recruits, net losses) in agents, for the army's strain (`army_strain`).
        self.army_flows: list[tuple[int, int]] = []

        # The rules, each read from the Scenario once.
        self.weights = DecisionWeights.from_scenario(s)
        self.unrest_rule = UnrestRule.from_scenario(s)
        self.recruitment_rule = RecruitmentRule.from_scenario(s)
        self.regime_rule = RegimeRule.from_scenario(s)
        self.elite_rule = EliteRule.from_scenario(s)
        self.coup_rule = CoupRule.from_scenario(s)
        self.partner_rule = PartnerRule.from_scenario(s)
        self.stability_weights = stability_weights(s)

        # The agents, each drawing from its subsystem's stream.
        self.regions = RegionPopulation(
            self,
            load_regions(),
            s.citizens_per_region,
            self.streams.citizens,
            s.citizen_hardship_spread,
        )
        self.corps = self._build_corps()
        # Men 16-61 x minority share: the weights of `minority_unrest` (fixed data, so made once).
        self._minority_men = self.regions.men_16_61 * self.regions.minority_share
        self.elites = EliteCircle(self, EliteMakeup.from_scenario(s), self.streams.elites)
        self.leader = Leader(
            self, LeaderRule.from_scenario(s), s.belief_outlast_west, s.signup_bonus_rub
        )
        self.exile = GovernmentInExile(self, ExileRule.from_scenario(s))
        self.partners = [
            ForeignPartner(self, a, self.partner_rule) for a in self.partner_rule.archetypes
        ]
        self.fund = DefectionFund.from_scenario(s)

        # The scale is set at the default pay and bonus, so that a scenario's own pay and bonus
        # (and the leader's raises) move recruitment relative to the 2024 figure.
        defaults = Scenario.model_fields
        self._recruit_scale = (
            s.recruits_per_week_at_defaults
            / self._recruitment_weights(
                defaults["signup_bonus_rub"].default,
                np.zeros(self.regions.n),
                monthly_pay_rub=defaults["monthly_pay_rub"].default,
            ).sum()
        )
        self._enlist_initial_force()
        self.initial_active = float(self.corps.active_count())
        self.cumulative = dict.fromkeys(ARMY_COUNTS, 0)
        self.hotline_surrenders = 0
        self.recent_desertions: list[int] = []
        self.stability_history: list[float] = []
        self.levers: Levers = levers_at(s, 0)
        self.metrics: dict[str, float] = {}
        self.week_counts = dict.fromkeys(("recruits", *ARMY_COUNTS), 0)
        self.datacollector = MetricsCollector()
        self._collect()

    # ---- building -------------------------------------------------------------------------

    def _build_corps(self) -> SoldierCorps:
        """The soldiers' arrays, sized for the starting force and the recruits a run expects."""
        s = self.params
        expected_recruits = (
            s.recruits_per_week_at_defaults * s.horizon_weeks * RECRUIT_CAPACITY_HEADROOM
        )
        expected_recruits += s.mobilisation_size if s.mobilisation_week >= 0 else 0.0
        capacity = int(s.n_soldier_agents + expected_recruits / s.soldiers_per_agent) + 1
        capacity = min(capacity, MAX_SOLDIER_AGENTS)
        capacity = -(-capacity // s.unit_size_agents) * s.unit_size_agents
        return SoldierCorps(
            self,
            capacity=capacity,
            unit_size=s.unit_size_agents,
            ties=s.peer_ties,
            rewire_prob=s.peer_rewire_prob,
            weights=self.weights,
            rng=self.streams.army,
            eager_views=s.n_soldier_agents + expected_recruits / s.soldiers_per_agent
            <= EAGER_VIEW_LIMIT,
        )

    def _recruitment_weights(
        self, bonus_rub: float, unrest: np.ndarray, monthly_pay_rub: float | None = None
    ) -> np.ndarray:
        """Expected sign-ups per region before scaling (agents/regions.py, `RecruitmentRule`).

        The reward is a year's pay plus the bonus; the pay is the scenario's unless given.
        """
        pay = self.params.monthly_pay_rub if monthly_pay_rub is None else monthly_pay_rub
        return self.recruitment_rule.weights(
            self.regions, pay * MONTHS_PER_YEAR + bonus_rub, unrest
        )

    @functools.cached_property
    def _enlist_tables(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What `_enlist` looks up, fixed by the scenario and the regions' data.

        Exposure and loyalty by kind (a kind without an exposure field multiplies by 1.0, which
        is exact), and by region the value of a year's pay against a year's home income (the
        same money value as the West's offer).
        """
        s = self.params
        kinds = sorted(KIND_LOYALTY_FIELDS)
        kind_exposure = np.array(
            [getattr(s, KIND_EXPOSURE_FIELDS[k]) if KIND_EXPOSURE_FIELDS[k] else 1.0 for k in kinds]
        )
        kind_loyalty = np.array([getattr(s, KIND_LOYALTY_FIELDS[k]) for k in kinds])
        pay_value = np.log1p(s.monthly_pay_rub / self.regions.mean_income_rub)
        return kind_exposure, kind_loyalty, pay_value

    def _enlist(self, region: np.ndarray, kind: np.ndarray, at_front: np.ndarray) -> np.ndarray:
        """Create soldiers from their home regions and kinds; returns their indices."""
        s = self.params
        r = self.regions
        n = region.size
        rng = self.streams.recruitment
        minority = rng.random(n) < r.minority_share[region]
        kind_exposure, kind_loyalty, pay_value_by_region = self._enlist_tables
        exposure = np.where(minority, s.minority_exposure, 1.0) * kind_exposure[kind]
        loyalty = kind_loyalty[kind]
        pay_value = pay_value_by_region[region]
        threshold = rng.normal(s.leave_threshold_mean, s.leave_threshold_sd, n)
        idx = self.corps.recruit(
            region=region,
            minority=minority,
            kind=kind,
            at_front=at_front,
            loyalty=loyalty,
            pay_value=pay_value,
            exposure=exposure,
            threshold=threshold,
            week=self.week,
            rng=rng,
        )
        self.regions.recruits += np.bincount(region, minlength=r.n) * s.soldiers_per_agent
        return idx

    def _enlist_initial_force(self) -> None:
        """The force at week 0: part placed by the 2022 garrisons and at the front, the rest drawn.

        The first `initial_force_garrison_share` of the agents have the garrison regions of
        February 2022 as home (in proportion to the formations' nominal strength) and stand for
        the formations first sent in: they are at the front, as far as `share_at_front` allows;
        the others come from the recruitment weights (or population) and fill the rest of the
        front share (docs/MODEL.md, "Initial force").
        """
        s = self.params
        r = self.regions
        n = s.n_soldier_agents
        if s.initial_force_regional_mix == "population":
            weights = r.men_16_61
        else:
            weights = self._recruitment_weights(s.signup_bonus_rub, np.zeros(r.n))
            if weights.sum() <= 0.0:  # no pay and no bonus: nobody would sign up for nothing
                weights = r.men_16_61
        # A garrison fills its ranks locally at the rate local men sign contracts: its strength
        # times the region's sign-ups per man (a unit in a region that sends few recruits is
        # manned from elsewhere, and those men are in the drawn part).
        garrison_weights = r.garrison_strength * weights / r.men_16_61
        n_garrison = round(s.initial_force_garrison_share * n)
        if garrison_weights.sum() <= 0.0:
            n_garrison = 0
        rng = self.streams.recruitment
        # The draws of rng.choice, mapped to categories faster (agents/draws.py).
        region = np.concatenate(
            [
                categorical(rng, n_garrison, garrison_weights / garrison_weights.sum())
                if n_garrison
                else np.zeros(0, dtype=np.int64),
                categorical(rng, n - n_garrison, weights / weights.sum()),
            ]
        )
        share_professional = 1.0 - s.share_mobilised - s.share_contract
        kind = categorical(
            rng, n, np.array([share_professional, s.share_mobilised, s.share_contract])
        )
        # The garrison-placed agents take the front first; the front share stays share_at_front.
        garrison_share = n_garrison / n
        p_front_garrison = min(1.0, s.share_at_front / garrison_share) if n_garrison else 0.0
        p_front_other = (
            max(0.0, (s.share_at_front - garrison_share) / (1.0 - garrison_share))
            if n_garrison < n
            else 0.0
        )
        p_front = np.where(np.arange(n) < n_garrison, p_front_garrison, p_front_other)
        at_front = rng.random(n) < p_front
        self._enlist(region, kind, at_front)

    # ---- the week -------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one week in the documented order."""
        if self.outcome != OUTCOMES[0] or self.week >= self.params.horizon_weeks:
            self.running = False
            return
        self.week += 1
        self.streams.start_week(self.week)
        s = self.params
        self.levers = levers_at(s, self.week)
        self.fund.receive(self.levers.fund_income_usd)
        self._campaign_crackdown()
        for partner in self.partners:
            partner.update(self.levers.minority_campaign, self.levers.partner_diplomacy)
        self.regions.raise_awareness(self.levers.minority_campaign, self.unrest_rule)
        self._recruitment()
        self._army_week()
        # From here to the end of the week no soldier changes status (the regions, the exile,
        # the elites and the leader do not touch the corps), so the army's active count and
        # decline are kept once computed; `_collect` drops the decline when it extends the
        # active force's history, which the decline reads (tests/perf/test_week_caches.py).
        self._week_memo = {}
        try:
            self.regions.update_unrest(
                self.legitimacy(), self.leader.repression, self.unrest_rule, self.streams.citizens
            )
            self.exile.negotiate(
                self.week, self.streams.exile, self.army_decline(), self.leader.repression
            )
            self._elite_politics()
            if self.outcome == OUTCOMES[0] and self.exile.formed:
                self._exile_contacts()
            self._leader_decides()
            self._collect()
        finally:
            self._week_memo = None
        if self.outcome != OUTCOMES[0] or self.week >= s.horizon_weeks:
            self.running = False

    def _recruitment(self) -> None:
        s = self.params
        n = self.regions.n
        weights = self._recruitment_weights(self.leader.bonus_rub, self.regions.unrest)
        expected_agents = (
            self._recruit_scale * self.partner_labour_factor() * weights / s.soldiers_per_agent
        )
        # No region sends more men than it has (only binds at extreme pay, bonus and elasticity).
        not_enlisted = np.maximum(self.regions.men_16_61 - self.regions.recruits, 0.0)
        left = np.floor(not_enlisted / s.soldiers_per_agent).astype(np.int64)
        rng = self.streams.recruitment
        signed = np.minimum(rng.poisson(np.minimum(expected_agents, left)), left)
        called = np.zeros(n, dtype=signed.dtype)
        if self.week == s.mobilisation_week:
            # Quotas in proportion to men aged 16-61 (assumption; reported quotas were uneven).
            quota = self.regions.men_16_61 / self.regions.men_16_61.sum()
            called = rng.multinomial(round(s.mobilisation_size / s.soldiers_per_agent), quota)
        counts = np.concatenate([signed, called])
        room = max(MAX_SOLDIER_AGENTS - self.corps.size, 0)
        if counts.sum() > room:
            counts = rng.multivariate_hypergeometric(counts, room)
        region = np.repeat(np.tile(np.arange(n), 2), counts)
        kinds = np.repeat(
            [SoldierKind.CONTRACT, SoldierKind.MOBILISED], [counts[:n].sum(), counts[n:].sum()]
        )
        at_front = rng.random(region.size) < s.share_at_front
        self._enlist(region, kinds, at_front)
        self.week_counts["recruits"] = region.size

    def _offer_value_by_region(self) -> np.ndarray:
        """Value of the Western payment per home region.

        log1p(payment / yearly home income), discounted by soldiers' trust in a Western promise
        and by the fund's credibility.
        """
        s = self.params
        payment_rub = self.levers.defection_payment_usd * s.rub_per_usd
        discount = s.offer_trust * self.fund.credibility
        return discount * np.log1p(payment_rub / self.regions.yearly_income_rub())

    def expected_punishment(self) -> float:
        """Expected punishment E = min(1, severity x (1 + repression) + collective) x P(caught).

        Collective punishment is the fund's backlash (`collective_punishment`); P(caught) is the
        chance of being caught within the detection horizon (half a year).
        """
        s = self.params
        severity = min(
            1.0,
            s.punishment_severity * (1.0 + self.leader.repression)
            + collective_punishment(s, self.levers),
        )
        caught = 1.0 - (1.0 - s.deserter_detection_per_week) ** s.detection_horizon_weeks
        return severity * caught

    def partner_supply(self, channel: SupplyChannel) -> float:
        """Partners' supply through `channel` relative to its start (agents/partners.py)."""
        return relative_supply(self.partners, channel)

    def front_hazard_factor(self) -> float:
        """The front's death hazard multiplier: 1 + rise x (1 - partners' munitions supply)."""
        shortfall = 1.0 - min(1.0, self.partner_supply(SupplyChannel.MUNITIONS))
        return 1.0 + self.params.partner_munitions_hazard_rise * shortfall

    def partner_labour_factor(self) -> float:
        """The recruits multiplier: 1 - labour share x (1 - partners' migrant labour supply)."""
        shortfall = 1.0 - min(1.0, self.partner_supply(SupplyChannel.LABOUR))
        return 1.0 - self.params.partner_labour_recruitment_share * shortfall

    def army_week_inputs(self) -> ArmyWeek:
        """What the soldier kernel needs from the rest of the model this week."""
        s = self.params
        regions = self.regions
        week = ArmyWeek.from_scenario(
            s,
            offer_reach=self.levers.offer_reach,
            grievance_by_region=regions.grievance,
            minority_grievance_by_region=s.discrimination_grievance * (1.0 + regions.awareness),
            offer_value_by_region=self._offer_value_by_region(),
            punishment=self.expected_punishment(),
        )
        # Partners' munitions and drones hold the front's losses down; without them it bleeds more.
        return replace(week, death_hazard=week.death_hazard * self.front_hazard_factor())

    def _army_week(self) -> None:
        """The soldier kernel's week, then its bookkeeping: surrenders paid, losses counted."""
        result = self.corps.week(
            self.army_week_inputs(), self.streams.army, per_agent=self.per_agent_decisions
        )
        self._pay_surrenders(result.surrendered)
        self._record_losses(
            {
                "deaths": np.concatenate([result.killed, result.died_crossing]),
                "invalided": result.invalided,
                "desertions": result.deserters,
                "surrenders": result.surrendered,
            }
        )
        for name, count in (("returned", result.caught.size), ("contacts", result.contacts)):
            self.week_counts[name] = count
            self.cumulative[name] += count
        self.hotline_surrenders += int(self.corps.aware[result.surrendered].sum())
        self.recent_desertions = [*self.recent_desertions[-3:], result.deserters.size]

    def _record_losses(self, losses: dict[str, np.ndarray]) -> None:
        """Count this week's losses (agent indices) nationally and by home region."""
        per = self.params.soldiers_per_agent
        for name, idx in losses.items():
            self.week_counts[name] = idx.size
            self.cumulative[name] += idx.size
            if hasattr(self.regions, name):
                by_region = np.bincount(self.corps.region[idx], minlength=self.regions.n) * per
                setattr(self.regions, name, getattr(self.regions, name) + by_region)

    def _pay_surrenders(self, surrendered: np.ndarray) -> None:
        """Soldiers who knew of the offer claim the payment; the fund pays as far as it can."""
        s = self.params
        claims = int(self.corps.aware[surrendered].sum())
        self.fund.settle(claims, self.levers.defection_payment_usd * s.soldiers_per_agent)

    def legitimacy(self) -> float:
        """Legitimacy L: the base plus any rally effect (a visible exile government, the campaign)."""
        return float(min(1.0, self.params.legitimacy + self.rally()))

    def rally(self) -> float:
        """The rally effect R = rally_effect x exile visibility + campaign_rally_effect x campaign.

        Both are Western-run levers the regime can paint as foreign meddling (docs/MODEL.md,
        "Backfire").
        """
        s = self.params
        return (
            s.rally_effect * self.exile.visibility
            + s.campaign_rally_effect * self.levers.minority_campaign
        )

    def _campaign_crackdown(self) -> None:
        """Repression is at least campaign_repression_floor x the campaign's intensity this week."""
        floor = self.params.campaign_repression_floor * self.levers.minority_campaign
        self.leader.repression = max(self.leader.repression, min(1.0, floor))

    def unrest(self) -> float:
        """Unrest: share of citizens active, weighted by men aged 16-61."""
        return self.regions.population_weighted(self.regions.unrest)

    def minority_unrest(self) -> float:
        """Regional unrest weighted by minority men (men 16-61 x minority share)."""
        return float(weighted_mean(self.regions.unrest, self._minority_men))

    def _memo(self, key: str, compute: Callable[[], float]) -> float:
        """``compute()``, kept under ``key`` while the week's memo is open (`step`)."""
        memo = self._week_memo
        if memo is None:
            return compute()
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    def _active_count(self) -> int:
        """Active soldier agents (kept for the rest of the week once the army has moved)."""
        return self._memo("active", self.corps.active_count)

    def army_decline(self) -> float:
        """The army's decline in [0, 1] as insiders read it.

        The larger of the fall of the active force below its start and below its highest level
        in the last `army_trend_window_weeks` weeks: a shrinking army registers even after it
        grew, and a long decline from the start is not forgotten. Kept for the rest of the week
        once the army has moved, until the week's active force joins the history (`step`).
        """
        return self._memo("army_decline", self._army_decline)

    def _army_decline(self) -> float:
        active = float(self._active_count())
        recent = self.active_history[-self.params.army_trend_window_weeks :]
        reference = max([self.initial_active, *recent]) if recent else self.initial_active
        from_start = 1.0 - active / self.initial_active if self.initial_active else 0.0
        from_peak = 1.0 - active / reference if reference else 0.0
        return float(unit_interval(max(from_start, from_peak)))

    def army_strain(self) -> float:
        """The army's replacement shortfall in [0, 1], as the leader reads it.

        1 - recruits / losses over the last `army_trend_window_weeks` weeks, clipped to [0, 1]:
        the share of losses (killed, invalided, deserted, surrendered, less deserters caught and
        returned) that recruitment did not replace. A growing army has none, whatever its losses;
        a bonus at its budget ceiling cannot buy the difference back.
        """
        recent = self.army_flows[-self.params.army_trend_window_weeks :]
        recruits = sum(r for r, _ in recent)
        losses = sum(lost for _, lost in recent)
        return float(unit_interval(1.0 - recruits / losses)) if losses > 0 else 0.0

    def _record_army_flow(self) -> None:
        """Keep this week's recruits and net losses (in agents) for the army's strain."""
        c = self.week_counts
        losses = c["deaths"] + c["invalided"] + c["desertions"] + c["surrenders"] - c["returned"]
        self.army_flows.append((c["recruits"], losses))

    def economic_strain(self) -> float:
        """The economy's strain in [0, 1] as the leader reads it: 1 - K x (1 - c x resolve).

        K is the regime's capacity (partners' cooperation); c = `sanctions_economy_cost` is the
        share of it that sanctions enforced at full resolve cost. The fund's spending of seized
        assets is not counted: that money is already lost to him.
        """
        sanctions = self.params.sanctions_economy_cost * self.levers.resolve
        return float(unit_interval(1.0 - self.regime_capacity() * (1.0 - sanctions)))

    def regime_capacity(self) -> float:
        """Economic capacity in [0, 1]: 1 - partner share x (1 - partners' relative cooperation)."""
        cooperation = min(1.0, self.partner_cooperation())
        return 1.0 - self.params.partner_capacity_share * (1.0 - cooperation)

    def partner_cooperation(self) -> float:
        """Partners' components and trade (capacity-weighted cooperation) relative to the start."""
        return self.partner_supply(SupplyChannel.TRADE)

    def regime_strength(self) -> float:
        """The regime's strength as elites see it, in [0, 1] (agents/regime.py)."""
        return self.regime_rule.strength(
            self.army_decline(), self.unrest(), self.regime_capacity(), self.legitimacy()
        )

    def _elite_signals(self) -> EliteSignals:
        s = self.params
        return EliteSignals(
            regime_strength=self.regime_strength(),
            army_decline=self.army_decline(),
            capacity_shortfall=1.0 - self.regime_capacity(),
            outside_option=self.exile.outside_option(),
            repression_fear=s.repression_elite_fear * self.leader.repression,
            resolve_cost=s.resolve_elite_cost * self.levers.resolve,
            rally=self.rally(),
        )

    def _elite_politics(self) -> None:
        """Elites choose their actions; a coup is attempted when conspiring power suffices."""
        s = self.params
        elites = self.elites
        elites.decay_fear(s.fear_decay_per_week)
        elites.choose_actions(self._elite_signals(), self.elite_rule, self.streams.elites)
        # This week's politics, read before any purge empties the conspirators' seats.
        self.conspiring_power = elites.power_share(EliteAction.CONSPIRING)
        self.elite_pressure = 1.0 - elites.power_share(EliteAction.LOYAL)
        if self.conspiring_power >= self.coup_rule.threshold:
            self._coup()
        # The leader reads the circle as the coup and its purges left it: purged plotters no
        # longer threaten him, their loyal successors do not press.
        self.threat_conspiring_power = elites.power_share(EliteAction.CONSPIRING)
        self.threat_elite_pressure = 1.0 - elites.power_share(EliteAction.LOYAL)

    def _coup(self) -> None:
        """A coup attempt: regime change if it succeeds; purges, fear and repression if not."""
        rule = self.coup_rule
        p_success = coup_success_probability(
            self.conspiring_power,
            self.army_decline(),
            self.regime_rule.unrest_pressure(self.unrest()),
            rule,
        )
        succeeded = bool(self.streams.regime.random() < p_success)
        self.coup_attempts += 1
        self.coup_events.append(CoupEvent(self.week, self.conspiring_power, p_success, succeeded))
        if succeeded:
            self.coups_succeeded += 1
            self._finish("regime_change")
            self._succession()
            return
        plotters = np.flatnonzero(self.elites.action == EliteAction.CONSPIRING)
        self.elites.purge(
            plotters, self.week, rule.purge_fear, rule.newcomer_loyalty, self.streams.elites
        )
        self.elites.frighten(np.arange(self.elites.n), rule.purge_fear)
        self.leader.crack_down(rule.repression_after_failure)

    def _succession(self) -> None:
        """The new regime's stance: it ends the war, or continues it, hard-line or as before."""
        rule = self.coup_rule
        p_end = rule.war_end_prob_agreement if self.exile.agreement else rule.war_end_prob
        self.war_ended = bool(self.streams.regime.random() < p_end)
        if self.war_ended:
            self.successor_stance = "ends_war"
        elif self.streams.regime.random() < rule.hardline_prob:
            self.successor_stance = "hard_line"
        else:
            self.successor_stance = "continues"

    def _exile_contacts(self) -> None:
        """Chiefs contact the exile government; the detected are purged; some chiefs defect.

        Detected contacts are purged as detected conspirators are (their neighbours frightened);
        defectors' seats are refilled and their power lends the agreement's terms credibility.
        """
        rule = self.exile.rule
        coup_rule = self.coup_rule
        elites = self.elites
        rng = self.streams.elites
        elites.contact_exile(rule.contact_per_week, rng)
        detected = elites.detect_contacts(rule.contact_detection(self.leader.repression), rng)
        elites.purge_detected(
            detected, self.week, coup_rule.purge_fear, coup_rule.newcomer_loyalty, rng
        )
        defectors = elites.defect(
            self._elite_signals(),
            self.elite_rule,
            rule.defection_per_week,
            coup_rule.newcomer_loyalty,
            rng,
        )
        if defectors.size:
            self.exile.welcome_defectors(float(elites.power[defectors].sum() / elites.power.sum()))

    def _purge_detected(self) -> None:
        """Purge the conspirators the security services detect; frighten their neighbours."""
        rule = self.coup_rule
        elites = self.elites
        plotters = np.flatnonzero(elites.action == EliteAction.CONSPIRING)
        p_detect = min(1.0, rule.detection_per_week * (1.0 + self.leader.repression))
        detected = plotters[self.streams.regime.random(plotters.size) < p_detect]
        elites.purge_detected(
            detected, self.week, rule.purge_fear, rule.newcomer_loyalty, self.streams.elites
        )

    def _leader_decides(self) -> None:
        if self.outcome != OUTCOMES[0]:
            return
        s = self.params
        leader = self.leader
        self._record_army_flow()
        capacity = self.regime_capacity()
        offer_on = self.levers.defection_payment_usd > 0.0
        leader.update_belief(
            leader.resolve_evidence(self.levers.resolve, self.fund.credibility, offer_on)
        )
        leader.update_commitment(capacity, self.rally())
        leader.perceive(
            Threats(
                elite_pressure=self.threat_elite_pressure,
                coup_risk=min(1.0, self.threat_conspiring_power / self.coup_rule.threshold),
                army_decline=self.army_decline(),
                unrest=self.unrest(),
                exile_agreement=self.exile.support if self.exile.agreement else 0.0,
                army_strain=self.army_strain(),
                economic_strain=self.economic_strain(),
            )
        )
        if leader.wants_to_end_war:
            self._finish("ended_by_negotiation")
            self.war_ended = True
            return
        if leader.respond(s.bonus_budget_rub * capacity):
            self._purge_detected()

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.outcome_week = self.week

    # ---- metrics --------------------------------------------------------------------------

    def _collect(self) -> None:
        self.active_history.append(float(self._active_count()))
        if self._week_memo is not None:
            self._week_memo.pop("army_decline", None)  # it reads the history just extended
        self.metrics = compute_metrics(self)
        self.stability_history.append(self.metrics["stability_index"])
        self.datacollector.collect(self)

    # ---- outputs --------------------------------------------------------------------------

    def weekly_table(self) -> pd.DataFrame:
        """The collected weekly metrics, one row per week, with calendar dates."""
        df = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        start = pd.Timestamp(self.params.start_date)
        df.insert(1, "date", start + pd.to_timedelta(df["week"] * 7, unit="D"))
        return df

    def region_table(self) -> pd.DataFrame:
        """Per region: recruits, deaths (and per 100,000 men 16-61), desertions, surrenders, unrest."""
        r = self.regions
        return pd.DataFrame(
            {
                "region": r.names,
                "iso": r.iso,
                "men_16_61": r.men_16_61,
                "minority_share": r.minority_share,
                "minority_tradition": r.table["minority_tradition"].to_numpy(),
                "pct_below_subsistence": 100.0 * r.poverty,
                "recruits": r.recruits,
                "deaths": r.deaths,
                "deaths_per_100k_men": 1e5 * r.deaths / r.men_16_61,
                "invalided": r.invalided,
                "desertions": r.desertions,
                "surrenders": r.surrenders,
                "grievance": r.grievance,
                "unrest": r.unrest,
            }
        )

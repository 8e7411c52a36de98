"""OutlastModel: builds the agents, runs the weekly order of events, collects the metrics.

One step is one week. The order of events within a week (docs/MODEL.md, "Process overview"):

1. Western levers for this week (policy schedule); the fund receives its income.
2. Foreign partners update their cooperation; the regime's capacity follows.
3. Recruitment by region (and any mobilisation), with the bonus the leader sets.
4. Soldiers: rotation, casualties at the front, awareness of the offer, the leave decision,
   surrenders paid from the fund, deserters caught and returned.
5. Regions: grievance and Epstein unrest, with the leader's repression and any rally effect.
6. The government-in-exile negotiates with Kyiv.
7. Elites choose loyal, pressing or conspiring; a coup is attempted if conspiring power suffices.
8. The leader updates his belief and threat, responds, and may end the war.
9. Metrics are collected; the run stops at an outcome or the horizon.
"""

from __future__ import annotations

from functools import partial
from importlib import resources
from typing import Any

import mesa
import numpy as np
import pandas as pd

from agents.elites import (
    CONSPIRING,
    LOYAL,
    EliteCircle,
    EliteSignals,
    coup_success_probability,
)
from agents.exile import GovernmentInExile
from agents.leader import Leader, Threats
from agents.partners import ARCHETYPES, ForeignPartner
from agents.regions import MONTHS_PER_YEAR, RegionPopulation, UnrestRule
from agents.soldiers import (
    ACTIVE,
    CONTRACT,
    DESERT,
    DESERTED,
    EAGER_VIEW_LIMIT,
    KILLED,
    MOBILISED,
    PROFESSIONAL,
    SURRENDER,
    SURRENDERED,
    DecisionWeights,
    SoldierCorps,
    WeekInputs,
    logistic_shock,
)
from model.metrics import METRIC_NAMES, OUTCOMES, stability_index
from model.policy import DefectionFund, Levers, levers_at
from model.scenario import (
    RUB_PER_USD,
    Scenario,
    ScenarioError,
    make_scenario,
    preset_overrides,
)

KIND_EXPOSURE_FIELDS = {
    PROFESSIONAL: None,
    MOBILISED: "mobilised_exposure",
    CONTRACT: "contract_exposure",
}


def load_regions() -> pd.DataFrame:
    """The 85 regions shipped in model/data/regions.csv."""
    with resources.files("model").joinpath("data/regions.csv").open("r", encoding="utf-8") as f:
        return pd.read_csv(f)


def seed_from_text(text: str) -> int:
    """A seed typed as text (SolaraViz's seed box), as an int.

    Raises:
        ScenarioError: If the text is not a whole number from 0 to 2^63 - 1.

    """
    try:
        seed = int(text.strip())
    except ValueError:
        raise ScenarioError(f"seed '{text}' is not a whole number") from None
    if not 0 <= seed < 2**63:
        raise ScenarioError(f"seed {seed} must be in 0 .. 2^63-1")
    return seed


def read_metric(model: OutlastModel, name: str) -> float:
    """A DataCollector reporter: one of this week's metrics (used through functools.partial)."""
    return model.metrics[name]


class OutlastModel(mesa.Model):
    """The simulation. Accepts every Scenario field as a keyword, plus ``preset`` and ``rng``.

    Args:
        rng: Seed or numpy Generator (Mesa's ``rng``); one Generator drives every random choice.
            A seed may be a string of digits (SolaraViz's seed box returns text).
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
        rng = seed_from_text(rng) if isinstance(rng, str) else rng
        super().__init__(rng=rng)
        #: The integer seed of this run (None when built from a Generator or from entropy).
        self.seed: int | None = int(rng) if isinstance(rng, int | np.integer) else None
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
        self.coup_weeks: list[int] = []

        self.regions = RegionPopulation(self, load_regions(), s.citizens_per_region, self.rng)
        self.unrest_rule = UnrestRule(arrest_k=s.arrest_k, threshold=s.unrest_threshold)
        self.weights = DecisionWeights(
            peer_weight=s.peer_weight,
            grievance_weight=s.grievance_weight,
            pay_weight=s.pay_weight,
            fear_weight=s.fear_weight,
            punishment_weight=s.punishment_weight,
            noise_scale=s.leave_noise_scale,
        )
        expected_recruits = s.recruits_per_week_at_defaults * s.horizon_weeks * 1.3
        expected_recruits += s.mobilisation_size if s.mobilisation_week >= 0 else 0.0
        capacity = int(s.n_soldier_agents + expected_recruits / s.soldiers_per_agent) + 1
        capacity = -(-capacity // s.unit_size_agents) * s.unit_size_agents
        self.corps = SoldierCorps(
            self,
            capacity=capacity,
            unit_size=s.unit_size_agents,
            ties=s.peer_ties,
            rewire_prob=s.peer_rewire_prob,
            weights=self.weights,
            rng=self.rng,
            eager_views=s.n_soldier_agents + expected_recruits / s.soldiers_per_agent
            <= EAGER_VIEW_LIMIT,
        )
        self.elites = EliteCircle(
            self,
            s.n_elites,
            s.elite_power_alpha,
            s.n_factions,
            s.tie_prob_within_faction,
            s.tie_prob_between_factions,
            self.rng,
        )
        self.leader = Leader(self, s.leader_commitment, s.belief_outlast_west, s.signup_bonus_rub)
        self.exile = GovernmentInExile(self, s.exile_support, s.exile_formation_week)
        self.partners = [ForeignPartner(self, a) for a in ARCHETYPES]
        self.base_partner_support = sum(a.base_cooperation * a.capacity_weight for a in ARCHETYPES)
        self.fund = DefectionFund(s.seized_asset_fund_usd)

        self._recruit_scale = (
            s.recruits_per_week_at_defaults
            / self._recruitment_weights(s.signup_bonus_rub, np.zeros(self.regions.n)).sum()
        )
        self._enlist_initial_force()
        self.initial_active = float(self.corps.counts()[ACTIVE])
        self.cumulative = dict.fromkeys(
            ("deaths", "desertions", "surrenders", "returned", "contacts"), 0
        )
        self.recent_desertions: list[int] = []
        self.stability_history: list[float] = []
        self.levers: Levers = levers_at(s, 0)
        self.metrics: dict[str, float] = {}
        self._week_counts = dict.fromkeys(("recruits", "deaths", "desertions", "surrenders"), 0)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(read_metric, name=name) for name in METRIC_NAMES}
        )
        self._collect()

    # ---- building -------------------------------------------------------------------------

    def _recruitment_weights(self, bonus_rub: float, unrest: np.ndarray) -> np.ndarray:
        """Expected sign-ups per region before scaling: men x reward^e x poverty x jobs x calm.

        The reward is a year's pay plus the bonus over a year's mean income in the region.
        """
        s = self.params
        r = self.regions
        reward = (s.monthly_pay_rub * MONTHS_PER_YEAR + bonus_rub) / r.yearly_income_rub()
        return (
            r.men_16_61
            * reward**s.recruitment_pay_elasticity
            * (1.0 + r.poverty)
            * (1.0 + r.unemployment)
            * np.exp(-s.recruitment_unrest_penalty * unrest)
        )

    def _enlist(self, region: np.ndarray, kind: np.ndarray, at_front: np.ndarray) -> np.ndarray:
        """Create soldiers from their home regions and kinds; returns their indices."""
        s = self.params
        r = self.regions
        n = region.size
        minority = self.rng.random(n) < r.minority_share[region]
        exposure = np.ones(n)
        exposure[minority] *= s.minority_exposure
        for k, field in KIND_EXPOSURE_FIELDS.items():
            if field:
                exposure[kind == k] *= getattr(s, field)
        pay_log_ratio = np.log(s.monthly_pay_rub / r.mean_income_rub[region] + 1e-9)
        threshold = self.rng.normal(s.leave_threshold_mean, s.leave_threshold_sd, n)
        idx = self.corps.recruit(
            region=region,
            minority=minority,
            kind=kind,
            at_front=at_front,
            pay_log_ratio=pay_log_ratio,
            exposure=exposure,
            threshold=threshold,
            week=self.week,
            rng=self.rng,
        )
        self.regions.recruits += np.bincount(region, minlength=r.n) * s.soldiers_per_agent
        return idx

    def _enlist_initial_force(self) -> None:
        s = self.params
        n = s.n_soldier_agents
        if s.initial_force_regional_mix == "population":
            weights = self.regions.men_16_61
        else:
            weights = self._recruitment_weights(s.signup_bonus_rub, np.zeros(self.regions.n))
        region = self.rng.choice(self.regions.n, size=n, p=weights / weights.sum())
        share_professional = 1.0 - s.share_mobilised - s.share_contract
        kind = self.rng.choice(
            3, size=n, p=[share_professional, s.share_mobilised, s.share_contract]
        )
        at_front = self.rng.random(n) < s.share_at_front
        self._enlist(region, kind, at_front)

    # ---- the week -------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one week in the documented order."""
        if self.outcome != OUTCOMES[0] or self.week >= self.params.horizon_weeks:
            self.running = False
            return
        self.week += 1
        s = self.params
        self.levers = levers_at(s, self.week)
        self.fund.receive(self.levers.fund_income_usd)
        for partner in self.partners:
            partner.update(
                self.levers.minority_campaign,
                self.levers.partner_diplomacy,
                s.partner_awareness_sensitivity,
            )
        self.regions.awareness += 0.05 * (self.levers.minority_campaign - self.regions.awareness)
        self._recruitment()
        self._army_week()
        self.regions.update_unrest(
            legitimacy=self.legitimacy(),
            cop_density=s.repression_cop_density * (1.0 + 2.0 * self.leader.repression),
            death_hardship_per_permille=s.death_grievance_per_permille,
            discrimination=s.discrimination_grievance,
            rule=self.unrest_rule,
            rng=self.rng,
        )
        self.exile.negotiate(
            self.week,
            s.exile_progress_per_week,
            s.exile_progress_noise,
            s.nationalist_friction,
            s.friction_setback,
            self.rng,
        )
        self._elite_politics()
        self._leader_decides()
        self._collect()
        if self.outcome != OUTCOMES[0] or self.week >= s.horizon_weeks:
            self.running = False

    def _recruitment(self) -> None:
        s = self.params
        weights = self._recruitment_weights(self.leader.bonus_rub, self.regions.unrest)
        expected_agents = self._recruit_scale * weights / s.soldiers_per_agent
        per_region = self.rng.poisson(expected_agents)
        region = np.repeat(np.arange(self.regions.n), per_region)
        kinds = np.full(region.size, CONTRACT)
        if self.week == s.mobilisation_week:
            # Quotas in proportion to men aged 16-61 (assumption; reported quotas were uneven).
            quota = self.regions.men_16_61 / self.regions.men_16_61.sum()
            called = self.rng.multinomial(round(s.mobilisation_size / s.soldiers_per_agent), quota)
            region = np.concatenate([region, np.repeat(np.arange(self.regions.n), called)])
            kinds = np.concatenate([kinds, np.full(called.sum(), MOBILISED)])
        at_front = self.rng.random(region.size) < s.share_at_front
        self._enlist(region, kinds, at_front)
        self._week_counts["recruits"] = region.size

    def _offer_value_by_region(self) -> np.ndarray:
        """Weighted log value of the payment relative to a year's home income, per region."""
        s = self.params
        payment_rub = self.levers.defection_payment_usd * RUB_PER_USD * self.fund.credibility
        return s.offer_weight * np.log1p(payment_rub / self.regions.yearly_income_rub())

    def _army_week(self) -> None:
        s = self.params
        corps = self.corps
        rng = self.rng
        region_count = self.regions.n
        corps.rotate(s.rotation_rate_per_week, s.share_at_front, rng)
        killed = corps.casualties(s.front_death_hazard_per_week, rng)
        left_share, aware_ties = corps.peer_shares()
        corps.spread_awareness(self.levers.offer_reach, s.awareness_spread_per_tie, aware_ties, rng)

        n = corps.size
        region = corps.region[:n]
        soldier_grievance = self.regions.grievance[region] + corps.minority[:n] * (
            s.discrimination_grievance * (1.0 + self.regions.awareness[region])
        )
        week = WeekInputs(
            peer_left_share=left_share,
            grievance=soldier_grievance,
            offer_value=self._offer_value_by_region()[region],
            deterrence=corps.unit_deterrence[corps.unit[:n]],
            shock=logistic_shock(rng.random(n, dtype=np.float32), s.leave_noise_scale),
            punishment=min(1.0, s.punishment_severity * (1.0 + self.leader.repression)),
        )
        push = corps.push_all(week)
        choice = (
            corps.decide_each(week) if self.per_agent_decisions else corps.decide_all(week, push)
        )
        active = corps.status[:n] == ACTIVE
        # Aware front soldiers within `contact_margin` of leaving contact the surrender line.
        contacts = active & corps.at_front[:n] & corps.aware[:n]
        contacts &= push + week.shock >= corps.threshold[:n] - s.contact_margin
        deserters = np.flatnonzero(active & (choice == DESERT))
        attempts = np.flatnonzero(active & (choice == SURRENDER))
        crossed = rng.random(attempts.size) < s.crossing_success_prob
        surrendered, died_crossing = attempts[crossed], attempts[~crossed]
        corps.status[deserters] = DESERTED
        corps.status[surrendered] = SURRENDERED
        corps.status[died_crossing] = KILLED
        self._pay_surrenders(surrendered)

        at_large = np.flatnonzero(corps.status[:n] == DESERTED)
        at_large = at_large[~np.isin(at_large, deserters)]
        caught = at_large[rng.random(at_large.size) < s.deserter_detection_per_week]
        corps.status[caught] = ACTIVE
        corps.at_front[caught] = False
        corps.unit_deterrence *= 1.0 - 0.05
        np.add.at(
            corps.unit_deterrence,
            corps.unit[caught],
            s.caught_deterrence * s.punishment_severity,
        )

        dead = np.concatenate([killed, died_crossing])
        per = s.soldiers_per_agent
        for name, idx in (
            ("deaths", dead),
            ("desertions", deserters),
            ("surrenders", surrendered),
        ):
            by_region = np.bincount(corps.region[idx], minlength=region_count) * per
            setattr(self.regions, name, getattr(self.regions, name) + by_region)
            self._week_counts[name] = idx.size
            self.cumulative[name] += idx.size
        self.cumulative["returned"] += caught.size
        self.cumulative["contacts"] += int(contacts.sum())
        self.recent_desertions = [*self.recent_desertions[-3:], deserters.size]

    def _pay_surrenders(self, surrendered: np.ndarray) -> None:
        payment = self.levers.defection_payment_usd
        if payment <= 0.0:
            return
        aware = surrendered[self.corps.aware[surrendered]]
        per_agent = payment * self.params.soldiers_per_agent
        paid = self.fund.pay(aware.size, per_agent)
        self.fund.update_credibility(aware.size - paid, self.params.credibility_loss_unpaid)

    def legitimacy(self) -> float:
        """Legitimacy L: the base plus any rally effect from a visible exile government."""
        rally = self.params.rally_effect * self.exile.visibility
        return float(min(1.0, self.params.legitimacy + rally))

    def army_decline(self) -> float:
        """Fall of the active force below its starting size, in [0, 1]."""
        return float(np.clip(1.0 - self.corps.counts()[ACTIVE] / self.initial_active, 0.0, 1.0))

    def regime_capacity(self) -> float:
        """Economic capacity in [0, 1]: half domestic, half partners' support relative to start."""
        return 0.5 + 0.5 * self.partner_cooperation()

    def partner_cooperation(self) -> float:
        """Partners' capacity-weighted cooperation relative to its starting level."""
        support = sum(p.cooperation * p.archetype.capacity_weight for p in self.partners)
        return float(support / self.base_partner_support)

    def regime_strength(self) -> float:
        """The regime's strength as elites see it, in [0, 1] (weights: assumption)."""
        unrest = self.regions.population_weighted(self.regions.unrest)
        return float(
            0.35 * (1.0 - self.army_decline())
            + 0.25 * (1.0 - min(1.0, unrest / 0.2))
            + 0.2 * self.regime_capacity()
            + 0.2 * self.legitimacy()
        )

    def _elite_politics(self) -> None:
        s = self.params
        elites = self.elites
        elites.decay_fear(s.fear_decay_per_week)
        outside = s.exile_outside_option if self.exile.agreement else 0.0
        elites.choose_actions(
            EliteSignals(
                regime_strength=self.regime_strength(),
                army_decline=self.army_decline(),
                outside_option=outside,
                repression_fear=0.5 * self.leader.repression,
                rally=0.5 * s.rally_effect * self.exile.visibility,
            ),
            s.elite_neighbour_weight,
            s.elite_signal_noise,
            s.press_threshold,
            s.conspiracy_cost,
            self.rng,
        )
        conspiring = elites.power_share(CONSPIRING)
        if conspiring < s.coup_threshold_power_share:
            return
        self.coup_attempts += 1
        self.coup_weeks.append(self.week)
        p_success = coup_success_probability(
            conspiring,
            s.coup_threshold_power_share,
            self.army_decline(),
            self.regions.population_weighted(self.regions.unrest),
            s.coup_success_intercept,
            s.coup_success_power_coef,
            s.coup_success_army_coef,
            s.coup_success_unrest_coef,
        )
        if self.rng.random() < p_success:
            self.coups_succeeded += 1
            self._finish("regime_change")
            p_end = (
                s.war_end_prob_after_coup_agreement
                if self.exile.agreement
                else s.war_end_prob_after_coup
            )
            self.war_ended = bool(self.rng.random() < p_end)
        else:
            plotters = np.flatnonzero(elites.action == CONSPIRING)
            elites.purge(plotters, self.week, s.purge_fear, self.rng)
            elites.fear = np.maximum(elites.fear, s.purge_fear)
            self.leader.repression = min(1.0, self.leader.repression + 10 * s.repression_step)

    def _leader_decides(self) -> None:
        if self.outcome != OUTCOMES[0]:
            return
        s = self.params
        leader = self.leader
        leader.update_belief(self.levers.resolve, s.resolve_belief_effect)
        conspiring = self.elites.power_share(CONSPIRING)
        leader.perceive(
            Threats(
                elite_pressure=1.0 - self.elites.power_share(LOYAL),
                coup_risk=min(1.0, conspiring / s.coup_threshold_power_share),
                army_decline=self.army_decline(),
                unrest=self.regions.population_weighted(self.regions.unrest),
                exile_agreement=float(self.exile.agreement),
            )
        )
        if leader.wants_to_end_war:
            self._finish("ended_by_negotiation")
            self.war_ended = True
            return
        leader.respond(s.leader_response_threshold, s.bonus_budget_rub, s.repression_step)

    def _finish(self, outcome: str) -> None:
        self.outcome = outcome
        self.outcome_week = self.week

    # ---- metrics --------------------------------------------------------------------------

    def _collect(self) -> None:
        self.metrics = self._compute_metrics()
        self.stability_history.append(self.metrics["stability_index"])
        self.datacollector.collect(self)

    def _compute_metrics(self) -> dict[str, float]:
        corps = self.corps
        per = self.params.soldiers_per_agent
        counts = corps.counts()
        n = corps.size
        status = corps.status[:n]
        active = status == ACTIVE
        regions = self.regions
        unrest = regions.population_weighted(regions.unrest)
        dead = status == KILLED
        minority_men = regions.population_weighted(regions.minority_share)
        dead_minority = corps.minority[:n][dead].mean() if dead.any() else minority_men
        elite_loyalty = self.elites.power_share(LOYAL)
        partner_cooperation = min(1.0, self.partner_cooperation())
        force_ratio = counts[ACTIVE] / self.initial_active if self.initial_active else 0.0
        recent = sum(self.recent_desertions)
        outcome_code = OUTCOMES.index(self.outcome)
        return {
            "week": float(self.week),
            "force_active": counts[ACTIVE] * per,
            "force_at_front": float((active & corps.at_front[:n]).sum()) * per,
            "recruits_week": self._week_counts["recruits"] * per,
            "deaths_week": self._week_counts["deaths"] * per,
            "desertions_week": self._week_counts["desertions"] * per,
            "surrenders_week": self._week_counts["surrenders"] * per,
            "recruits_total": n * per,
            "deaths_total": counts[KILLED] * per,
            "desertions_total": self.cumulative["desertions"] * per,
            "surrenders_total": counts[SURRENDERED] * per,
            "deserters_at_large": counts[DESERTED] * per,
            "deserters_returned_total": self.cumulative["returned"] * per,
            "hotline_contacts_total": self.cumulative["contacts"] * per,
            "desertion_rate_month": min(1.0, recent / max(counts[ACTIVE], 1)),
            "fund_balance_usd": self.fund.balance_usd,
            "fund_spent_usd": self.fund.spent_usd,
            "offer_credibility": self.fund.credibility,
            "aware_share": float(corps.aware[:n][active].mean()) if active.any() else 0.0,
            "minority_death_overrep": float(dead_minority / minority_men),
            "signup_bonus_rub": self.leader.bonus_rub,
            "unrest": unrest,
            "unrest_max_region": float(regions.unrest.max()),
            "grievance": regions.population_weighted(regions.grievance),
            "elite_loyalty": elite_loyalty,
            "elite_pressure": 1.0 - elite_loyalty,
            "conspiracy_share": self.elites.power_share(CONSPIRING),
            "coup_attempts": float(self.coup_attempts),
            "coups_succeeded": float(self.coups_succeeded),
            "elites_purged": float(self.elites.purges),
            "partner_cooperation": partner_cooperation,
            "regime_capacity": self.regime_capacity(),
            "legitimacy": self.legitimacy(),
            "leader_threat": self.leader.threat,
            "leader_belief_outlast": self.leader.belief_outlast,
            "repression": self.leader.repression,
            "exile_progress": self.exile.progress,
            "exile_agreement": float(self.exile.agreement),
            "regime_strength": self.regime_strength(),
            "stability_index": stability_index(
                elite_loyalty, unrest, force_ratio, partner_cooperation, self.leader.threat
            ),
            "outcome_code": float(outcome_code),
            "war_ended": float(self.war_ended),
        }

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
                "recruits": r.recruits,
                "deaths": r.deaths,
                "deaths_per_100k_men": 1e5 * r.deaths / r.men_16_61,
                "desertions": r.desertions,
                "surrenders": r.surrenders,
                "grievance": r.grievance,
                "unrest": r.unrest,
            }
        )

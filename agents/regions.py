"""Regions: the 85 federal subjects, their recruits, losses, grievance and unrest.

`RegionPopulation` holds one row per region of the real table (model/data/regions.csv) and a sample
of citizens per region for Epstein's (2002) civil-violence rule; each region is also a
`MinorityRegion` mesa.Agent whose attributes read and write that row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numba
import numpy as np
import pandas as pd

from agents.from_scenario import ScenarioLike
from agents.views import ArrayAgent, ArrayColumn

if TYPE_CHECKING:
    import mesa

TRADITIONS = ("none", "muslim", "buddhist", "other")
#: A calendar fact, not an assumption: regional incomes are monthly, pay and rewards yearly.
MONTHS_PER_YEAR = 12.0


@dataclass(frozen=True)
class UnrestRule:
    """Epstein's rule and what drives it: G = H(1 - L), P = 1 - exp(-k round(C/A)), active if G - R P > T.

    Attributes:
        arrest_k: Epstein's k.
        threshold: Epstein's activation threshold T.
        max_jail_weeks: Longest jail term; terms are drawn uniformly from 1 to it.
        cop_density: Police per citizen C / citizens before any repression.
        police_per_repression: Rise of police per citizen, relative to `cop_density`, per unit
            of the leader's repression.
        death_hardship_per_permille: Rise in hardship per war death per 1,000 men aged 16-61.
        discrimination: Extra hardship of minority citizens, times 1 + the region's awareness.
        awareness_rate: Weekly rate at which awareness of discrimination moves towards the
            Western minority campaign's intensity.

    """

    arrest_k: float
    threshold: float
    max_jail_weeks: int
    cop_density: float
    police_per_repression: float
    death_hardship_per_permille: float
    discrimination: float
    awareness_rate: float

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> UnrestRule:
        """The unrest rule of a Scenario."""
        s = scenario
        return cls(
            arrest_k=s.arrest_k,
            threshold=s.unrest_threshold,
            max_jail_weeks=s.max_jail_weeks,
            cop_density=s.repression_cop_density,
            police_per_repression=s.repression_police_effect,
            death_hardship_per_permille=s.death_grievance_per_permille,
            discrimination=s.discrimination_grievance,
            awareness_rate=s.minority_awareness_rate_per_week,
        )

    def police_density(self, repression: float) -> float:
        """Police per citizen under the leader's repression: base x (1 + effect x repression)."""
        return self.cop_density * (1.0 + self.police_per_repression * repression)


@dataclass(frozen=True)
class RecruitmentRule:
    """Who signs a contract, by region (docs/MODEL.md, "Recruitment and regions").

    A region's expected sign-ups are its men aged 16-61 times the pull of a contract:

        w = men x R^eta x exp(b_u u) x exp(b_r rural) x (1 + b_g garrison)
              x exp(b_t m [tradition = t]) x exp(-kappa unrest),
        R = yearly pay and bonus / (yearly income x (S_nat / S)^phi)

    with u unemployment, rural the rural share, garrison the nominal strength of the formations
    garrisoned there in 2022 per man, m the minority share, S the subsistence level and S_nat its
    national mean (weighted by men). Every term is switched off by a zero parameter.

    Attributes:
        pay_elasticity: eta, how sign-ups grow with the reward over home income.
        price_adjustment: phi, how far home income is deflated by the regional subsistence
            level (0: nominal roubles; 1: income in national prices).
        unemployment_effect: b_u, the rise of log sign-ups per unit unemployment share.
        rural_effect: b_r, the rise of log sign-ups per unit rural share.
        garrison_effect: b_g, the rise of sign-ups per garrison soldier per man.
        buddhist_effect: The rise of log sign-ups per unit minority share in regions whose main
            minority is Buddhist.
        muslim_effect: The same where the main minority is Muslim.
        unrest_penalty: kappa, how fast regional unrest cuts sign-ups.

    """

    pay_elasticity: float
    price_adjustment: float
    unemployment_effect: float
    rural_effect: float
    garrison_effect: float
    buddhist_effect: float
    muslim_effect: float
    unrest_penalty: float

    @classmethod
    def from_scenario(cls, scenario: ScenarioLike) -> RecruitmentRule:
        """The recruitment rule of a Scenario."""
        s = scenario
        return cls(
            pay_elasticity=s.recruitment_pay_elasticity,
            price_adjustment=s.recruitment_price_adjustment,
            unemployment_effect=s.recruitment_unemployment_effect,
            rural_effect=s.recruitment_rural_effect,
            garrison_effect=s.recruitment_garrison_effect,
            buddhist_effect=s.recruitment_buddhist_effect,
            muslim_effect=s.recruitment_muslim_effect,
            unrest_penalty=s.recruitment_unrest_penalty,
        )

    def weights(
        self, regions: RegionPopulation, reward_rub_per_year: float, unrest: np.ndarray
    ) -> np.ndarray:
        """Expected sign-ups per region before scaling (the formula of the class docstring).

        The terms that depend only on the regions' data and this rule (home income and the
        unemployment, rural, garrison and tradition factors) are computed once per rule and
        region table (`fixed_terms`) and multiplied in the formula's order, so the product is
        the one the formula gives.
        """
        r = regions
        terms = r.recruitment_terms.get(self)
        if terms is None:
            terms = r.recruitment_terms[self] = self.fixed_terms(r)
        home_income, unemployment, rural, garrison, tradition = terms
        reward = reward_rub_per_year / home_income
        return (
            r.men_16_61
            * reward**self.pay_elasticity
            * unemployment
            * rural
            * garrison
            * tradition
            * np.exp(-self.unrest_penalty * unrest)
        )

    def fixed_terms(self, regions: RegionPopulation) -> tuple[np.ndarray, ...]:
        """The terms of `weights` fixed by the regions' data: home income, then the factors.

        Home income (`home_income_rub_per_year`), exp(b_u u), exp(b_r rural),
        1 + b_g garrison and exp(b_t m [tradition = t]), each per region.
        """
        r = regions
        tradition_effect = np.where(
            r.tradition == TRADITIONS.index("buddhist"),
            self.buddhist_effect,
            np.where(r.tradition == TRADITIONS.index("muslim"), self.muslim_effect, 0.0),
        )
        return (
            self.home_income_rub_per_year(r),
            np.exp(self.unemployment_effect * r.unemployment),
            np.exp(self.rural_effect * r.rural_share),
            1.0 + self.garrison_effect * r.garrison_per_man,
            np.exp(tradition_effect * r.minority_share),
        )

    def home_income_rub_per_year(self, regions: RegionPopulation) -> np.ndarray:
        """A year's home income in national prices: income x (S_nat / S)^phi.

        The contract's pay is the same everywhere and buys what money buys nationally (a flat,
        a car, debts repaid), while a man's earnings at home are worth what they buy locally: a
        high nominal income where the subsistence level is high (the Far North) is less than it
        looks. With phi = 0 the income is nominal.
        """
        r = regions
        national = np.average(r.subsistence_rub, weights=r.men_16_61)
        return r.yearly_income_rub() * (national / r.subsistence_rub) ** self.price_adjustment


class MinorityRegion(ArrayAgent):
    """One federal subject: a mesa.Agent view on a row of `RegionPopulation`."""

    name = ArrayColumn("names", str)
    men_16_61 = ArrayColumn("men_16_61", float)
    mean_income_rub = ArrayColumn("mean_income_rub", float)
    minority_share = ArrayColumn("minority_share", float)
    grievance = ArrayColumn("grievance", float)
    unrest = ArrayColumn("unrest", float)
    awareness = ArrayColumn("awareness", float)
    recruits = ArrayColumn("recruits", float)
    deaths = ArrayColumn("deaths", float)
    invalided = ArrayColumn("invalided", float)
    desertions = ArrayColumn("desertions", float)
    surrenders = ArrayColumn("surrenders", float)


class RegionPopulation:
    """The regions as arrays, with a sample of citizens each for the unrest rule.

    Args:
        model: The owning mesa model (regions are registered as MinorityRegion agents).
        table: The region table (columns as in model/data/regions.csv).
        citizens_per_region: Citizens sampled per region.
        rng: numpy Generator.
        hardship_spread: Width of the uniform draw of a citizen's base hardship, before his
            region's poverty share is added.

    """

    def __init__(
        self,
        model: mesa.Model,
        table: pd.DataFrame,
        citizens_per_region: int,
        rng: np.random.Generator,
        hardship_spread: float,
    ) -> None:
        self.table = table.reset_index(drop=True)
        n = len(self.table)
        self.n = n
        self.names = self.table["region"].to_numpy(dtype=object)
        self.iso = self.table["iso"].to_numpy(dtype=object)
        self.men_16_61 = self.table["men_16_61_2021"].to_numpy(dtype=float)
        self.mean_income_rub = self.table["mean_income_rub"].to_numpy(dtype=float)
        self.poverty = self.table["pct_below_subsistence"].to_numpy(dtype=float) / 100.0
        self.unemployment = self.table["unemployment_rate"].to_numpy(dtype=float) / 100.0
        self.subsistence_rub = self.table["subsistence_level_rub"].to_numpy(dtype=float)
        self.rural_share = 1.0 - self.table["urban_share_2021"].to_numpy(dtype=float)
        #: Nominal strength of the combat formations garrisoned in the region in February 2022.
        self.garrison_strength = self.table["garrison_strength_2022"].to_numpy(dtype=float)
        self.garrison_per_man = self.garrison_strength / self.men_16_61
        self.minority_share = (
            1.0 - self.table["pct_russian_ukrainian_belarusian"].to_numpy(dtype=float) / 100.0
        )
        self.tradition = np.array(
            [TRADITIONS.index(t) for t in self.table["minority_tradition"]], dtype=np.int8
        )
        # Dynamic state, one value per region.
        self.grievance = np.zeros(n)
        self.unrest = np.zeros(n)
        self.awareness = np.zeros(n)
        # Cumulative counts of real people (agents x soldiers_per_agent).
        self.recruits = np.zeros(n)
        self.deaths = np.zeros(n)
        self.invalided = np.zeros(n)
        self.desertions = np.zeros(n)
        self.surrenders = np.zeros(n)
        # Epstein citizens: region index, base hardship, risk aversion, minority, weeks in jail.
        m = citizens_per_region
        self.citizen_region = np.repeat(np.arange(n), m)
        # Hardship rises with poverty: a uniform draw shifted by the region's poverty share.
        self.citizen_hardship = np.clip(
            rng.random(n * m) * hardship_spread + self.poverty[self.citizen_region], 0.0, 1.0
        )
        self.citizen_risk_aversion = rng.random(n * m)
        self.citizen_minority = rng.random(n * m) < self.minority_share[self.citizen_region]
        self.citizen_jail = np.zeros(n * m, dtype=np.int16)
        self.citizen_active = np.zeros(n * m, dtype=bool)
        self.citizens_per_region = m
        #: `RecruitmentRule.fixed_terms` by rule: the region data they read do not change.
        self.recruitment_terms: dict[RecruitmentRule, tuple[np.ndarray, ...]] = {}
        self.agents = [MinorityRegion(model, self, i) for i in range(n)]

    def yearly_income_rub(self) -> np.ndarray:
        """Mean yearly income per head in each region."""
        return self.mean_income_rub * MONTHS_PER_YEAR

    def raise_awareness(self, campaign: float, rule: UnrestRule) -> None:
        """Awareness of discrimination moves at the rule's rate towards the campaign's intensity."""
        self.awareness += rule.awareness_rate * (campaign - self.awareness)

    def death_toll_permille(self) -> np.ndarray:
        """War deaths per 1,000 men aged 16-61, by region."""
        return 1_000.0 * self.deaths / self.men_16_61

    def update_unrest(
        self,
        legitimacy: float,
        repression: float,
        rule: UnrestRule,
        rng: np.random.Generator,
    ) -> None:
        """One week of Epstein's civil-violence rule in every region.

        Hardship H rises with the region's war deaths per head and, for minority citizens, with
        discrimination (stronger where awareness of it has been raised). Grievance G = H(1 - L).
        Estimated arrest probability P = 1 - exp(-k round(C / A)) with C police and A active
        citizens (A counts the citizen himself, so A >= 1). A citizen not in jail is active when
        G - R P > T. Police arrest up to C active citizens per region, a uniformly random set of
        them where more are active, each jailed for a term drawn uniformly from 1 to
        `max_jail_weeks` weeks.

        Only what the rule uses is drawn, inside the compiled loop: the choice of the arrested
        where the active outnumber the police, and the arrested's terms (issue #15: a random
        order and a term for every citizen, every week, were half the rule's time).
        """
        m = self.citizens_per_region
        police = rule.police_density(repression) * m
        free = self.citizen_jail == 0
        active_before = self._count_by_region(self.citizen_active & free)
        arrest_p = 1.0 - np.exp(-rule.arrest_k * np.round(police / (active_before + 1.0)))
        grievance_sum = np.zeros(self.n)
        active_count = np.zeros(self.n, dtype=np.int64)
        _civil_violence(
            m,
            self.citizen_hardship,
            self.citizen_minority,
            self.citizen_risk_aversion,
            self.citizen_jail,
            self.citizen_active,
            rule.death_hardship_per_permille * self.death_toll_permille(),
            1.0 + self.awareness,
            float(rule.discrimination),
            1.0 - legitimacy,
            arrest_p,
            float(rule.threshold),
            int(np.floor(police)),
            int(rule.max_jail_weeks),
            rng,
            grievance_sum,
            active_count,
        )
        self.unrest = active_count / m
        self.grievance = grievance_sum / m

    def _count_by_region(self, flags: np.ndarray) -> np.ndarray:
        """Citizens for whom ``flags`` holds, per region.

        Citizens are stored region by region, `citizens_per_region` each, so a region's are one
        row of the reshaped flags (the same counts as a bincount over their regions, faster).
        """
        return np.count_nonzero(flags.reshape(self.n, self.citizens_per_region), axis=1)

    def population_weighted(self, values: np.ndarray) -> float:
        """Average over regions weighted by men aged 16-61.

        The operations of ``np.average`` (weighted sum over sum of weights), without its
        argument handling, which cost more than the sums for 85 regions.
        """
        w = self.men_16_61
        return float(np.multiply(values, w, dtype=np.float64).sum() / w.sum(dtype=np.float64))


@numba.njit(cache=True)
def _civil_violence(
    citizens_per_region: int,
    base_hardship: np.ndarray,
    minority: np.ndarray,
    risk_aversion: np.ndarray,
    jail: np.ndarray,
    active_out: np.ndarray,
    death_hardship_by_region: np.ndarray,
    awareness_factor_by_region: np.ndarray,
    discrimination: float,
    illegitimacy: float,
    arrest_p_by_region: np.ndarray,
    threshold: float,
    arrests_cap: int,
    max_jail_weeks: int,
    rng: np.random.Generator,
    grievance_sum: np.ndarray,
    active_count: np.ndarray,
):
    """One week of Epstein's rule for every citizen, compiled (`RegionPopulation.update_unrest`).

    Citizens are stored region by region, ``citizens_per_region`` each (citizen i lives in
    region i // citizens_per_region). The float operations are numpy's, in numpy's order:
    hardship clip(H0 + death term + (discrimination x minority) x (1 + awareness)), grievance
    hardship x (1 - L), active when free and grievance - R P > T. Grievances are summed per
    region in citizen order from 0.0, as numpy's bincount sums them, into a local sum that is
    then written (not added) to ``grievance_sum``: a sum kept in the array waits on its own
    store every citizen. Jail terms run down by a week. Then, region by region, the police
    arrest every active citizen if there are at most ``arrests_cap``, or else ``arrests_cap``
    of them chosen uniformly at random (the first ones of a partial Fisher-Yates shuffle of the
    active, one ``rng.integers`` each); each arrested is jailed for ``rng.integers(1,
    max_jail_weeks + 1)`` weeks, drawn in the order they were chosen. Writes ``jail``,
    ``active_out`` (active and not arrested), ``grievance_sum`` and ``active_count`` (active,
    arrested or not) by region.
    """
    m = citizens_per_region
    n_regions = grievance_sum.size
    # The active citizens of the region at hand, in citizen order, then shuffled in part.
    candidates = np.empty(m, dtype=np.int64)
    for r in range(n_regions):
        death_hardship = death_hardship_by_region[r]
        awareness_factor = awareness_factor_by_region[r]
        arrest_p = arrest_p_by_region[r]
        total = 0.0
        count = 0
        for i in range(r * m, (r + 1) * m):
            hardship = (base_hardship[i] + death_hardship) + (
                discrimination * minority[i]
            ) * awareness_factor
            hardship = min(max(hardship, 0.0), 1.0)
            grievance = hardship * illegitimacy
            total += grievance
            # No branch: the two tests are evaluated and combined; the index is always written
            # and kept only when the citizen is active.
            is_active = (jail[i] == 0) & (grievance - risk_aversion[i] * arrest_p > threshold)
            candidates[count] = i
            count += is_active
            active_out[i] = is_active
            jail[i] = max(jail[i] - 1, 0)
        grievance_sum[r] = total
        active_count[r] = count
        arrests = min(count, arrests_cap)
        if count > arrests_cap:
            for j in range(arrests):
                k = j + rng.integers(0, count - j)
                candidates[j], candidates[k] = candidates[k], candidates[j]
        for j in range(arrests):
            i = candidates[j]
            jail[i] = rng.integers(1, max_jail_weeks + 1)
            active_out[i] = False

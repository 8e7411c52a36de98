"""The Western levers and their schedule: what the West does in a given week.

The Western coalition is not an agent; its policies are a schedule of levers, each switching on
at its start week. `levers_at` turns a Scenario and a week into this week's incentives.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.scenario import Scenario


@dataclass(frozen=True)
class Levers:
    """The Western levers in force in one week."""

    defection_payment_usd: float
    fund_income_usd: float
    offer_reach: float
    minority_campaign: float
    partner_diplomacy: float
    resolve: float


def levers_at(s: Scenario, week: int) -> Levers:
    """The levers in force in `week` (0-based) under scenario `s`."""
    offer_on = week >= s.defection_offer_start_week
    campaign_on = week >= s.minority_campaign_start_week
    return Levers(
        defection_payment_usd=s.defection_payment_usd if offer_on else 0.0,
        fund_income_usd=s.fund_income_usd_per_week if offer_on else 0.0,
        offer_reach=s.offer_reach_per_week if week >= s.offer_reach_start_week else 0.0,
        minority_campaign=s.minority_campaign_intensity if campaign_on else 0.0,
        partner_diplomacy=s.partner_diplomacy if campaign_on else 0.0,
        resolve=resolve_at(s, week),
    )


def collective_punishment(s: Scenario, levers: Levers) -> float:
    """Punishment severity the regime adds while the West offers a payment for surrender.

    The fund's backlash (docs/MODEL.md, "Backfire"): an offer to 'bought traitors' is answered
    with punishment of deserters' and surrenderers' families and stricter control of units, as
    long as the offer stands. `fund_punishment_backlash` = 0 switches it off.
    """
    return s.fund_punishment_backlash if levers.defection_payment_usd > 0.0 else 0.0


def resolve_at(s: Scenario, week: int) -> float:
    """Western resolve in force in `week`: aid delivered and sanctions enforced.

    Before resolve is shown, the Kremlin sees the default level; in a scheduled lapse (from
    `resolve_lapse_start_week` for `resolve_lapse_weeks`) the West wavers and shows none.
    """
    lapse_start = s.resolve_lapse_start_week
    if 0 <= lapse_start <= week < lapse_start + s.resolve_lapse_weeks:
        return 0.0
    if week >= s.resolve_start_week:
        return s.western_resolve
    return Scenario.model_fields["western_resolve"].default


class DefectionFund:
    """The seized-asset fund that pays surrendering soldiers. Its balance is never negative.

    A claim is paid in full or not at all. In a week with unpaid claims the offer's credibility
    falls by a share; in a week with every claim paid it recovers part of the gap to 1.

    Args:
        balance_usd: Starting balance.
        loss: Share of credibility lost in a week with unpaid claims.
        recovery: Share of the gap to full credibility recovered in a week with none unpaid.

    """

    def __init__(self, balance_usd: float, loss: float, recovery: float) -> None:
        self.balance_usd = float(balance_usd)
        self.loss = loss
        self.recovery = recovery
        self.spent_usd = 0.0
        self.credibility = 1.0
        self.claims_paid = 0
        self.claims_unpaid = 0

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> DefectionFund:
        """The fund of a Scenario: seized assets at the start, credibility's loss and recovery."""
        return cls(
            scenario.seized_asset_fund_usd,
            scenario.credibility_loss_unpaid,
            scenario.credibility_recovery_per_week,
        )

    def receive(self, income_usd: float) -> None:
        """Add this week's income."""
        self.balance_usd += income_usd

    def settle(self, claims: int, amount_usd: float) -> int:
        """Pay this week's claims of `amount_usd` each as far as the balance goes; update credibility.

        Args:
            claims: Claims made this week.
            amount_usd: The payment per claim.

        Returns:
            How many claims were paid.

        """
        paid = 0
        if claims > 0 and amount_usd > 0.0:
            paid = min(claims, int(self.balance_usd // amount_usd))
            cost = paid * amount_usd
            self.balance_usd = max(0.0, self.balance_usd - cost)
            self.spent_usd += cost
        unpaid = claims - paid if amount_usd > 0.0 else 0
        self.claims_paid += paid
        self.claims_unpaid += unpaid
        if unpaid > 0:
            self.credibility *= 1.0 - self.loss
        else:
            self.credibility += self.recovery * (1.0 - self.credibility)
        return paid

"""The fund's price: what payment, reach and trust make the army shrink, and what that costs.

Input is a robustness experiment's per-future table for a grid of fund settings: one row per
(policy, future_id) with the settings' values, `n_seeds`, `p_army_shrank` (the share of seeds in
which the active force fell below its starting size within 104 weeks: the summary's
`force_below_start_week`) and the fund's spending per future (`fund_spent_usd`, the mean over
seeds of the summary's figure: the DefectionFund pays each paid claim in full, so it is the
payment times the surrenders it could pay). Per setting: the share of futures where the army
shrinks in at least half the seeds, with its Wilson interval over futures; the expected cost
against the frozen assets (docs/FACTS.md: about $300bn); the cheapest setting that reaches half
the futures, and the settings on the cost-share frontier.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from model.scenario import Scenario

#: The fund's settings, as Scenario fields: the payment, the broadcast's weekly reach, and how
#: far soldiers trust the promise (an uncertainty the fund experiment sets as a what-if).
FUND_SETTINGS = ("defection_payment_usd", "offer_reach_per_week", "offer_trust")
#: The army "shrinks" in a future when it did so in at least this share of the seeds ...
SHRANK_IN_SEEDS = 0.5
#: ... and the fund "works" when that holds in at least this share of the futures.
TARGET_SHARE_OF_FUTURES = 0.5
#: Per (setting, future), the share of seeds in which the army shrank, under either name, and
#: what each means.
SHRANK_MEANING = {
    "p_army_shrank": "the active force fell below its starting size within 104 weeks",
    "p_force_below_start_2y": (
        "the active force was below its starting size in week 104 (or at the run's end, if earlier)"
    ),
}
SHRANK_COLUMNS = tuple(SHRANK_MEANING)
#: Frozen Russian sovereign assets worldwide (docs/FACTS.md).
FROZEN_ASSETS_USD = 300e9


def fund_price(
    per_future: pd.DataFrame,
    settings: tuple[str, ...] = FUND_SETTINGS,
    target: float = TARGET_SHARE_OF_FUTURES,
) -> pd.DataFrame:
    """Per fund setting: in what share of futures the army shrinks, and at what cost.

    Args:
        per_future: One row per (setting, future) with the `settings` columns, `n_seeds`,
            the share of seeds in which the army shrank (`p_army_shrank`, or
            `p_force_below_start_2y`) and `fund_spent_usd` (USD, mean over seeds).
        settings: The columns that make a setting.
        target: The share of futures the fund must reach.

    Returns:
        One row per setting, cheapest first: the settings, futures, futures_shrank, share,
        low, high (Wilson 95% over futures), cost_usd (mean over futures), cost_low_usd and
        cost_high_usd (5% and 95% over futures), share_of_frozen_assets (mean cost over
        `FROZEN_ASSETS_USD`), reaches (share >= target), reaches_surely (low >= target),
        cheapest (the cheapest setting that reaches), on_frontier (no other setting costs
        as little or less and reaches as large a share or larger, one of them strictly); both
        within each value of the settings that are not levers (`conditions`).

    Raises:
        ValueError: If a column is missing or a setting has a future twice.

    """
    shrank_column = next((c for c in SHRANK_COLUMNS if c in per_future.columns), SHRANK_COLUMNS[0])
    need = [*settings, "future_id", "n_seeds", shrank_column, "fund_spent_usd"]
    missing = [c for c in need if c not in per_future.columns]
    if missing:
        raise ValueError(f"the per-future table lacks {', '.join(missing)}")
    if per_future.duplicated([*settings, "future_id"]).any():
        raise ValueError("a fund setting has more than one row for a future")
    rows = []
    for values, group in per_future.groupby(list(settings), sort=True):
        shrank = group[shrank_column] >= SHRANK_IN_SEEDS
        n, k = len(group), int(shrank.sum())
        low, high = proportion_confint(k, n, method="wilson")
        cost = group["fund_spent_usd"].to_numpy(dtype=float)
        rows.append(
            {
                **dict(zip(settings, values, strict=True)),
                "futures": n,
                "futures_shrank": k,
                "share": k / n,
                "low": float(low),
                "high": float(high),
                "cost_usd": float(cost.mean()),
                "cost_low_usd": float(np.quantile(cost, 0.05)),
                "cost_high_usd": float(np.quantile(cost, 0.95)),
            }
        )
    table = pd.DataFrame(rows)
    table["share_of_frozen_assets"] = table["cost_usd"] / FROZEN_ASSETS_USD
    table["reaches"] = table["share"] >= target
    table["reaches_surely"] = table["low"] >= target
    table = table.sort_values(["cost_usd", "share"], ascending=[True, False], kind="stable")
    table = table.reset_index(drop=True)
    table["cheapest"] = False
    table["on_frontier"] = False
    given = conditions(settings)
    for _, group in table.groupby(given) if given else [((), table)]:
        reaching = group.index[group["reaches"]]
        if len(reaching):
            table.loc[reaching[0], "cheapest"] = True
        on = _frontier(group["cost_usd"].to_numpy(), group["share"].to_numpy())
        table.loc[group.index, "on_frontier"] = on
    table.attrs.update(
        target=target,
        shrank_in_seeds=SHRANK_IN_SEEDS,
        settings=list(settings),
        conditions=given,
        shrank_column=shrank_column,
    )
    return table


def conditions(settings: tuple[str, ...]) -> list[str]:
    """The settings that are not the West's to choose (not levers: offer_trust).

    The cheapest setting and the frontier are found for each combination of their values: the
    West can buy a larger payment or reach, not soldiers' trust.
    """
    fields = Scenario.model_fields
    return [
        s
        for s in settings
        if s in fields and (fields[s].json_schema_extra or {}).get("role") != "lever"
    ]


def _frontier(cost: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Whether each setting is on the cost-share frontier (not dominated by another)."""
    dominated = (
        (cost[None, :] <= cost[:, None])
        & (share[None, :] >= share[:, None])
        & ((cost[None, :] < cost[:, None]) | (share[None, :] > share[:, None]))
    )
    return ~dominated.any(axis=1)


def lowest_payment(table: pd.DataFrame, payment: str = "defection_payment_usd") -> pd.DataFrame:
    """For each combination of the other settings, the lowest payment that reaches the target.

    Args:
        table: `fund_price`'s table.
        payment: The payment column.

    Returns:
        One row per combination of the other settings: those settings, the lowest payment that
        reaches (NaN if none does) with its share, interval and cost.

    """
    others = [s for s in table.attrs.get("settings", FUND_SETTINGS) if s != payment]
    rows = []
    for values, group in table.groupby(others, sort=True):
        reach = group[group["reaches"]].sort_values(payment, kind="stable")
        row = dict(zip(others, values if isinstance(values, tuple) else (values,), strict=True))
        if reach.empty:
            row |= {payment: np.nan, "share": np.nan, "low": np.nan, "high": np.nan}
            row |= {"cost_usd": np.nan}
        else:
            best = reach.iloc[0]
            row |= {c: best[c] for c in (payment, "share", "low", "high", "cost_usd")}
        rows.append(row)
    return pd.DataFrame(rows)

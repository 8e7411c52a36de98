"""The fund's price on a constructed per-future table whose answer is known."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from outlast.analysis.fund_price import (
    FROZEN_ASSETS_USD,
    FUND_SETTINGS,
    conditions,
    fund_price,
    lowest_payment,
)

PAYMENTS = (10_000.0, 50_000.0, 100_000.0)
REACHES = (0.01, 0.05)
FUTURES = 40


def per_future() -> pd.DataFrame:
    """40 futures; at trust 0.5 the army shrinks in the first `shrinking` futures of a setting.

    Payment 10k: 8 (wide reach) or 4; 50k: 24 or 12; 100k: 32 or 20 futures. A future
    "shrinks" at 0.5 of its seeds and not at 0.4, so the threshold is tested at its edge.
    Spending is payment x 1,000 paid claims x reach / 0.01 in every future.
    """
    shrinking = {
        (10_000.0, 0.05): 8,
        (10_000.0, 0.01): 4,
        (50_000.0, 0.05): 24,
        (50_000.0, 0.01): 12,
        (100_000.0, 0.05): 32,
        (100_000.0, 0.01): 20,
    }
    rows = []
    for (payment, reach), k in shrinking.items():
        for future in range(FUTURES):
            rows.append(
                {
                    "policy": f"fund {payment:.0f} {reach}",
                    "future_id": future,
                    "n_seeds": 10,
                    "defection_payment_usd": payment,
                    "offer_reach_per_week": reach,
                    "offer_trust": 0.5,
                    "p_army_shrank": 0.5 if future < k else 0.4,
                    "fund_spent_usd": payment * 1_000 * reach / 0.01,
                }
            )
    return pd.DataFrame(rows)


def test_share_of_futures_and_its_wilson_interval():
    table = fund_price(per_future()).set_index(["defection_payment_usd", "offer_reach_per_week"])
    row = table.loc[(50_000.0, 0.05)]
    assert (row["futures"], row["futures_shrank"], row["share"]) == (40, 24, 0.6)
    low, high = proportion_confint(24, 40, method="wilson")
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    assert row["reaches"] and not row["reaches_surely"]  # 0.6, but the interval dips below 0.5
    assert row["cost_usd"] == pytest.approx(50_000 * 1_000 * 5)
    assert row["share_of_frozen_assets"] == pytest.approx(250e6 / FROZEN_ASSETS_USD)


def test_the_cheapest_setting_reaching_half_the_futures_and_the_frontier():
    table = fund_price(per_future())
    cheapest = table[table["cheapest"]]
    # Reaching 50%: (50k, 0.05) at 250m, (100k, 0.05) at 500m; (100k, 0.01) reaches 0.5 at 100m.
    assert len(cheapest) == 1
    assert tuple(cheapest.iloc[0][["defection_payment_usd", "offer_reach_per_week"]]) == (
        100_000.0,
        0.01,
    )
    frontier = table[table["on_frontier"]]
    # Cost order: 10k/0.01 10m (0.1), 10k/0.05 50m (0.2), 50k/0.01 50m (0.3), 100k/0.01 100m
    # (0.5), 50k/0.05 250m (0.6), 100k/0.05 500m (0.8). 10k/0.05 is dominated by 50k/0.01.
    assert set(
        zip(frontier["defection_payment_usd"], frontier["offer_reach_per_week"], strict=True)
    ) == {
        (10_000.0, 0.01),
        (50_000.0, 0.01),
        (100_000.0, 0.01),
        (50_000.0, 0.05),
        (100_000.0, 0.05),
    }


def test_lowest_payment_per_reach():
    lowest = lowest_payment(fund_price(per_future())).set_index("offer_reach_per_week")
    assert lowest.at[0.05, "defection_payment_usd"] == 50_000.0
    assert lowest.at[0.01, "defection_payment_usd"] == 100_000.0


def test_no_setting_reaching_means_no_cheapest():
    rows = per_future()
    rows["p_army_shrank"] = 0.0
    table = fund_price(rows)
    assert not table["cheapest"].any() and not table["reaches"].any()
    assert np.isnan(lowest_payment(table)["defection_payment_usd"]).all()


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="lacks fund_spent_usd"):
        fund_price(per_future().drop(columns="fund_spent_usd"))


def test_trust_is_a_condition_not_a_choice():
    # offer_trust is an uncertainty in the Scenario: the West cannot buy it, so the cheapest
    # setting is found for each trust value, among payments and reaches.
    assert conditions(FUND_SETTINGS) == ["offer_trust"]
    rows = per_future()
    high_trust = rows.assign(offer_trust=0.9, fund_spent_usd=rows["fund_spent_usd"] * 2)
    table = fund_price(pd.concat([rows, high_trust], ignore_index=True))
    assert table.groupby("offer_trust")["cheapest"].sum().tolist() == [1, 1]

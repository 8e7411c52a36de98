"""Robustness of policies across futures: outcome distributions, gains and backfires, regret.

A robustness experiment (``kind = "robustness"``, `outlast.experiments.robust_design`) runs every
policy on every future of an ensemble with the same seeds. `read_robustness` reads its output
into three tables; the measures below take them (docs/ROBUSTNESS.md says what each means and why):

- `distribution_table`: per policy, P(war ended), P(regime change), P(hard-line successor), each
  pooled over all runs with its Wilson 95% interval, and as a distribution across futures of the
  per-future shares (mean with a bootstrap interval over futures and seeds; 10%, 50%, 90% of
  the per-future shares, never of 0/1 values).
- `time_table`: per policy, weeks of war within the horizon (a run whose war did not end counts
  the whole horizon) and the week the war ended in the runs where it did.
- `comparison_table`: per policy, the share of futures where it does clearly better than the
  reference policy and where it does clearly worse (backfire), each future judged by an exact
  one-sided sign test over its seeds' paired runs (`verdicts`).
- `regret_table`: per policy, its regret in P(war ended) against the best policy of each future.

Every interval reflects the number of seeds: Wilson intervals count runs or futures, and the
bootstrap resamples futures and, within each, seeds (the same seeds for every policy, keeping
the pairs of common random numbers).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from outlast.analysis.tables import HARD_LINE_CODE, load_sweep, wilson_interval
from outlast.experiments.design import ExperimentError

#: The yes/no outcomes of a run: column of `RobustnessResults.runs` and its heading.
SHARES = {
    "war_ended": "P(war ended)",
    "regime_change": "P(regime change)",
    "hardline_successor": "P(hard-line successor)",
}
#: Two years, in weeks: the army's size is also read then (the fund's question).
TWO_YEARS_WEEKS = 104
#: One-sided level of the sign test that judges a future better or worse than the reference.
ALPHA = 0.05
#: Bootstrap replicates, and the fixed seed that makes a report's intervals repeat exactly.
BOOTSTRAP_REPLICATES = 1000
BOOTSTRAP_SEED = 20261130
#: Verdicts of a future, in the order tables and figures show them.
VERDICTS = ("better", "no clear difference", "worse")


@dataclass
class RobustnessResults:
    """A finished robustness experiment, read for analysis.

    Attributes:
        root: Its output directory.
        manifest: Its manifest.
        runs: One row per finished run: run_id, policy, future_id, seed_index, the outcome and
            its week, war_ended, regime_change, hardline_successor (bools), end_week (NaN if the
            war did not end), weeks_of_war (end_week, or the horizon), force_ratio_final and
            force_ratio_2y (the active force at the last week, and at week 104 or the last week
            if the run stopped before, over the force at week 0), and the policy's levers.
        futures: One row per future: future_id and the values of the uncertainties it sets.
        per_future: One row per (policy, future_id): n_seeds (finished runs) and the shares
            ``p_war_ended``, ``p_regime_change``, ``p_hardline_successor``,
            ``p_force_below_start_2y``, the means ``mean_weeks_of_war`` and
            ``mean_force_ratio_final``, ``fund_spent_usd`` (mean over seeds), and ``n_ended``.
        failed: Runs that failed, by policy (all policies listed).
        policies: The policies in the design's order.
        reference: The policy the others are judged against (None if the design names none).
        levers: The levers any policy sets.
        uncertainties: The futures' columns.
        horizon_weeks: The runs' horizon.

    """

    root: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame
    futures: pd.DataFrame
    per_future: pd.DataFrame
    failed: pd.Series
    policies: list[str]
    reference: str | None
    levers: list[str]
    uncertainties: list[str]
    horizon_weeks: int

    @property
    def n_seeds(self) -> int:
        """Seeds per future (as designed)."""
        return int(self.manifest["seeds"])

    @property
    def n_futures(self) -> int:
        """Futures in the ensemble."""
        return len(self.futures)


def read_robustness(out_dir: Path) -> RobustnessResults:
    """Read a finished robustness experiment.

    Raises:
        ExperimentError: If `out_dir` holds no finished sweep, or one of another kind.

    """
    sweep = load_sweep(Path(out_dir))
    design = sweep.manifest["design"]
    if design["kind"] != "robustness":
        raise ExperimentError(
            f"'{out_dir}' holds a '{design['kind']}' sweep, not a robustness experiment"
        )
    info = design["robustness"]
    results = sweep.results
    ok = results[results["status"] == "ok"]
    horizon = info["horizon_weeks"] or int(results["weeks_run"].max())
    runs = _runs(ok, sweep.weekly, info["levers"], horizon)
    futures = results.groupby("future_id", sort=True)[info["uncertainties"]].first()
    futures = futures.reset_index()
    failed = results[results["status"] != "ok"].groupby("policy").size()
    return RobustnessResults(
        root=sweep.root,
        manifest=sweep.manifest,
        runs=runs,
        futures=futures,
        per_future=per_future_table(runs, info["policies"]),
        failed=failed.reindex(info["policies"], fill_value=0),
        policies=list(info["policies"]),
        reference=info["reference"],
        levers=list(info["levers"]),
        uncertainties=list(info["uncertainties"]),
        horizon_weeks=int(horizon),
    )


def _runs(ok: pd.DataFrame, weekly: pd.DataFrame, levers: list[str], horizon: int) -> pd.DataFrame:
    """One row per finished run with its outcomes as bools and its force relative to the start."""
    runs = ok[["run_id", "policy", "future_id", "seed_index", "outcome", "outcome_week"]].copy()
    runs["war_ended"] = ok["war_ended"].to_numpy() > 0
    runs["regime_change"] = ok["regime_change"].to_numpy() > 0
    runs["hardline_successor"] = ok["successor_stance_code"].to_numpy() == HARD_LINE_CODE
    runs["end_week"] = np.where(runs["war_ended"], ok["outcome_week"], np.nan)
    runs["weeks_of_war"] = np.where(runs["war_ended"], ok["outcome_week"], horizon).astype(float)
    force = weekly.loc[weekly["run_id"].isin(runs["run_id"]), ["run_id", "week", "force_active"]]
    start = force[force["week"] == 0].set_index("run_id")["force_active"]
    by_2y = force[force["week"] <= TWO_YEARS_WEEKS].sort_values(["run_id", "week"])
    at_2y = by_2y.groupby("run_id")["force_active"].last()
    ids = runs["run_id"]
    runs["force_ratio_final"] = ok["force_active"].to_numpy() / start.reindex(ids).to_numpy()
    runs["force_ratio_2y"] = at_2y.reindex(ids).to_numpy() / start.reindex(ids).to_numpy()
    # Older outputs (before the fund's spending was always kept) read as NaN, not as no spending.
    spent = ok["fund_spent_usd"] if "fund_spent_usd" in ok else pd.Series(np.nan, index=ok.index)
    runs["fund_spent_usd"] = spent.to_numpy(dtype=float)
    for lever in levers:
        runs[lever] = ok[lever].to_numpy()
    return runs.reset_index(drop=True)


def per_future_table(runs: pd.DataFrame, policies: list[str]) -> pd.DataFrame:
    """One row per (policy, future): seeds finished, the outcome shares, the means."""
    runs = runs.assign(force_below_start_2y=runs["force_ratio_2y"] < 1.0)
    if "fund_spent_usd" not in runs:
        runs = runs.assign(fund_spent_usd=np.nan)
    grouped = runs.groupby(["policy", "future_id"], sort=False)
    table = grouped.agg(
        n_seeds=("run_id", "size"),
        n_ended=("war_ended", "sum"),
        p_war_ended=("war_ended", "mean"),
        p_regime_change=("regime_change", "mean"),
        p_hardline_successor=("hardline_successor", "mean"),
        p_force_below_start_2y=("force_below_start_2y", "mean"),
        mean_weeks_of_war=("weeks_of_war", "mean"),
        mean_force_ratio_final=("force_ratio_final", "mean"),
        fund_spent_usd=("fund_spent_usd", "mean"),
    ).reset_index()
    order = pd.Categorical(table["policy"], categories=policies, ordered=True)
    return table.assign(_order=order).sort_values(["_order", "future_id"]).drop(columns="_order")


def run_score(runs: pd.DataFrame) -> pd.Series:
    """Each run's outcome on one ordered scale: +1 war ended, -1 hard-line successor, 0 else.

    A hard-line successor is a new regime that goes on with the war harder; a run cannot both
    end the war and bring one (docs/MODEL.md, "Coups").
    """
    return runs["war_ended"].astype(float) - runs["hardline_successor"].astype(float)


def cube(res: RobustnessResults, values: pd.Series) -> np.ndarray:
    """A run-level value as an array [policy, future, seed] (NaN where a run failed)."""
    frame = res.runs[["policy", "future_id", "seed_index"]].assign(value=values.to_numpy())
    index = pd.MultiIndex.from_product(
        [res.policies, range(res.n_futures), range(res.n_seeds)],
        names=["policy", "future_id", "seed_index"],
    )
    series = frame.set_index(["policy", "future_id", "seed_index"])["value"].astype(float)
    return series.reindex(index).to_numpy().reshape(len(res.policies), res.n_futures, res.n_seeds)


def bootstrap(
    data: np.ndarray,
    statistic: Callable[[np.ndarray], np.ndarray],
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
) -> np.ndarray:
    """Resample futures, then seeds within each future, and apply `statistic`.

    Args:
        data: Run values [policy, future, seed].
        statistic: From per-future means [policy, future] to one value per policy.
        replicates: Bootstrap replicates.
        seed: The resampling's seed (fixed, so a report repeats exactly).

    Returns:
        [replicate, policy]. A future's seeds are resampled once for all policies, so every
        policy meets the same seeds (the pairs of common random numbers stay paired).

    """
    rng = np.random.default_rng(seed)
    _, n_futures, n_seeds = data.shape
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a resample with every run failed
        for _ in range(replicates):
            futures = rng.integers(n_futures, size=n_futures)
            seeds = rng.integers(n_seeds, size=(n_futures, n_seeds))
            out.append(statistic(np.nanmean(data[:, futures[:, None], seeds], axis=2)))
    return np.asarray(out)


def _interval(draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The 2.5% and 97.5% percentiles of bootstrap draws, per policy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanpercentile(draws, 2.5, axis=0), np.nanpercentile(draws, 97.5, axis=0)


def _future_means(data: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(data, axis=2)


def _across(values: np.ndarray) -> np.ndarray:
    """Mean over futures, per policy."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=1)


def distribution_table(res: RobustnessResults) -> pd.DataFrame:
    """Per policy and outcome: pooled share (Wilson) and its distribution across futures.

    Columns: policy, outcome (a key of `SHARES`), n_runs, n_futures; ``pooled`` (share of all
    finished runs) with ``pooled_low``/``pooled_high`` (Wilson 95%, counting runs as independent);
    ``mean`` (mean over futures of the per-future share) with ``mean_low``/``mean_high``
    (bootstrap over futures and seeds); ``q10``, ``q50``, ``q90`` of the per-future shares; and
    ``futures_any`` and ``futures_all``, the shares of futures where it happened in at least one
    seed and in every seed.
    """
    rows = []
    for outcome in SHARES:
        data = cube(res, res.runs[outcome])
        per_future = _future_means(data)
        low, high = _interval(bootstrap(data, _across))
        for i, policy in enumerate(res.policies):
            flags = res.runs.loc[res.runs["policy"] == policy, outcome]
            shares = per_future[i][~np.isnan(per_future[i])]
            pooled_low, pooled_high = wilson_interval(int(flags.sum()), len(flags))
            rows.append(
                {
                    "policy": policy,
                    "outcome": outcome,
                    "n_runs": len(flags),
                    "n_futures": len(shares),
                    "pooled": flags.mean() if len(flags) else np.nan,
                    "pooled_low": pooled_low,
                    "pooled_high": pooled_high,
                    "mean": shares.mean() if len(shares) else np.nan,
                    "mean_low": low[i],
                    "mean_high": high[i],
                    **_quantiles(shares),
                    "futures_any": (shares > 0).mean() if len(shares) else np.nan,
                    "futures_all": (shares == 1).mean() if len(shares) else np.nan,
                }
            )
    return pd.DataFrame(rows)


def _quantiles(values: np.ndarray) -> dict[str, float]:
    if not len(values):
        return dict.fromkeys(("q10", "q50", "q90"), np.nan)
    q10, q50, q90 = np.quantile(values, [0.1, 0.5, 0.9])
    return {"q10": q10, "q50": q50, "q90": q90}


def time_table(res: RobustnessResults) -> pd.DataFrame:
    """Per policy: weeks of war within the horizon, and when the war ended where it did.

    Columns: policy, n_runs, n_ended; ``weeks_of_war`` (mean over futures of the per-future mean,
    a run whose war did not end counting the horizon) with a bootstrap interval and the 10%, 50%,
    90% of the per-future means; ``median_end_week`` and ``end_week_q10``/``_q90`` over the runs
    where the war ended (NaN if none).
    """
    data = cube(res, res.runs["weeks_of_war"])
    per_future = _future_means(data)
    low, high = _interval(bootstrap(data, _across))
    rows = []
    for i, policy in enumerate(res.policies):
        runs = res.runs[res.runs["policy"] == policy]
        ended = runs["end_week"].dropna()
        weeks = per_future[i][~np.isnan(per_future[i])]
        row = {
            "policy": policy,
            "n_runs": len(runs),
            "n_ended": len(ended),
            "weeks_of_war": weeks.mean() if len(weeks) else np.nan,
            "weeks_of_war_low": low[i],
            "weeks_of_war_high": high[i],
            **{f"weeks_of_war_{k}": v for k, v in _quantiles(weeks).items()},
        }
        if len(ended):
            q10, q50, q90 = np.quantile(ended, [0.1, 0.5, 0.9])
        else:
            q10 = q50 = q90 = np.nan
        row.update(median_end_week=q50, end_week_q10=q10, end_week_q90=q90)
        rows.append(row)
    return pd.DataFrame(rows)


def verdicts(
    res: RobustnessResults, reference: str | None = None, alpha: float = ALPHA
) -> pd.DataFrame:
    """Each (policy, future) against the reference policy, judged over the future's seeds.

    The runs of a policy and of the reference with the same future and seed share their random
    numbers; each such pair is a win if the policy's `run_score` is higher, a loss if lower, a tie
    otherwise. A future counts as ``better`` when an exact one-sided sign test of wins against
    losses (ties dropped) rejects "no better" at `alpha`, ``worse`` when the opposite test rejects
    "no worse", else ``no clear difference``.

    Returns:
        policy, future_id, pairs, wins, losses, ties, p_better, p_worse, verdict, and
        ``gain_war_ended``: the policy's share of seeds where the war ended minus the reference's.

    Raises:
        ExperimentError: If there is no reference policy.

    """
    reference = reference or res.reference
    if reference is None or reference not in res.policies:
        raise ExperimentError(f"no reference policy '{reference}' among {res.policies}")
    score = cube(res, run_score(res.runs))
    ended = cube(res, res.runs["war_ended"])
    ref = res.policies.index(reference)
    rows = []
    for i, policy in enumerate(res.policies):
        if i == ref:
            continue
        diff = score[i] - score[ref]  # [future, seed]; NaN where either run failed
        wins = np.sum(diff > 0, axis=1)
        losses = np.sum(diff < 0, axis=1)
        pairs = np.sum(~np.isnan(diff), axis=1)
        decided = wins + losses
        # P(at least `wins` of `decided` fair coin flips): the exact sign test's p-value.
        p_better = binom.sf(wins - 1, decided, 0.5)
        p_worse = binom.sf(losses - 1, decided, 0.5)
        verdict = np.where(
            p_better < alpha, VERDICTS[0], np.where(p_worse < alpha, VERDICTS[2], VERDICTS[1])
        )
        gain = _future_means(ended[i : i + 1])[0] - _future_means(ended[ref : ref + 1])[0]
        rows.append(
            pd.DataFrame(
                {
                    "policy": policy,
                    "future_id": np.arange(res.n_futures),
                    "pairs": pairs,
                    "wins": wins,
                    "losses": losses,
                    "ties": pairs - decided,
                    "p_better": p_better,
                    "p_worse": p_worse,
                    "verdict": verdict,
                    "gain_war_ended": gain,
                }
            )
        )
    columns = ["policy", "future_id", "pairs", "wins", "losses", "ties", "p_better", "p_worse"]
    if not rows:
        return pd.DataFrame(columns=[*columns, "verdict", "gain_war_ended"])
    return pd.concat(rows, ignore_index=True)


def comparison_table(
    res: RobustnessResults, reference: str | None = None, alpha: float = ALPHA
) -> pd.DataFrame:
    """Per policy: the shares of futures where it does clearly better, and worse, than the reference.

    Columns: policy, reference, n_futures (futures with at least one pair); ``better`` and
    ``worse`` (counts), ``p_better_futures`` and ``p_worse_futures`` (shares of futures) with
    Wilson 95% intervals over futures (``_low``, ``_high``); ``unclear`` (count); ``mean_gain``,
    the mean over futures of the gain in P(war ended) against the reference, with a bootstrap
    interval over futures and seeds; and ``min_p``, the smallest p-value the seeds allow
    (0.5 to the number of seeds): a future can be judged only if it is below `alpha`.
    """
    reference = reference or res.reference
    table = verdicts(res, reference, alpha)
    ended = cube(res, res.runs["war_ended"])
    ref = res.policies.index(reference)  # type: ignore[arg-type]
    gains = bootstrap(ended, lambda m: _across(m - m[ref]))
    low, high = _interval(gains)
    rows = []
    for policy, group in table.groupby("policy", sort=False):
        judged = group[group["pairs"] > 0]
        n = len(judged)
        i = res.policies.index(str(policy))
        row: dict[str, Any] = {"policy": policy, "reference": reference, "n_futures": n}
        for verdict, key in ((VERDICTS[0], "better"), (VERDICTS[2], "worse")):
            count = int((judged["verdict"] == verdict).sum())
            lo, hi = wilson_interval(count, n)
            row.update(
                {
                    key: count,
                    f"p_{key}_futures": count / n if n else np.nan,
                    f"p_{key}_futures_low": lo,
                    f"p_{key}_futures_high": hi,
                }
            )
        row["unclear"] = int((judged["verdict"] == VERDICTS[1]).sum())
        row["mean_gain"] = judged["gain_war_ended"].mean() if n else np.nan
        row["mean_gain_low"], row["mean_gain_high"] = low[i], high[i]
        row["min_p"] = 0.5 ** int(judged["pairs"].max()) if n else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def regret_table(res: RobustnessResults, outcome: str = "war_ended") -> pd.DataFrame:
    """Per policy: its regret against the best policy of each future, in P(`outcome`).

    A future's regret of a policy is the best policy's share there minus its own (0 for the
    best). Columns: policy, n_futures; ``mean_regret`` with a bootstrap interval over futures and
    seeds (the best is found again in each resample, so the interval carries the upward bias of
    picking a best among noisy shares); ``q50``/``q90``/``max_regret`` across futures;
    ``best_futures``, the share of futures where the policy is among the best (ties count for
    every tied policy).
    """
    data = cube(res, res.runs[outcome])

    def mean_regret(means: np.ndarray) -> np.ndarray:
        return _across(np.nanmax(means, axis=0) - means)

    per_future = _future_means(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        regret = np.nanmax(per_future, axis=0) - per_future
    low, high = _interval(bootstrap(data, mean_regret))
    rows = []
    for i, policy in enumerate(res.policies):
        values = regret[i][~np.isnan(regret[i])]
        q = _quantiles(values)
        rows.append(
            {
                "policy": policy,
                "outcome": outcome,
                "n_futures": len(values),
                "mean_regret": values.mean() if len(values) else np.nan,
                "mean_regret_low": low[i],
                "mean_regret_high": high[i],
                "q50_regret": q["q50"],
                "q90_regret": q["q90"],
                "max_regret": values.max() if len(values) else np.nan,
                "best_futures": (values == 0).mean() if len(values) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def regret_by_future(res: RobustnessResults, outcome: str = "war_ended") -> pd.DataFrame:
    """One row per (policy, future): the regret in P(`outcome`) (for figures and discovery)."""
    share = res.per_future.pivot(index="future_id", columns="policy", values=f"p_{outcome}")
    share = share.reindex(columns=res.policies)
    regret = share.max(axis=1).to_numpy()[:, None] - share
    return regret.reset_index().melt(id_vars="future_id", var_name="policy", value_name="regret")


def futures_with_outcomes(res: RobustnessResults, policy: str) -> pd.DataFrame:
    """One row per future: its uncertainties' values and what `policy` did there.

    The input of scenario discovery ("in which futures does the package end the war, where does
    a lever backfire?"): the futures' columns, then the policy's per-future shares
    (``p_war_ended`` ...), n_seeds, and, if the design has a reference policy other than
    `policy`, the future's `verdicts` against it (``verdict``, ``gain_war_ended``).

    Raises:
        ExperimentError: If `policy` is not one of the design's policies.

    """
    if policy not in res.policies:
        raise ExperimentError(f"no policy '{policy}'; the design has {', '.join(res.policies)}")
    shares = res.per_future[res.per_future["policy"] == policy].drop(columns="policy")
    table = res.futures.merge(shares, on="future_id", how="left")
    if res.reference is not None and policy != res.reference:
        judged = verdicts(res)
        judged = judged.loc[judged["policy"] == policy, ["future_id", "verdict", "gain_war_ended"]]
        table = table.merge(judged, on="future_id", how="left")
    return table

"""Global sensitivity (SALib): Sobol or Morris indices of a sweep, PAWN over an ensemble of futures."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from outlast.analysis.tables import Sweep, point_means


@dataclass
class Sensitivity:
    """Sensitivity indices per output (Sobol: S1, ST; Morris: mu*, sigma) and skipped outputs."""

    method: str
    indices: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def sensitivity(sweep: Sweep) -> Sensitivity | None:
    """SALib's Sobol or Morris analysis of a Sobol or Morris design (else None).

    Each output is a per-point mean over seeds: every final metric and P(end or change).
    """
    if sweep.kind not in ("sobol", "morris"):
        return None
    from SALib.analyze import morris, sobol

    points = sweep.points()
    names = sweep.parameters
    problem = sweep.manifest["design"]["salib_problem"]
    result = Sensitivity(sweep.kind)
    seed = int(sweep.manifest["master_seed"]) % 2**32
    for output, y in point_means(sweep).items():
        values = y.to_numpy(dtype=float)
        if np.isnan(values).any():
            result.skipped[output] = "some design points have no successful run"
            continue
        if np.ptp(values) == 0:
            result.skipped[output] = "the same at every design point"
            continue
        if sweep.kind == "sobol":
            si = sobol.analyze(problem, values, calc_second_order=False, seed=seed)
            table = pd.DataFrame(
                {k: si[k] for k in ("S1", "S1_conf", "ST", "ST_conf")}, index=names
            )
        else:
            x = points[names].to_numpy(dtype=float)
            levels = sweep.manifest["design"]["morris_levels"]
            si = morris.analyze(problem, x, values, num_levels=levels, seed=seed)
            table = pd.DataFrame(
                {k: np.asarray(si[k], dtype=float) for k in ("mu_star", "mu_star_conf", "sigma")},
                index=names,
            )
        result.indices[output] = table
    return result


# ---- PAWN over an ensemble of futures ----------------------------------------------------------

#: Conditioning slices of PAWN: at most this many, and at least `PAWN_MIN_PER_SLICE` futures each.
PAWN_SLICES = 10
PAWN_MIN_PER_SLICE = 20
PAWN_MIN_SLICES = 3
PAWN_BOOTSTRAP = 200
#: Inputs of uniform noise in each bootstrap resample, whose mean index is that resample's noise
#: level (the outcome cannot depend on them).
PAWN_DUMMIES = 10
#: Sets of noise inputs, as many as the parameters, whose largest index gives the threshold.
PAWN_NULL_SETS = 200
PAWN_ALPHA = 0.05


def pawn_indices(x: np.ndarray, y: np.ndarray, slices: int) -> np.ndarray:
    """PAWN's median KS statistic per column of `x`, as SALib's `pawn.analyze` computes it.

    For each input, the futures are cut into `slices` equal-count slices of that input; in each
    slice the Kolmogorov-Smirnov distance between the outcome's distribution there and overall
    is taken, and the index is the median over slices. Vectorised here for the bootstrap;
    tests/outlast/test_sensitivity_pawn.py checks it equals SALib's.
    """
    y_sorted = np.sort(y)
    values = np.unique(y)
    cdf_all = np.searchsorted(y_sorted, values, side="right") / len(y)
    out = np.empty(x.shape[1])
    step = 1 / slices
    edges_at = np.arange(0, 1 + step, step)  # SALib's own cut points, to the last bit
    for d in range(x.shape[1]):
        column = x[:, d]
        edges = np.quantile(column, edges_at)
        distances = []
        for s in range(slices):
            # SALib's slices are half-open [q_s, q_s+1): the largest value falls in none.
            chosen = np.sort(y[(column >= edges[s]) & (column < edges[s + 1])])
            if chosen.size == 0:
                continue
            cdf = np.searchsorted(chosen, values, side="right") / chosen.size
            distances.append(np.max(np.abs(cdf - cdf_all)))
        out[d] = np.median(distances) if distances else np.nan
    return out


def pawn_slices(n_futures: int) -> int | str:
    """The number of PAWN slices for an ensemble of `n_futures`, or why PAWN cannot be done."""
    slices = min(PAWN_SLICES, n_futures // PAWN_MIN_PER_SLICE)
    if slices < PAWN_MIN_SLICES:
        need = PAWN_MIN_SLICES * PAWN_MIN_PER_SLICE
        return f"{n_futures} futures; PAWN needs at least {need} ({PAWN_MIN_PER_SLICE} a slice)"
    return slices


def _null_indices(y: np.ndarray, slices: int, sets: int, size: int, rng) -> np.ndarray:
    """PAWN indices of `sets` x `size` inputs of uniform noise: the index's null distribution."""
    out = np.empty((sets, size))
    for i in range(sets):
        out[i] = pawn_indices(rng.random((len(y), size)), y, slices)
    return out


def pawn_sensitivity(
    x: pd.DataFrame,
    y: pd.Series | np.ndarray,
    bootstrap: int = PAWN_BOOTSTRAP,
    seed: int = 0,
) -> pd.DataFrame | str:
    """PAWN sensitivity of an outcome per future to each uncertain parameter, with intervals.

    PAWN (Pianosi & Wagener 2015, 2018) compares the outcome's distribution within slices of one
    input with its distribution overall (Kolmogorov-Smirnov distance); it works on any given
    sample (an LHS ensemble, or what is left of it after history matching) and on outputs that
    are 0/1 or shares over a few seeds, where variance-based indices and density estimates do not
    (docs/ROBUSTNESS.md, "Sensitivity"). The index is SALib's `pawn.analyze` median.

    With slices of a few dozen futures, KS distances are well above 0 by chance alone. An input
    the outcome does not depend on has the index of an input of pure noise, so noise inputs give
    the null: the noise level is their mean index; a parameter is influential beyond noise when
    its index exceeds the 95th percentile of the largest index among as many noise inputs as
    there are parameters (`PAWN_NULL_SETS` sets), which keeps the chance of calling any inert
    parameter influential at 5%. The interval is the basic bootstrap 95% interval of the index's
    excess over the noise level, over `bootstrap` resamples of the futures (each with
    `PAWN_DUMMIES` noise inputs of its own, so the inflation resampling brings cancels).

    Args:
        x: One row per future, one numeric column per uncertain parameter.
        y: The outcome per future (same order), e.g. P(war ended) over its seeds.
        bootstrap: Resamples for the intervals.
        seed: Seed of the resampling and the noise inputs.

    Returns:
        One row per parameter, ranked by index: parameter, pawn (median KS), excess over the
        noise level, its low and high, p_value (share of noise indices at least as large),
        above_noise; the attrs hold n_futures, slices, bootstrap, noise_level and threshold.
        Or one sentence saying why there are no indices.

    Raises:
        ValueError: If x and y differ in length.

    """
    from SALib.analyze import pawn

    y = np.asarray(y, dtype=float)
    if len(x) != len(y):
        raise ValueError(f"{len(x)} futures but {len(y)} outcomes")
    if np.isnan(y).any():
        return "some futures have no outcome"
    slices = pawn_slices(len(y))
    if isinstance(slices, str):
        return slices
    if np.ptp(y) == 0:
        return f"the outcome is {y[0]:.3g} in every future; nothing depends on anything"
    x = x.loc[:, x.nunique() > 1]  # a parameter fixed across the futures has no slices
    if x.empty:
        return "no parameter varies across the futures"
    rng = np.random.default_rng(seed)
    names = [str(c) for c in x.columns]
    d = len(names)
    values = x.to_numpy(dtype=float)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    point = np.asarray(pawn.analyze(problem, values, y, S=slices)["median"], dtype=float)
    null = _null_indices(y, slices, PAWN_NULL_SETS, d, rng)
    noise = float(null.mean())
    threshold = float(np.quantile(null.max(axis=1), 1 - PAWN_ALPHA))
    p_value = (1 + (null.ravel()[None, :] >= point[:, None]).sum(axis=1)) / (1 + null.size)
    excess = point - noise
    with_dummies = np.column_stack([values, rng.random((len(y), PAWN_DUMMIES))])
    draws = []
    for _ in range(bootstrap):
        i = rng.integers(0, len(y), len(y))
        resampled = pawn_indices(with_dummies[i], y[i], slices)
        draws.append(resampled[:d] - resampled[d:].mean())
    q_low, q_high = np.nanpercentile(np.array(draws), [2.5, 97.5], axis=0)
    # The basic (reverse percentile) interval: an influential input's resampled excess sits
    # below its index (repeated futures inflate the noise inputs' distances more than its own),
    # and the basic interval carries the draws' spread around the index, not their level.
    table = pd.DataFrame(
        {
            "parameter": names,
            "pawn": point,
            "excess": excess,
            "low": 2 * excess - q_high,
            "high": 2 * excess - q_low,
            "p_value": p_value,
            "above_noise": point > threshold,
        }
    )
    table.attrs.update(
        n_futures=len(y),
        slices=slices,
        bootstrap=bootstrap,
        noise_level=noise,
        threshold=threshold,
    )
    return table.sort_values("pawn", ascending=False, kind="stable").reset_index(drop=True)

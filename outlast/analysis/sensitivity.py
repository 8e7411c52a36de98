"""Global sensitivity of a Sobol or Morris sweep's outputs (SALib)."""

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

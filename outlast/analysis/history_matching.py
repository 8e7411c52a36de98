"""History matching: the futures whose uncertainties agree with the national figures of FACTS.md.

Following Vernon, Goldstein & Bower (2010) and, for agent-based models, Andrianakis et al. (2015):
every `uncertainty` and `calibrated` Scenario field is sampled by Latin hypercube
(`outlast.experiments.uncertainties`); each point is run with a few seeds in the conditions of the
period each figure was observed in (its *calibration runs*, `CALIBRATION_RUNS`); for each figure
the implausibility is

    I = |mean over seeds of the model's value - observed| / sqrt(var_obs + var_disc + var_seeds / n)

on the figure's scale (log for counts and rates), and a point is kept if its largest I (or, for
refocusing in early waves, its second largest) is below the threshold (3, Pukelsheim's three-sigma
rule). Waves refocus without an emulator: wave k+1 is a new Latin hypercube within the bounding
box (widened a little) of the points that passed the refocusing rule in waves 1..k, and each of
its points is run and judged on every figure, so the criteria of earlier waves apply to it in
full. The ensemble is every point of every wave whose largest I is below the threshold.

The figures are the calibration targets of `outlast validate` (its checks of kind
"calibration"), measured exactly as there; its out-of-sample checks are not used here and are
reported for the ensemble as held-out validation (`HELD_OUT`). docs/HISTORY_MATCHING.md gives the
figures, variances and their sources, and the results.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from model.scenario import Scenario, preset_overrides
from outlast.analysis.politics_checks import CHECK_SIZES, COUP_CONDITIONS
from outlast.analysis.validate import CHECKS, run_results
from outlast.experiments.design import (
    ExperimentError,
    read_experiment_file,
    scenarios_experiment,
)
from outlast.experiments.engine import Backend, SweepOutcome, run_and_read
from outlast.experiments.runner import RunResult
from outlast.experiments.store import provenance, write_atomic
from outlast.experiments.uncertainties import (
    FieldRange,
    around_defaults,
    point_values,
    prior_box,
    range_ratio,
    sample_box,
    survivors_box,
)

# ---- the calibration runs -------------------------------------------------------------------

#: The recruitment scale of historical-2022 over the default's (1,430 against 6,400 a week:
#: FACTS.md's 26,700 contracts in H1 2023 against 166,200 in H1 2024). A point's own scale is
#: carried back to 2022 in this proportion.
HISTORICAL_RECRUIT_RATIO = (
    preset_overrides("historical-2022")["recruits_per_week_at_defaults"]
    / Scenario.model_fields["recruits_per_week_at_defaults"].default
)


def baseline_conditions(point: dict[str, Any]) -> dict[str, Any]:
    """2024-25 as the baseline's first year: no Western lever, and no new mobilisation.

    A point's own mobilisation (week and size) is a future uncertainty; the years the figures
    were observed in had none, so the calibration run has none.
    """
    return {**point, "mobilisation_week": -1, "horizon_weeks": 52}


def hotline_conditions(point: dict[str, Any]) -> dict[str, Any]:
    """The back-cast from 24 Feb 2022 to the line's first anniversary (week 81).

    The preset's facts of 2022 (the force's make-up, pay and bonus, the mobilisation of 300,000
    in week 30, the line from week 29) replace the point's values; the point's recruitment scale
    is carried back in the proportion of the two calibrated scales.
    """
    historical = preset_overrides("historical-2022")
    historical.pop("n_soldier_agents")  # sizes come from the experiment file
    historical.pop("soldiers_per_agent")
    return {
        **point,
        **historical,
        "mobilisation_size": Scenario.model_fields["mobilisation_size"].default,
        # A point that keeps the calibrated scale (sample_roles without "calibrated") has none.
        "recruits_per_week_at_defaults": point.get(
            "recruits_per_week_at_defaults",
            Scenario.model_fields["recruits_per_week_at_defaults"].default,
        )
        * HISTORICAL_RECRUIT_RATIO,
        "horizon_weeks": 81,
    }


def coup_conditions(point: dict[str, Any]) -> dict[str, Any]:
    """Where coups happen: the coup-share check's fast exile talks with the op-ed's package."""
    return {**point, **COUP_CONDITIONS["combined-fast"], **CHECK_SIZES}


#: Each kind of calibration run: the conditions it puts a point in.
CALIBRATION_RUNS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "baseline": baseline_conditions,
    "hotline": hotline_conditions,
    "coups": coup_conditions,
}

# ---- the figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A published figure matched, its scale, and the variances that make up I's denominator.

    Attributes:
        name: The `outlast validate` check that measures it (the same measure, run kind).
        run: Which calibration run produces it (a key of `CALIBRATION_RUNS`).
        observed: The observed value, on the natural scale.
        offset: The scale: ln(value + offset); None for a share compared linearly.
        sd_obs: Observation error's standard deviation on that scale.
        sd_disc: Model discrepancy's standard deviation on that scale.
        pooled: A share pooled over the point's runs (coups), not a mean over seeds.

    """

    name: str
    run: str
    observed: float
    offset: float | None
    sd_obs: float
    sd_disc: float
    pooled: bool = False

    def scaled(self, value: float | np.ndarray) -> Any:
        """The value on the figure's scale."""
        if self.offset is None:
            return value
        return np.log(np.asarray(value, dtype=float) + self.offset)

    @property
    def fixed_variance(self) -> float:
        """var_obs + var_disc."""
        return self.sd_obs**2 + self.sd_disc**2


#: Powell & Thyne: 243 of 488 coup attempts succeeded (1950-2022).
COUP_SHARE = 243 / 488

#: The figures matched (docs/HISTORY_MATCHING.md gives each number's source or "assumption").
FIGURES: tuple[Figure, ...] = (
    Figure("desertion_rate_baseline", "baseline", 0.0025, 1e-4, 0.40, 0.20),
    Figure("recruits_per_week_2024_25", "baseline", 7_200.0, 1.0, 0.10, 0.10),
    Figure("hotline_contacts_mar_2023", "hotline", 9_836.0, 1.0, 0.10, 0.30),
    Figure("hotline_surrenders_first_year", "hotline", 200.0, 1.0, 0.20, 0.25),
    Figure(
        "coup_success_share",
        "coups",
        COUP_SHARE,
        None,
        math.sqrt(COUP_SHARE * (1 - COUP_SHARE) / 488),
        0.10,
        pooled=True,
    ),
)

#: The run kinds in which the regime stood and the war went on through the observed period
#: (2022 to 2025: the one mutiny, Wagner's, failed within a day; FACTS.md). A point any of whose
#: runs of these kinds ends by regime change or settlement before its horizon is implausible
#: (I = inf on the figure "regime_stood"); otherwise I = 0.
STOOD_RUNS = ("baseline", "hotline")
STOOD = "regime_stood"

#: `outlast validate`'s out-of-sample checks the calibration runs produce: not matched, reported
#: for the ensemble as held-out validation.
FIGURE_NAMES = (*(f.name for f in FIGURES), STOOD)

HELD_OUT = ("hotline_contacts_oct_2022", "hotline_contacts_aug_2023", "hotline_surrender_share")


def implausibility(
    model_mean: float, observed: float, var_obs: float, var_disc: float, var_model: float
) -> float:
    """I = |model_mean - observed| / sqrt(var_obs + var_disc + var_model).

    `var_model` is the variance of the model's mean (var over seeds / seeds, or a pooled share's
    binomial variance). A NaN mean (the figure not produced) gives NaN: not judged.
    """
    if not math.isfinite(model_mean):
        return math.nan
    total = var_obs + var_disc + var_model
    if total <= 0:
        return 0.0 if model_mean == observed else math.inf
    return abs(model_mean - observed) / math.sqrt(total)


def figure_statistics(figure: Figure, results: list[RunResult], seeds: int) -> dict[str, float]:
    """A figure's model mean (natural and scaled), the variance of the mean and its I.

    A point with a failed or missing run is implausible (I = inf): its figure is unknown, and a
    future whose model cannot run is no future. A pooled share with no event is not judged
    (NaN): "where coups happen".
    """
    measure = CHECKS[figure.name].measure
    if len(results) < seeds:
        return {"mean": math.nan, "I": math.inf}
    if figure.pooled:
        attempts = sum(float(r.summary["coup_attempts"]) for r in results)
        successes = sum(float(r.summary["coups_succeeded"]) for r in results)
        if attempts == 0:
            return {"mean": math.nan, "I": math.nan}
        share = successes / attempts
        var_model = figure.observed * (1 - figure.observed) / attempts
        value = implausibility(
            share, figure.observed, figure.sd_obs**2, figure.sd_disc**2, var_model
        )
        return {"mean": share, "I": value}
    values = np.array([measure(r) for r in results], dtype=float)
    scaled = figure.scaled(values)
    if not np.all(np.isfinite(scaled)):
        return {"mean": math.nan, "I": math.inf}
    var_model = float(scaled.var(ddof=1)) / len(scaled) if len(scaled) > 1 else 0.0
    value = implausibility(
        float(scaled.mean()),
        float(figure.scaled(figure.observed)),
        figure.sd_obs**2,
        figure.sd_disc**2,
        var_model,
    )
    return {"mean": float(values.mean()), "I": value}


def largest(values: np.ndarray, rank: int) -> np.ndarray:
    """Per row, the `rank`-th largest value ignoring NaN (1: the maximum); 0 if too few."""
    filled = np.where(np.isnan(values), -np.inf, values)
    ordered = -np.sort(-filled, axis=1)
    if ordered.shape[1] < rank:
        return np.zeros(len(values))
    picked = ordered[:, rank - 1]
    return np.where(np.isneginf(picked), 0.0, picked)


# ---- the experiment file --------------------------------------------------------------------

Count = Annotated[int, Strict()]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchSpec(_Strict):
    """``runs/history_matching.toml`` (see runs/README.md)."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    description: str = ""
    master_seed: Annotated[Count, Field(ge=0, lt=2**63)]
    seeds: Annotated[Count, Field(ge=2, le=1000)]
    samples: Annotated[list[Annotated[Count, Field(ge=1, le=100_000)]], Field(min_length=1)]
    threshold: Annotated[float, Field(gt=0)] = 3.0
    refocus_rule: Literal["max", "second"] = "second"
    refocus_min: Annotated[Count, Field(ge=1)] = 20
    widen: Annotated[float, Field(ge=0, le=1)] = 0.1
    ensemble: str = "runs/ensembles/plausible.csv"
    #: The roles sampled; ``["uncertainty"]`` keeps the calibrated fields at their fitted values.
    sample_roles: Annotated[
        list[Literal["uncertainty", "calibrated"]], Field(min_length=1)
    ] = ["uncertainty", "calibrated"]
    #: The first wave's box: this share of each number's bounds, centred on its default
    #: (1: the full bounds). Below 1 the ensemble is local to the calibrated point.
    prior_width: Annotated[float, Field(gt=0, le=1)] = 1.0
    runs: dict[str, dict[str, Any]] = {}


@dataclass(frozen=True)
class MatchConfig:
    """A validated history-matching file."""

    spec: MatchSpec
    path: Path
    text: str

    def samples_of_wave(self, wave: int) -> int:
        """Points in wave `wave` (1-based); waves past the list repeat its last entry."""
        samples = self.spec.samples
        return samples[min(wave, len(samples)) - 1]


def load_match(path: Path) -> MatchConfig:
    """Read and check a history-matching file.

    Raises:
        ExperimentError: With one line naming the file, the key and what is allowed.

    """
    path = Path(path)
    data, text = read_experiment_file(path)
    try:
        spec = MatchSpec(**data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "file"
        if err["type"] == "extra_forbidden":
            raise ExperimentError(
                f"{path}: unknown key '{where}' (allowed: {', '.join(MatchSpec.model_fields)})"
            ) from None
        if err["type"] == "missing":
            raise ExperimentError(f"{path}: '{where}' is missing") from None
        raise ExperimentError(f"{path}: '{where}' = {err.get('input')!r}: {err['msg']}") from None
    for kind, overrides in spec.runs.items():
        if kind not in CALIBRATION_RUNS:
            raise ExperimentError(
                f"{path}: unknown run kind 'runs.{kind}' (allowed: {', '.join(CALIBRATION_RUNS)})"
            )
        for key in overrides:
            info = Scenario.model_fields.get(key)
            role = (info.json_schema_extra or {}).get("role") if info else None
            if role != "setting":
                raise ExperimentError(
                    f"{path}: runs.{kind}.{key}: only run settings (role 'setting', e.g. "
                    "n_soldier_agents, soldiers_per_agent, horizon_weeks) may be set here"
                )
    return MatchConfig(spec, path, text)


# ---- running the waves ------------------------------------------------------------------------

KEEP = {
    "final": ["coup_attempts", "coups_succeeded"],
    "weekly": [
        "desertion_rate_month",
        "recruits_week",
        "hotline_contacts_total",
        "hotline_surrenders_total",
    ],
}


def derived_seed(master_seed: int, stream: int, wave: int) -> int:
    """A seed for wave `wave`'s design (stream 3) or runs (stream 4) from the master seed."""
    seq = np.random.SeedSequence(master_seed, spawn_key=(stream, wave))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


def run_scenarios(config: MatchConfig, points: pd.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """The engine's design points: each sample point in each calibration run, point-major."""
    listed = []
    for row in points.to_dict("records"):
        values = point_values(row)
        for kind, conditions in CALIBRATION_RUNS.items():
            listed.append(("baseline", {**conditions(values), **config.spec.runs.get(kind, {})}))
    return listed


def judge(
    config: MatchConfig, points: pd.DataFrame, by_point: dict[int, list[RunResult]]
) -> pd.DataFrame:
    """Every figure's model mean and I for each sample point, with the largest two I."""
    kinds = list(CALIBRATION_RUNS)
    rows = []
    for i in range(len(points)):
        row: dict[str, Any] = {}
        for figure in FIGURES:
            results = by_point.get(i * len(kinds) + kinds.index(figure.run), [])
            stats = figure_statistics(figure, results, config.spec.seeds)
            row[f"{figure.name}_model"] = stats["mean"]
            row[f"I_{figure.name}"] = stats["I"]
        stood = [
            r.summary["outcome"] == "ongoing"
            for kind in STOOD_RUNS
            for r in by_point.get(i * len(kinds) + kinds.index(kind), [])
        ]
        row[f"I_{STOOD}"] = 0.0 if stood and all(stood) else math.inf
        for name in HELD_OUT:
            check = CHECKS[name]
            results = by_point.get(i * len(kinds) + kinds.index("hotline"), [])
            values = np.array([check.measure(r) for r in results], dtype=float)
            finite = values[np.isfinite(values)]
            row[f"{name}_model"] = float(finite.mean()) if finite.size else math.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    values = table[[f"I_{name}" for name in FIGURE_NAMES]].to_numpy(dtype=float)
    table["I_max"] = largest(values, 1)
    table["I_second"] = largest(values, 2)
    table["plausible"] = table["I_max"] < config.spec.threshold
    rule = "I_max" if config.spec.refocus_rule == "max" else "I_second"
    table["refocus"] = table[rule] < config.spec.threshold
    return table


@dataclass
class WaveResult:
    """One wave: its points with their figures, its box, runs, and time taken.

    `runs_now` and `seconds` are the runs run and the time spent running them, over every
    session that ran this wave's runs (`TIMING`).
    """

    wave: int
    box: dict[str, FieldRange]
    table: pd.DataFrame
    runs: int
    runs_now: int
    seconds: float
    failed: int
    tolerance: float = math.nan
    refocus_points: int = 0
    session_runs: int = 0


def run_points(
    config: MatchConfig,
    points: pd.DataFrame,
    wave: int,
    backend: Backend,
    out: Path | None,
    progress: bool = False,
) -> tuple[pd.DataFrame, SweepOutcome]:
    """Run sample points in their calibration runs (out/wave-K/runs) and judge them.

    Returns:
        The points with every figure's model value and I, the largest two I and whether the
        point is plausible; and what the engine ran.

    """
    exp = scenarios_experiment(
        f"{config.spec.name}-wave{wave}",
        run_scenarios(config, points),
        config.spec.seeds,
        derived_seed(config.spec.master_seed, 4, wave),
        KEEP,
    )
    where = None if out is None else out / f"wave-{wave}" / "runs"
    outcome, runs = run_and_read(exp, where, backend, progress=progress)
    table = pd.concat(
        [points.reset_index(drop=True), judge(config, points, run_results(runs))], axis=1
    )
    table.insert(0, "wave", wave)
    return table, outcome


def run_waves(
    config: MatchConfig,
    waves: int,
    backend: Backend,
    out: Path,
    progress: bool = False,
) -> list[WaveResult]:
    """Run the waves, each on the sweeps' engine (stored and resumable in out/wave-K/runs).

    Stops early when no point passes the refocusing rule (no box to refocus on).
    """
    prior = around_defaults(prior_box(tuple(config.spec.sample_roles)), config.spec.prior_width)
    box = prior
    done: list[WaveResult] = []
    for wave in range(1, waves + 1):
        points = sample_box(
            box, config.samples_of_wave(wave), derived_seed(config.spec.master_seed, 3, wave)
        )
        start = time.perf_counter()
        table, outcome = run_points(config, points, wave, backend, out, progress)
        seconds, runs_run = add_timing(
            out / f"wave-{wave}" / TIMING, time.perf_counter() - start, outcome.n_run_now
        )
        result = WaveResult(wave, box, table, outcome.n_runs, runs_run, seconds, outcome.n_failed)
        result.session_runs = outcome.n_run_now
        done.append(result)
        survivors, result.tolerance = refocus_set(config, all_points(done))
        result.refocus_points = len(survivors)
        if survivors.empty:
            break
        box = survivors_box(prior, survivors, config.spec.widen)
    return done


#: Each wave's time running runs and runs run, summed over the sessions that ran them (a resumed
#: wave adds its own), so that a report written again from stored runs keeps them.
TIMING = "timing.json"


def add_timing(path: Path, seconds: float, runs_run: int) -> tuple[float, int]:
    """Add this session's time and runs to a wave's record, if it ran any; return the totals."""
    record = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    total_s, total_runs = record.get("seconds", 0.0), record.get("runs_run", 0)
    if runs_run:
        total_s, total_runs = total_s + seconds, total_runs + runs_run
        text = json.dumps({"seconds": total_s, "runs_run": total_runs}) + "\n"
        write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return total_s, total_runs


def refocus_set(config: MatchConfig, points: pd.DataFrame) -> tuple[pd.DataFrame, float]:
    """The points the next wave's box is drawn around, and the tolerance on I they meet.

    Those of every wave so far whose refocusing I (largest or second largest) is below the
    threshold; if fewer than ``refocus_min`` are, the ``refocus_min`` points of lowest finite
    refocusing I: an adaptive tolerance, as in ABC-SMC (Del Moral, Doucet & Jasra 2012), so that
    a wave in which almost nothing survives still narrows the box. Only the ensemble's own rule
    (largest I below the threshold) decides membership.
    """
    column = "I_max" if config.spec.refocus_rule == "max" else "I_second"
    threshold = config.spec.threshold
    passing = points[points[column] < threshold]
    if len(passing) >= config.spec.refocus_min:
        return passing, threshold
    finite = points[np.isfinite(points[column])]
    best = finite.nsmallest(config.spec.refocus_min, column)
    tolerance = float(best[column].max()) if len(best) else math.nan
    return best, max(tolerance, threshold) if len(best) else math.nan


# ---- what the waves found ---------------------------------------------------------------------


def all_points(waves: list[WaveResult]) -> pd.DataFrame:
    """Every point of every wave."""
    return pd.concat([w.table for w in waves], ignore_index=True)


def _prior_of(box: dict[str, FieldRange]) -> dict[str, FieldRange]:
    """The full-bounds prior of the fields a wave's box samples (the file's roles)."""
    prior = prior_box()
    return {name: prior[name] for name in box}


def ensemble(waves: list[WaveResult]) -> pd.DataFrame:
    """The plausible points of every wave: ``future_id`` and one column per sampled field."""
    points = all_points(waves)
    fields = list(waves[0].box)
    kept = points.loc[points["plausible"], fields].reset_index(drop=True)
    kept.insert(0, "future_id", np.arange(len(kept), dtype=np.int64))
    return kept


def wave_table(waves: list[WaveResult], threshold: float) -> pd.DataFrame:
    """Per wave: points and runs, points passing each rule, time and runs a second."""
    rows = []
    for w in waves:
        t = w.table
        rows.append(
            {
                "wave": w.wave,
                "points": len(t),
                "runs": w.runs,
                "runs_failed": w.failed,
                "plausible_max_I": int(t["plausible"].sum()),
                "refocus_rule_pass": int(t["refocus"].sum()),
                "next_box_from_points": w.refocus_points,
                "refocus_tolerance": w.tolerance,
                "seconds": round(w.seconds, 1),
                "runs_per_second": round(w.runs_now / w.seconds, 2) if w.runs_now else math.nan,
                "mean_box_width_ratio": float(
                    np.mean(list(range_ratio(_prior_of(w.box), w.box).values()))
                ),
            }
        )
    return pd.DataFrame(rows)


def figure_table(waves: list[WaveResult], threshold: float) -> pd.DataFrame:
    """Per wave and figure: the share of points it alone rules out (I > threshold), not judged."""
    rows = []
    for w in waves:
        for name in FIGURE_NAMES:
            figure = next((f for f in FIGURES if f.name == name), None)
            values = w.table[f"I_{name}"].to_numpy(dtype=float)
            judged = ~np.isnan(values)
            scale = (
                "0 or inf"
                if figure is None
                else ("linear" if figure.offset is None else f"ln(x + {figure.offset:g})")
            )
            rows.append(
                {
                    "wave": w.wave,
                    "figure": name,
                    "observed": math.nan if figure is None else figure.observed,
                    "scale": scale,
                    "sd_obs": math.nan if figure is None else figure.sd_obs,
                    "sd_disc": math.nan if figure is None else figure.sd_disc,
                    "ruled_out_share": float(np.mean(values[judged] > threshold))
                    if judged.any()
                    else math.nan,
                    "not_judged": int((~judged).sum()),
                    "only_figure_failing": int(
                        ((values > threshold) & (w.table["I_second"] < threshold)).sum()
                    ),
                }
            )
    return pd.DataFrame(rows)


def range_table(waves: list[WaveResult], kept: pd.DataFrame) -> pd.DataFrame:
    """Per sampled field: prior bounds, each wave's box, the ensemble's range and ratios."""
    prior = _prior_of(waves[0].box)
    rows = []
    for name, r in prior.items():
        row: dict[str, Any] = {"parameter": name, "role": _role(name)}
        if r.kind == "choice":
            row.update(prior_lo=", ".join(r.choices), prior_hi="")
            for w in waves:
                row[f"wave{w.wave}_box"] = ", ".join(w.box[name].choices)
            taken = sorted(set(kept[name])) if len(kept) else []
            row.update(ensemble_lo=", ".join(taken), ensemble_hi="")
            row["ensemble_ratio"] = len(taken) / len(r.choices)
        else:
            row.update(prior_lo=r.lo, prior_hi=r.hi)
            for w in waves:
                b = w.box[name]
                row[f"wave{w.wave}_box"] = f"{b.lo:.4g} - {b.hi:.4g}"
            if len(kept):
                lo, hi = float(kept[name].min()), float(kept[name].max())
                row.update(ensemble_lo=lo, ensemble_hi=hi, ensemble_ratio=(hi - lo) / (r.hi - r.lo))
            else:
                row.update(ensemble_lo=math.nan, ensemble_hi=math.nan, ensemble_ratio=math.nan)
        rows.append(row)
    return pd.DataFrame(rows).sort_values("ensemble_ratio", kind="stable")


def _role(name: str) -> str:
    return (Scenario.model_fields[name].json_schema_extra or {})["role"]


def constraint_table(waves: list[WaveResult], threshold: float, top: int = 5) -> pd.DataFrame:
    """Which figures constrain which parameters, in wave 1 (a Latin hypercube of the prior).

    For each figure, the parameters whose distribution among the points that figure alone
    keeps (its I at most the threshold) departs most from their distribution over all points:
    the Kolmogorov-Smirnov distance, with its p-value (scipy's two-sample test).
    """
    from scipy.stats import ks_2samp

    first = waves[0].table
    numeric = [n for n, r in _prior_of(waves[0].box).items() if r.kind != "choice"]
    rows = []
    for name in FIGURE_NAMES:
        values = first[f"I_{name}"].to_numpy(dtype=float)
        passing = first[values <= threshold]
        if len(passing) < 3 or len(passing) == len(first):  # too few to compare, or no cut
            continue
        tests = []
        for field in numeric:
            stat = ks_2samp(passing[field].to_numpy(float), first[field].to_numpy(float))
            tests.append((stat.statistic, stat.pvalue, field))
        for rank, (distance, p, field) in enumerate(sorted(tests, reverse=True)[:top], start=1):
            rows.append(
                {
                    "figure": name,
                    "rank": rank,
                    "parameter": field,
                    "ks_distance": distance,
                    "p_value": p,
                    "passing_range": f"{passing[field].min():.4g} - {passing[field].max():.4g}",
                    "points_passing": len(passing),
                }
            )
    return pd.DataFrame(rows)


def held_out_table(kept: pd.DataFrame, points: pd.DataFrame) -> pd.DataFrame:
    """`outlast validate`'s out-of-sample checks over the ensemble: share within their range."""
    rows = []
    members = points[points["plausible"]]
    for name in HELD_OUT:
        check = CHECKS[name]
        values = members[f"{name}_model"].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        within = (values >= check.lo) & (values <= check.hi)
        rows.append(
            {
                "check": name,
                "observed": check.observed,
                "range": f"{check.lo:g} - {check.hi:g}",
                "futures": int(values.size),
                "within": int(within.sum()),
                "share_within": float(within.mean()) if values.size else math.nan,
                "median": float(np.median(values)) if values.size else math.nan,
                "min": float(values.min()) if values.size else math.nan,
                "max": float(values.max()) if values.size else math.nan,
            }
        )
    return pd.DataFrame(rows)


def write_outputs(
    config: MatchConfig,
    waves: list[WaveResult],
    out: Path,
    ensemble_path: Path,
    backend_line: str,
) -> dict[str, Any]:
    """Write the ensemble (CSV and JSON provenance) and the report (Markdown and CSV tables)."""
    threshold = config.spec.threshold
    points = all_points(waves)
    kept = ensemble(waves)
    tables = {
        "waves": wave_table(waves, threshold),
        "figures": figure_table(waves, threshold),
        "ranges": range_table(waves, kept),
        "constraints": constraint_table(waves, threshold),
        "held_out": held_out_table(kept, points),
    }
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "points.csv", lambda tmp: points.to_csv(tmp, index=False))
    for name, table in tables.items():
        write_atomic(out / f"{name}.csv", lambda tmp, t=table: t.to_csv(tmp, index=False))
    seconds = sum(w.seconds for w in waves)
    runs_now = sum(w.runs_now for w in waves)
    info = {
        "kind": "history_matching",
        "experiment": {"file": str(config.path), "content": config.text},
        "waves": len(waves),
        "points_per_wave": [len(w.table) for w in waves],
        "runs_per_wave": [w.runs for w in waves],
        "seeds": config.spec.seeds,
        "threshold": threshold,
        "rule": "largest I below the threshold (every figure)",
        "refocus_rule": config.spec.refocus_rule,
        "widen": config.spec.widen,
        "figures": list(FIGURE_NAMES),
        "refocus_min": config.spec.refocus_min,
        "held_out": list(HELD_OUT),
        "points_run": len(points),
        "futures": len(kept),
        "seconds": round(seconds, 1),
        "runs_per_second": round(runs_now / seconds, 2) if runs_now and seconds else None,
        "backend": backend_line,
        "report": str(out / "report.md"),
        **provenance(),
    }
    ensemble_path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(ensemble_path, lambda tmp: kept.to_csv(tmp, index=False))
    write_atomic(
        ensemble_path.with_suffix(".json"),
        lambda tmp: tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8"),
    )
    report = markdown_report(config, tables, info)
    write_atomic(out / "report.md", lambda tmp: tmp.write_text(report, encoding="utf-8"))
    return info


#: A parameter counts as narrowed by the ensemble when its range is under this share of what
#: as many uniform draws would span.
NARROWED = 0.6


def _cell(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.4g}" if math.isfinite(value) else "-"
    return str(value)


def _md(table: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (numbers to 4 significant digits)."""
    if table.empty:
        return "(none)"
    lines = ["| " + " | ".join(map(str, table.columns)) + " |"]
    lines.append("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def markdown_report(
    config: MatchConfig, tables: dict[str, pd.DataFrame], info: dict[str, Any]
) -> str:
    """The report: waves, figures, ranges, constraints and the held-out checks."""
    ranges = tables["ranges"]
    n = info["futures"]
    # n points drawn uniformly over a range span (n - 1) / (n + 1) of it on average: a parameter
    # the figures do not constrain narrows that much by chance alone.
    chance = (n - 1) / (n + 1) if n > 1 else 0.0
    narrowed = ranges[ranges["ensemble_ratio"] < NARROWED * chance]
    columns = ["parameter", "role", "prior_lo", "prior_hi", "ensemble_lo", "ensemble_hi"]
    return "\n\n".join(
        [
            f"# History matching: {config.spec.name}",
            f"{info['points_run']} points in {info['waves']} waves, {info['seeds']} seeds each, "
            f"threshold {info['threshold']:g} on the largest I (refocusing on the "
            f"{'largest' if config.spec.refocus_rule == 'max' else 'second largest'} I); "
            f"{info['futures']} plausible futures. {info['seconds']:.0f} s, "
            f"{info['runs_per_second']} runs a second ({info['backend']}); "
            f"commit {info['git_commit']}.",
            "## Waves\n\n" + _md(tables["waves"]),
            "## Figures: share of points each rules out alone\n\n" + _md(tables["figures"]),
            f"## Parameters the ensemble narrows\n\nThose whose ensemble range is under "
            f"{NARROWED:g} x {chance:.2f} of the prior's ({chance:.2f}: the share of a range "
            f"{n} uniform draws span on average).\n\n"
            + _md(narrowed[[*columns, "ensemble_ratio"]]),
            "## Which figures constrain which parameters (wave 1, Kolmogorov-Smirnov)\n\n"
            + _md(tables["constraints"]),
            "## Held-out checks (outlast validate's out-of-sample figures) over the ensemble\n\n"
            + _md(tables["held_out"]),
            "Every parameter's range, per wave: ranges.csv; every point with its figures and I: "
            "points.csv.\n",
        ]
    )

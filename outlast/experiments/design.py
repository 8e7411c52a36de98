"""Experiments: what varies, how it is sampled, what is kept, and the seed of every run.

An experiment is a TOML file (see runs/README.md): a base preset and parameter overrides, a design
over named parameters, a number of seeds per design point, the metrics to keep and a master seed.
`load_experiment` reads and validates it completely - every design point is turned into a
Scenario - so a bad file is refused with one line before anything is run or written.

Designs: ``grid`` (every combination of listed values), ``lhs`` (Latin hypercube), ``sobol`` and
``morris`` (SALib's samplers, for its sensitivity analyses), ``presets`` (one point per
preset), ``scenarios`` (listed points, each a preset with its own overrides: the design of
``outlast validate``, built by `scenarios_experiment`) and ``robustness`` (every policy on every
future of an ensemble: `outlast.experiments.robust_design`). Run ``point_id * seeds +
seed_index`` of a design point uses the seed drawn from
``SeedSequence(master_seed, spawn_key=(0, point_id, seed_index))`` - in a robustness design
``future_id`` stands for ``point_id``, so every policy meets a future's seeds - : it depends on
nothing but the master seed and the run's place in the design, never on batching, workers or
finishing order.

Examples:
    >>> exp = load_experiment(Path("runs/policies.toml"), seeds=2)
    >>> exp.runs[["run_id", "point_id", "seed_index"]].head(3).values.tolist()
    [[0, 0, 0], [1, 0, 1], [2, 1, 0]]

"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError

from model.metrics import METRIC_NAMES
from model.scenario import (
    Scenario,
    ScenarioError,
    make_scenario,
    preset_overrides,
    read_toml,
)
from outlast.experiments.futures import LhsFutures, load_futures
from outlast.experiments.robust_design import (
    REQUIRED_FINAL,
    REQUIRED_WEEKLY,
    PolicySpec,
    expand_robustness,
)
from outlast.experiments.store import content_hash

#: Spawn keys of the master seed's two independent streams.
RUN_STREAM = 0
DESIGN_STREAM = 1

SAMPLED_KINDS = ("lhs", "sobol", "morris")
#: An experiment's name is one path component: it names its directory under runs/output/.
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
#: Most runs in one experiment. Its design, seeds and scenarios are built in memory before a run
#: starts, so a mistyped grid (six parameters of 100 levels) must stop here, not exhaust memory.
MAX_RUNS = 1_000_000

#: Counts and seeds are whole numbers as written: neither "3" nor true stands for one.
Count = Annotated[int, Strict()]
#: A range's ends are numbers (TOML's 0 is an int), not quoted text.
Number = Annotated[float, Strict()]


class ExperimentError(ScenarioError):
    """Bad experiment input (file, flag or output directory); reported as one line, exit status 2.

    A subclass of ScenarioError because an experiment is a set of scenarios: the CLI reports both
    the same way.
    """


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ParameterSpec(_Strict):
    """How one design parameter varies: listed ``values`` (grid) or a ``range`` [lo, hi]."""

    values: list[Any] | None = None
    range: tuple[Number, Number] | None = None
    levels: Annotated[Count, Field(ge=2, le=1000)] | None = None


class PointSpec(_Strict):
    """One ``[[design.points]]`` table of a ``scenarios`` design: a preset and its overrides."""

    preset: str = "baseline"
    parameters: dict[str, Any] = {}


class DesignSpec(_Strict):
    """The ``[design]`` table."""

    kind: Literal["grid", "lhs", "sobol", "morris", "presets", "scenarios", "robustness"]
    samples: Annotated[Count, Field(ge=1, le=1_000_000)] | None = None
    morris_levels: Annotated[Count, Field(ge=2, le=20)] = 4
    presets: list[str] | None = None
    points: list[PointSpec] | None = None
    parameters: dict[str, ParameterSpec] = {}
    # robustness only (outlast/experiments/robust_design.py)
    futures: str | LhsFutures | None = None
    max_futures: Annotated[Count, Field(ge=1)] | None = None
    policies: list[str | PolicySpec] | None = None
    policy_grid: dict[str, list[Any]] | None = None
    reference: str | None = None


class KeepSpec(_Strict):
    """The ``[keep]`` table: metrics kept at each run's end and weekly; whether regions are kept.

    ``regions = true`` keeps each run's region table (regions.parquet: one row per run and region).
    """

    final: list[str] = []
    weekly: list[str] = []
    regions: bool = False


class ExperimentSpec(_Strict):
    """An experiment file, parsed; `load_experiment` checks it against the model."""

    name: Annotated[str, Field(pattern=f"^{NAME_PATTERN}$")] | None = None
    description: str = ""
    preset: str | None = None
    parameters: dict[str, Any] = {}
    design: DesignSpec
    seeds: Annotated[Count, Field(ge=1, le=1_000_000)]
    master_seed: Annotated[Count, Field(ge=0, lt=2**63)]
    keep: KeepSpec | None = None  # required but for a robustness design, which keeps its own


@dataclass(frozen=True)
class Experiment:
    """A validated experiment, expanded into design points and runs.

    Attributes:
        spec: The parsed file.
        path: Where it was read from.
        text: The file's exact content (kept in the manifest).
        sha256: Hash of `text`; with `seeds` it identifies the experiment's results.
        name: The experiment's name (the file's stem unless the file names it).
        seeds: Seeds per design point (the file's, or a command-line override).
        points: One row per design point: ``point_id`` and one column per design parameter.
        scenarios: The Scenario of each design point, indexed by point_id.
        runs: One row per run: ``run_id``, ``point_id``, ``seed_index``, ``seed``.
        robustness: A robustness design's policies, levers, uncertainties, reference and
            futures (for the manifest); None for other designs.

    """

    spec: ExperimentSpec
    path: Path
    text: str
    sha256: str
    name: str
    seeds: int
    points: pd.DataFrame
    scenarios: tuple[Scenario, ...]
    runs: pd.DataFrame
    robustness: dict[str, Any] | None = None

    @property
    def design_parameters(self) -> list[str]:
        """Names of the columns that vary across design points."""
        return [c for c in self.points.columns if c != "point_id"]

    @property
    def keep_final(self) -> list[str]:
        """Metrics kept from each run's last week."""
        return list(self.spec.keep.final)

    @property
    def keep_weekly(self) -> list[str]:
        """Metrics kept for every week (besides ``week``)."""
        return [m for m in self.spec.keep.weekly if m != "week"]

    @property
    def keep_regions(self) -> bool:
        """Whether each run's region table is kept."""
        return self.spec.keep.regions

    def salib_problem(self) -> dict[str, Any] | None:
        """SALib's problem (names and bounds) of a sampled design; None for grid and presets."""
        if self.spec.design.kind not in SAMPLED_KINDS:
            return None
        return salib_problem(self.spec.design)


def run_seed(master_seed: int, point_id: int, seed_index: int) -> int:
    """The seed of one run: a 63-bit integer from the master seed's run stream.

    It fits ``outlast run --seed``, so any single run of a sweep can be rerun on its own.
    """
    seq = np.random.SeedSequence(master_seed, spawn_key=(RUN_STREAM, point_id, seed_index))
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


def load_experiment(path: Path, seeds: int | None = None) -> Experiment:
    """Read, validate and expand an experiment file.

    Args:
        path: The TOML file.
        seeds: Seeds per design point, overriding the file's ``seeds``.

    Returns:
        The experiment with its design points, their scenarios and the runs.

    Raises:
        ExperimentError: With one line naming the file, the field and what is allowed.

    """
    path = Path(path)
    data, text = read_experiment_file(path)
    return _experiment(data, path, text, seeds)


def read_experiment_file(path: Path) -> tuple[dict[str, Any], str]:
    """An experiment-like TOML file's table and its text (kept for the manifest).

    Raises:
        ExperimentError: With one line naming the file and what is wrong with it.

    """
    try:
        return read_toml(path), Path(path).read_text(encoding="utf-8")
    except ScenarioError as exc:
        raise ExperimentError(str(exc)) from None


def experiment_from_text(text: str, path: Path, seeds: int | None = None) -> Experiment:
    """An experiment from the text of its file (as a sweep's manifest keeps it).

    Raises:
        ExperimentError: If the text is not a valid experiment (one line).

    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{path}: is not valid TOML ({exc})") from None
    return _experiment(data, Path(path), text, seeds)


def scenarios_experiment(
    name: str,
    points: list[tuple[str, dict[str, Any]]],
    seeds: int,
    master_seed: int,
    keep: dict[str, Any],
) -> Experiment:
    """An experiment of listed scenarios, made in code (``outlast validate``, the politics checks).

    It is written out as the TOML an experiment file would hold, so that its manifest records it
    like any sweep's and the same arguments give the same hash (which is what resuming compares).

    Args:
        name: The experiment's name.
        points: One (preset, overrides) pair per design point, in order.
        seeds: Seeds per point.
        master_seed: The master seed of every run's seed.
        keep: The ``[keep]`` table (``final``, ``weekly``, ``regions``).

    Raises:
        ExperimentError: If a preset, parameter or value is not allowed (one line).

    """
    lines = [
        f"name = {_toml_value(name)}",
        f"seeds = {seeds}",
        f"master_seed = {master_seed}",
        "",
        "[design]",
        'kind = "scenarios"',
    ]
    for preset, overrides in points:
        lines += ["", "[[design.points]]", f"preset = {_toml_value(preset)}"]
        lines += ["[design.points.parameters]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in sorted(overrides.items())]
    lines += ["", "[keep]"] + [f"{key} = {_toml_value(value)}" for key, value in keep.items()]
    text = "\n".join(lines) + "\n"
    return _experiment(tomllib.loads(text), Path(name), text, None)


def _toml_value(value: Any) -> str:
    """A parameter value, name or list as TOML (a JSON string is a TOML basic string)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def _experiment(data: dict[str, Any], path: Path, text: str, seeds: int | None) -> Experiment:
    """Validate and expand an experiment's parsed TOML."""
    try:
        spec = ExperimentSpec(**data)
    except ValidationError as exc:
        raise ExperimentError(f"{path}: {_pydantic_message(exc)}") from None
    try:
        return _expand(spec, path, text, seeds)
    except ScenarioError as exc:
        raise ExperimentError(f"{path}: {exc}") from None


def _pydantic_message(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "file"
    if err["type"] == "extra_forbidden":
        return f"unknown key '{where}' (see runs/README.md for the experiment format)"
    if err["type"] == "missing":
        return f"'{where}' is missing"
    return f"'{where}' = {err.get('input')!r}: {err['msg']}"


def _expand(spec: ExperimentSpec, path: Path, text: str, seeds: int | None) -> Experiment:
    design = spec.design
    exp_name = spec.name or path.stem
    if not re.fullmatch(NAME_PATTERN, exp_name):
        raise ScenarioError(
            f"the file's name '{exp_name}' cannot name an output directory; add name = \"...\" "
            "(letters, digits, '_', '.', '-', starting with a letter or digit)"
        )
    n_seeds = seeds if seeds is not None else spec.seeds
    base = _base_values(spec)
    spec = _with_keep(spec)
    _check_keep(spec.keep)
    if design.kind != "robustness":
        for key in ("futures", "max_futures", "policies", "policy_grid", "reference"):
            if getattr(design, key) is not None:
                raise ScenarioError(f"design.{key} is only for kind = 'robustness'")
    for name in design.parameters:
        if name not in Scenario.model_fields:
            make_scenario({name: None})  # raises the one-line message that suggests a close name
        if name in spec.parameters:
            raise ScenarioError(
                f"'{name}' is both in [parameters] and [design.parameters]; keep it in one"
            )
    sha256, robustness, seed_keys = content_hash(text), None, None
    if design.kind == "robustness":
        ensemble = load_futures(design.futures, path, _design_seed(spec))
        expanded = expand_robustness(design, base, spec.parameters, ensemble, _check_size, n_seeds)
        points, scenarios = expanded.points, expanded.scenarios
        robustness, seed_keys = expanded.manifest, expanded.seed_keys
        # The ensemble is part of the experiment: another file's results are never resumed.
        sha256 = content_hash(text + "\n# futures " + expanded.fingerprint)
    elif design.kind == "presets":
        points, scenarios = _preset_points(spec, n_seeds)
    elif design.kind == "scenarios":
        points, scenarios = _listed_points(spec, n_seeds)
    else:
        if design.presets is not None:
            raise ScenarioError(f"design.presets is only for kind = 'presets', not '{design.kind}'")
        if design.points is not None:
            raise ScenarioError(
                f"design.points is only for kind = 'scenarios', not '{design.kind}'"
            )
        if not design.parameters:
            raise ScenarioError(f"a '{design.kind}' design needs [design.parameters.NAME] tables")
        columns = _grid(design, n_seeds) if design.kind == "grid" else _sampled(spec, n_seeds)
        points = pd.DataFrame(columns)
        scenarios = tuple(_point_scenario(base, row) for row in points.to_dict("records"))
    points.insert(0, "point_id", np.arange(len(points), dtype=np.int64))
    point_id = np.repeat(points["point_id"].to_numpy(), n_seeds)
    seed_index = np.tile(np.arange(n_seeds, dtype=np.int64), len(points))
    # A robustness design seeds by future, not by point: common random numbers across policies.
    seed_key = point_id if seed_keys is None else np.repeat(seed_keys, n_seeds)
    runs = pd.DataFrame(
        {
            "run_id": np.arange(len(point_id), dtype=np.int64),
            "point_id": point_id,
            "seed_index": seed_index,
            "seed": [
                run_seed(spec.master_seed, int(k), int(s))
                for k, s in zip(seed_key, seed_index, strict=True)
            ],
        }
    )
    return Experiment(
        spec=spec,
        path=path,
        text=text,
        sha256=sha256,
        name=exp_name,
        seeds=n_seeds,
        points=points,
        scenarios=scenarios,
        runs=runs,
        robustness=robustness,
    )


def _with_keep(spec: ExperimentSpec) -> ExperimentSpec:
    """The spec with its [keep] table; a robustness design adds the metrics its measures need."""
    if spec.design.kind != "robustness":
        if spec.keep is None:
            raise ScenarioError("'keep' is missing")
        return spec
    keep = spec.keep or KeepSpec()
    final = [*keep.final, *(m for m in REQUIRED_FINAL if m not in keep.final)]
    weekly = [*keep.weekly, *(m for m in REQUIRED_WEEKLY if m not in keep.weekly)]
    return spec.model_copy(
        update={"keep": KeepSpec(final=final, weekly=weekly, regions=keep.regions)}
    )


def _design_seed(spec: ExperimentSpec) -> int:
    """The seed of a design's sampler: the master seed's design stream."""
    seq = np.random.SeedSequence(spec.master_seed, spawn_key=(DESIGN_STREAM,))
    return int(seq.generate_state(1)[0])


def _base_values(spec: ExperimentSpec) -> dict[str, Any]:
    """The preset's values and the [parameters] overrides, checked as a Scenario."""
    if spec.design.kind in ("presets", "scenarios"):
        if spec.preset is not None:
            where = "design.presets" if spec.design.kind == "presets" else "design.points"
            raise ScenarioError(
                f"a '{spec.design.kind}' design takes its presets from {where}; remove 'preset'"
            )
        values = dict(spec.parameters)
    else:
        values = {**preset_overrides(spec.preset or "baseline"), **spec.parameters}
    make_scenario(values)
    return values


def _check_keep(keep: KeepSpec) -> None:
    for table, names in (("keep.final", keep.final), ("keep.weekly", keep.weekly)):
        for name in names:
            if name not in METRIC_NAMES:
                close = difflib.get_close_matches(name, METRIC_NAMES, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise ScenarioError(
                    f"{table}: unknown metric '{name}'{hint} (allowed: {', '.join(METRIC_NAMES)})"
                )
        if len(set(names)) != len(names):
            raise ScenarioError(f"{table} lists a metric twice")


def _check_size(n_points: int, seeds: int) -> None:
    """Refuse a design of more than `MAX_RUNS` runs before building it."""
    if n_points * seeds > MAX_RUNS:
        raise ScenarioError(
            f"the design has {n_points:,} points x {seeds:,} seeds = {n_points * seeds:,} runs; "
            f"at most {MAX_RUNS:,} in one experiment"
        )


def _preset_points(spec: ExperimentSpec, seeds: int) -> tuple[pd.DataFrame, tuple[Scenario, ...]]:
    design = spec.design
    if not design.presets:
        raise ScenarioError("a 'presets' design needs design.presets = [\"baseline\", ...]")
    _check_size(len(design.presets), seeds)
    if design.parameters or design.points is not None:
        raise ScenarioError("a 'presets' design takes no [design.parameters] or [[design.points]]")
    if len(set(design.presets)) != len(design.presets):
        raise ScenarioError("design.presets lists a preset twice")
    scenarios = []
    for name in design.presets:
        try:
            scenarios.append(make_scenario({**preset_overrides(name), **spec.parameters}))
        except ScenarioError as exc:
            raise ScenarioError(f"design point preset '{name}': {exc}") from None
    return pd.DataFrame({"preset": list(design.presets)}), tuple(scenarios)


def _listed_points(spec: ExperimentSpec, seeds: int) -> tuple[pd.DataFrame, tuple[Scenario, ...]]:
    """A ``scenarios`` design: each point's preset, then [parameters], then the point's own."""
    design = spec.design
    if not design.points:
        raise ScenarioError("a 'scenarios' design needs [[design.points]] tables")
    _check_size(len(design.points), seeds)
    if design.parameters or design.presets is not None:
        raise ScenarioError("a 'scenarios' design takes only [[design.points]]")
    scenarios = []
    for i, point in enumerate(design.points):
        try:
            preset = preset_overrides(point.preset)
            scenarios.append(make_scenario({**preset, **spec.parameters, **point.parameters}))
        except ScenarioError as exc:
            raise ScenarioError(f"design point {i} (preset '{point.preset}'): {exc}") from None
    columns = {
        "preset": [p.preset for p in design.points],
        "overrides": [
            ", ".join(f"{k}={v}" for k, v in sorted(p.parameters.items())) for p in design.points
        ],
    }
    return pd.DataFrame(columns), tuple(scenarios)


def _grid(design: DesignSpec, seeds: int) -> dict[str, list[Any]]:
    """Every combination of the parameters' values, the first parameter varying slowest."""
    axes = {}
    for name, p in design.parameters.items():
        where = f"design.parameters.{name}"
        if p.values is not None:
            if p.range is not None or p.levels is not None:
                raise ScenarioError(f"{where}: give either 'values' or 'range' with 'levels'")
            if not p.values:
                raise ScenarioError(f"{where}.values is empty")
            axes[name] = _listed(name, p.values)
        elif p.range is not None and p.levels is not None:
            _check_range(name, p.range)
            axes[name] = _typed(name, np.linspace(*p.range, p.levels)).tolist()
        else:
            raise ScenarioError(f"{where}: a grid needs 'values = [...]' or 'range' and 'levels'")
    _check_size(math.prod(len(values) for values in axes.values()), seeds)
    combos = list(itertools.product(*axes.values()))
    return {name: [c[i] for c in combos] for i, name in enumerate(axes)}


def _sampled(spec: ExperimentSpec, seeds: int) -> dict[str, np.ndarray]:
    """Latin hypercube, Sobol (Saltelli) or Morris samples of the parameters' ranges."""
    design = spec.design
    for name, p in design.parameters.items():
        where = f"design.parameters.{name}"
        if p.range is None or p.values is not None or p.levels is not None:
            raise ScenarioError(f"{where}: a '{design.kind}' design needs 'range = [lo, hi]' only")
        if Scenario.model_fields[name].annotation not in (int, float):
            raise ScenarioError(f"{where}: '{name}' is not numeric; only a grid can list it")
        _check_range(name, p.range)
    n = design.samples
    if n is None:
        raise ScenarioError(f"a '{design.kind}' design needs design.samples")
    if design.kind == "sobol" and n & (n - 1):
        raise ScenarioError(
            f"design.samples = {n}: a Sobol design needs a power of 2 (e.g. 64, 128, 256)"
        )
    n_vars = len(design.parameters)
    _check_size(
        {"lhs": n, "sobol": n * (n_vars + 2), "morris": n * (n_vars + 1)}[design.kind], seeds
    )
    problem = salib_problem(design)
    design_seed = _design_seed(spec)
    if design.kind == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, n, seed=design_seed)
    elif design.kind == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, n, calc_second_order=False, seed=design_seed)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, n, num_levels=design.morris_levels, seed=design_seed)
    return {name: _typed(name, x[:, i]) for i, name in enumerate(problem["names"])}


def salib_problem(design: DesignSpec) -> dict[str, Any]:
    """SALib's problem: the names and [lo, hi] ranges of a sampled design's parameters."""
    return {
        "num_vars": len(design.parameters),
        "names": list(design.parameters),
        "bounds": [list(p.range) for p in design.parameters.values()],
    }


def _check_range(name: str, bounds: tuple[float, float]) -> None:
    lo, hi = bounds
    if not lo < hi:
        raise ScenarioError(f"design.parameters.{name}.range = [{lo:g}, {hi:g}]: needs lo < hi")
    for end in bounds:
        try:
            make_scenario({name: _typed(name, np.array([end]))[0].item()})
        except ScenarioError as exc:
            raise ScenarioError(f"design.parameters.{name}.range: {exc}") from None


def _listed(name: str, values: list[Any]) -> list[Any]:
    """Listed values of a float parameter as floats (TOML's 0 is an int), others as given."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    if Scenario.model_fields[name].annotation is float and numbers:
        return [float(v) for v in values]
    return list(values)


def _typed(name: str, values: np.ndarray) -> np.ndarray:
    """Values of a numeric parameter in its own type: integers are rounded."""
    if Scenario.model_fields[name].annotation is int:
        return np.rint(values).astype(np.int64)
    return np.asarray(values, dtype=np.float64)


def _point_scenario(base: dict[str, Any], point: dict[str, Any]) -> Scenario:
    try:
        return make_scenario({**base, **point})
    except ScenarioError as exc:
        shown = ", ".join(f"{k}={v}" for k, v in point.items())
        raise ScenarioError(f"design point ({shown}): {exc}") from None

"""The report of a finished sweep: tables, sensitivity indices, scenario discovery, figures.

``outlast report runs/output/NAME`` reads the sweep's manifest, results.parquet and
weekly.parquet and writes ``report/`` beside them: ``report.md`` (every table), ``points.csv``
(one row per design point) and PNG figures (`model.figures`). Uncertainty across seeds is shown
as intervals: Wilson 95% intervals of outcome probabilities, 5-95% ranges of final metrics, and
50% and 90% bands of weekly metrics around their median.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from model.experiment import ExperimentError
from model.metrics import OUTCOMES
from model.store import RESULTS, WEEKLY, output_dir_problem, read_manifest

#: Outcomes other than "ongoing": the war ended by negotiation, or the regime changed (after which
#: the war may or may not end; the `war_ended` metric tells).
ENDED = OUTCOMES[1:]
#: Leaves of the scenario-discovery tree hold at least this share of the runs.
MIN_LEAF_SHARE = 0.05
DISCOVERY_DEPTH = 3
#: Designs with more points than this list them in points.csv only, not in report.md.
MAX_TABLE_POINTS = 40


@dataclass
class Sweep:
    """A finished sweep as read from disk."""

    root: Path
    manifest: dict[str, Any]
    results: pd.DataFrame
    weekly: pd.DataFrame

    @property
    def parameters(self) -> list[str]:
        """The design's parameter columns."""
        return list(self.manifest["design"]["parameters"])

    @property
    def kind(self) -> str:
        """The design's kind (grid, lhs, sobol, morris, presets)."""
        return self.manifest["design"]["kind"]

    @property
    def final_metrics(self) -> list[str]:
        """The final metrics kept."""
        return list(self.manifest["keep"]["final"])

    @property
    def weekly_metrics(self) -> list[str]:
        """The weekly metrics kept."""
        return list(self.manifest["keep"]["weekly"])

    @property
    def ok(self) -> pd.DataFrame:
        """Runs that finished without an error."""
        return self.results[self.results["status"] == "ok"]

    def points(self) -> pd.DataFrame:
        """One row per design point: point_id, the parameters and a short label."""
        points = self.results.groupby("point_id", sort=True)[self.parameters].first()
        points = points.reset_index()
        points["label"] = [point_label(row, self.parameters) for _, row in points.iterrows()]
        return points


def point_label(row: pd.Series, parameters: list[str]) -> str:
    """A design point's label: its preset, or its parameter values."""
    if parameters == ["preset"]:
        return str(row["preset"])
    return ", ".join(f"{p}={format_number(row[p])}" for p in parameters)


def format_number(value: Any) -> str:
    """A number for a table: thousands separators for large ones, 3 significant digits else."""
    if isinstance(value, str) or value is None:
        return str(value)
    if pd.isna(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def load_sweep(root: Path) -> Sweep:
    """Read a finished sweep.

    Raises:
        ExperimentError: If `root` holds no sweep or an unfinished one.

    """
    root = Path(root)
    manifest = read_manifest(root)
    if manifest is None or manifest.get("kind") != "sweep":
        raise ExperimentError(f"'{root}' holds no sweep (no sweep manifest.json)")
    if not manifest.get("complete"):
        raise ExperimentError(
            f"the sweep in '{root}' is not finished; rerun `outlast sweep` on its experiment file "
            "to complete it"
        )
    try:
        results, weekly = pd.read_parquet(root / RESULTS), pd.read_parquet(root / WEEKLY)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise ExperimentError(
            f"cannot read the results in '{root}' ({exc}); rerun `outlast sweep` on its "
            "experiment file to rebuild them"
        ) from None
    return Sweep(root, manifest, results, weekly)


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """95% Wilson interval of a proportion (NaN for no trials)."""
    if trials == 0:
        return float("nan"), float("nan")
    ci = binomtest(successes, trials).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def outcome_table(sweep: Sweep) -> pd.DataFrame:
    """Per design point: runs, failures, each outcome's probability, P(end or change) with its interval."""
    rows = []
    ok = sweep.ok
    for point in sweep.points().itertuples(index=False):
        runs = sweep.results[sweep.results["point_id"] == point.point_id]
        done = ok[ok["point_id"] == point.point_id]
        ended = int(done["outcome"].isin(ENDED).sum())
        low, high = wilson_interval(ended, len(done))
        row = {"point_id": point.point_id, "label": point.label, "runs": len(runs)}
        row["failed"] = len(runs) - len(done)
        for outcome in OUTCOMES:
            row[f"p_{outcome}"] = (done["outcome"] == outcome).mean() if len(done) else np.nan
        row.update(
            p_end_or_change=ended / len(done) if len(done) else np.nan, p_low=low, p_high=high
        )
        over = done.loc[done["outcome"].isin(ENDED), "outcome_week"]
        row["median_outcome_week"] = over.median() if len(over) else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def final_table(sweep: Sweep) -> pd.DataFrame:
    """Per design point and final metric: median and the 5% and 95% quantiles across seeds."""
    grouped = sweep.ok.groupby("point_id")[sweep.final_metrics]
    parts = {
        "median": grouped.median(),
        "q05": grouped.quantile(0.05),
        "q95": grouped.quantile(0.95),
    }
    table = pd.concat(parts, axis=1).swaplevel(axis=1)
    return table[[(m, s) for m in sweep.final_metrics for s in parts]]


def weekly_bands(sweep: Sweep, metric: str, by_point: bool = True) -> pd.DataFrame:
    """Quantiles (5, 25, 50, 75, 95%) of a weekly metric across runs, week by week.

    A run that ended before the horizon keeps its last value for the weeks after, so that the
    bands describe every run rather than only those still going.
    """
    wide = sweep.weekly.pivot(index="week", columns="run_id", values=metric).ffill()
    runs = sweep.weekly.groupby("run_id").agg(point_id=("point_id", "first"), last=("week", "max"))
    keys = runs["point_id"] if by_point else pd.Series(-1, index=runs.index)
    frames = []
    for key, run_ids in runs.groupby(keys).groups.items():
        weeks = wide.index <= runs.loc[run_ids, "last"].max()
        q = wide.loc[weeks, list(run_ids)].quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        q.columns = ["q05", "q25", "q50", "q75", "q95"]
        q.insert(0, "point_id", key)
        frames.append(q.reset_index())
    return pd.concat(frames, ignore_index=True)


def point_means(sweep: Sweep) -> pd.DataFrame:
    """Per design point: the mean of each final metric and P(end or change), in point order."""
    ok = sweep.ok.assign(p_end_or_change=sweep.ok["outcome"].isin(ENDED).astype(float))
    means = ok.groupby("point_id")[[*sweep.final_metrics, "p_end_or_change"]].mean()
    return means.reindex(range(sweep.manifest["design"]["n_points"]))


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


@dataclass
class Discovery:
    """Scenario discovery: a shallow tree of outcomes over the design's parameters."""

    tree: Any
    features: list[str]
    classes: list[str]
    leaves: pd.DataFrame


def discover(sweep: Sweep) -> Discovery | str:
    """Which parameter ranges lead to the war ending or to regime change.

    Fits a classification tree (CART, depth 3, leaves of at least 5% of the runs) of each run's
    outcome on the numeric design parameters, and describes every leaf as a box of parameter
    ranges with its runs and the share of each outcome, the leaves where the war most often ends or
    the regime changes first.

    Returns:
        The discovery, or one sentence saying why there is nothing to discover.

    """
    features = [p for p in sweep.parameters if pd.api.types.is_numeric_dtype(sweep.results[p])]
    ok = sweep.ok
    if not features:
        return "the design's points are presets, not ranges; compare them in the outcome table"
    if ok["outcome"].nunique() < 2:
        only = ok["outcome"].iloc[0] if len(ok) else "none"
        return f"every successful run ended '{only}'; there is nothing to tell apart"
    from sklearn.tree import DecisionTreeClassifier

    min_leaf = max(2, int(np.ceil(MIN_LEAF_SHARE * len(ok))))
    tree = DecisionTreeClassifier(
        max_depth=DISCOVERY_DEPTH, min_samples_leaf=min_leaf, random_state=0
    )
    x = ok[features].to_numpy(dtype=float)
    tree.fit(x, ok["outcome"].to_numpy())
    leaf_of_run = tree.apply(x)
    rows = []
    for leaf, box in _leaf_boxes(tree, features).items():
        runs = ok[leaf_of_run == leaf]
        row = {"box": box, "runs": len(runs), "p_end_or_change": runs["outcome"].isin(ENDED).mean()}
        for outcome in OUTCOMES:
            row[f"p_{outcome}"] = (runs["outcome"] == outcome).mean()
        rows.append(row)
    leaves = pd.DataFrame(rows).sort_values("p_end_or_change", ascending=False, kind="stable")
    return Discovery(tree, features, [str(c) for c in tree.classes_], leaves.reset_index(drop=True))


def _leaf_boxes(tree: Any, features: list[str]) -> dict[int, str]:
    """Each leaf's path from the root as parameter ranges, e.g. 'x > 0.4, y <= 2e+04'."""
    t = tree.tree_
    boxes: dict[int, str] = {}

    def walk(node: int, bounds: dict[str, list[float]]) -> None:
        if t.children_left[node] == t.children_right[node]:
            parts = []
            for name, (lo, hi) in bounds.items():
                if lo > -np.inf:
                    parts.append(f"{name} > {format_number(lo)}")
                if hi < np.inf:
                    parts.append(f"{name} <= {format_number(hi)}")
            boxes[node] = ", ".join(parts) or "all runs"
            return
        name, cut = features[t.feature[node]], float(t.threshold[node])
        lo, hi = bounds.get(name, [-np.inf, np.inf])
        walk(t.children_left[node], {**bounds, name: [lo, min(hi, cut)]})
        walk(t.children_right[node], {**bounds, name: [max(lo, cut), hi]})

    walk(0, {})
    return boxes


def markdown_table(df: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table, numbers formatted by `format_number`."""
    head = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    body = [
        "| " + " | ".join(format_number(v) for v in row) + " |"
        for row in df.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _final_summary(sweep: Sweep, labels: pd.Series) -> pd.DataFrame:
    table = final_table(sweep)
    out = pd.DataFrame({"point": labels.reindex(table.index).to_numpy()})
    for metric in sweep.final_metrics:
        med, lo, hi = (table[(metric, s)].to_numpy() for s in ("median", "q05", "q95"))
        out[metric] = [
            f"{format_number(m)} [{format_number(a)}, {format_number(b)}]"
            for m, a, b in zip(med, lo, hi, strict=True)
        ]
    return out


def write_report(root: Path) -> list[Path]:
    """Write report.md, points.csv and the figures of the sweep in `root`.

    Returns:
        The files written.

    Raises:
        ExperimentError: If `root` holds no finished sweep.

    """
    from model import figures

    sweep = load_sweep(root)
    out = sweep.root / "report"
    problem = output_dir_problem(out)
    if problem:
        raise ExperimentError(problem)
    out.mkdir(exist_ok=True)
    points = sweep.points()
    outcomes = outcome_table(sweep)
    labels = points.set_index("point_id")["label"]
    written = [out / "points.csv"]
    points_csv = points.merge(outcomes.drop(columns="label"), on="point_id")
    final = final_table(sweep)
    final.columns = [f"{m}_{s}" for m, s in final.columns]
    points_csv.merge(final, left_on="point_id", right_index=True, how="left").to_csv(
        written[0], index=False
    )
    written += figures.outcome_figures(sweep, outcomes, out)
    written += figures.weekly_figures(sweep, out)
    sens = sensitivity(sweep)
    if sens is not None:
        written += figures.sensitivity_figures(sens, out)
    found = discover(sweep)
    if isinstance(found, Discovery):
        written += figures.discovery_figure(found, out)
    md = out / "report.md"
    md.write_text(_markdown(sweep, outcomes, labels, sens, found, written), encoding="utf-8")
    return [md, *written]


def _markdown(
    sweep: Sweep,
    outcomes: pd.DataFrame,
    labels: pd.Series,
    sens: Sensitivity | None,
    found: Discovery | str,
    figures_written: list[Path],
) -> str:
    m = sweep.manifest
    design = m["design"]
    lines = [
        f"# Sweep report: {m['name']}",
        "",
        f"Experiment file `{m['experiment']['file']}` (sha256 `{m['experiment']['sha256'][:12]}`), "
        f"git commit `{m['git_commit']}`, master seed {m['master_seed']}.",
        f"Design: {design['kind']} over {', '.join(design['parameters'])}; "
        f"{design['n_points']} points x {m['seeds']} seeds = {m['n_runs']} runs "
        f"({m['runs_failed']} failed).",
        "",
        "## Outcomes per design point",
        "",
        "P(end or change) is the share of runs in which the war ended by negotiation or the regime "
        "changed, with its Wilson 95% interval [p_low, p_high] across seeds.",
        "",
    ]
    if len(outcomes) <= MAX_TABLE_POINTS:
        lines += [
            markdown_table(outcomes.drop(columns="point_id").rename(columns={"label": "point"})),
            "",
            "## Final metrics per design point",
            "",
            "Median [5%, 95%] across seeds, at each run's last week.",
            "",
            markdown_table(_final_summary(sweep, labels)),
            "",
        ]
    else:
        shares = sweep.ok["outcome"].value_counts(normalize=True).reindex(OUTCOMES, fill_value=0)
        lines += [
            f"{len(outcomes)} design points: one row each in points.csv. Over all runs: "
            + ", ".join(f"{o} {shares[o]:.1%}" for o in OUTCOMES)
            + ".",
            "",
        ]
    if sens is not None:
        what = (
            "first-order (S1) and total-order (ST) Sobol indices"
            if sens.method == "sobol"
            else ("Morris mu* (mean absolute elementary effect) and sigma")
        )
        lines += ["## Sensitivity", "", f"SALib {what} of each output's mean over seeds.", ""]
        for output, table in sens.indices.items():
            lines += [f"### {output}", "", markdown_table(table.reset_index(names="parameter")), ""]
        for output, why in sens.skipped.items():
            lines.append(f"- {output}: no indices ({why}).")
        lines.append("")
    lines += ["## Scenario discovery", ""]
    if isinstance(found, Discovery):
        lines += [
            f"A classification tree (depth {DISCOVERY_DEPTH}, leaves of at least "
            f"{MIN_LEAF_SHARE:.0%} of runs) of the outcome on {', '.join(found.features)}. Each "
            "leaf is a box of parameter ranges; boxes where runs most often end in negotiation "
            "or regime change come first.",
            "",
            markdown_table(found.leaves),
            "",
        ]
    else:
        lines += [f"Not done: {found}.", ""]
    lines += ["## Figures", ""]
    lines += [f"- [{p.name}]({p.name})" for p in figures_written if p.suffix == ".png"]
    return "\n".join(lines) + "\n"


def report_command(args: Any) -> int:
    """``outlast report DIR``: write the report of the sweep in DIR and list its files."""
    written = write_report(args.sweep_dir)
    print(f"report: {written[0].parent}/ ({len(written)} files)")
    for path in written:
        print(f"  {path.name}")
    return 0

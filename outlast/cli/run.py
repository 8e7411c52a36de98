"""``outlast run``: one simulation, its tables and summary written to a directory."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from model.scenario import PRESETS, Scenario, load_scenario
from model.seeds import DEFAULT_SEED
from outlast.cli.common import (
    OUTPUT_ROOT,
    UsageError,
    add_output_arguments,
    positive_int,
    print_json,
    seed,
)

if TYPE_CHECKING:
    from outlast.experiments.runner import RunResult

#: What `outlast run` writes, the manifest last.
RUN_FILES = ("weekly.parquet", "regions.parquet", "summary.json", "manifest.json")


def add_command(sub: Any) -> None:
    """Add ``outlast run`` to the CLI's subparsers."""
    run = sub.add_parser("run", help="run one simulation and write its results")
    run.add_argument(
        "--preset", choices=list(PRESETS), help="start from a preset (default baseline)"
    )
    run.add_argument("--config", type=Path, help="TOML file with a preset and parameter values")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter (repeatable)",
    )
    run.add_argument("--weeks", type=positive_int, help="horizon in weeks (horizon_weeks)")
    run.add_argument("--seed", type=seed, default=DEFAULT_SEED, help="random seed")
    run.add_argument(
        "--out", type=Path, help="output directory (default runs/output/run-NAME-seedSEED)"
    )
    add_output_arguments(run, "the summary as JSON (with the output directory)")


def check_output_dir(path: Path, manifest: dict) -> None:
    """Refuse an output path that is a file, not writable, or holds a different run.

    Raises:
        UsageError: With a one-line reason.

    """
    from outlast.experiments.store import output_dir_problem

    problem = output_dir_problem(path)
    if problem:
        raise UsageError(problem)
    if path.is_dir() and any(path.iterdir()):
        old = path / "manifest.json"
        try:
            previous = json.loads(old.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            previous = None
        same = previous is not None and all(
            previous.get(k) == manifest[k] for k in ("scenario", "seed")
        )
        if not same:
            raise UsageError(
                f"output directory '{path}' is not empty and holds another run; "
                "choose another --out"
            )


def default_run_name(args: argparse.Namespace, scenario: Scenario) -> str:
    """The output directory's name when --out is not given: what was run, and the seed.

    The preset's name, the scenario file's stem, or "default"; when --set or --weeks changed
    that scenario, the first 8 hex digits of the scenario's SHA-256 follow, so that differently
    changed runs get different directories and the same run always gets the same one.
    """
    label = args.preset or (Path(args.config).stem if args.config else "default")
    if args.overrides or args.weeks is not None:
        from outlast.experiments.store import scenario_sha256

        label += "-" + scenario_sha256(scenario)[:8]
    return f"run-{label}-seed{args.seed}"


def run(args: argparse.Namespace) -> int:
    """Run the scenario, write its files (the manifest last) and print its summary."""
    overrides = list(args.overrides)
    if args.weeks is not None:
        overrides.append(f"horizon_weeks={args.weeks}")
    scenario = load_scenario(preset=args.preset, config=args.config, overrides=overrides)
    # Imported once the input is known to be good: bad input is refused without loading them.
    from outlast.experiments.runner import run_simulation
    from outlast.experiments.store import provenance

    out = args.out or OUTPUT_ROOT / default_run_name(args, scenario)
    manifest = {
        "kind": "run",
        "scenario": scenario.model_dump(mode="json"),
        "seed": args.seed,
        "preset": args.preset,
        "config": str(args.config) if args.config else None,
        "overrides": args.overrides,
        **provenance(),
    }
    check_output_dir(out, manifest)

    from tqdm import tqdm

    progress = not (args.quiet or args.json)
    with tqdm(total=scenario.horizon_weeks, unit="wk", disable=not progress, leave=False) as bar:
        result = run_simulation(scenario, args.seed, on_week=lambda _: bar.update(1))
    write_run(out, result, manifest)
    if args.json:
        print_json({"summary": result.summary, "out": str(out)})
    else:
        print(format_summary(result.summary))
    if not args.quiet and not args.json:
        print(f"results: {out}/ ({', '.join(RUN_FILES)})")
    return 0


def write_run(out: Path, result: RunResult, manifest: dict) -> None:
    """Write a run's tables, summary and manifest (last) to `out`; on a disk error, no partial dir.

    `out` must have passed `check_output_dir`.
    """
    from outlast.experiments.store import write_json, write_parquet

    new_dir = not out.exists()
    written = [out / name for name in RUN_FILES]
    try:
        out.mkdir(parents=True, exist_ok=True)
        write_parquet(written[0], result.weekly)
        write_parquet(written[1], result.regions)
        write_json(written[2], result.summary)
        write_json(written[3], manifest)  # last: a directory with a manifest holds a whole run
    except OSError:
        # A disk that fills mid-way must not leave a directory a rerun would refuse as foreign.
        if new_dir:
            shutil.rmtree(out, ignore_errors=True)
        raise


def format_summary(summary: dict) -> str:
    """The short summary table printed after a run."""
    rows = [
        ("outcome", summary["outcome"]),
        ("outcome week", summary["outcome_week"] if summary["outcome_week"] >= 0 else "-"),
        ("weeks run", summary["weeks_run"]),
        ("active force", f"{summary['force_active']:,.0f}"),
        ("desertions", f"{summary['desertions_total']:,.0f}"),
        ("surrenders", f"{summary['surrenders_total']:,.0f}"),
        ("deaths", f"{summary['deaths_total']:,.0f}"),
        ("elite loyalty", f"{summary['elite_loyalty']:.2f}"),
        ("unrest", f"{summary['unrest']:.3f}"),
        ("stability index", f"{summary['stability_index']:.2f}"),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in rows)

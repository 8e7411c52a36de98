"""``outlast sweep``: run an experiment file over its design, locally or on a Dask cluster.

A sweep whose runs failed writes everything (the failed runs with their ``error``) and exits
with status 1, so that scripts do not mistake errors for results.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from outlast.cli.common import (
    add_backend_arguments,
    add_output_arguments,
    positive_int,
    print_json,
    stops_resumably,
)
from outlast.exit_codes import EXIT_FAILED, EXIT_OK


def add_command(sub: Any) -> None:
    """Add ``outlast sweep`` to the CLI's subparsers."""
    sweep = sub.add_parser("sweep", help="run an experiment file (runs/*.toml) over its design")
    sweep.add_argument("experiment", type=Path, help="the experiment's TOML file")
    add_backend_arguments(sweep, "local processes (default: CPUs)")
    sweep.add_argument("--seeds", type=positive_int, help="seeds per point (overrides the file)")
    sweep.add_argument("--batch-size", type=positive_int, help="runs per task (default: auto)")
    sweep.add_argument(
        "--out",
        type=Path,
        help="output directory (default runs/output/NAME, or NAME-seedsN with --seeds)",
    )
    sweep.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results of another experiment in --out",
    )
    add_output_arguments(sweep, "the sweep's summary as JSON")


def run(args: argparse.Namespace) -> int:
    """Validate, pick the backend, run, print where the results are."""
    # Imported once the arguments parse: the engine loads the model, pandas and pyarrow.
    from outlast.experiments.design import load_experiment
    from outlast.experiments.engine import (
        check_output_dir,
        default_output,
        make_backend,
        run_sweep,
    )

    exp = load_experiment(args.experiment, seeds=args.seeds)
    out = args.out or default_output(exp, args.seeds)
    check_output_dir(out, exp, args.overwrite)
    backend = make_backend(args.workers, args.scheduler)
    try:
        with stops_resumably("sweep", out):
            done = run_sweep(
                exp, out, backend, args.batch_size, args.overwrite, not (args.quiet or args.json)
            )
    finally:
        backend.close()
    if args.json:
        print_json(
            {
                "experiment": exp.name,
                "out": str(out),
                "runs": done.n_runs,
                "points": len(exp.points),
                "seeds": exp.seeds,
                "run_now": done.n_run_now,
                "found_finished": done.n_done_before,
                "failed": done.n_failed,
                "files": ["results.parquet", "weekly.parquet", "scenarios.parquet", "manifest.json"]
                + (["regions.parquet"] if exp.keep_regions else []),
            }
        )
    elif done.n_run_now == 0 and done.n_done_before == done.n_runs:
        print(f"sweep '{exp.name}' already complete: {done.n_runs} runs in {out}/")
    else:
        print(
            f"sweep '{exp.name}': {done.n_runs} runs ({len(exp.points)} points x {exp.seeds} "
            f"seeds), {done.n_run_now} run now, {done.n_done_before} found finished"
        )
    if done.n_failed:
        # Everything is written; the status tells scripts that some runs are errors, not results.
        print(
            f"outlast sweep: warning: {done.n_failed} of {done.n_runs} runs failed; see the "
            f"'error' column of {out}/results.parquet",
            file=sys.stderr,
        )
    if not (args.quiet or args.json):
        tables = "results.parquet, weekly.parquet" + (
            ", regions.parquet" if exp.keep_regions else ""
        )
        print(f"results: {out}/ ({tables}, scenarios.parquet, manifest.json)")
    return EXIT_FAILED if done.n_failed else EXIT_OK

"""``outlast sweep``: run an experiment file over its design, locally or on a Dask cluster."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outlast.cli.common import add_backend_arguments, positive_int, stops_resumably


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
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")


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
            done = run_sweep(exp, out, backend, args.batch_size, args.overwrite, not args.quiet)
    finally:
        backend.close()
    if done.n_run_now == 0 and done.n_done_before == done.n_runs:
        print(f"sweep '{exp.name}' already complete: {done.n_runs} runs in {out}/")
    else:
        print(
            f"sweep '{exp.name}': {done.n_runs} runs ({len(exp.points)} points x {exp.seeds} "
            f"seeds), {done.n_run_now} run now, {done.n_done_before} found finished"
        )
    if done.n_failed:
        print(f"warning: {done.n_failed} runs failed; see the 'error' column of results.parquet")
    print(f"results: {out}/ (results.parquet, weekly.parquet, manifest.json)")
    return 0

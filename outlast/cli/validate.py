"""``outlast validate``: compare the model with published figures over seeds.

The checks are in `outlast.analysis.validate`; this module imports it only once the arguments
have passed, so that building the command line imports no numerical library and every command,
even one given bad input, starts in a fraction of a second.

The runs are an experiment on the sweeps' engine: they go to a local pool (``--workers``) or a
Dask cluster (``--scheduler``) and are kept in ``--out``/runs/ with a manifest, so that running
the same command again resumes (or, once finished, only recomputes the table), and a different
validation (other checks, seeds, master seed or ``--set``) is refused there unless ``--overwrite``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from model.seeds import DEFAULT_SEED
from outlast.cli.common import (
    UsageError,
    add_backend_arguments,
    add_output_arguments,
    positive_int,
    print_json,
    seed,
    stops_resumably,
)
from outlast.exit_codes import EXIT_FAILED, EXIT_OK

#: The subdirectory of --out that holds the runs (a sweep store: manifest and Parquet tables).
RUNS_DIR = "runs"


def add_command(sub: Any) -> None:
    """Add ``outlast validate`` to the CLI's subparsers."""
    cmd = sub.add_parser("validate", help="compare the model with published figures over seeds")
    cmd.add_argument("--seeds", type=positive_int, default=10, help="runs per preset (10)")
    cmd.add_argument(
        "--seed",
        type=seed,
        default=DEFAULT_SEED,
        help=f"master seed: every run's seed derives from it as in a sweep ({DEFAULT_SEED})",
    )
    cmd.add_argument(
        "--only", action="append", default=[], metavar="CHECK", help="run only this check"
    )
    cmd.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one parameter in every preset (repeatable)",
    )
    add_backend_arguments(cmd, "local processes (1)")
    cmd.add_argument(
        "--out",
        type=Path,
        default=Path("runs/output/validate"),
        help="directory for validation.csv, validation.md and the runs (runs/output/validate)",
    )
    cmd.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the runs of another validation in --out",
    )
    cmd.add_argument("--list", action="store_true", help="list the checks and stop")
    add_output_arguments(cmd, "the table (or with --list, the checks) as JSON")


def run(args: Any) -> int:
    """Run ``outlast validate``: print the table and write it as CSV and Markdown to --out."""
    from model.scenario import parse_assignment
    from outlast.experiments.store import output_dir_problem, write_atomic

    if args.list:
        from outlast.analysis.validate import CHECKS

        if args.json:
            print_json(
                [{"check": c.name, "preset": c.preset, "figure": c.figure} for c in CHECKS.values()]
            )
            return EXIT_OK
        for check in CHECKS.values():
            print(f"{check.name:<32} {check.preset:<16} {check.figure}")
        return EXIT_OK
    for text in args.overrides:
        parse_assignment(text)
    out: Path = args.out
    problem = output_dir_problem(out)
    if problem:
        raise UsageError(problem)
    # Imported once the cheap checks have passed (they load the model, scipy and the engine).
    from outlast.analysis.validate import run_checks, select, to_markdown, to_text
    from outlast.analysis.validate import validation_experiment as experiment
    from outlast.experiments.engine import check_output_dir, make_backend

    try:
        checks = select(args.only)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    exp = experiment(checks, args.seeds, args.overrides, args.seed)
    runs = out / RUNS_DIR
    check_output_dir(runs, exp, args.overwrite)
    backend = make_backend(args.workers or 1, args.scheduler)
    try:
        with stops_resumably("validate", runs):
            progress = not (args.quiet or args.json)
            table, done = run_checks(checks, exp, backend, runs, args.overwrite, progress)
    finally:
        backend.close()
    if not args.json:
        print(to_text(table))
    write_atomic(out / "validation.csv", lambda tmp: table.to_csv(tmp, index=False))
    header = (
        f"# outlast validate\n\n{args.seeds} seeds, master seed {args.seed}"
        + (f"; overrides: {', '.join(args.overrides)}" if args.overrides else "")
        + "\n\n"
    )
    write_atomic(
        out / "validation.md",
        lambda tmp: tmp.write_text(header + to_markdown(table) + "\n", encoding="utf-8"),
    )
    if args.json:
        print_json(
            {
                "checks": table.to_dict("records"),
                "runs": done.n_runs,
                "scenarios": len(exp.points),
                "seeds": exp.seeds,
                "run_now": done.n_run_now,
                "found_finished": done.n_done_before,
                "failed": done.n_failed,
                "out": str(out),
            }
        )
    else:
        print(
            f"{done.n_runs} runs ({len(exp.points)} scenarios x {exp.seeds} seeds): "
            f"{done.n_run_now} run now, {done.n_done_before} found finished"
        )
    if done.n_failed:
        print(
            f"outlast validate: warning: {done.n_failed} of {done.n_runs} runs failed; see the "
            f"'error' column of {runs}/results.parquet",
            file=sys.stderr,
        )
    if not (args.quiet or args.json):
        print(f"results: {out}/ (validation.csv, validation.md; the runs in {RUNS_DIR}/)")
    return EXIT_FAILED if done.n_failed else EXIT_OK

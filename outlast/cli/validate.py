"""``outlast validate``: compare the model with published figures over seeds.

The checks are in `outlast.analysis.validate`; this module imports it only once the arguments
have passed, so that building the command line imports no numerical library and every command,
even one given bad input, starts in a fraction of a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from model.seeds import DEFAULT_SEED
from outlast.cli.common import UsageError, positive_int, seed


def add_command(sub: Any) -> None:
    """Add ``outlast validate`` to the CLI's subparsers."""
    cmd = sub.add_parser("validate", help="compare the model with published figures over seeds")
    cmd.add_argument("--seeds", type=positive_int, default=10, help="runs per preset (10)")
    cmd.add_argument("--seed", type=seed, default=DEFAULT_SEED, help="first seed")
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
    cmd.add_argument("--workers", type=positive_int, default=1, help="processes (1)")
    cmd.add_argument(
        "--out",
        type=Path,
        default=Path("runs/output/validate"),
        help="directory for validation.csv and validation.md (runs/output/validate)",
    )
    cmd.add_argument("--list", action="store_true", help="list the checks and stop")


def run(args: Any) -> int:
    """Run ``outlast validate``: print the table and write it as CSV and Markdown to --out."""
    from model.scenario import parse_assignment
    from outlast.experiments.store import output_dir_problem, write_atomic

    if args.list:
        from outlast.analysis.validate import CHECKS

        for check in CHECKS.values():
            print(f"{check.name:<32} {check.preset:<16} {check.figure}")
        return 0
    for text in args.overrides:
        parse_assignment(text)
    out: Path = args.out
    problem = output_dir_problem(out)
    if problem:
        raise UsageError(problem)
    # Imported once the cheap checks have passed (it loads the model and scipy).
    from outlast.analysis.validate import select, to_markdown, to_text, validate

    try:
        select(args.only)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    table = validate(args.seeds, args.only, args.overrides, args.workers, args.seed)
    print(to_text(table))
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "validation.csv", lambda tmp: table.to_csv(tmp, index=False))
    header = (
        f"# outlast validate\n\n{args.seeds} seeds from {args.seed}"
        + (f"; overrides: {', '.join(args.overrides)}" if args.overrides else "")
        + "\n\n"
    )
    write_atomic(
        out / "validation.md",
        lambda tmp: tmp.write_text(header + to_markdown(table) + "\n", encoding="utf-8"),
    )
    print(f"results: {out}/ (validation.csv, validation.md)")
    return 0

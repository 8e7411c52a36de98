"""The `outlast` command line: run | params (and the commands added by later modules).

Bad input (an unknown parameter, a value out of range, a malformed file, a bad flag) ends with one
line on stderr naming what is wrong and what is allowed, exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import NoReturn

from model.scenario import PRESETS, Scenario, ScenarioError, load_scenario, parameter_rows

EXIT_FAILED = 1
EXIT_USAGE = 2
#: Exit status after Ctrl-C, as shells report a process ended by SIGINT.
EXIT_INTERRUPTED = 130
DEFAULT_SEED = 20261125
OUTPUT_ROOT = Path("runs/output")


#: What `outlast run` writes, the manifest last.
RUN_FILES = ("weekly.parquet", "regions.parquet", "summary.json", "manifest.json")


class UsageError(Exception):
    """Bad command-line input; reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be at least 1")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed '{text}' is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed {value} must be in 0 .. 2^63-1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="outlast", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

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
    run.add_argument("--weeks", type=_positive_int, help="horizon in weeks (horizon_weeks)")
    run.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help="random seed")
    run.add_argument(
        "--out", type=Path, help="output directory (default runs/output/run-NAME-seedSEED)"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    params = sub.add_parser("params", help="list every parameter")
    params.add_argument("--format", choices=["table", "markdown", "json"], default="table")

    from model import validate_command

    validate_command.add_command(sub)

    sweep = sub.add_parser("sweep", help="run an experiment file (runs/*.toml) over its design")
    sweep.add_argument("experiment", type=Path, help="the experiment's TOML file")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_positive_int, help="local processes (default: CPUs)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")
    sweep.add_argument("--seeds", type=_positive_int, help="seeds per point (overrides the file)")
    sweep.add_argument("--batch-size", type=_positive_int, help="runs per task (default: auto)")
    sweep.add_argument("--out", type=Path, help="output directory (default runs/output/NAME)")
    sweep.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the results of another experiment in --out",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    report = sub.add_parser("report", help="tables and figures of a finished sweep")
    report.add_argument("sweep_dir", type=Path, help="the sweep's output directory")

    dashboard = sub.add_parser("dashboard", help="serve the dashboard in the browser")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to serve on")
    dashboard.add_argument("--port", type=_port, default=8765, help="port to serve on")
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port '{text}' is not a whole number") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {value} must be in 1 .. 65535")
    return value


def check_output_dir(path: Path, manifest: dict) -> None:
    """Refuse an output path that is a file, not writable, or holds a different run.

    Raises:
        UsageError: With a one-line reason.

    """
    from model.store import output_dir_problem

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
        text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
        label += "-" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return f"run-{label}-seed{args.seed}"


def _cmd_run(args: argparse.Namespace) -> int:
    overrides = list(args.overrides)
    if args.weeks is not None:
        overrides.append(f"horizon_weeks={args.weeks}")
    scenario = load_scenario(preset=args.preset, config=args.config, overrides=overrides)
    # Imported once the input is known to be good: bad input is refused without loading them.
    from model.runner import run_simulation
    from model.store import provenance, write_json, write_parquet

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

    with tqdm(total=scenario.horizon_weeks, unit="wk", disable=args.quiet, leave=False) as bar:
        result = run_simulation(scenario, args.seed, on_week=lambda _: bar.update(1))
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
    print(format_summary(result.summary))
    print(f"results: {out}/ ({', '.join(RUN_FILES)})")
    return 0


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


def _cmd_params(args: argparse.Namespace) -> int:
    rows = parameter_rows()
    if args.format == "json":
        print(json.dumps(rows, indent=2, default=str))
    elif args.format == "markdown":
        print(parameter_markdown())
    else:
        for r in rows:
            print(
                f"{r['name']:<34} {r['default']!s:>14}  [{r['allowed']}]  ({r['source']})\n"
                f"{'':<36}{r['description']}"
            )
    return 0


def parameter_markdown() -> str:
    """The parameter table of docs/MODEL.md, generated from the Scenario."""
    lines = [
        "| parameter | default | allowed | unit | source | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for r in parameter_rows():
        desc = r["description"].replace("|", "/")
        lines.append(
            f"| `{r['name']}` | {r['default']} | {r['allowed']} | {r['unit']} | {r['source']} "
            f"| {desc} |"
        )
    return "\n".join(lines)


def _cmd_validate(args: argparse.Namespace) -> int:
    from model.validate_command import run_command

    return run_command(args)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from model.sweep import sweep_command

    return sweep_command(args)


def _cmd_report(args: argparse.Namespace) -> int:
    from model.report import report_command

    return report_command(args)


def _cmd_dashboard(args: argparse.Namespace) -> int:
    # Imported here: the dashboard imports the model, never the other way round.
    from dashboards.serve import ServeError, serve

    try:
        return serve(args.host, args.port)
    except ServeError as exc:
        raise UsageError(str(exc)) from None


COMMANDS = {
    "run": _cmd_run,
    "params": _cmd_params,
    "validate": _cmd_validate,
    "sweep": _cmd_sweep,
    "report": _cmd_report,
    "dashboard": _cmd_dashboard,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `outlast` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (ScenarioError, UsageError) as exc:
        print(f"outlast {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    except OSError as exc:  # the disk filled, a directory went away: the machine, not the input
        from model.store import os_error_line

        print(f"outlast {args.command}: error: {os_error_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"outlast {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

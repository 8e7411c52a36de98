"""The `outlast` command line: one module per command, exit codes in `outlast.exit_codes`.

Bad input (an unknown parameter, a value out of range, a malformed file, a bad flag) ends with one
line on stderr naming what is wrong and what is allowed, exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType

from model.scenario import ScenarioError
from outlast.cli import dashboard, match, params, report, run, sweep, validate
from outlast.cli.common import Parser, Stopped, UsageError
from outlast.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE

#: Every command, in the order `outlast --help` lists them; each module has
#: ``add_command(subparsers)`` and ``run(args) -> exit status``.
COMMANDS: dict[str, ModuleType] = {
    "run": run,
    "params": params,
    "validate": validate,
    "sweep": sweep,
    "match": match,
    "report": report,
    "dashboard": dashboard,
}

DESCRIPTION = (
    "outlast: an agent-based simulation of whether Western policy can make continuing the war "
    "riskier for the Kremlin than ending it. Run one scenario, list the parameters, compare the "
    "model with published figures, sweep an experiment file locally or on a Dask cluster, report "
    "a sweep, or serve the dashboard."
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from outlast import __version__

    parser = Parser(prog="outlast", description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"outlast {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS.values():
        module.add_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `outlast` console script."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command].run(args)
    except (ScenarioError, UsageError) as exc:
        print(f"outlast {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Stopped as exc:  # the command has said why
        return exc.status
    except BrokenPipeError:
        # Output piped into `head` and the like: stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0
    except OSError as exc:  # the disk filled, a directory went away: the machine, not the input
        from outlast.experiments.store import os_error_line

        print(f"outlast {args.command}: error: {os_error_line(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"outlast {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())

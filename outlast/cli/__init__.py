"""The `outlast` command line: one module per command, exit codes in `outlast.exit_codes`.

Bad input (an unknown parameter, a value out of range, a malformed file, a bad flag) ends with one
line on stderr naming what is wrong and what is allowed, exit status 2, and nothing written.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from types import ModuleType

from model.scenario import ScenarioError
from outlast.cli import dashboard, match, params, report, rerun, run, sweep, validate
from outlast.cli.common import Parser, Stopped, UsageError
from outlast.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_STATUSES, EXIT_USAGE

#: Every command, in the order `outlast --help` lists them; each module has
#: ``add_command(subparsers)`` and ``run(args) -> exit status``.
COMMANDS: dict[str, ModuleType] = {
    "run": run,
    "params": params,
    "validate": validate,
    "sweep": sweep,
    "match": match,
    "report": report,
    "rerun": rerun,
    "dashboard": dashboard,
}

DESCRIPTION = (
    "outlast: an agent-based simulation of whether Western policy can make continuing the war "
    "riskier for the Kremlin than ending it. Run one scenario, list the parameters, compare the "
    "model with published figures, sweep an experiment file locally or on a Dask cluster, report "
    "a sweep, rerun one of its runs to check it, or serve the dashboard."
)


#: Columns of the top-level help: every command and its description on one line.
HELP_WIDTH = 120


class TopLevelHelp(argparse.RawDescriptionHelpFormatter):
    """The top-level help: one line per command, the exit statuses as written."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=24, width=HELP_WIDTH)

    def add_argument(self, action: argparse.Action) -> None:
        """Measure the commands as deep as they are printed (argparse measures one level less)."""
        super().add_argument(action)
        if isinstance(action, argparse._SubParsersAction):
            for command in action._get_subactions():
                width = len(self._format_action_invocation(command)) + self._current_indent + 4
                self._action_max_length = max(self._action_max_length, width)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    from outlast import __version__

    epilog = "exit status:\n" + "\n".join(
        f"  {code:<5}{text}" for code, text in EXIT_STATUSES.items()
    )
    parser = Parser(
        prog="outlast",
        description=textwrap.fill(DESCRIPTION, HELP_WIDTH),
        epilog=epilog,
        formatter_class=TopLevelHelp,
    )
    parser.add_argument("--version", action="version", version=f"outlast {__version__}")
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=Parser, title="commands", metavar="COMMAND"
    )
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

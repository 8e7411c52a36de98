"""What every command shares: the one-line usage error, the parser class and argument types."""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn

from model.scenario import ScenarioError
from model.seeds import parse_seed, parse_whole_number
from outlast.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE

#: Where commands write by default, relative to the working directory.
OUTPUT_ROOT = Path("runs/output")


class UsageError(Exception):
    """Bad command-line input; reported as one line with exit status 2."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line, without the usage block."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit with status 2."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _argument(parse: Callable[[str], int], text: str) -> int:
    try:
        return parse(text)
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return _argument(lambda t: parse_whole_number(t, 1), text)


def seed(text: str) -> int:
    """An argparse type: a seed from 0 to 2^63 - 1."""
    return _argument(parse_seed, text)


def port(text: str) -> int:
    """An argparse type: a TCP port."""
    return _argument(lambda t: parse_whole_number(t, 1, 65535, "port"), text)


def add_backend_arguments(cmd: argparse.ArgumentParser, workers_help: str) -> None:
    """``--workers N`` (a local pool) or ``--scheduler tcp://HOST:PORT`` (a Dask cluster)."""
    where = cmd.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive_int, help=workers_help)
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster")


def add_output_arguments(cmd: argparse.ArgumentParser, json_help: str | None) -> None:
    """``--quiet`` (every command) and, for a command that prints a table, ``--json``.

    ``--quiet`` leaves out progress bars and notes (where the results went); the command's table
    or JSON, warnings and errors are still printed. ``--json`` prints the table as one JSON
    document on stdout instead, with no progress bar, so that tools can read it.
    """
    cmd.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar and no notes; only the result, warnings and errors",
    )
    if json_help is not None:
        cmd.add_argument("--json", action="store_true", help=f"print {json_help}")


def print_json(data: Any) -> None:
    """Print `data` as one JSON document: numpy numbers as numbers, NaN as null, paths as text."""
    print(json.dumps(json_ready(data), indent=2, allow_nan=False))


def json_ready(data: Any) -> Any:
    """`data` with numpy scalars as Python numbers, NaN as None, and other objects as text."""
    if isinstance(data, dict):
        return {str(k): json_ready(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_ready(v) for v in data]
    if hasattr(data, "item") and not isinstance(data, str | bytes):  # numpy and pandas scalars
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if data is None or isinstance(data, bool | int | float | str):
        return data
    return str(data)


class Stopped(Exception):
    """A command stopped after saying why in one line; `main` ends with its exit status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@contextlib.contextmanager
def stops_resumably(command: str, out: Path) -> Iterator[None]:
    """Around a run of the engine into `out`: stop a failed or interrupted run in one line.

    A lost worker or cluster, a full disk and Ctrl-C leave the finished runs in `out`; the line
    says that running the same command again resumes, and `Stopped` ends the command.
    """
    from outlast.experiments.engine import WorkerLost
    from outlast.experiments.store import os_error_line

    resume = f"finished runs are kept in {out}/, run the same command again to resume"
    try:
        yield
    except WorkerLost as exc:
        print(f"outlast {command}: error: {exc}; {resume}", file=sys.stderr)
        raise Stopped(EXIT_FAILED) from None
    except OSError as exc:  # the disk filled, or the directory went away mid-run
        print(f"outlast {command}: error: {os_error_line(exc)}; {resume}", file=sys.stderr)
        raise Stopped(EXIT_FAILED) from None
    except KeyboardInterrupt:
        print(f"outlast {command}: interrupted; {resume}", file=sys.stderr)
        raise Stopped(EXIT_INTERRUPTED) from None

"""What every command shares: the one-line usage error, the parser class and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from model.scenario import ScenarioError
from model.seeds import parse_seed, parse_whole_number
from outlast.exit_codes import EXIT_USAGE

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

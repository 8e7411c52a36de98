"""``outlast params``: every parameter of the Scenario, as a table, Markdown or JSON."""

from __future__ import annotations

import argparse
from typing import Any

from model.scenario import parameter_json, parameter_markdown, parameter_rows
from outlast.cli.common import add_output_arguments


def add_command(sub: Any) -> None:
    """Add ``outlast params`` to the CLI's subparsers."""
    params = sub.add_parser(
        "params", help="list every parameter: role, default, bounds, unit, source"
    )
    params.add_argument("--format", choices=["table", "markdown", "json"], default="table")
    add_output_arguments(params, "the parameters as JSON (the same as --format json)")


def run(args: argparse.Namespace) -> int:
    """Print every parameter in the chosen format."""
    if args.format == "json" or args.json:
        print(parameter_json())
    elif args.format == "markdown":
        print(parameter_markdown())
    else:
        for r in parameter_rows():
            print(
                f"{r['name']:<34} {r['role']:<11} {r['default']!s:>14}  [{r['allowed']}]  "
                f"({r['source']})\n{'':<36}{r['description']}"
            )
    return 0

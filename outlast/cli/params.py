"""``outlast params``: every parameter of the Scenario, as a table, Markdown or JSON."""

from __future__ import annotations

import argparse
import json
from typing import Any

from model.scenario import parameter_rows


def add_command(sub: Any) -> None:
    """Add ``outlast params`` to the CLI's subparsers."""
    params = sub.add_parser("params", help="list every parameter")
    params.add_argument("--format", choices=["table", "markdown", "json"], default="table")


def run(args: argparse.Namespace) -> int:
    """Print every parameter in the chosen format."""
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

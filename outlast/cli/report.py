"""``outlast report``: tables and figures of a finished sweep."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from outlast.cli.common import add_output_arguments, print_json


def add_command(sub: Any) -> None:
    """Add ``outlast report`` to the CLI's subparsers."""
    report = sub.add_parser("report", help="tables and figures of a finished sweep")
    report.add_argument("sweep_dir", type=Path, help="the sweep's output directory")
    add_output_arguments(report, "the files written and the table of design points as JSON")


def run(args: argparse.Namespace) -> int:
    """Write the report of the sweep in DIR and list its files (or print its points as JSON)."""
    from outlast.analysis.report import write_report

    written = write_report(args.sweep_dir)
    if args.json:
        import pandas as pd

        points = [p for p in written if p.name == "points.csv"]
        print_json(
            {
                "out": str(written[0].parent),
                "files": [str(p) for p in written],
                "points": pd.read_csv(points[0]).to_dict("records") if points else [],
            }
        )
        return 0
    if args.quiet:
        return 0
    print(f"report: {written[0].parent}/ ({len(written)} files)")
    for path in written:
        print(f"  {path.name}")
    return 0

"""``outlast report``: tables and figures of a finished sweep."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_command(sub: Any) -> None:
    """Add ``outlast report`` to the CLI's subparsers."""
    report = sub.add_parser("report", help="tables and figures of a finished sweep")
    report.add_argument("sweep_dir", type=Path, help="the sweep's output directory")


def run(args: argparse.Namespace) -> int:
    """Write the report of the sweep in DIR and list its files."""
    from outlast.analysis.report import write_report

    written = write_report(args.sweep_dir)
    print(f"report: {written[0].parent}/ ({len(written)} files)")
    for path in written:
        print(f"  {path.name}")
    return 0

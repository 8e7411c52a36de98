"""``outlast report``: tables and figures of a finished sweep."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from model.scenario import ScenarioError
from model.seeds import parse_whole_number
from outlast.cli.common import add_output_arguments, positive_int, print_json

#: The figure formats `outlast report --format` accepts (outlast.analysis.figures.FORMATS).
FORMATS = ("png", "svg", "pdf")


def figure_formats(text: str) -> tuple[str, ...]:
    """An argparse type: a comma-separated list of figure formats, e.g. ``png,svg,pdf``."""
    asked = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    bad = [f for f in asked if f not in FORMATS]
    if bad or not asked:
        raise argparse.ArgumentTypeError(
            f"unknown figure format {', '.join(repr(f) for f in bad) or repr(text)}; "
            f"allowed: a comma-separated list of {', '.join(FORMATS)}"
        )
    return asked


def dpi(text: str) -> int:
    """An argparse type: a resolution from 50 to 1200 dots per inch."""
    try:
        return parse_whole_number(text, 50, 1200, "dpi")
    except ScenarioError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_command(sub: Any) -> None:
    """Add ``outlast report`` to the CLI's subparsers."""
    report = sub.add_parser("report", help="tables and figures of a finished sweep")
    report.add_argument("sweep_dir", type=Path, help="the sweep's output directory")
    report.add_argument(
        "--format",
        type=figure_formats,
        default=("png",),
        help="figure formats, comma-separated: png, svg, pdf (default: png)",
    )
    report.add_argument(
        "--dpi", type=dpi, default=200, help="resolution of PNG figures (50-1200; default: 200)"
    )
    report.add_argument("--out", type=Path, help="where to write the report (default: DIR/report)")
    report.add_argument(
        "--min-runs",
        type=positive_int,
        default=30,
        help="flag figures and cells computed from fewer runs as small samples (default: 30)",
    )
    add_output_arguments(report, "the files written and the table of design points as JSON")


def run(args: argparse.Namespace) -> int:
    """Write the report of the sweep in DIR and list its files (or print its points as JSON)."""
    from outlast.analysis.report import write_report

    written = write_report(
        args.sweep_dir, args.out, formats=args.format, dpi=args.dpi, min_runs=args.min_runs
    )
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

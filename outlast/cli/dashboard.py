"""``outlast dashboard``: serve the Solara dashboard on this machine."""

from __future__ import annotations

import argparse
from typing import Any

from outlast.cli.common import UsageError, add_output_arguments, port


def add_command(sub: Any) -> None:
    """Add ``outlast dashboard`` to the CLI's subparsers."""
    dashboard = sub.add_parser("dashboard", help="serve the dashboard in the browser")
    dashboard.add_argument("--host", default="127.0.0.1", help="address to serve on")
    dashboard.add_argument("--port", type=port, default=8765, help="port to serve on")
    add_output_arguments(dashboard, None)


def run(args: argparse.Namespace) -> int:
    """Serve until stopped."""
    # Imported here: serving loads Solara, which no other command needs.
    from dashboards.serve import ServeError, serve

    try:
        return serve(args.host, args.port, quiet=args.quiet)
    except ServeError as exc:
        raise UsageError(str(exc)) from None

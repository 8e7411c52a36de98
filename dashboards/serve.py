"""``outlast dashboard``: serve the dashboard with Solara, from the local asset cache.

The command replaces itself with ``solara run dashboards.app`` (production mode: no reloader, no
calls home) in an environment that points Solara's asset proxy at the cache filled by
``scripts/dashboard_assets.sh``, so the page works with no internet access.
"""

from __future__ import annotations

import os
import socket
import sys

from dashboards.assets import cache_dir, missing_packages, solara_environment


class ServeError(Exception):
    """The dashboard cannot be served as asked (e.g. the port is taken); one line."""


def solara_command(host: str, port: int) -> list[str]:
    """The command line that serves the dashboard on `host`:`port`."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "dashboards.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]


def check_port_free(host: str, port: int) -> None:
    """Fail early, with one line, if `host`:`port` cannot be bound.

    Raises:
        ServeError: If the address is taken or cannot be bound.

    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        # As the server will: a port whose last connections are closing is free to serve on.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise ServeError(f"cannot serve on {host}:{port}: {exc.strerror}") from None


def serve(host: str, port: int, quiet: bool = False) -> int:
    """Check the address and the asset cache, then become the Solara server (never returns).

    With `quiet`, the line saying where it serves is left out (warnings are still printed).

    Raises:
        ServeError: If the address cannot be bound.

    """
    check_port_free(host, port)
    missing = missing_packages()
    if missing:
        print(
            f"outlast dashboard: warning: {len(missing)} page asset package(s) are not in "
            f"{cache_dir()} ({', '.join(missing)}); the page needs internet access until "
            "`bash scripts/dashboard_assets.sh` (run by ./setup) has filled the cache",
            file=sys.stderr,
        )
    if not quiet:
        print(f"outlast dashboard: serving on http://{host}:{port}/ (Ctrl-C stops it)", flush=True)
    command = solara_command(host, port)
    os.execve(command[0], command, solara_environment())

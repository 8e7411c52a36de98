"""The JavaScript and CSS the dashboard's page loads, kept in a local cache so it works offline.

A Solara page loads its front end (the Vue app, require.js, Font Awesome, vega for the charts,
...) from a CDN through Solara's asset proxy, which keeps a copy of every file it fetched in a
cache directory and serves it from there. With no internet the CDN is unreachable and the page
stays blank, so ``scripts/dashboard_assets.sh`` fills the cache at install time from the npm
registry with exactly the packages the installed Solara asks for, each unpacked into
``<cache>/<name>@<version>/``. The cache is Solara's default one inside the virtual environment
(``.venv/share/solara/cdn``), so ``solara run dashboards/app.py`` finds it too.

Run as ``python -m dashboards.assets --missing`` to list what the cache still lacks.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from importlib import metadata
from importlib.util import find_spec
from pathlib import Path

#: The files of the installed Solara that name what its page (and the widgets we use) load
#: through the proxy: the page template, the Font Awesome setting, the chart (vega), grid-layout
#: and markdown (katex, mermaid) widgets.
SOLARA_SOURCES = (
    "server/templates/solara.html.j2",
    "server/settings.py",
    "widgets/vue/vegalite.vue",
    "widgets/vue/gridlayout.vue",
    "widgets/vue/gridlayout_v3.vue",
    "components/markdown.py",
)

#: An npm package pinned in a CDN path: "/name@1.2.3/" or "/@scope/name@5/".
PACKAGE_IN_PATH = re.compile(r"/((?:@[a-z0-9-]+/)?[a-z0-9][a-z0-9.-]*@[0-9][0-9A-Za-z.+-]*)/")

#: The two builds of Solara's app; the page loads the one that matches ipyvue's major version.
VUETIFY_APPS = {2: "@widgetti/solara-vuetify-app@", 3: "@widgetti/solara-vuetify3-app@"}


def cache_dir() -> Path:
    """Solara's asset cache inside the running virtual environment."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def required_packages() -> list[str]:
    """The npm packages (``name@version``) the installed Solara's page loads, sorted.

    Read from the installed Solara's own files, so an upgrade of Solara changes the list.
    """
    spec = find_spec("solara")  # locates the package without importing it (which takes seconds)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("solara is not installed in this environment")
    solara_root = Path(next(iter(spec.submodule_search_locations)))
    found: set[str] = set()
    for source in SOLARA_SOURCES:
        path = solara_root / source
        if path.is_file():
            found.update(PACKAGE_IN_PATH.findall(path.read_text(encoding="utf-8")))
    vue_major = int(metadata.version("ipyvue").split(".")[0])
    unused_apps = [prefix for major, prefix in VUETIFY_APPS.items() if major != vue_major]
    return sorted(p for p in found if not any(p.startswith(u) for u in unused_apps))


def is_cached(package: str, cache: Path) -> bool:
    """Whether `package` is unpacked in `cache` (every npm package has a package.json)."""
    return (cache / package / "package.json").is_file()


def missing_packages(cache: Path | None = None) -> list[str]:
    """The required packages not yet in the cache."""
    cache = cache or cache_dir()
    return [p for p in required_packages() if not is_cached(p, cache)]


def solara_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment variables for a Solara server that serves the page from the local cache.

    The asset proxy is switched on and pointed at the cache, and Solara's usage telemetry is
    switched off: the server reaches no address but the browser's.
    """
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "SOLARA_ASSETS_PROXY": "True",
            "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache_dir()),
            "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
        }
    )
    return env


def main(argv: list[str] | None = None) -> int:
    """Print the cache directory, the required packages or the missing ones, one a line."""
    parser = argparse.ArgumentParser(prog="python -m dashboards.assets", description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--cache-dir", action="store_true", help="print the cache directory")
    group.add_argument("--required", action="store_true", help="print every required package")
    group.add_argument("--missing", action="store_true", help="print the packages not cached")
    args = parser.parse_args(argv)
    if args.cache_dir:
        print(cache_dir())
    else:
        print("\n".join(required_packages() if args.required else missing_packages()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

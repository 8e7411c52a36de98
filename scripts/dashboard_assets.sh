#!/usr/bin/env bash
# Fill the dashboard's asset cache so its page works with no internet access.
#
# A Solara page loads its JavaScript and CSS from a CDN through Solara's asset proxy, which serves
# files from a cache directory (.venv/share/solara/cdn). This fetches, from the npm registry with
# `npm pack`, exactly the packages the installed Solara asks for and unpacks each into
# <cache>/<name>@<version>/. `./setup` runs it after installing the venv. It is safe to run again:
# packages already in the cache are skipped, so a filled cache costs a fraction of a second.
set -euo pipefail
cd "$(dirname "$0")/.."

py="${OUTLAST_VENV:-.venv}/bin/python"
if [ ! -x "$py" ]; then
  echo "dashboard_assets: no virtual environment at ${OUTLAST_VENV:-.venv}; run ./setup first" >&2
  exit 1
fi
cache="$("$py" -m dashboards.assets --cache-dir)"
missing="$("$py" -m dashboards.assets --missing)"
if [ -z "$missing" ]; then
  echo "dashboard_assets: cache complete ($cache)"
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "dashboard_assets: npm not found, so the dashboard's page assets were not cached; the page" \
       "will need internet access (install npm and run scripts/dashboard_assets.sh)" >&2
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for package in $missing; do
  echo "dashboard_assets: $package"
  pack="$work/pack"
  rm -rf "$pack" && mkdir -p "$pack"
  (cd "$pack" && npm pack --silent --ignore-scripts "$package" >/dev/null 2>"$work/npm.log") || {
    echo "dashboard_assets: npm pack $package failed: $(tail -n 1 "$work/npm.log")" >&2
    exit 1
  }
  tarball="$(ls "$pack"/*.tgz)"
  # Unpack beside the target and rename into place, so an interrupted run leaves no half package.
  target="$cache/$package"
  staging="$target.partial"
  rm -rf "$staging" && mkdir -p "$staging"
  tar -xzf "$tarball" -C "$staging" --strip-components=1 --no-same-owner
  rm -rf "$target"
  mv "$staging" "$target"
done
echo "dashboard_assets: cache complete ($cache)"

#!/usr/bin/env bash
# Refresh the vendored browser assets in static/vendor/ from the npm registry (pinned versions).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEAFLET_VERSION=1.9.4
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "leaflet@$LEAFLET_VERSION" --silent >/dev/null && tar xzf "leaflet-$LEAFLET_VERSION.tgz")
dest="$ROOT/static/vendor/leaflet"
rm -rf "$dest" && mkdir -p "$dest"
cp "$work/package/dist/leaflet.js" "$work/package/dist/leaflet.css" "$work/package/LICENSE" "$dest/"
cp -r "$work/package/dist/images" "$dest/"
echo "vendored leaflet $LEAFLET_VERSION into $dest"

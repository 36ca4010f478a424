#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine. Idempotent.
# Usage: bash tests/setup.sh   (from any directory)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "setup: need root (or sudo) to run: $*" >&2; exit 1
  fi
}

# Chromium for the browser tests; Noto (Latin etc.) and Khmer OS fonts for faithful screenshots;
# QGIS (its Python API) to check that GeoJSON snapshots open in QGIS (tests/test_qgis.py);
# gdal-bin: ogr2ogr writes the GeoPackage, Shapefile, KML and GPX fixtures of tests/test_imports_gis.py.
APT_PACKAGES="chromium fonts-noto-core fonts-khmeros python3-qgis qgis-providers gdal-bin"

if dpkg -s $APT_PACKAGES >/dev/null 2>&1; then
  echo "setup: chromium, fonts and QGIS present"
else
  echo "setup: installing $APT_PACKAGES (apt)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $APT_PACKAGES
fi

echo "setup: pip install -r requirements-dev.txt"
# The two PIP_ variables only matter for root / Debian's externally-managed python3.
PIP_ROOT_USER_ACTION=ignore PIP_BREAK_SYSTEM_PACKAGES=1 \
  python3 -m pip install -q --disable-pip-version-check -r requirements-dev.txt

echo "setup: done"

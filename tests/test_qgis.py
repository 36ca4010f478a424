"""The GeoJSON snapshot opens in QGIS (Debian's QGIS through its Python API; tests/setup.sh installs it)."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path

from layers.data.catalog import load_dataset
from layers.exports.export import snapshot_bytes
from layers.engine.timeline import Timeline

OPEN_IN_QGIS = Path(__file__).parent / "qgis" / "open_in_qgis.py"
SYSTEM_PYTHON = "/usr/bin/python3"  # python3-qgis is built for Debian's interpreter


def _open_in_qgis(path: Path) -> dict:
    done = subprocess.run([SYSTEM_PYTHON, str(OPEN_IN_QGIS), str(path)], capture_output=True, text=True, timeout=180,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, f"QGIS could not be started (is python3-qgis installed? bash tests/setup.sh):\n" \
                                 f"{done.stderr[-2000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])[0]


def test_the_geojson_snapshot_opens_in_qgis_with_every_feature(tmp_path):
    state = Timeline(load_dataset()).state_on(date(1994, 4, 19))
    path = tmp_path / "pailin-atlas_1994-04-19.geojson"
    path.write_bytes(snapshot_bytes(state, "geojson"))
    ours = json.loads(path.read_text())["features"]
    by_kind = Counter({"Point": 0, "LineString": 0, "Polygon": 0})
    for feature in ours:
        by_kind[feature["geometry"]["type"].replace("Multi", "")] += 1

    seen = _open_in_qgis(path)["sublayers"]
    for kind, count in by_kind.items():
        if not count:
            continue
        layer = seen[kind]
        assert layer["valid"] and layer["crs"] == "EPSG:4326" and layer["count"] == count, (kind, layer)
        assert layer["invalid_geometries"] == []
        assert {"id", "layer", "controller", "certainty", "sources", "start", "end"} <= set(layer["fields"])
    assert sorted(i for k in by_kind if by_kind[k] for i in seen[k]["ids"]) == sorted(f["id"] for f in ours)

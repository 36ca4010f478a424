"""`python scripts/derive_zones.py` rebuilds the built-in zones and front lines from geodata/sketch/."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
GEODATA = ROOT / "geodata"
SCRIPT = ROOT / "scripts" / "derive_zones.py"


def _features(path: Path) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads(path.read_text(encoding="utf-8"))["features"]}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("derived")
    result = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)], cwd=tmp_path_factory.mktemp("cwd"),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.parametrize("layer", ["zones.geojson", "frontlines.geojson"])
def test_the_script_reproduces_the_committed_layer(rebuilt: Path, layer: str) -> None:
    committed, derived = _features(GEODATA / layer), _features(rebuilt / layer)
    assert list(derived) == list(committed)
    for fid, want in committed.items():
        got = derived[fid]
        assert got["properties"] == want["properties"], fid
        a, b = shape(got["geometry"]), shape(want["geometry"])
        assert a.geom_type == b.geom_type, fid
        assert shapely.equals_exact(shapely.normalize(a), shapely.normalize(b), tolerance=1e-6), fid


def test_zone_plan_and_sketch_are_data_in_the_repository(tmp_path: Path) -> None:
    # The script needs only the dataset directory: a copy elsewhere rebuilds the same zones.
    data = tmp_path / "copy"
    shutil.copytree(GEODATA, data)
    plan = json.loads((data / "sketch" / "zone_plan.json").read_text(encoding="utf-8"))
    wedge = next(z for z in plan["zones"] if z["id"] == "kr_west_1994_04_wedge")
    wedge["start"], wedge["start_part"] = "1994-04-19", None
    (data / "sketch" / "zone_plan.json").write_text(json.dumps(plan), encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(SCRIPT), "--data", str(data), "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _features(out / "zones.geojson")["kr_west_1994_04_wedge"]["properties"]["start"] == "1994-04-19"

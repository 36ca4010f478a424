"""An import result as an atlas dataset directory; a dataset directory as a zip and back."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

from ..data.errors import N_, DataError, Message, Problem
from ..data.geojson_io import write_feature_collection
from .model import LAYER_FILES, ImportResult, Limits
from .readers import not_a_zip

DATASET_FILES = ("dataset.json", "factions.json", "sources.json", "story.json",
                 *(f"{name}.geojson" for name in LAYER_FILES.values()))


def _region(bounds: tuple[float, float, float, float] | None) -> list[float]:
    if bounds is None:
        return [-180.0, -90.0, 180.0, 90.0]
    w, s, e, n = bounds
    pad = max(0.05, 0.05 * max(e - w, n - s))
    return [round(max(-180.0, w - pad), 4), round(max(-90.0, s - pad), 4),
            round(min(180.0, e + pad), 4), round(min(90.0, n + pad), 4)]


def _view(region: list[float]) -> dict[str, float | int]:
    w, s, e, n = region
    extent = max(e - w, (n - s) * 1.5, 1e-6)
    zoom = int(max(2, min(15, math.floor(math.log2(360 / extent)) + 1)))
    return {"lat": round((s + n) / 2, 4), "lon": round((w + e) / 2, 4), "zoom": zoom}


def dataset_meta(result: ImportResult, title: str | None = None) -> dict[str, Any]:
    region = _region(result.bounds)
    files = ", ".join(result.files) or "nothing"
    return {"title": title or f"Imported: {files}",
            "description": f"Layers imported from {files} with python -m layers import.",
            "start": result.start, "end": result.end, "region": region, "view": _view(region),
            "event_window_days": 15, "imported_from": list(result.files)}


def write_dataset(result: ImportResult, out_dir: Path | str, *, title: str | None = None) -> Path:
    """Write dataset.json, factions.json, sources.json and one GeoJSON file per layer kind present.

    `out_dir` is created; files of a dataset already there are replaced, anything else is left alone.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in DATASET_FILES:
        (out / name).unlink(missing_ok=True)

    def dump(name: str, obj: Any) -> None:
        (out / name).write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    dump("dataset.json", dataset_meta(result, title))
    dump("factions.json", {"factions": result.factions})
    dump("sources.json", {"sources": result.sources})
    for layer, features in result.features.items():
        if features:
            write_feature_collection(out / f"{layer}.geojson", features)
    return out


def dataset_zip_bytes(directory: Path | str) -> bytes:
    """A dataset directory as a zip (the app's "download it back to keep"); only the dataset's own files."""
    root = Path(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in DATASET_FILES:
            if (root / name).is_file():
                archive.write(root / name, name)
    return buffer.getvalue()


def open_dataset_zip(path: Path | str, out_dir: Path | str, limits: Limits = Limits()) -> Path:
    """Unpack a dataset zip (as `dataset_zip_bytes` writes it) into `out_dir`, checked before extraction.

    Only the dataset's own file names are extracted, from the archive's top level or one folder deep;
    raises DataError when the archive is not a dataset or too big.
    """
    path, out = Path(path), Path(out_dir)

    def refuse(message: Message | str, fix: Message | str) -> DataError:
        return DataError([Problem(path.name, None, None, message, fix)])

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise refuse(not_a_zip(exc), N_("download the dataset zip again.")) from None
    with archive:
        infos = archive.infolist()
        if sum(i.file_size for i in infos) > limits.max_total_bytes or len(infos) > limits.max_files_in_zip:
            raise refuse(N_("is too big to open."), N_("open the unzipped directory with --data DIR instead."))
        wanted = {}
        for info in infos:
            member = PurePosixPath(info.filename)
            if member.name in DATASET_FILES and len(member.parts) <= 2 and ".." not in member.parts \
                    and not member.is_absolute():
                wanted.setdefault(member.name, info)
        if "dataset.json" not in wanted:
            raise refuse(N_("holds no dataset.json: it is not an atlas dataset."), N_("import its files instead."))
        out.mkdir(parents=True, exist_ok=True)
        for name, info in wanted.items():
            (out / name).write_bytes(archive.read(info))
    return out

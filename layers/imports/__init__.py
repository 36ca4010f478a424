"""Bring your own dated layers: other tools' files in, an atlas dataset directory out.

    layers = detect(paths)                       # fields found, suggested mapping, per file and layer
    result = import_files(paths, mappings)       # features in the atlas's schema + a report of problems
    write_dataset(result, out_dir)               # a directory that passes `python -m layers validate`

`mappings` is one `Mapping` for every layer, or a dict from `DetectedLayer.key` to `Mapping`; fields a
mapping leaves None take the suggestion. Nothing here makes a network request.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Mapping as TypingMapping, Sequence

import pyogrio

from ..data.dates import parse_date
from ..data.errors import N_, Message, Problem
from ..data.loader import SLIDER_FIRST_DAY, SLIDER_LAST_DAY
from .convert import TIMELESS_START, Context, LayerConverter, slug, unique_id
from .detect import describe_layer, suggest
from .model import LAYER_KINDS, DetectedLayer, FieldInfo, ImportResult, LayerKind, Limits, Mapping
from .readers import SUPPORTED, FileRefused, RawLayer, read_file
from .writer import dataset_zip_bytes, open_dataset_zip, write_dataset

__all__ = [
    "DetectedLayer", "FieldInfo", "ImportResult", "LAYER_KINDS", "LayerKind", "Limits", "Mapping",
    "SUPPORTED", "dataset_zip_bytes", "detect", "import_files", "open_dataset_zip", "write_dataset",
]

Mappings = Mapping | TypingMapping[str, Mapping] | None
FIX_RANGE = N_("give the range you mean (CLI: --dataset-start, --dataset-end).")


def _read_all(paths: Sequence[Path | str], limits: Limits) -> list[tuple[Path, list[RawLayer] | Problem]]:
    budget = [limits.max_features]
    total = 0
    out: list[tuple[Path, list[RawLayer] | Problem]] = []
    for item in paths:
        path = Path(item)
        try:
            if str(item).startswith(("/vsi", "http:", "https:", "ftp:")):
                raise FileRefused(Problem(str(item), None, None, N_("is not a local file."),
                                          N_("download the file first; the importer reads local files only.")))
            total += path.stat().st_size if path.is_file() else 0
            if total > limits.max_total_bytes:
                raise FileRefused(Problem(path.name, None, None,
                                          Message(N_("brings the import past {limit:.0f} MB."),
                                                  limit=limits.max_total_bytes / 1e6),
                                          N_("import fewer files at once.")))
            out.append((path, read_file(path, limits, budget)))
        except FileRefused as exc:
            out.append((path, exc.problem))
        except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError) as exc:
            out.append((path, Problem(path.name, None, None,
                                      Message(N_("cannot be read by GDAL ({reason})."), reason=str(exc)),
                                      N_("export the file again, or as GeoJSON or GeoPackage."))))
    return out


def detect(paths: Sequence[Path | str], limits: Limits = Limits()) -> list[DetectedLayer]:
    """One entry per layer of every file: fields with samples, geometry types, CRS and the suggested mapping.

    A file that cannot be read gets one entry with `problems` and no fields.
    """
    out = []
    for path, read in _read_all(paths, limits):
        if isinstance(read, Problem):
            out.append(DetectedLayer(path.name, path.name, None, "unreadable", 0, (), None, (), Mapping(),
                                     problems=(read,)))
            continue
        out += [describe_layer(raw) for raw in read]
    return out


def _mapping_for(raw: RawLayer, mappings: Mappings) -> Mapping:
    suggested, _ = suggest(raw)
    if isinstance(mappings, Mapping):
        chosen = mappings
    elif mappings is None:
        chosen = Mapping()
    else:
        chosen = mappings.get(raw.key) or mappings.get(raw.file) or Mapping()
    return chosen.over(suggested)


def _source(path: Path, layers: list[RawLayer], mappings: Mappings, taken: set[str]) -> dict[str, object]:
    title = next((raw.title for raw in layers if raw.title), None)
    what = layers[0].describe.split(", layer")[0] if layers else f"file '{path.name}'"
    conventions = {_mapping_for(raw, mappings).convention for raw in layers} - {None}
    if conventions:
        what += " in " + " and ".join({"acled": "ACLED's", "ucdp": "UCDP GED's"}[c] for c in sorted(conventions)) \
            + " column layout"
    source: dict[str, object] = {
        "id": unique_id("import_" + (slug(path.name) or "file"), taken), "title": title,
        "describe": what, "kind": "dataset", "author": None, "publisher": None, "date": None,
        "file": path.name, "url": None,
        "note": "Imported with python -m layers import; every feature from this file cites it."}
    if title:
        source["title_from"] = "document"
        source["note"] = str(source["note"]) + " The title is the one the file itself states."
    return source


def import_files(paths: Sequence[Path | str], mappings: Mappings = None, *, limits: Limits = Limits(),
                 start: str | None = None, end: str | None = None) -> ImportResult:
    """Read every file, map its fields and convert its features; never raises for bad data.

    `start`/`end` (YYYY-MM-DD) set the dataset's range; by default it is the range of the data's dates.
    Timeless features (no date) are in force from the range's start, with no end.
    """
    result = ImportResult()
    ctx = Context(result, limits)
    taken: set[str] = set()
    for path, read in _read_all(paths, limits):
        if isinstance(read, Problem):
            result.problems.append(read)
            continue
        result.files.append(path.name)
        source = _source(path, read, mappings, taken)
        taken.add(str(source["id"]))
        before = result.feature_count
        for raw in read:
            result.problems += raw.problems
            LayerConverter(raw, _mapping_for(raw, mappings), str(source["id"]), ctx).run()
        if result.feature_count > before:
            result.sources.append(source)
        else:
            result.problems.append(Problem(path.name, None, None, N_("gave no feature to import."),
                                           N_("check the report above and the mapping (date, coordinates, kind).")))
    result.factions = list(ctx.factions.values())
    _finish_range(result, ctx, start, end)
    return result


def _beyond_slider(name: str, day: date, bound: date) -> Problem:
    return Problem("(import)", None, name,
                   Message(N_("the data's dates reach {day}, beyond what the date slider can show; the dataset's "
                              "{name} is {bound}, and the features dated outside the range are kept."),
                           day=day.isoformat(), name=name, bound=bound.isoformat()), FIX_RANGE, "warning")


def _finish_range(result: ImportResult, ctx: Context, start: str | None, end: str | None) -> None:
    first = parse_date(start).earliest if start else (min(ctx.days) if ctx.days else None)
    last = parse_date(end).latest if end else (max(ctx.days) if ctx.days else None)
    if first is None or last is None:
        today = date.today()
        first, last = first or last or today, last or first or today
        if not ctx.days and result.feature_count:
            result.problems.append(Problem("(import)", None, "start/end",
                                           Message(N_("no feature has a date, so the dataset's range is {first} to "
                                                      "{last}."), first=first.isoformat(), last=last.isoformat()),
                                           FIX_RANGE, "warning"))
    # A derived range must fit the date slider; features outside it stay (like the built-in dataset's
    # background events from 1558), they are just not reachable on the slider. A range the user gave is
    # left as given: validate then says what is wrong with it.
    if not start and first < SLIDER_FIRST_DAY:
        result.problems.append(_beyond_slider("start", first, SLIDER_FIRST_DAY))
        first = SLIDER_FIRST_DAY
    if not end and last > SLIDER_LAST_DAY:
        result.problems.append(_beyond_slider("end", last, SLIDER_LAST_DAY))
        last = SLIDER_LAST_DAY
    if last < first:
        last = first + timedelta(days=0)
    result.start, result.end = first.isoformat(), last.isoformat()
    for features in result.features.values():
        for feature in features:
            props = feature["properties"]
            if props.get("start") == TIMELESS_START:
                props["start"] = result.start
            for period in props.get("control", []):
                if period.get("start") == TIMELESS_START:
                    period["start"] = result.start
    if ctx.bounds:
        result.bounds = (min(b[0] for b in ctx.bounds), min(b[1] for b in ctx.bounds),
                         max(b[2] for b in ctx.bounds), max(b[3] for b in ctx.bounds))

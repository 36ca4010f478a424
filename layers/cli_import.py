"""`python -m layers import FILE... --out DIR` and `export --format gpkg|kml|csv`.

Also runnable alone: `python -m layers.cli_import import ...` (the same commands).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, Sequence

from .cli_common import add_lang_options, problem_dict, report_problems, say, words_of
from .imports import LAYER_KINDS, Limits, Mapping, detect, import_files, write_dataset
from .text.problems import reason_text

MAPPING_OPTIONS = {
    "date": "field with the date (events) or start (zones, front lines, control)",
    "end": "field with the end date",
    "name": "field with the name or title",
    "controller": "field naming the controller (zones, places) or first actor/side",
    "actor2": "field naming the second actor (events) or side (front lines)",
    "description": "field with a description or popup (HTML is sanitised)",
    "id": "field with a stable id",
    "lat": "latitude column", "lon": "longitude column", "wkt": "WKT geometry column",
    "place": "place-name column, geocoded with the offline GeoNames gazetteer",
    "country": "ISO country code (e.g. KH): restricts geocoding; the country of imported places",
    "crs": "CRS of the coordinates when the file states none, e.g. EPSG:32648",
    "certainty": "one certainty for every feature (default per layer kind)",
    "place_kind": "places' kind when the file gives none (town, village, base, ...)",
}


def _emit(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def mapping_from_args(args: argparse.Namespace) -> Mapping:
    values: dict[str, Any] = {}
    for f in fields(Mapping):
        value = getattr(args, f.name, None)
        if value is not None:
            values[f.name] = value
    return Mapping(**values)


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(max_file_bytes=int(args.max_mb * 1024 * 1024),
                  max_total_bytes=max(int(args.max_mb * 1024 * 1024), Limits().max_total_bytes),
                  max_features=args.max_features)


def cmd_import(args: argparse.Namespace) -> int:
    from .data.catalog import validate_path

    limits = _limits(args)
    if args.detect:
        _emit([layer.to_dict() for layer in detect(args.files, limits)])
        return 0
    words = words_of(args)
    result = import_files(args.files, mapping_from_args(args), limits=limits, start=args.range_start, end=args.range_end)
    report_problems(result.problems, words)
    texts = {"skipped": [problem_dict(p, words) for p in result.skipped],
             "warnings": [problem_dict(p, words) for p in result.problems if p.severity == "warning"]}
    if not result.feature_count:
        _emit({"ok": False, "error": "nothing was imported", **result.report(), **texts})
        return 1
    out = write_dataset(result, args.out, title=args.title)
    report = validate_path(out)
    report_problems(report.problems, words, prefix="validate: ")
    _emit({"ok": report.ok, "out": str(out), **result.report(), **texts,
           "validate": {"ok": report.ok, "errors": [problem_dict(p, words) for p in report.errors]}})
    return 0 if report.ok else 1


def cmd_export(args: argparse.Namespace) -> int:
    from .data.catalog import load_dataset
    from .data.dates import parse_day
    from .exports.export_formats import dataset_bytes, state_bytes

    dataset = load_dataset(args.data)
    if args.date:
        from .engine.timeline import Timeline

        day = parse_day(args.date, earliest=dataset.meta.start, latest=dataset.meta.end)
        data = state_bytes(Timeline(dataset).state_on(day), args.format)
    else:
        data = dataset_bytes(dataset, args.format)
    Path(args.out).write_bytes(data)
    _emit({"out": args.out, "format": args.format, "date": args.date, "bytes": len(data)})
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import CSV, GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GPX into a "
                                      "dataset directory", description="Formats, options and examples: docs/IMPORT.md")
    p.add_argument("files", nargs="+", help="files to import")
    p.add_argument("--out", help="dataset directory to write (required unless --detect)")
    p.add_argument("--detect", action="store_true", help="only show each layer's fields and suggested mapping")
    p.add_argument("--kind", choices=LAYER_KINDS, help="layer kind for every feature (default: from geometry "
                                                      "and dates: dated points are events, undated places)")
    for name, text in MAPPING_OPTIONS.items():
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, help=text + " ('' for none)")
    p.add_argument("--convention", choices=["acled", "ucdp"], help="conflict-event columns (detected by default)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--day-first", dest="day_first", action="store_const", const=True,
                       help="02/03/1994 is 2 March")
    group.add_argument("--month-first", dest="day_first", action="store_const", const=False,
                       help="02/03/1994 is 3 February")
    p.add_argument("--timeless", action="store_const", const=True, help="ignore every time field")
    p.add_argument("--title", help="the dataset's title (default: 'Imported: FILES')")
    p.add_argument("--dataset-start", dest="range_start",
                   help="the dataset's first day, YYYY-MM-DD (default: the earliest date in the data)")
    p.add_argument("--dataset-end", dest="range_end",
                   help="the dataset's last day, YYYY-MM-DD (default: the latest date in the data)")
    p.add_argument("--max-mb", type=float, default=50.0, help="largest file accepted, in MB (default 50)")
    p.add_argument("--max-features", type=int, default=100_000, help="most features per import (default 100000)")
    p.set_defaults(func=_checked_import)

    p = sub.add_parser("export", help="a whole dataset, or the state on a date, as GeoPackage, KML or CSV")
    p.add_argument("--format", required=True, choices=["gpkg", "kml", "csv"])
    p.add_argument("--out", required=True)
    p.add_argument("--date", help="YYYY-MM-DD: only what is in force that day (default: the whole dataset)")
    p.add_argument("--data", default=None, help="dataset directory (default: built-in geodata/)")
    p.set_defaults(func=cmd_export)


def _checked_import(args: argparse.Namespace) -> int:
    if not args.detect and not args.out:
        sys.stderr.write("error: import needs --out DIR (or --detect)\n")
        _emit({"ok": False, "error": "import needs --out DIR (or --detect)"})
        return 2
    return cmd_import(args)


def main(argv: Sequence[str] | None = None) -> int:
    """The two commands without the rest of the CLI (until `layers/__main__.py` registers them)."""
    from .data.errors import DataError, DateError

    parser = argparse.ArgumentParser(prog="python -m layers.cli_import")
    sub = parser.add_subparsers(dest="command", required=True)
    add_commands(sub)
    add_lang_options(sub)
    args = parser.parse_args(argv)
    words = words_of(args)
    try:
        return int(args.func(args))
    except DataError as exc:
        report_problems(exc.problems, words)
        _emit({"ok": False, "error": str(exc)})
        return 1
    except DateError as exc:
        say(reason_text(exc.reason, words))
        _emit({"ok": False, "error": str(exc)})
        return 1


if __name__ == "__main__":
    sys.exit(main())

"""Command line: `python -m layers validate|state|events|places|geocode ...`, JSON on stdout.

Exit status: 0 success, 1 the data or the input has errors (explained on stdout/stderr), 2 usage.
Messages on stderr are in English, or in Khmer with `--lang km` (after the command) or the environment
variable PAILIN_ATLAS_LANG=km; the JSON keeps each problem's English `message` and `fix` and adds `text`,
the whole line in that language.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Sequence

from .data.loader import BUILTIN_DIR, load_dataset, validate_path
from .data.dates import parse_day
from .cli_common import add_lang_options, problem_dict, report_problems, say, words_of
from .data.errors import DataError, DateError
from .exports.export import ExportError
from .text.problems import data_error_text, reason_text


def _emit(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")


def _fail(message: str, payload: dict[str, Any] | None = None, line: str | None = None) -> int:
    """`line`: what stderr says, in the reader's language (default: 'error: ' and the English message)."""
    say(line if line is not None else f"error: {message}")
    _emit({"ok": False, "error": message} | (payload or {}))
    return 1


def cmd_validate(args: argparse.Namespace) -> int:
    words = words_of(args)
    report = validate_path(Path(args.path))
    report_problems(report.problems, words)
    _emit(report.to_dict() | {"path": str(args.path),
                              "errors": [problem_dict(p, words) for p in report.errors],
                              "warnings": [problem_dict(p, words) for p in report.problems if p.severity == "warning"]})
    return 0 if report.ok else 1


def cmd_state(args: argparse.Namespace) -> int:
    from .engine.timeline import Timeline

    dataset = load_dataset(args.data)
    day = parse_day(args.date, earliest=dataset.meta.start, latest=dataset.meta.end)
    state = Timeline(dataset).state_on(day, window_days=args.window)
    _emit(state.to_dict())
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    from .data.dates import parse_date

    dataset = load_dataset(args.data)
    out = []
    for eid, row in dataset.events.iterrows():
        when = parse_date(row["date"])
        point = row.geometry
        out.append({
            "id": eid, "date": row["date"], "precision": when.precision, "date_label": when.label(),
            "title": row["title"], "kind": row["kind"], "description": row["description"],
            "place_ids": list(row["place_ids"]), "factions": list(row["factions"]),
            "figures": list(row["figures"]), "disputes": list(row["disputes"]),
            "lon": point.x if point is not None else None, "lat": point.y if point is not None else None,
            "certainty": row["certainty"], "sources": list(row["sources"]),
        })
    _emit(out)
    return 0


def cmd_places(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.data)
    out = []
    for pid, row in dataset.places.iterrows():
        out.append({
            "id": pid, "name": row["name"], "name_km": row["name_km"], "name_th": row["name_th"],
            "alt_names": list(row["alt_names"]), "kind": row["kind"], "country": row["country"],
            "lon": row.geometry.x, "lat": row.geometry.y, "geonames_id": row["geonames_id"],
            "certainty": row["certainty"], "uncertainty_km": row["uncertainty_km"],
            "control": list(row["control"]), "sources": list(row["sources"]),
        })
    _emit(out)
    return 0


def cmd_geocode(args: argparse.Namespace) -> int:
    from .data import geocode

    if args.online:
        try:
            matches = geocode.lookup_online(args.name)
        except geocode.GeocoderUnavailable as exc:
            return _fail(str(exc))
    else:
        matches = geocode.lookup(args.name, country=args.country, limit=args.limit)
    _emit([m.to_dict() for m in matches])
    return 0 if matches else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m layers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check a dataset directory or one GeoJSON layer file",
                       description="Problems go to stderr, one a line (in Khmer with --lang km or "
                                   "PAILIN_ATLAS_LANG=km); the JSON report goes to stdout.")
    p.add_argument("path", nargs="?", default=str(BUILTIN_DIR))
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("state", help="the situation on a date")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--data", default=None, help="dataset directory (default: built-in geodata/)")
    p.add_argument("--window", type=int, default=None, help="events within ±N days (default 15)")
    p.set_defaults(func=cmd_state)

    for name, func, text in (("events", cmd_events, "every event"),
                             ("places", cmd_places, "every place, with coordinates and control history")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--data", default=None, help="dataset directory (default: built-in geodata/)")
        p.set_defaults(func=func)

    p = sub.add_parser("geocode", help="look a place name up in the offline GeoNames gazetteer")
    p.add_argument("name")
    p.add_argument("--country", default=None, help="ISO country code, e.g. KH")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument("--online", action="store_true", help="ask OpenStreetMap Nominatim (needs a network)")
    p.set_defaults(func=cmd_geocode)

    from .cli_export import add_commands as add_export_commands
    from .cli_import import add_commands as add_import_commands

    add_export_commands(sub)
    add_import_commands(sub)
    add_lang_options(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    words = words_of(args)
    try:
        return int(args.func(args))
    except DataError as exc:
        report_problems(exc.problems, words)
        return _fail(f"the dataset cannot be used: {exc}",
                     {"errors": [problem_dict(p, words) for p in exc.problems if p.severity == "error"]},
                     reason_text(data_error_text(exc.problems, words), words))
    except (DateError, ExportError) as exc:
        return _fail(str(exc), line=reason_text(exc.reason, words))


if __name__ == "__main__":
    sys.exit(main())

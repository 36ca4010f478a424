"""`python -m layers snapshot` and `animate`: snapshot and animation files for batch work."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .data.loader import load_dataset
from .data.dates import parse_day
from .exports.export import CLI_BUDGET, FORMATS, animation_bytes, parse_bbox, parse_size, snapshot_bytes
from .cli_common import LANG_ENV, add_lang_option, chosen_lang
from .engine.timeline import Timeline
from .text.words import words_for


def _step(text: str) -> str | int:
    if text == "changes":
        return text
    days = text.removesuffix("d")
    if not days.isdigit():
        raise argparse.ArgumentTypeError(f"--step {text!r}: use 'changes' or a number of days such as 30d")
    return int(days)


def cmd_snapshot(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.data)
    day = parse_day(args.date, earliest=dataset.meta.start, latest=dataset.meta.end)
    bbox = parse_bbox(args.bbox) if args.bbox else None
    size = parse_size(args.size)
    data = snapshot_bytes(Timeline(dataset).state_on(day), args.format, bbox=bbox, size=size, basemap=args.basemap,
                          budget=CLI_BUDGET, lang=chosen_lang(args))
    Path(args.out).write_bytes(data)
    sys.stdout.write(json.dumps({"out": args.out, "format": args.format, "date": day.isoformat(),
                                 "bytes": len(data)}) + "\n")
    return 0


def cmd_animate(args: argparse.Namespace) -> int:
    dataset = load_dataset(args.data)
    start = parse_day(args.start, earliest=dataset.meta.start, latest=dataset.meta.end)
    end = parse_day(args.end, earliest=dataset.meta.start, latest=dataset.meta.end)
    fmt = Path(args.out).suffix.lstrip(".").lower()
    bbox = parse_bbox(args.bbox) if args.bbox else None
    data, frames = animation_bytes(Timeline(dataset), start, end, step=args.step, fmt=fmt, size=parse_size(args.size),
                                   bbox=bbox, progress=lambda k, n: sys.stderr.write(f"\rframe {k}/{n}"), budget=CLI_BUDGET,
                                   words=words_for(chosen_lang(args)))
    sys.stderr.write("\n")
    Path(args.out).write_bytes(data)
    sys.stdout.write(json.dumps({"out": args.out, "format": fmt, "frames": frames, "bytes": len(data)}) + "\n")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("snapshot", help="a map file of one date (png, pdf, svg, html, geojson)")
    p.add_argument("--date", required=True, help="YYYY-MM-DD")
    p.add_argument("--format", required=True, choices=FORMATS)
    p.add_argument("--out", required=True)
    p.add_argument("--bbox", help="W,S,E,N in degrees (default: the dataset's view)")
    p.add_argument("--size", default="slide", help="slide (1920x1080), a4 (300 dpi), square, or WxH px")
    p.add_argument("--basemap", default="vector", choices=["vector", "light", "osm", "satellite"],
                   help="vector works offline; tiles fall back to vector when unavailable")
    p.add_argument("--data", default=None, help="dataset directory (default: built-in geodata/)")
    add_lang_option(p, f"the language of the file's text and of the messages on stderr: en, km (default: ${LANG_ENV}, "
                       "else en)")
    p.set_defaults(func=cmd_snapshot)
    p = sub.add_parser("animate", help="an animated GIF or MP4 of a period")
    p.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    p.add_argument("--step", default="changes", type=_step, help="'changes' or every N days, e.g. 30d")
    p.add_argument("--out", required=True, help="FILE.gif or FILE.mp4")
    p.add_argument("--bbox")
    p.add_argument("--size", default="960x540")
    p.add_argument("--data", default=None)
    add_lang_option(p, f"the language of the frames' text and of the messages on stderr: en, km (default: "
                       f"${LANG_ENV}, else en)")
    p.set_defaults(func=cmd_animate)

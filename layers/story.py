"""The guided tour: chapters with a date, a view, a short text and its sources (`story.json`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .catalog import Dataset
from .dates import parse_day
from .errors import DataError, DateError, Problem


@dataclass(frozen=True)
class Chapter:
    id: str
    title: str
    day: date
    lat: float
    lon: float
    zoom: int
    text: str
    sources: tuple[str, ...]


def load_story(dataset: Dataset) -> list[Chapter]:
    """The dataset's chapters in date order; [] when it has none. Raises DataError on bad chapters."""
    path = Path(dataset.root) / "story.json"
    if not path.exists():
        return []
    problems: list[Problem] = []
    try:
        items = json.loads(path.read_text(encoding="utf-8"))["chapters"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataError([Problem("story.json", None, "chapters", f"cannot be read ({exc}).",
                                 "write {\"chapters\": [...]} (see docs/DATA_MODEL.md).")]) from None
    chapters = []
    for i, item in enumerate(items):
        cid = str(item.get("id", f"#{i}"))
        try:
            day = parse_day(item["date"], earliest=dataset.meta.start, latest=dataset.meta.end)
            view = item["view"]
            chapter = Chapter(cid, str(item["title"]), day, float(view["lat"]), float(view["lon"]),
                              int(view["zoom"]), str(item["text"]), tuple(item["sources"]))
        except (KeyError, TypeError, ValueError, DateError) as exc:
            problems.append(Problem("story.json", cid, None, f"is incomplete or wrong ({exc}).",
                                    "give id, title, date (YYYY-MM-DD), view {lat, lon, zoom}, text, sources."))
            continue
        missing = [s for s in chapter.sources if s not in dataset.sources]
        if missing or not chapter.sources:
            problems.append(Problem("story.json", cid, "sources", f"cites unknown or no sources {missing}.",
                                    "cite ids from sources.json."))
            continue
        chapters.append(chapter)
    if problems:
        raise DataError(problems)
    return sorted(chapters, key=lambda c: c.day)

"""The guided tour: chapters with a date, a view, a short text and its sources (`story.json`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .dates import parse_day
from .errors import N_, DataError, DateError, Message, Problem
from .geojson_io import read_json
from .model import Dataset
from .schema import CHAPTER, ID, check_object


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
    name = "story.json"
    path = Path(dataset.root) / name
    if not os.path.lexists(path):
        return []
    doc, problems = read_json(path, name, Path(dataset.root))
    if problems:
        raise DataError(problems)
    items = doc.get("chapters") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataError([Problem(name, None, "chapters", N_("must be a list of chapters."),
                                 N_("write {\"chapters\": [...]} (see docs/DATA_MODEL.md)."))])
    chapters = []
    for i, item in enumerate(items):
        cid = item.get("id") if isinstance(item, dict) else None
        label = cid if isinstance(cid, str) and ID.match(cid) else f"#{i}"
        issues = list(check_object(item, CHAPTER))
        problems += [Problem(name, label, issue.field, issue.message, issue.fix) for issue in issues]
        if issues:
            continue
        try:
            day = parse_day(item["date"], earliest=dataset.meta.start, latest=dataset.meta.end)
        except DateError as exc:
            problems.append(Problem(name, label, "date", exc.reason, N_("give a day inside the dataset's time range.")))
            continue
        missing = [s for s in item["sources"] if s not in dataset.sources]
        if missing:
            problems.append(Problem(name, label, "sources", Message(N_("cites unknown sources {ids}."), ids=str(missing)),
                                    N_("cite ids from sources.json.")))
            continue
        view = item["view"]
        chapters.append(Chapter(label, item["title"], day, float(view["lat"]), float(view["lon"]),
                                int(view["zoom"]), item["text"], tuple(item["sources"])))
    if problems:
        raise DataError(problems)
    return sorted(chapters, key=lambda c: c.day)

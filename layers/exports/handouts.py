"""From the engine to the printable handouts: the situation on screen, and the story as a booklet.

layers/exports/handout.py lays out A4 pages from plain text; this module says what the text is, in the
reader's language: who held each key place and since when (and how certain, and whether that comes
only from the zone around it or the place was changing hands), the events of the window with their
sources, the chapters of the story. Place and faction names are Khmer where the data gives `name_km`;
the rest of the data (event titles, chapter texts, source titles) is printed as the data has it.

The pages call, for the date and view on screen:

    png = map_png(state, bbox, words.lang)                       # the map, as the PNG snapshot draws it
    pdf = situation_handout_for(state, words, png)

and for the story:

    pngs = chapter_map_pngs(timeline, chapters, words.lang)
    pdf = story_booklet_for(timeline, chapters, words, pngs)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from .. import __version__
from ..data.dates import parse_date
from ..render.deeplink import clamp_view
from .export import snapshot_bytes
from .export_geojson import Bbox
from .handout import Chapter as PageChapter
from .handout import EventItem, SituationRow, situation_handout, story_booklet
from ..text.i18n import N_
from .share import citations_for
from ..render.render_static import Canvas
from ..data.story import Chapter
from ..engine.analysis import faction_label, place_name
from ..engine.timeline import PlaceStatus, State, Timeline
from ..text.words import Words

# 10 x 6.25 inches at 160 dpi: on the A4 text column (18 cm) that is ~225 dpi, and the map's 8-9 pt text
# prints at 6 pt or more (at 100 dpi it printed at 3.5 pt); drawn in about a second.
MAP_SIZE = Canvas(1600, 1000, 160)

CHANGING_HANDS = N_("changing hands (from {before} to {after})")
FROM_ZONE = N_("{certainty}; from the zone around it")
HELD_BEFORE = N_("before {date}")


# --- the situation ------------------------------------------------------------------------------------

def situation_row(state: State, status: PlaceStatus, words: Words) -> SituationRow:
    """One key place: who held it, since when, how certain; "changing hands (from X to Y)" while it
    changes hands on days the sources do not give, "from the zone around it" when no source speaks of
    the place itself."""
    ds, day = state.dataset, state.day
    holder = faction_label(ds, status.controller, day, words)
    if status.transition and status.previous:
        holder = words(CHANGING_HANDS).format(before=faction_label(ds, status.previous, day, words), after=holder)
    if status.since is not None:
        since = words.date(status.since)
    elif status.controller is not None:
        since = words(HELD_BEFORE).format(date=words.day(ds.meta.start))  # held from before the atlas begins
    else:
        since = "—"
    certainty = words.term("certainty", status.certainty) if status.certainty else words("certainty unknown")
    if status.derived_from_zone:
        certainty = words(FROM_ZONE).format(certainty=certainty)
    return SituationRow(place_name(ds, status.place_id, words), holder, since, certainty)


def situation_rows(state: State, words: Words) -> list[SituationRow]:
    """The key places, in the dataset's order."""
    return [situation_row(state, status, words) for status in state.key_places()]


def event_items(state: State, words: Words) -> list[EventItem]:
    """The events of the state's window, earliest first, each with its date in its own precision and
    its sources as citations."""
    events = state.events.sort_values(["first_day", "last_day"], kind="stable")
    items = []
    for _, row in events.iterrows():
        part = row.get("date_part") if isinstance(row.get("date_part"), str) else None
        items.append(EventItem(words.date(parse_date(row["date"], part)), str(row["title"]),
                               tuple(citations_for(state.dataset, tuple(row["sources"]), words)),
                               str(row["description"] or "")))
    return items


def table_source_ids(state: State) -> list[str]:
    """The sources of the key places' situation, in the bibliography's order."""
    cited = {s for status in state.key_places() for s in status.sources}
    return [s for s in state.dataset.sources if s in cited] + sorted(cited - set(state.dataset.sources))


def map_png(state: State, bbox: Bbox | None, lang: str, *, version: str = __version__) -> bytes:
    """The map for a handout: the PNG snapshot of the state in `bbox`, in `lang`, at MAP_SIZE."""
    return snapshot_bytes(state, "png", bbox=bbox, size=MAP_SIZE, lang=lang, version=version)


def situation_handout_for(state: State, words: Words, map_png: bytes, *, version: str = __version__,
                          made_on: date | None = None) -> bytes:
    """An A4 PDF of the situation on the state's day in `words`' language: `map_png` (see `map_png`),
    who held each key place since when with what certainty (and its sources), the events of the
    window with their sources, and how the zones are drawn. Text stays text; fonts are embedded.
    `made_on`, when given, is printed in the footer (None keeps the file the same for the same inputs)."""
    day = state.day
    window = (day - timedelta(days=state.window_days), day + timedelta(days=state.window_days))
    return situation_handout(day, words.lang, map_png, situation_rows(state, words), event_items(state, words),
                             window=window, version=version, made_on=made_on,
                             row_sources=tuple(citations_for(state.dataset, table_source_ids(state), words)))


# --- the story ----------------------------------------------------------------------------------------

def chapter_bbox(chapter: Chapter, region: Any = None) -> Bbox:
    """The view a chapter opens at (centre and zoom) as west, south, east, north: what a map about
    1000 px wide shows at that zoom, as the app's map does."""
    view = clamp_view((chapter.lat, chapter.lon), chapter.zoom, None, region)
    if view is None:  # a chapter's centre is checked when the story is loaded; this cannot happen
        raise ValueError(f"chapter {chapter.id!r} has no usable view.")
    return view.bbox


def chapter_map_pngs(timeline: Timeline, chapters: Sequence[Chapter], lang: str, *,
                     version: str = __version__) -> list[bytes]:
    """Each chapter's map: its date, at its view."""
    region = timeline.dataset.meta.region
    return [map_png(timeline.state_on(c.day), chapter_bbox(c, region), lang, version=version) for c in chapters]


def story_booklet_for(timeline: Timeline, chapters: Sequence[Chapter], words: Words,
                      map_pngs: Sequence[bytes | None], *, version: str = __version__,
                      made_on: date | None = None) -> bytes:
    """The story as an A4 booklet in `words`' language, a chapter a page: title, date, map (the
    matching item of `map_pngs`, e.g. `chapter_map_pngs(...)`; None for none), text and sources."""
    if len(map_pngs) != len(chapters):
        raise ValueError(f"{len(map_pngs)} maps for {len(chapters)} chapters: give one map (or None) per chapter.")
    pages = [PageChapter(c.title, words.day(c.day), c.text, tuple(citations_for(timeline.dataset, c.sources, words)),
                         png) for c, png in zip(chapters, map_pngs)]
    return story_booklet(pages, words.lang, version=version, made_on=made_on)


__all__ = ["MAP_SIZE", "chapter_bbox", "chapter_map_pngs", "event_items", "map_png",
           "situation_handout_for", "situation_row", "situation_rows", "story_booklet_for",
           "table_source_ids"]

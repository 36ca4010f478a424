""""Share": the deep link, an embed snippet for a news article, and a ready citation line.

Pure functions of plain values: the page passes the app's base URL, the day, the view and the
language, and shows what comes back. Whatever the inputs hold (a Host header, a dataset name, a
title from the data), the link stays one URL and the snippet stays one `<iframe>` element.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date
from html import escape as html_escape
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from ..text.i18n import N_, normalise_lang
from ..data.model import Source
from ..data.registry import BUILTIN_NAME
from ..engine.analysis import citation
from ..engine.timeline import State
from ..text.words import ENGLISH, Words

EMBED_HEIGHT_PX = 560
# The reader's page address is not sent to the atlas: an article's readers are not the atlas's business.
EMBED_REFERRER_POLICY = "no-referrer"
_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")
_DATASET = re.compile(r"^[a-z0-9_-]{1,64}$")


class ShareError(ValueError):
    """A base URL that cannot be shared; the message says what to give instead."""


# --- links ------------------------------------------------------------------------------------------

def _finite(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and low <= number <= high else None


def _view_params(view: Any) -> dict[str, str]:
    """lat, lon and zoom from a mapping ({"lat", "lon", "zoom", ...}) or any object with those
    attributes (deeplink.View); what is missing or not a number in range is left out."""
    if view is None:
        return {}
    get = view.get if isinstance(view, Mapping) else (lambda key: getattr(view, key, None))
    lat, lon = _finite(get("lat"), -90, 90), _finite(get("lon"), -180, 180)
    params: dict[str, str] = {}
    if lat is not None and lon is not None:
        params |= {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}"}
    zoom = _finite(get("zoom"), 0, 22)
    if zoom is not None:
        params["zoom"] = str(int(round(zoom)))
    return params


def _base(base_url: str) -> str:
    """scheme://host[:port]/path of `base_url`, its query and fragment dropped; only http(s)."""
    text = str(base_url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not _HOST.match(parts.netloc or ""):
        raise ShareError(f"the app's address {text[:80]!r} is not an http(s) URL with a host name; "
                         "give it as https://host/ (e.g. https://atlas.example.org/).")
    path = quote(parts.path or "/", safe="/-._~%")
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


# The map-alone view for articles. Streamlit keeps `embed` for itself (its own compact mode, which the
# snippet asks for too) and hides it from the app, so the app's own switch has another name.
MAP_ONLY_PARAM = "map_only"


def _query(day: date, view: Any, lang: str, dataset: str | None, *, embed: bool = False) -> str:
    params: dict[str, str] = {"embed": "true", MAP_ONLY_PARAM: "1"} if embed else {}
    params["date"] = day.isoformat()
    params |= _view_params(view)
    params["lang"] = normalise_lang(lang)
    name = str(dataset or "")
    if _DATASET.match(name) and name != BUILTIN_NAME:  # the built-in dataset is the default
        params["dataset"] = name
    return urlencode(params)


def deep_link(base_url: str, day: date, view: Any = None, lang: str = "en", dataset: str | None = None) -> str:
    """The app's URL for this day, view and language: `base?date=&lat=&lon=&zoom=&lang=&dataset=`.

    `view`: a mapping or object with lat, lon, zoom (missing or out-of-range values are left out);
    `lang`: anything (unknown -> "en"); `dataset`: a registry name (anything else, and the built-in
    dataset, is left out). Raises ShareError when `base_url` is not an http(s) URL with a host."""
    return f"{_base(base_url)}?{_query(day, view, lang, dataset)}"


def embed_snippet(base_url: str, day: date, view: Any = None, lang: str = "en", dataset: str | None = None,
                  *, words: Words = ENGLISH, atlas_title: str | None = None,
                  height_px: int = EMBED_HEIGHT_PX) -> str:
    """An `<iframe>` for a news article: the app in embed mode (`?embed=true&map_only=1&...`: the map and its slider
    only) at this day and view, full width, `height_px` tall, loaded when scrolled to, and titled for
    screen readers ("Pailin Atlas: Situation on 19 April 1994", in `words`' language; `atlas_title`,
    e.g. a dataset's own title, replaces "Pailin Atlas")."""
    src = f"{_base(base_url)}?{_query(day, view, lang, dataset, embed=True)}"
    title = _title(day, words, atlas_title)
    attributes = {"src": src, "title": title, "width": "100%", "height": str(int(height_px)),
                  "style": "border:0", "loading": "lazy", "referrerpolicy": EMBED_REFERRER_POLICY,
                  "allowfullscreen": ""}
    return "<iframe " + " ".join(f'{name}="{html_escape(value, quote=True)}"'
                                 for name, value in attributes.items()) + "></iframe>"


def _title(day: date, words: Words, atlas_title: str | None) -> str:
    atlas = _one_line(atlas_title) if atlas_title else words("Pailin Atlas")
    return f"{atlas}: {words('Situation on {date}').replace('{date}', words.day(day))}"


# --- citations --------------------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def source_citation(source: Source, words: Words) -> str:
    """A source as one line in the reader's language (see `analysis.citation`): a citation line
    quotes titles from the data, and a line break in one would break the line."""
    return _one_line(citation(source, words))


def state_source_ids(state: State) -> list[str]:
    """Every source the state's zones, places and events cite, in the bibliography's order (unknown
    ids last, as they are)."""
    cited = {s for _, row in state.zones.iterrows() for s in row["sources"]}
    cited |= {s for status in state.places for s in status.sources}
    cited |= {s for _, row in state.events.iterrows() for s in row["sources"]}
    known = [sid for sid in state.dataset.sources if sid in cited]
    return known + sorted(cited - set(known))


def citations_for(dataset: Any, source_ids: list[str] | tuple[str, ...], words: Words) -> list[str]:
    """Citations of `source_ids` from `dataset`'s bibliography in `words`' language (an unknown id is
    shown as itself)."""
    sources = dataset.sources
    return [source_citation(sources[s], words) if s in sources else s for s in source_ids]


CITATION_LINE = N_("{atlas}, situation on {date}; sources: {sources}; {url}, accessed {accessed}")


def citation_line(dataset: Any, state: State, words: Words, url: str, *, accessed: date | None = None) -> str:
    """"Pailin Atlas, situation on 19 April 1994; sources: ...; <url>, accessed <today>", one line in
    `words`' language, citing every source of the state (see `state_source_ids`). `dataset` is the
    state's dataset (its bibliography); `accessed` defaults to today."""
    cited = citations_for(dataset if dataset is not None else state.dataset, state_source_ids(state), words)
    return words(CITATION_LINE).format(
        atlas=words("Pailin Atlas"), date=words.day(state.day), sources="; ".join(cited),
        url=_one_line(url), accessed=words.day(accessed or date.today()))


__all__ = ["CITATION_LINE", "EMBED_HEIGHT_PX", "ShareError", "citation_line", "citations_for", "deep_link",
           "embed_snippet", "source_citation", "state_source_ids"]

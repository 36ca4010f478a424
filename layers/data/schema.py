"""The dataset schema as data: one field specification per JSON file and per layer.

Each field says whether it is required, how to check its value, and how to fix it. `check_object`
walks a JSON object against its spec and returns every issue; it never raises, whatever the JSON
holds (wrong types, NaN, huge numbers, nested lists), so a bad dataset always ends in a message.
Cross-references (ids that must exist) and whole-dataset rules live in `checks.py`.
"""

from __future__ import annotations

import math
import re
import reprlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .dates import MAX_YEAR, MIN_YEAR, PARTS, parse_date, parse_day
from .errors import N_, DateError, Message, message
from .model import (
    CONTROL_CERTAINTY, EVENT_KINDS, LINE_CERTAINTY, PLACE_KINDS, POINT_CERTAINTY, SOURCE_KINDS, TITLE_FROM,
)

# Anchored with \A ... \Z: `$` would accept a trailing newline.
ID = re.compile(r"\A[A-Za-z0-9_.:-]{1,200}\Z")
COLOR = re.compile(r"\A#[0-9a-fA-F]{6}\Z")
SLUG = re.compile(r"\A[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\Z")
COUNTRY = re.compile(r"\A[A-Z]{2}\Z")
CRS = re.compile(r"\A(EPSG|ESRI):\d{4,6}\Z")

Check = Callable[[Any], "Message | None"]  # returns what is wrong with a value, or None


def short(value: Any) -> str:
    """A value as it appears in a message: bounded in length and depth whatever it is."""
    text = _SHORT.repr(value)
    return text


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict = 60, 60, 3, 4, 4


# --- value checks -----------------------------------------------------------------------------

def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def number(lo: float, hi: float, *, integer: bool = False) -> Check:
    """A JSON number within [lo, hi]; finite (JSON has no NaN, but `1e999` reads as infinity)."""
    why = Message(N_("must be a whole number from {lo:g} to {hi:g}") if integer else
                  N_("must be a number from {lo:g} to {hi:g}"), lo=lo, hi=hi)

    def check(v: Any) -> Message | None:
        ok = (isinstance(v, int) if integer else is_number(v)) and not isinstance(v, bool)
        if ok and isinstance(v, float):
            ok = math.isfinite(v)
        if ok and not lo <= v <= hi:
            ok = False
        return None if ok else why
    return check


def text(v: Any) -> Message | None:
    return None if isinstance(v, str) and v.strip() else Message(N_("must be a non-empty string"))


def opt_text(v: Any) -> Message | None:
    return None if v is None or isinstance(v, str) else Message(N_("must be a string or null"))


def boolean(v: Any) -> Message | None:
    return None if isinstance(v, bool) else Message(N_("must be true or false"))


def text_list(v: Any) -> Message | None:
    if isinstance(v, list) and all(isinstance(x, str) and x for x in v):
        return None
    return Message(N_("must be a list of strings"))


def id_list(v: Any) -> Message | None:
    if isinstance(v, list) and all(isinstance(x, str) and ID.match(x) for x in v):
        return None
    return Message(N_("must be a list of ids (strings of letters, digits and _ . : -)"))


def nonempty_id_list(v: Any) -> Message | None:
    return id_list(v) or (None if v else Message(N_("must list at least one id")))


def one_of(vocab: frozenset[str] | tuple[str, ...]) -> Check:
    why = Message(N_("must be one of {values}"), values=", ".join(sorted(vocab)))

    def check(v: Any) -> Message | None:
        return None if isinstance(v, str) and v in vocab else why
    return check


def pattern(regex: re.Pattern[str], what: str) -> Check:
    """`what`: a template marked with N_ that completes "must be ..." (e.g. "a #rrggbb colour")."""
    why = Message(N_("must be {what}"), what=Message(what))

    def check(v: Any) -> Message | None:
        return None if isinstance(v, str) and regex.match(v) else why
    return check


def edtf(v: Any) -> Message | None:
    if not isinstance(v, str):
        return Message(N_("must be an EDTF date string such as '1994-04-19', '1993-05', '1994-01~' "
                          "or '[1994-11-01..1994-12-16]'"))
    try:
        parse_date(v)
    except DateError as exc:
        return exc.reason
    return None


def iso_day(v: Any) -> Message | None:
    if not isinstance(v, str):
        return Message(N_("must be a day written YYYY-MM-DD"))
    try:
        day = parse_day(v)
    except DateError as exc:
        return exc.reason
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return Message(N_("must lie in the years {first}-{last}"), first=str(MIN_YEAR), last=str(MAX_YEAR))
    return None


def figure_value(v: Any) -> Message | None:
    if isinstance(v, str) and v.strip():
        return None
    return number(0, 1e12)(v) and Message(N_("must be a number (0 or more) or a string such as "
                                             "'several thousand'"))


def anything(v: Any) -> Message | None:
    return None


# --- object specifications ---------------------------------------------------------------------

@dataclass(frozen=True)
class Field:
    check: Check | None = None
    required: bool = False
    fix: str = ""  # a template marked with N_, or a Message
    spec: "ObjectSpec | None" = None   # the value is an object of this spec
    items: "ObjectSpec | None" = None  # the value is a list of objects of this spec
    nullable: bool = False  # with `required`: the key must be there, but null says "not known"


@dataclass(frozen=True)
class ObjectSpec:
    what: str  # how to write one, for messages (marked with N_)
    fields: dict[str, Field] = field(default_factory=dict)


@dataclass(frozen=True)
class Issue:
    field: str | None
    message: Message
    fix: Message


def check_object(obj: Any, spec: ObjectSpec, path: str = "") -> Iterator[Issue]:
    """Every way `obj` breaks `spec`; unknown keys are allowed (datasets may carry more)."""
    if not isinstance(obj, dict):
        yield Issue(path or None, Message(N_("{value} is not an object."), value=short(obj)),
                    Message(N_("write {what}."), what=Message(spec.what)))
        return
    for name, f in spec.fields.items():
        where = f"{path}.{name}" if path else name
        value = obj.get(name)
        if value is None:
            if f.required and not (f.nullable and name in obj):
                yield Issue(where, Message(N_("is missing.")),
                            message(f.fix) if f.fix else Message(N_("add '{name}' ({what})."), name=name,
                                                                 what=Message(spec.what)))
            continue
        if f.check is not None and (why := f.check(value)) is not None:
            yield Issue(where, Message(N_("{value} {why}."), value=short(value), why=why)
                        if why.template.startswith("must") else why,
                        message(f.fix) if f.fix else Message(N_("correct '{name}' (see docs/DATA_MODEL.md)."),
                                                             name=name))
            continue
        if f.spec is not None:
            yield from check_object(value, f.spec, where)
        if f.items is not None:
            if not isinstance(value, list):
                yield Issue(where, Message(N_("{value} is not a list."), value=short(value)),
                            Message(N_("write a list of {what}."), what=Message(f.items.what)))
                continue
            for i, item in enumerate(value):
                yield from check_object(item, f.items, f"{where}[{i}]")


def _part_field(base: str) -> Field:
    return Field(one_of(PARTS), fix=Message(N_("write 'early', 'mid' or 'late' ('late April 1994' is \"{base}\": "
                                                  "\"1994-04\", \"{base}_part\": \"late\"), or remove it."),
                                            base=base))


# Dataset metadata ------------------------------------------------------------------------------

VIEW = ObjectSpec(N_("{\"lat\": 13.3, \"lon\": 103.4, \"zoom\": 8}"), {
    "lat": Field(number(-90, 90), True, N_("give the latitude of the view's centre in degrees (-90 to 90).")),
    "lon": Field(number(-180, 180), True, N_("give the longitude of the view's centre in degrees (-180 to 180).")),
    "zoom": Field(number(0, 22, integer=True), True, N_("give a web-map zoom level, a whole number from 0 to 22.")),
})
DATASET = ObjectSpec(N_("a dataset.json object with title, start, end, region and view"), {
    "title": Field(text, fix=N_("give the dataset a title.")),
    "description": Field(opt_text),
    "start": Field(edtf, True, N_("give the first day as YYYY-MM-DD, e.g. '1989-09-01'.")),
    "end": Field(edtf, True, N_("give the last day as YYYY-MM-DD, e.g. '1998-12-31'.")),
    "region": Field(None, True, N_("give the bounding box [west, south, east, north] in degrees.")),
    "view": Field(spec=VIEW, fix=N_("give the default view {\"lat\", \"lon\", \"zoom\"}.")),
    "event_window_days": Field(number(0, 3660, integer=True),
                               fix=N_("give how many days around a date show its events, e.g. 15.")),
    "metric_crs": Field(pattern(CRS, N_("a projected CRS code such as 'EPSG:32648'")),
                        fix=N_("name a projected CRS in metres for areas, e.g. the UTM zone of the region "
                               "('EPSG:32648'), or remove it to derive one from the region's centre.")),
    "default_date": Field(iso_day, fix=N_("give the day the map opens on as YYYY-MM-DD, inside start..end.")),
    "slug": Field(pattern(SLUG, N_("lowercase letters, digits and hyphens (at most 64), e.g. 'pailin-atlas'")),
                  fix=N_("give a short file-name prefix for downloads, e.g. 'pailin-atlas'.")),
    "countries": Field(lambda v: None if isinstance(v, list) and v and all(
        isinstance(c, str) and COUNTRY.match(c) for c in v)
        else Message(N_("must be a list of ISO 3166-1 alpha-2 codes")),
        fix=N_("list the dataset's home countries, e.g. [\"KH\"] (their places are labelled first).")),
    "required_factions": Field(id_list, fix=N_("list the faction ids the dataset must define, or remove it.")),
})

# factions.json ---------------------------------------------------------------------------------

PERIOD_NAME = ObjectSpec(N_("{\"name\": ..., \"start\": \"YYYY-MM-DD\", \"end\": ... or null}"), {
    "name": Field(text, True, N_("give the name the faction had in this period.")),
    "name_km": Field(opt_text),
    "start": Field(edtf), "end": Field(edtf),
})
FACTION = ObjectSpec(N_("{\"id\", \"name\", \"color\": \"#rrggbb\", ...}"), {
    "id": Field(pattern(ID, N_("an id of letters, digits and _ . : -")), True,
                N_("give it an id such as 'khmer_rouge'.")),
    "name": Field(text, True, N_("give the faction's name.")),
    "name_km": Field(opt_text),
    "name_km_from": Field(one_of(("source", "translation"))),
    "short": Field(opt_text, fix=N_("give a short name for map labels, e.g. 'KR'.")),
    "color": Field(pattern(COLOR, N_("a #rrggbb colour")), True,
                   N_("pick a colour-blind-safe colour, e.g. from the Okabe-Ito palette.")),
    "names": Field(items=PERIOD_NAME),
    "allied_with": Field(id_list, fix=N_("list the ids of allied factions, e.g. [\"government\"].")),
    "description": Field(opt_text),
    "sources": Field(id_list, fix=N_("list ids from sources.json.")),
})

# sources.json ----------------------------------------------------------------------------------

SLIP = ObjectSpec(N_("{\"text\": ..., \"reading\": ..., \"note\": ...}"), {
    "text": Field(text, True, N_("quote the slip as the source writes it.")),
    "reading": Field(text, True, N_("give the reading we use.")),
    "note": Field(opt_text),
})
SOURCE = ObjectSpec(N_("{\"id\", \"title\" (or null with \"describe\"), \"kind\", \"date\", ...}"), {
    "id": Field(pattern(ID, N_("an id of letters, digits and _ . : -")), True,
                N_("give it an id such as 'ppp_1994_04_22'.")),
    "title": Field(lambda v: None if isinstance(v, str) and v.strip() else
                   Message(N_("must be the document's real title, or null when the headline is not recorded"))),
    "title_from": Field(one_of(TITLE_FROM), fix=N_("write where the title comes from: 'document', 'brief' or "
                                                   "'checked'.")),
    "describe": Field(text, fix=N_("say what the item is, e.g. 'UPI wire report'.")),
    "kind": Field(one_of(SOURCE_KINDS), fix=N_("pick the closest kind.")),
    "author": Field(opt_text), "publisher": Field(opt_text), "file": Field(opt_text),
    "url": Field(opt_text), "note": Field(opt_text),
    "date": Field(edtf, fix=N_("give the publication date as EDTF ('1994-04-22', '1994-04'), or null for "
                               "undated reference works.")),
    "slips": Field(items=SLIP),
})

# story.json ------------------------------------------------------------------------------------

CHAPTER = ObjectSpec(N_("{\"id\", \"title\", \"date\": \"YYYY-MM-DD\", \"view\": {lat, lon, zoom}, \"text\", "
                        "\"sources\"}"), {
    "id": Field(pattern(ID, N_("an id of letters, digits and _ . : -")), True, N_("give the chapter an id.")),
    "title": Field(text, True, N_("give the chapter a title.")),
    "date": Field(iso_day, True, N_("give the chapter's day as YYYY-MM-DD.")),
    "view": Field(None, True, N_("give the chapter's view {\"lat\", \"lon\", \"zoom\"}."), spec=VIEW),
    "text": Field(text, True, N_("write the chapter's text.")),
    "sources": Field(nonempty_id_list, True, N_("cite ids from sources.json.")),
})

# layers ----------------------------------------------------------------------------------------

FIGURE = ObjectSpec(N_("{\"what\": ..., \"value\": ..., \"sources\": [...]}"), {
    "what": Field(text, True, N_("say what is counted, e.g. 'government troops'.")),
    "value": Field(figure_value, True, N_("give the number the source gives.")),
    "approx": Field(boolean),
    "sources": Field(id_list, fix=N_("list ids from sources.json.")),
})
CLAIM = ObjectSpec(N_("{\"value\": ..., \"sources\": [...]}"), {
    "value": Field(anything, True, N_("give the value this source claims.")),
    "sources": Field(nonempty_id_list, True, N_("list ids from sources.json.")),
})
DISPUTE = ObjectSpec(N_("{\"field\": ..., \"claims\": [{\"value\": ..., \"sources\": [...]}], \"note\": ...}"), {
    "field": Field(text, True, N_("name the field the sources disagree on.")),
    "claims": Field(None, True, N_("list the claims."), items=CLAIM),
    "note": Field(opt_text),
})
# When a faction's hold (of a place, or of a zone) begins and ends, and how certain it is.
_HOLD = {
    "start": Field(edtf, True, N_("give the date it begins, e.g. '1994-03-19' or '1993-05'.")),
    "start_part": _part_field("start"),
    "end": Field(edtf, fix=N_("give the end date, or null if it lasts.")),
    "end_part": _part_field("end"),
    "certainty": Field(one_of(CONTROL_CERTAINTY), True, N_("say how certain the control is.")),
}
CONTROL_PERIOD = ObjectSpec(N_("{\"controller\", \"start\", \"end\", \"certainty\", \"sources\"}"), {
    "controller": Field(pattern(ID, N_("a faction id")), True, N_("name the faction that held the place.")),
    **_HOLD,
    "sources": Field(nonempty_id_list, True, N_("list the ids (from sources.json) this period rests on.")),
    "background_sources": Field(id_list, fix=N_("list ids from sources.json cited for context only.")),
    "enclave": Field(boolean, fix=N_("write true when the place's holder deliberately differs from the zone "
                                     "around it, or remove it.")),
    "note": Field(opt_text),
})

_SOURCES_FIX = N_("list the ids (from sources.json) of the sources this feature rests on.")
_COMMON = {
    "note": Field(opt_text),
    "disputes": Field(items=DISPUTE),
    "background_sources": Field(id_list, fix=N_("list ids from sources.json cited for context only.")),
}


def _layer(what: str, fields: dict[str, Field]) -> ObjectSpec:
    return ObjectSpec(what, {**_COMMON, **fields})


@dataclass(frozen=True)
class LayerSpec:
    geometry: frozenset[str]
    properties: ObjectSpec
    null_geometry: bool = False
    dated: tuple[str, ...] = ()  # the date fields (each may have a `<field>_part`)


LAYER_SPECS: dict[str, LayerSpec] = {
    "places": LayerSpec(frozenset({"Point"}), _layer(N_("place properties"), {
        "name": Field(text, True, N_("give the place's English name.")),
        "kind": Field(one_of(PLACE_KINDS), True, N_("say what kind of place it is.")),
        # null: the country is not known (a place imported from a file that does not say), never guessed.
        "country": Field(pattern(COUNTRY, N_("an ISO 3166-1 alpha-2 code such as 'KH'")), True,
                         N_("give the country code, e.g. 'KH', or null when it is not known."), nullable=True),
        "certainty": Field(one_of(POINT_CERTAINTY), True, N_("say how certain the point is.")),
        "sources": Field(nonempty_id_list, True, _SOURCES_FIX),
        "name_km": Field(opt_text), "name_th": Field(opt_text), "alt_names": Field(text_list),
        "geonames_id": Field(lambda v: number(0, 2**53, integer=True)(v)
                             and Message(N_("must be a GeoNames id (a whole number) or null"))),
        "gazetteer_note": Field(opt_text),
        "uncertainty_km": Field(number(0, 20000), fix=N_("give the radius of uncertainty in km (0 for exact).")),
        "key": Field(boolean),
        "control": Field(items=CONTROL_PERIOD),
    })),
    "routes": LayerSpec(frozenset({"LineString", "MultiLineString"}), _layer(N_("route properties"), {
        "name": Field(text, True, N_("give the route's name.")),
        "certainty": Field(one_of(LINE_CERTAINTY), True, N_("say how certain the line is.")),
        "sources": Field(nonempty_id_list, True, _SOURCES_FIX),
        "name_km": Field(opt_text), "modern_name": Field(opt_text), "kind": Field(opt_text),
        "waypoints": Field(id_list, fix=N_("list place ids in order.")),
        "start": Field(edtf), "end": Field(edtf),
    }), dated=("start", "end")),
    "zones": LayerSpec(frozenset({"Polygon", "MultiPolygon"}), _layer(N_("zone properties"), {
        "name": Field(text, True, N_("give the zone a name.")),
        "controller": Field(pattern(ID, N_("a faction id")), True, N_("name the faction that holds the zone.")),
        **_HOLD,
        "sources": Field(nonempty_id_list, True, _SOURCES_FIX),
    }), dated=("start", "end")),
    "frontlines": LayerSpec(frozenset({"LineString", "MultiLineString"}), _layer(N_("front line properties"), {
        "name": Field(text, True, N_("give the front line a name.")),
        "start": Field(edtf, True, N_("give the date it begins, e.g. '1994-03-19' or '1993-05'.")),
        "start_part": _part_field("start"),
        "end": Field(edtf, fix=N_("give the end date, or null if it lasts.")),
        "end_part": _part_field("end"),
        "sides": Field(id_list, True, N_("list the two faction ids on either side.")),
        "certainty": Field(one_of(LINE_CERTAINTY), True, N_("say how certain the line is.")),
        "sources": Field(nonempty_id_list, True, _SOURCES_FIX),
    }), dated=("start", "end")),
    "events": LayerSpec(frozenset({"Point"}), _layer(N_("event properties"), {
        "date": Field(edtf, True, N_("give the date in its precision, e.g. '1994-04-19', '1993-05' or "
                                     "'1994-01~'.")),
        "date_part": _part_field("date"),
        "title": Field(text, True, N_("give the event a one-line title.")),
        "kind": Field(one_of(EVENT_KINDS), True, N_("say what kind of event it is.")),
        "certainty": Field(one_of(POINT_CERTAINTY), True, N_("say how certain the point is.")),
        "sources": Field(nonempty_id_list, True, _SOURCES_FIX),
        "description": Field(opt_text), "place_ids": Field(id_list, fix=N_("list place ids.")),
        "factions": Field(id_list, fix=N_("list faction ids.")), "actors": Field(text_list),
        "figures": Field(items=FIGURE),
    }), null_geometry=True, dated=("date",)),
    "countries": LayerSpec(frozenset({"Polygon", "MultiPolygon"}), ObjectSpec(N_("country properties"), {
        "name": Field(text, True, N_("give the country's name.")), "sources": Field(id_list)})),
    "provinces": LayerSpec(frozenset({"Polygon", "MultiPolygon"}), ObjectSpec(N_("province properties"), {
        "name": Field(text, True, N_("give the province's name.")), "sources": Field(id_list),
        "name_km": Field(opt_text)})),
}

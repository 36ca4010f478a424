"""How the state on a date is drawn: one description that every renderer translates.

The browser's time layer (layers/render/time_store.py -> layers/render/js/atlas_time.js), the static renderer
(layers/render/render_static.py) and the exports all ask this module what to show and how: the look of a zone,
line, place or event, the rule by which events fade, which places get a label and what it says, the
legend's entries and a faction's name on a day. Looks are plain values in CSS pixels; `Look.leaflet()`
and the static renderer translate them.

Colour is never the only carrier of meaning: certainty also changes the dash and the fill's strength,
and a place's label names its holder's short name ("Pailin · KR").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable

import shapely

from ..data.model import Faction

Translate = Callable[[str], str]


def N_(message: str) -> str:
    """Mark a message for translation where it is defined; it is translated where it is shown."""
    return message


def _same(message: str) -> str:
    return message


OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
NO_CONTROLLER = "#8C8C8C"
INK = "#222222"
ROUTE = "#4D4D4D"
EDGE = "#555555"
NEUTRAL_COUNTRY = "#D9D9D9"
BORDER = "#333333"


@dataclass(frozen=True, slots=True)
class Look:
    """How one thing is drawn. Widths, dashes and radii in CSS pixels; opacities 0..1."""

    stroke: str | None = None
    width: float = 1.0
    dash: tuple[float, ...] | None = None
    opacity: float = 1.0
    fill: str | None = None
    fill_opacity: float = 0.0
    hatch: str | None = None     # for print, where a pale fill can vanish (matplotlib hatch pattern)
    radius: float | None = None  # markers

    def leaflet(self) -> dict[str, Any]:
        """Leaflet path options."""
        out: dict[str, Any] = {
            "stroke": self.stroke is not None, "color": self.stroke or "#000000", "weight": self.width,
            "opacity": self.opacity, "dashArray": " ".join(f"{d:g}" for d in self.dash) if self.dash else None,
            "fill": self.fill is not None, "fillColor": self.fill or "#000000", "fillOpacity": self.fill_opacity,
        }
        if self.radius is not None:
            out["radius"] = self.radius
        return out


# --- zones -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ZoneClass:
    fill_opacity: float
    dash: tuple[float, ...] | None
    hatch: str | None
    label: str


ZONE_CLASSES: dict[str, ZoneClass] = {
    "assessed": ZoneClass(0.40, None, None, N_("zone the sources agree on")),
    "approximate": ZoneClass(0.26, (6, 4), None, N_("approximate extent")),
    "claimed": ZoneClass(0.16, (2, 5), "..", N_("claimed by one side")),
    "contested": ZoneClass(0.14, (1, 4), "//", N_("contested")),
}


def zone_look(certainty: str, color: str) -> Look:
    zone = ZONE_CLASSES.get(certainty, ZONE_CLASSES["approximate"])
    return Look(stroke=color, width=1.5, dash=zone.dash, fill=color, fill_opacity=zone.fill_opacity,
                hatch=zone.hatch)


# --- lines -----------------------------------------------------------------------------------

# A described front is drawn bolder the surer the sources are: a claimed line is never the boldest.
FRONT_LOOKS: dict[str, Look] = {
    "assessed": Look(stroke=INK, width=4.0),
    "exact": Look(stroke=INK, width=4.0),
    "approximate": Look(stroke=INK, width=3.5, dash=(14, 5)),
    "schematic": Look(stroke=INK, width=3.0, dash=(10, 6)),
    "derived": Look(stroke=INK, width=3.0, dash=(10, 6)),
    "claimed": Look(stroke=INK, width=2.5, dash=(3, 5), opacity=0.85),
}
EDGE_LOOK = Look(stroke=EDGE, width=1.5, dash=(2, 4), opacity=0.8)
ROUTE_LOOK = Look(stroke=ROUTE, width=2.5)


def front_look(certainty: str) -> Look:
    return FRONT_LOOKS.get(certainty, FRONT_LOOKS["approximate"])


# --- places ----------------------------------------------------------------------------------

PLACE_RADIUS = {"capital": 8, "city": 8, "town": 6, "base": 6, "temple": 6}
LABELLED_KINDS = frozenset({"capital", "city", "town", "temple", "base"})
UNSURE_POINT = frozenset({"derived", "unverified"})


def place_radius(kind: str, key: bool) -> float:
    return PLACE_RADIUS.get(kind, 4) + (2 if key else 0)


def place_look(kind: str, key: bool, point_certainty: str, color: str | None, *, from_zone: bool = False,
               transition: bool = False) -> Look:
    """A place's marker: filled with its holder's colour (grey when nobody holds it); paler when the holder
    comes only from the zone around it; a white centre and a thick dashed ring while it changes hands on
    days the sources do not give; a dashed outline when the point itself is uncertain."""
    radius = place_radius(kind, key)
    dash = (3, 3) if point_certainty in UNSURE_POINT else None
    if transition and color:
        return Look(stroke=color, width=3.0, dash=(2, 2), fill="#FFFFFF", fill_opacity=0.95, radius=radius)
    return Look(stroke="#000000", width=1.2, dash=dash, fill=color or NO_CONTROLLER,
                fill_opacity=0.55 if from_zone else 0.95, radius=radius)


MINE = "#5E2B7E"   # the ring around a visitor's own places and events (no faction uses it)


def mine(look: Look) -> Look:
    """A look marked as the visitor's own layer: a thick ring in its own colour."""
    return Look(stroke=MINE, width=max(look.width, 2.5), dash=look.dash, opacity=look.opacity, fill=look.fill,
                fill_opacity=look.fill_opacity, hatch=look.hatch, radius=look.radius)


def labelled(kind: str, key: bool, country: str | None, home_country: str | None) -> bool:
    """Key places, and the towns and bases of the dataset's own country, get a label."""
    return key or (kind in LABELLED_KINDS and (home_country is None or country == home_country))


def home_country(countries: Iterable[str | None]) -> str | None:
    """The dataset's own country: the one most of its places are in."""
    counts = Counter(c for c in countries if c)
    return counts.most_common(1)[0][0] if counts else None


def home_iso3(countries: Any, region: tuple[float, float, float, float]) -> str | None:
    """The country (of a GeoDataFrame indexed by ISO code) most of the region lies in: it is drawn clear,
    its neighbours greyed."""
    if not len(countries):
        return None
    box = shapely.box(*region)
    overlap = [shapely.area(shapely.intersection(g, box)) for g in countries.geometry]
    return str(countries.index[max(range(len(overlap)), key=overlap.__getitem__)])


def label_text(name: str, holder_short: str | None) -> str:
    """A place's label: its name, and who holds it, so the map reads without colour."""
    return f"{name} · {holder_short}" if holder_short else name


# --- events ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class EventRule:
    """Events near the day: the most recent bold, older ones fading, those still to come faint and dashed."""

    window: int
    recent_days: int = 1
    future_opacity: float = 0.35
    fill_ratio: float = 0.6
    recent: Look = Look(stroke="#000000", width=2.0, fill="#FFFFFF", radius=11)
    past: Look = Look(stroke="#000000", width=2.0, fill="#FFFFFF", radius=9)
    future: Look = Look(stroke="#000000", width=1.0, dash=(2, 3), radius=9)

    @property
    def fade(self) -> tuple[tuple[float, float], ...]:
        """Opacity by days since the event: piecewise linear, clamped (the browser evaluates the same stops)."""
        return ((0.0, 1.0), (float(max(self.window, 1)), 0.25))

    def days_ago(self, today: int, first: int, last: int) -> int:
        """Days since the event ended; 0 while it lasts; -1 before it begins."""
        return today - last if today > last else (0 if today >= first else -1)

    def opacity(self, days_ago: int) -> float:
        return self.future_opacity if days_ago < 0 else interpolate(self.fade, days_ago)

    def look(self, days_ago: int) -> Look:
        base = self.future if days_ago < 0 else self.recent if days_ago <= self.recent_days else self.past
        opacity = self.opacity(days_ago)
        return Look(stroke=base.stroke, width=base.width, dash=base.dash, opacity=opacity, fill=base.fill,
                    fill_opacity=self.fill_ratio * opacity if base.fill else 0.0, radius=base.radius)

    def to_browser(self) -> dict[str, Any]:
        return {"window": self.window, "recent_days": self.recent_days, "future_opacity": self.future_opacity,
                "fill_ratio": self.fill_ratio, "fade": [list(s) for s in self.fade],
                "recent": self.recent.leaflet(), "past": self.past.leaflet(), "future": self.future.leaflet()}


def interpolate(stops: tuple[tuple[float, float], ...], x: float) -> float:
    """Piecewise-linear value at `x`, clamped at both ends (mirrors `interpolate` in atlas_time.js)."""
    if x <= stops[0][0]:
        return stops[0][1]
    for (x0, y0), (x1, y1) in zip(stops, stops[1:]):
        if x <= x1:
            return y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return stops[-1][1]


# --- factions ---------------------------------------------------------------------------------

def faction_short(faction: Faction) -> str:
    """A faction's short name for labels: `short` in factions.json, else its bracketed abbreviation, else initials."""
    if faction.short:
        return faction.short
    bracket = re.search(r"\(([^)]{1,8})\)", faction.name)
    if bracket:
        return bracket.group(1)
    words = [w for w in re.split(r"[\s-]+", faction.name) if w[:1].isalpha()]
    return "".join(w[0].upper() for w in words) if len(words) > 1 else faction.name[:3]


def legend_label(name: str, short: str) -> str:
    """A faction in a legend: its name, and its short name when the name does not already hold it."""
    return name if short in name else f"{name} ({short})"


def faction_name(faction: Faction | None, faction_id: str | None, day: date, tr: Translate = _same) -> str:
    """What to call whoever holds something on `day`, in the reader's language where the data names it."""
    if faction is None:
        return tr(NOBODY) if faction_id is None else faction_id
    return faction.name_on(day, getattr(tr, "lang", "en"))


NOBODY = N_("not in the conflict")


# --- legend ---------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LegendEntry:
    label: str                 # a message (translate it where it is shown); "" for factions
    look: Look | None = None
    shape: str = "swatch"      # swatch, line, marker
    faction: str | None = None
    layer: str | None = None   # the layer toggle that hides it
    mine_only: bool = False    # shown only when the map holds a visitor's own layers


def legend_entries(faction_ids: Iterable[str], colors: dict[str, str]) -> list[LegendEntry]:
    """Every legend entry, in order: the factions (shown when present), then how certainty, lines, places
    and events are drawn. Renderers drop factions not on the map and entries of hidden layers."""
    entries = [LegendEntry("", Look(fill=colors[f], fill_opacity=0.7, stroke="#333333"), "swatch", f)
               for f in faction_ids]
    entries.append(LegendEntry(NOBODY, Look(fill=NO_CONTROLLER, fill_opacity=0.95, stroke="#333333"), "swatch"))
    for key in ("approximate", "claimed", "contested"):
        zone = ZONE_CLASSES[key]
        entries.append(LegendEntry(zone.label, zone_look(key, "#666666"), "swatch", layer="zones"))
    entries.append(LegendEntry(N_("front line described by the sources"), front_look("assessed"), "line",
                               layer="frontlines"))
    entries.append(LegendEntry(N_("front line one side claimed"), front_look("claimed"), "line", layer="frontlines"))
    entries.append(LegendEntry(N_("edge between opposing zones as drawn (not a described front)"), EDGE_LOOK,
                               "line", layer="frontlines"))
    entries.append(LegendEntry(N_("road (schematic)"), ROUTE_LOOK, "line", layer="routes"))
    entries.append(LegendEntry(N_("place held, from the zone around it (paler)"),
                               place_look("town", False, "exact", "#666666", from_zone=True), "marker",
                               layer="places"))
    entries.append(LegendEntry(N_("changing hands on a day the sources do not give"),
                               place_look("town", False, "exact", "#666666", transition=True), "marker",
                               layer="places"))
    entries.append(LegendEntry(N_("event (fades with age; dashed: still to come)"),
                               Look(stroke="#000000", width=2.0, fill="#FFFFFF", fill_opacity=0.6, radius=6),
                               "marker", layer="events"))
    entries.append(LegendEntry(YOUR_LAYERS, mine(Look(fill="#FFFFFF", fill_opacity=0.6, radius=6)), "marker",
                               mine_only=True))
    return entries


YOUR_LAYERS = N_("your own layers (ringed)")


# On paper and in images there is nothing to click: the caveat alone.
CAVEAT_PRINT = N_("Zones are schematic: sketched from the places and distances the sources give, not surveyed.")
CAVEAT = N_("Zones are schematic: sketched from the places and distances the sources give, not surveyed. "
            "Click a feature for its sources and certainty.")

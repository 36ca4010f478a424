"""One source of map style for both renderers (Folium and matplotlib).

Faction colours come from the dataset (factions.json, Okabe–Ito by default); this module says how
certainty, recency and feature kind change a symbol. Colour-blind safety: the Okabe–Ito palette,
and certainty is never shown by colour alone (opacity *and* dash pattern).
"""

from __future__ import annotations

from dataclasses import dataclass

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
NO_CONTROLLER = "#8C8C8C"
INK = "#222222"
ROUTE = "#4D4D4D"
NEUTRAL_COUNTRY = "#D9D9D9"
BORDER = "#333333"


@dataclass(frozen=True, slots=True)
class AreaStyle:
    fill_opacity: float
    dash: str | None      # Leaflet dashArray; None = solid
    mpl_linestyle: str | tuple[int, tuple[int, ...]]
    hatch: str | None     # matplotlib hatch for the static renderer
    label: str


ZONE_STYLES: dict[str, AreaStyle] = {
    "assessed": AreaStyle(0.40, None, "solid", None, "assessed (sources agree)"),
    "approximate": AreaStyle(0.26, "6 4", (0, (6, 4)), None, "approximate extent"),
    "claimed": AreaStyle(0.18, "2 5", (0, (2, 5)), "..", "claimed by one side"),
    "contested": AreaStyle(0.14, "1 4", (0, (1, 4)), "//", "contested"),
}


@dataclass(frozen=True, slots=True)
class LineStyle:
    weight: float
    dash: str | None
    mpl_linestyle: str | tuple[int, tuple[int, ...]]
    color: str
    label: str


FRONT_STYLES: dict[str, LineStyle] = {
    "described": LineStyle(4.0, None, "solid", INK, "front line described by the sources"),
    "derived": LineStyle(2.0, "8 6", (0, (8, 6)), INK, "front line derived from the zones"),
}
ROUTE_STYLE = LineStyle(2.5, None, "solid", ROUTE, "road (schematic)")

PLACE_RADIUS = {"capital": 8, "city": 8, "town": 6, "base": 6, "temple": 6}
LABELLED_KINDS = frozenset({"capital", "city", "town", "temple", "base"})


def zone_style(certainty: str) -> AreaStyle:
    return ZONE_STYLES.get(certainty, ZONE_STYLES["approximate"])


def place_radius(kind: str, key: bool) -> int:
    return PLACE_RADIUS.get(kind, 4) + (2 if key else 0)


def event_opacity(days_ago: int, window_days: int) -> float:
    """Recent events are emphasised, older ones fade; events still to come are drawn faint."""
    if days_ago < 0:
        return 0.35
    if window_days <= 0:
        return 1.0
    return max(0.25, 1.0 - 0.75 * min(days_ago, window_days) / window_days)


def controller_color(color_of: dict[str, str], controller: str | None) -> str:
    return color_of.get(controller, NO_CONTROLLER) if controller else NO_CONTROLLER


def is_colour_blind_safe(colors: list[str]) -> bool:
    """True when every colour comes from the Okabe–Ito palette (or is the neutral grey)."""
    allowed = {c.upper() for c in OKABE_ITO} | {NO_CONTROLLER.upper()}
    return all(c.upper() in allowed for c in colors)

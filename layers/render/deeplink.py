"""Deep links: `?date=YYYY-MM-DD&lat=..&lon=..&zoom=..` parsed into a day and a view, never raising;
and the view a browser reports, validated and clamped before any work is done for it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..data.dates import parse_day
from ..data.errors import DateError
from ..text.markdown import md

Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class DeepLink:
    day: date
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    # Markdown (for st.warning): whatever the link said is escaped, so it shows as text, never as markup.
    warnings: tuple[str, ...] = field(default=())

    @property
    def has_view(self) -> bool:
        return self.lat is not None and self.lon is not None


def _first(value: str | list[str] | None) -> str | None:
    if isinstance(value, list):
        return value[0] if value else None
    return value


def parse_deep_link(params: Mapping[str, str | list[str]], start: date, end: date, default_day: date,
                    region: tuple[float, float, float, float] | None = None) -> DeepLink:
    """Read the query parameters; anything malformed or out of range falls back, with a warning."""
    warnings: list[str] = []
    day = default_day
    raw_date = _first(params.get("date"))
    if raw_date is not None:
        try:
            day = parse_day(raw_date, earliest=start, latest=end)
        except DateError as exc:
            warnings.append(f"Ignored the link's date: {_echo(str(exc))} Showing {default_day.isoformat()} instead.")
    lat = lon = None
    zoom = None
    raw_lat, raw_lon = _first(params.get("lat")), _first(params.get("lon"))
    if raw_lat is not None or raw_lon is not None:
        try:
            lat, lon = float(raw_lat or ""), float(raw_lon or "")
            if not (math.isfinite(lat) and math.isfinite(lon)):
                raise ValueError
            w, s, e, n = region or (-180.0, -90.0, 180.0, 90.0)
            if not (s <= lat <= n and w <= lon <= e):
                warnings.append(f"Ignored the link's view: {lat}, {lon} is outside the map's region.")
                lat = lon = None
        except ValueError:
            warnings.append("Ignored the link's view: lat and lon must both be numbers.")
            lat = lon = None
    raw_zoom = _first(params.get("zoom"))
    if raw_zoom is not None:
        try:
            zoom = min(18, max(3, int(float(raw_zoom))))
        except (ValueError, OverflowError):
            warnings.append(f"Ignored the link's zoom {_echo(repr(raw_zoom))}: it must be a number from 3 to 18.")
    return DeepLink(day, lat, lon, zoom, tuple(warnings))


def _echo(text: str, limit: int = 160) -> str:
    """Text that repeats what a visitor typed, safe in Markdown and not too long to read."""
    return md(text if len(text) <= limit else text[: limit - 1] + "…")


def query_for(day: date, lat: float | None = None, lon: float | None = None, zoom: int | None = None) -> dict[str, str]:
    """The query parameters that reproduce a view (the URL follows the user)."""
    params = {"date": day.isoformat()}
    if lat is not None and lon is not None:
        params |= {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}"}
    if zoom is not None:
        params["zoom"] = str(int(zoom))
    return params


# ---------------------------------------------------------------------------------------------------------
# The view a browser reports (st_folium's center, zoom and bounds) is visitor input like the URL: any type,
# any number. A bbox 1e-7 degrees wide made a PNG take over a minute; text made float() raise.

MIN_SPAN_DEG = 0.01  # about 1 km: no map of the atlas needs less, and drawing less costs without showing more
MAX_ZOOM = 22
WORLD: Bbox = (-180.0, -85.0511, 180.0, 85.0511)  # Web Mercator's latitude limit
_DEFAULT_ZOOM = 8


@dataclass(frozen=True)
class View:
    """A finite view inside the dataset's region (widened): centre, integer zoom and bbox (W, S, E, N)."""

    lat: float
    lon: float
    zoom: int
    bbox: Bbox


def _number(value: object) -> float | None:
    """A finite float from a number or a numeric string; None for anything else (bools, NaN, 1e999, lists)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    if isinstance(value, str) and len(value) > 64:
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _lat_lon(value: object) -> tuple[float, float] | None:
    """{"lat": .., "lng"|"lon": ..} or [lat, lon]."""
    if isinstance(value, Mapping):
        lat, lon = _number(value.get("lat")), _number(value.get("lng", value.get("lon")))
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and len(value) == 2:
        lat, lon = _number(value[0]), _number(value[1])
    else:
        return None
    return None if lat is None or lon is None else (lat, lon)


def _bounds(value: object) -> Bbox | None:
    """Leaflet's {"_southWest": {lat, lng}, "_northEast": {lat, lng}} or [west, south, east, north]."""
    if isinstance(value, Mapping):
        sw, ne = _lat_lon(value.get("_southWest")), _lat_lon(value.get("_northEast"))
        if sw is None or ne is None:
            return None
        w, s, e, n = sw[1], sw[0], ne[1], ne[0]
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)) and len(value) == 4:
        numbers = [_number(v) for v in value]
        if None in numbers:
            return None
        w, s, e, n = numbers  # type: ignore[misc]
    else:
        return None
    return (min(w, e), min(s, n), max(w, e), max(s, n))


def view_limits(region: object = None) -> Bbox:
    """The largest view offered: the dataset's region widened by half its size (at least 1 degree) on
    each side, within the world. A missing or malformed region gives the world."""
    box = _bounds(region) if region is not None else None
    if box is None or box[0] == box[2] or box[1] == box[3]:
        return WORLD
    w, s, e, n = box
    dw, dh = max(1.0, (e - w) / 2), max(1.0, (n - s) / 2)
    return (max(WORLD[0], w - dw), max(WORLD[1], s - dh), min(WORLD[2], e + dw), min(WORLD[3], n + dh))


def clamp_bbox(bbox: object, region: object = None) -> Bbox | None:
    """`bbox` (W, S, E, N) made at least MIN_SPAN_DEG and at most `view_limits(region)` each way, moved
    inside those limits; None when it is not four finite numbers."""
    box = _bounds(bbox)
    if box is None:
        return None
    lw, ls, le, ln = view_limits(region)
    width = min(max(box[2] - box[0], MIN_SPAN_DEG), le - lw)
    height = min(max(box[3] - box[1], MIN_SPAN_DEG), ln - ls)
    cx = min(max((box[0] + box[2]) / 2, lw + width / 2), le - width / 2)
    cy = min(max((box[1] + box[3]) / 2, ls + height / 2), ln - height / 2)
    return (max(lw, cx - width / 2), max(ls, cy - height / 2), min(le, cx + width / 2), min(ln, cy + height / 2))


def clamp_view(center: object, zoom: object, bounds: object, region: object = None) -> View | None:
    """What a browser reports about its map (any types) as a finite, clamped View; None when it gives
    neither a usable bbox nor a usable centre. Latitude and longitude in range, zoom an integer 0-22,
    the bbox at least MIN_SPAN_DEG across and inside the dataset's region widened (`view_limits`)."""
    z = _number(zoom)
    zoom_level = None if z is None else int(min(MAX_ZOOM, max(0.0, round(z))))
    box = _bounds(bounds)
    if box is None:
        middle = _lat_lon(center)
        if middle is None:
            return None
        # No bounds: those of a map about 1000 x 600 px (4 x 2.4 tiles of 256 px) at the zoom given.
        span = 360 / 2 ** (zoom_level if zoom_level is not None else _DEFAULT_ZOOM) * 4
        lat, lon = middle
        box = (lon - span / 2, lat - span * 0.3, lon + span / 2, lat + span * 0.3)
    w, s, e, n = clamp_bbox(box, region)  # type: ignore[misc]
    if zoom_level is None:
        zoom_level = int(min(MAX_ZOOM, max(0, round(math.log2(360 * 4 / (e - w))))))
    return View(lat=(s + n) / 2, lon=(w + e) / 2, zoom=zoom_level, bbox=(w, s, e, n))


def clamp_reported(returned: object, region: object = None) -> View | None:
    """`clamp_view` of what st_folium returns ({"center", "zoom", "bounds", ...}); None before it reports."""
    if not isinstance(returned, Mapping):
        return None
    return clamp_view(returned.get("center"), returned.get("zoom"), returned.get("bounds"), region)

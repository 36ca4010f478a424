"""Deep links: `?date=YYYY-MM-DD&lat=..&lon=..&zoom=..` parsed into a day and a view, never raising."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from .dates import parse_day
from .errors import DateError


@dataclass(frozen=True)
class DeepLink:
    day: date
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
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
            warnings.append(f"Ignored the link's date: {exc} Showing {default_day.isoformat()} instead.")
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
            warnings.append(f"Ignored the link's zoom {raw_zoom!r}: it must be a number from 3 to 18.")
    return DeepLink(day, lat, lon, zoom, tuple(warnings))


def query_for(day: date, lat: float | None = None, lon: float | None = None, zoom: int | None = None) -> dict[str, str]:
    """The query parameters that reproduce a view (the URL follows the user)."""
    params = {"date": day.isoformat()}
    if lat is not None and lon is not None:
        params |= {"lat": f"{lat:.4f}", "lon": f"{lon:.4f}"}
    if zoom is not None:
        params["zoom"] = str(int(zoom))
    return params


def clamp_view(reported: object) -> dict[str, float | int | list[float]] | None:
    """The view a browser reported (center, zoom, bbox; any types), made finite and sane, or None."""
    if not isinstance(reported, dict):
        return None
    try:
        lat, lon, zoom = float(reported["lat"]), float(reported["lon"]), float(reported.get("zoom", 8))
    except (KeyError, TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (lat, lon, zoom)):
        return None
    view: dict[str, float | int | list[float]] = {
        "lat": min(90.0, max(-90.0, lat)), "lon": min(180.0, max(-180.0, lon)), "zoom": int(min(22, max(0, zoom)))}
    bbox = reported.get("bbox")
    if isinstance(bbox, (list, tuple)) and len(bbox) == 4:
        try:
            w, s, e, n = (float(v) for v in bbox)
        except (TypeError, ValueError):
            return view
        if all(math.isfinite(v) for v in (w, s, e, n)) and w < e and s < n:
            view["bbox"] = [max(-180.0, w), max(-90.0, s), min(180.0, e), min(90.0, n)]
    return view

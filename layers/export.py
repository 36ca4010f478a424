"""Snapshot and animation files: PNG, PDF, SVG, HTML (with its own time slider), GeoJSON, GIF, MP4."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from typing import Callable

import folium
import numpy as np
from folium.plugins import Timeline, TimelineSlider
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .dates import parse_date
from .errors import DateError
from .export_geojson import Bbox, state_geojson_bytes
from .dates import day_label
from .render_folium import MapPanel, Toggles, base_map, escape, legend_html
from .render_static import Canvas, render
from .timeline import State
from .timeline import Timeline as AtlasTimeline

MAX_SIDE_PX = 8000
MAX_FRAMES = 400
PRESETS = {"slide": (1920, 1080, 100), "a4": (3508, 2480, 300), "square": (1080, 1080, 100)}
FORMATS = ("png", "pdf", "svg", "html", "geojson")
MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml", "html": "text/html",
        "geojson": "application/geo+json", "gif": "image/gif", "mp4": "video/mp4"}


class ExportError(ValueError):
    """A size, bounding box, period or format that cannot be produced; the message says the way out."""


def parse_size(text: str) -> Canvas:
    """'slide', 'a4', 'square' or 'WxH' in pixels (at most 8000 a side)."""
    text = text.strip().lower()
    if text in PRESETS:
        return Canvas(*PRESETS[text])
    match = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", text)
    if not match:
        raise ExportError(f"--size {text!r} is not a size: use slide, a4, square or WxH in pixels (e.g. 1600x900).")
    w, h = int(match.group(1)), int(match.group(2))
    if not (100 <= w <= MAX_SIDE_PX and 100 <= h <= MAX_SIDE_PX):
        raise ExportError(f"--size {w}x{h} is out of range: each side must be 100 to {MAX_SIDE_PX} px "
                          "(for print, use a4: 300 dpi).")
    return Canvas(w, h, 100)


def parse_bbox(text: str) -> Bbox:
    """'W,S,E,N' in degrees."""
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise ExportError(f"--bbox {text!r} is not four numbers W,S,E,N (e.g. 102.2,12.4,103.6,13.8).") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ExportError(f"--bbox {text!r} is not west<east, south<north in degrees.")
    return (w, s, e, n)


def snapshot_filename(day: date, fmt: str) -> str:
    return f"pailin-atlas_{day.isoformat()}.{fmt}"


def snapshot_bytes(state: State, fmt: str, *, bbox: Bbox | None = None, size: str | Canvas = "slide",
                   toggles: Toggles = Toggles(), basemap: str = "vector") -> bytes:
    """One file documenting the state on its date, for the view `bbox` (west, south, east, north)."""
    if fmt == "geojson":
        return state_geojson_bytes(state, bbox)
    if fmt == "html":
        return html_bytes(state, bbox, toggles)
    if fmt not in ("png", "pdf", "svg"):
        raise ExportError(f"format {fmt!r} is not one of {', '.join(FORMATS)}.")
    canvas = parse_size(size) if isinstance(size, str) else size
    fig = render(state, canvas, bbox, basemap)
    out = io.BytesIO()
    metadata = {"png": {"Software": None}, "pdf": {"CreationDate": None, "Producer": None},
                "svg": {"Date": None}}[fmt]
    fig.savefig(out, format=fmt, dpi=canvas.dpi, metadata=metadata)
    return out.getvalue()


def _interval_features(timeline: AtlasTimeline) -> list[dict]:
    """Every zone, described line, place-control period and event, with ISO start and end for the browser."""
    ds = timeline.dataset
    end_of_data = (ds.meta.end + timedelta(days=1)).isoformat()
    colors = {fid: f.color for fid, f in ds.factions.items()}
    features = []

    def add(geom, start: int, end: int, props: dict) -> None:
        features.append({"type": "Feature", "geometry": geom.__geo_interface__, "properties": {
            "start": date.fromordinal(max(start, ds.meta.start.toordinal())).isoformat(),
            "end": date.fromordinal(end).isoformat() if end < date.max.toordinal() else end_of_data, **props}})

    for zid, row in ds.zones.iterrows():
        add(row.geometry.simplify(0.002), int(row["start_day"]), int(row["end_day"]), {
            "layer": "zone", "color": colors.get(row["controller"], "#8C8C8C"), "certainty": row["certainty"],
            "tooltip": escape(f"{row['name']} ({row['certainty']})")})
    for fid, row in ds.frontlines.iterrows():
        add(row.geometry, int(row["start_day"]), int(row["end_day"]), {
            "layer": "front", "color": "#222222", "tooltip": escape(row["name"])})
    periods = timeline.periods
    places = ds.places
    for row in periods.itertuples(index=False):
        place = places.loc[row.place_id]
        add(place.geometry, int(row.start_day), int(row.end_day), {
            "layer": "place", "color": colors.get(row.controller, "#8C8C8C"),
            "tooltip": escape(f"{place['name']}: {ds.factions[row.controller].name if row.controller in ds.factions else row.controller} "
                              f"from {row.start.label()} ({row.certainty})")})
    for eid, row in ds.events.iterrows():
        if row.geometry is not None:
            add(row.geometry, int(row["first_day"]), int(row["last_day"]) + 16, {
                "layer": "event", "color": "#000000",
                "tooltip": escape(f"{parse_date(row['date']).label()}: {row['title']}")})
    return features


_STYLE_JS = """function (feature) {
  var p = feature.properties;
  if (p.layer === "zone") { return {fillColor: p.color, color: p.color, weight: 1, fillOpacity: 0.3,
                                    dashArray: p.certainty === "assessed" ? null : "6 4"}; }
  if (p.layer === "front") { return {color: p.color, weight: 4}; }
  return {color: "#000", weight: 1};
}"""
_POINT_JS = """function (feature, latlng) {
  var p = feature.properties;
  var radius = p.layer === "event" ? 9 : 6;
  return L.circleMarker(latlng, {radius: radius, color: "#000", weight: 1,
    fillColor: p.layer === "event" ? "#fff" : p.color, fillOpacity: p.layer === "event" ? 0.3 : 0.95})
    .bindTooltip(p.tooltip);
}"""


def html_bytes(state: State, bbox: Bbox | None = None, toggles: Toggles = Toggles()) -> bytes:
    """A standalone interactive map with its own time slider over the whole period (all data embedded),
    opened at the snapshot's date and view."""
    ds = state.dataset
    fmap = base_map(ds, "OpenStreetMap", provinces=toggles.provinces, features=False)
    if bbox is not None:
        fmap.fit_bounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]])
    data = {"type": "FeatureCollection", "features": _interval_features(state.timeline)}
    timeline_layer = Timeline(data, style=folium.JsCode(_STYLE_JS), point_to_layer=folium.JsCode(_POINT_JS))
    timeline_layer.add_to(fmap)
    # The slider's range is in epoch milliseconds: ISO strings leave the browser's range input at 0–100.
    slider = TimelineSlider(auto_play=False, start=_epoch_ms(ds.meta.start), end=_epoch_ms(ds.meta.end),
                            date_options="D MMMM YYYY", enable_playback=True, enable_keyboard_controls=True,
                            show_ticks=False, duration=120000)
    slider.add_timelines(timeline_layer).add_to(fmap)
    chrome = folium.FeatureGroup(name="title and legend", control=False)
    MapPanel(f"<b>{escape(ds.meta.title)}</b><br>Snapshot of {escape(day_label(state.day))}: drag the slider "
             "below to see any date. Zones and front lines are approximate; hover for details.",
             "topright", "atlas-title").add_to(chrome)
    MapPanel(legend_html(state, Toggles(events=True)), "topright", "atlas-legend").add_to(chrome)
    chrome.add_to(fmap)
    # The slider is created further down the page's script: move it once the page has loaded.
    fmap.get_root().script.add_child(folium.Element(
        f'window.addEventListener("load", function () {{ {slider.get_name()}.setTime({_epoch_ms(state.day)}); }});'))
    fmap.get_root().html.add_child(folium.Element(
        f"<!-- Pailin Atlas snapshot of {state.day.isoformat()}; sources cited by id in each feature -->"))
    return fmap.get_root().render().encode("utf-8")


def _epoch_ms(day: date) -> int:
    return int((day - date(1970, 1, 1)).total_seconds() * 1000)


def animation_days(timeline: AtlasTimeline, start: date, end: date, step: str | int = "changes") -> list[date]:
    """The frames' dates: every change date in the period (plus its first day), or every N days."""
    if end < start:
        raise DateError(f"the period ends ({end}) before it starts ({start}).")
    if step == "changes":
        days = [start] + [d for d in timeline.change_dates() if start < d <= end]
    else:
        every = int(step)
        if every < 1:
            raise ExportError("--step must be 'changes' or a number of days ≥ 1 (e.g. 30d).")
        days = [start + timedelta(days=k) for k in range(0, (end - start).days + 1, every)]
    if len(days) > MAX_FRAMES:
        raise ExportError(f"{len(days)} frames is more than {MAX_FRAMES}: choose a shorter period or a longer step.")
    return days


def animation_bytes(timeline: AtlasTimeline, start: date, end: date, *, step: str | int = "changes",
                    fmt: str = "gif", size: str | Canvas = "960x540", bbox: Bbox | None = None,
                    seconds_per_frame: float = 0.8,
                    progress: Callable[[int, int], None] | None = None) -> tuple[bytes, int]:
    """An animated GIF or MP4 whose frames are the static snapshots of each date; returns (bytes, frames)."""
    import imageio.v3 as iio

    if fmt not in ("gif", "mp4"):
        raise ExportError(f"animation format {fmt!r} is not gif or mp4.")
    canvas = parse_size(size) if isinstance(size, str) else size
    days = animation_days(timeline, start, end, step)
    frames = []
    for k, day in enumerate(days):
        frame = frame_pixels(timeline.state_on(day), canvas, bbox)
        if fmt == "mp4":  # H.264 wants even sides
            frame = frame[: frame.shape[0] // 2 * 2, : frame.shape[1] // 2 * 2]
        frames.append(frame)
        if progress:
            progress(k + 1, len(days))
    out = io.BytesIO()
    if fmt == "gif":
        iio.imwrite(out, np.stack(frames), extension=".gif", duration=int(seconds_per_frame * 1000), loop=0)
    else:
        _write_mp4(out, frames, fps=max(1, round(1 / seconds_per_frame)))
    return out.getvalue(), len(frames)


def frame_pixels(state: State, canvas: Canvas, bbox: Bbox | None = None) -> np.ndarray:
    """The PNG snapshot's pixels (RGB), drawn straight to memory: no PNG to encode and decode again."""
    agg = FigureCanvasAgg(render(state, canvas, bbox))
    agg.draw()
    return np.asarray(agg.buffer_rgba())[..., :3].copy()


def _write_mp4(out: io.BytesIO, frames: list[np.ndarray], fps: int) -> None:
    import tempfile
    from pathlib import Path

    import imageio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "animation.mp4"
        with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=2, quality=7) as writer:
            for frame in frames:
                writer.append_data(frame)
        out.write(path.read_bytes())

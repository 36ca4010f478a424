"""Snapshot and animation files: PNG, PDF, SVG, HTML (with its own time slider), GeoJSON, GIF, MP4."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta
from typing import Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .errors import DateError
from .escaping import escape
from .export_geojson import Bbox, state_geojson_bytes
from .render_folium import Toggles, atlas_map, page_html
from .render_static import Canvas, render
from .timeline import State
from .timeline import Timeline as AtlasTimeline
from .time_store import TimeStore, build_time_store
from .words import ENGLISH, Words

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


def html_bytes(state: State, bbox: Bbox | None = None, toggles: Toggles = Toggles(),
               words: Words = ENGLISH, store: TimeStore | None = None) -> bytes:
    """A standalone interactive map (everything inlined: it opens from a USB stick) with its own date
    slider over the whole period, opened at the snapshot's date and view. The same time layer as the app's."""
    ds = state.dataset
    store = store or build_time_store(state.timeline, words)
    title = (f"{escape(ds.meta.title)}<br><span style='font-weight:400'>"
             f"{escape(words('Snapshot of {date}; drag the slider to see any date.').replace('{date}', words.day(state.day)))}"
             "</span>")
    fmap = atlas_map(store.text, assets="inline", basemap="OpenStreetMap", center=(ds.meta.view_lat, ds.meta.view_lon),
                     zoom=ds.meta.view_zoom, bbox=bbox, day=state.day.isoformat(), hidden=toggles.hidden(), title=title)
    return page_html(fmap).encode("utf-8")


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

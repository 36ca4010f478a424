"""Snapshot and animation files: PNG, PDF, SVG, HTML (with its own time slider), GeoJSON, GIF, MP4."""

from __future__ import annotations

import io
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import BinaryIO, Callable

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .. import __version__
from ..render.deeplink import clamp_bbox
from ..data.catalog import Dataset
from ..data.errors import DateError, Message, message
from ..text.i18n import N_
from ..text.escaping import escape
from .export_geojson import Bbox, state_geojson_bytes
from ..render.render_folium import Toggles, atlas_map, page_html
from ..render.render_static import Canvas, render
from .share import citations_for, state_source_ids
from ..render.symbology import CAVEAT
from ..engine.timeline import State, metric_crs
from ..engine.timeline import Timeline as AtlasTimeline
from ..render.time_store import TimeStore, build_time_store
from ..text.words import ENGLISH, Words, words_for

MAX_SIDE_PX = 8000
MAX_FRAMES = 400
PRESETS = {"slide": (1920, 1080, 100), "a4": (3508, 2480, 300), "square": (1080, 1080, 100)}
FORMATS = ("png", "pdf", "svg", "html", "geojson")
MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml", "html": "text/html",
        "geojson": "application/geo+json", "gif": "image/gif", "mp4": "video/mp4"}


class ExportError(ValueError):
    """A size, bounding box, period or format that cannot be produced; the message says the way out. Its one
    argument is a Message, so the reason can be shown in the reader's language (`reason`)."""

    @property
    def reason(self) -> Message:
        return message(self.args[0]) if self.args else Message("")


class Cancelled(ExportError):
    """The caller's cancel hook asked to stop; nothing was produced."""


@dataclass(frozen=True)
class Budget:
    """The most drawing one request may start, checked before any of it: frames, and pixels x frames
    (a frame's cost grows with its pixels; memory with its side). `way_out` says how to ask for less."""

    max_frames: int
    max_pixel_frames: int
    way_out: Message


# Hosted: about 30 s of one core at most (a 960x540 frame takes ~0.25 s). 399 frames took 126 s and 2.5 GB.
HOSTED_BUDGET = Budget(120, 960 * 540 * 120, Message(N_("choose a shorter period, a longer step or a smaller size")))
# The command line runs for whoever started it: up to 400 slides (frames are streamed, so memory stays small).
CLI_BUDGET = Budget(MAX_FRAMES, 1920 * 1080 * MAX_FRAMES,
                    Message(N_("use a smaller --size, a longer --step or a shorter --from/--to period")))


def hosted_budget() -> Budget:
    """The app's budget; operators may change it with PAILIN_ATLAS_MAX_FRAMES and
    PAILIN_ATLAS_MAX_PIXEL_FRAMES (whole numbers; anything else keeps the default)."""
    def number(name: str, default: int) -> int:
        text = os.environ.get(name, "").strip()
        return int(text) if text.isdigit() and int(text) > 0 else default
    return Budget(number("PAILIN_ATLAS_MAX_FRAMES", HOSTED_BUDGET.max_frames),
                  number("PAILIN_ATLAS_MAX_PIXEL_FRAMES", HOSTED_BUDGET.max_pixel_frames), HOSTED_BUDGET.way_out)


def check_budget(canvas: Canvas, frames: int, budget: Budget) -> None:
    """Raise ExportError, naming the numbers and the way out, when `frames` frames of `canvas` exceed `budget`."""
    pixels = canvas.width_px * canvas.height_px * frames
    if frames <= budget.max_frames and pixels <= budget.max_pixel_frames:
        return
    template = (N_("{frames} frames at {width}×{height} px is {pixels:,.1f} million pixels to draw; the limit here "
                   "is {max_frames} frames and {max_pixels:,.1f} million pixels. To make it: {way_out}.")
                if frames != 1 else
                N_("A {width}×{height} px image is {pixels:,.1f} million pixels to draw; the limit here is "
                   "{max_frames} frames and {max_pixels:,.1f} million pixels. To make it: {way_out}."))
    raise ExportError(Message(template, frames=frames, width=canvas.width_px, height=canvas.height_px,
                              pixels=pixels / 1e6, max_frames=budget.max_frames,
                              max_pixels=budget.max_pixel_frames / 1e6, way_out=budget.way_out))


def parse_size(text: str) -> Canvas:
    """'slide', 'a4', 'square' or 'WxH' in pixels (at most 8000 a side)."""
    text = text.strip().lower()
    if text in PRESETS:
        return Canvas(*PRESETS[text])
    match = re.fullmatch(r"(\d+)\s*[x×]\s*(\d+)", text)
    if not match:
        raise ExportError(Message(N_("--size {size!r} is not a size: use slide, a4, square or WxH in pixels "
                                     "(e.g. 1600x900)."), size=text))
    w, h = int(match.group(1)), int(match.group(2))
    if not (100 <= w <= MAX_SIDE_PX and 100 <= h <= MAX_SIDE_PX):
        raise ExportError(Message(N_("--size {size} is out of range: each side must be 100 to {most} px (for print, "
                                     "use a4: 300 dpi)."), size=f"{w}x{h}", most=MAX_SIDE_PX))
    return Canvas(w, h, 100)


def parse_bbox(text: str) -> Bbox:
    """'W,S,E,N' in degrees."""
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise ExportError(Message(N_("--bbox {bbox!r} is not four numbers W,S,E,N (e.g. 102.2,12.4,103.6,13.8)."),
                                  bbox=text)) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise ExportError(Message(N_("--bbox {bbox!r} is not west<east, south<north in degrees."), bbox=text))
    return (w, s, e, n)


def snapshot_filename(day: date, fmt: str, dataset: Dataset | None = None) -> str:
    """'pailin-atlas_1994-04-19.png': the dataset's slug (dataset.json), the day and the format."""
    slug = getattr(dataset.meta, "slug", None) if dataset is not None else None
    return f"{slug or 'pailin-atlas'}_{day.isoformat()}.{fmt}"


def _view(bbox: Bbox | None, region: Bbox) -> Bbox | None:
    """The view as drawn: at least ~1 km across and inside the region widened (a crafted 1e-7 degree
    bbox made a PNG take a minute)."""
    if bbox is None:
        return None
    clamped = clamp_bbox(bbox, region)
    if clamped is None:
        raise ExportError(Message(N_("the view {bbox} is not four finite numbers west, south, east, north."),
                                  bbox=repr(bbox)))
    return clamped


def snapshot_bytes(state: State, fmt: str, *, bbox: Bbox | None = None, size: str | Canvas = "slide",
                   toggles: Toggles = Toggles(), basemap: str = "vector", budget: Budget | None = None,
                   lang: str = "en", version: str = __version__) -> bytes:
    """One file documenting the state on its date, for the view `bbox` (west, south, east, north), in
    `lang` ("en" or "km"). Every file carries its date, view, language, sources and the atlas `version`
    in its own metadata (see `snapshot_metadata`). `budget`: the app's (`hosted_budget()`) unless
    given, checked before drawing."""
    bbox = _view(bbox, state.dataset.meta.region)
    words = words_for(lang)
    if fmt == "geojson":
        return state_geojson_bytes(state, bbox, words=words, version=version)
    if fmt == "html":
        return html_bytes(state, bbox, toggles, words=words, version=version)
    if fmt not in ("png", "pdf", "svg"):
        raise ExportError(Message(N_("format {format!r} is not one of {formats}."), format=fmt,
                                  formats=", ".join(FORMATS)))
    canvas = parse_size(size) if isinstance(size, str) else size
    check_budget(canvas, 1, budget or hosted_budget())
    fig = render(state, canvas, bbox, basemap, toggles=toggles, words=words)
    meta = snapshot_metadata(state, _drawn_bbox(fig, metric_crs(state.dataset)), words, version)
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=canvas.dpi, metadata=meta.for_format(fmt))
    return out.getvalue()


@dataclass(frozen=True)
class SnapshotMeta:
    """What a snapshot file says about itself, whatever its format."""

    title: str                    # "Pailin Atlas: Situation on 19 April 1994", in the file's language
    date: str                     # the situation's day, ISO
    bbox: Bbox | None             # the view (west, south, east, north), degrees; None: the whole dataset
    lang: str
    sources: tuple[str, ...]      # citations, in the file's language
    source_ids: tuple[str, ...]
    version: str                  # the atlas's
    caveat: str                   # how the zones are drawn, in the file's language

    @property
    def bbox_text(self) -> str:
        return ",".join(f"{v:.4f}" for v in self.bbox) if self.bbox else "whole dataset"

    @property
    def software(self) -> str:
        return f"Pailin Atlas {self.version}".strip()

    @property
    def keywords(self) -> list[str]:
        """Machine-readable `key=value` items (ASCII)."""
        return [f"date={self.date}", f"bbox={self.bbox_text}", f"lang={self.lang}", f"version={self.version}",
                f"sources={','.join(self.source_ids)}"]

    @property
    def description(self) -> str:
        return (f"{self.title}. View (west, south, east, north): {self.bbox_text}. Language: {self.lang}. "
                f"{self.software}. {self.caveat}")

    def for_format(self, fmt: str) -> dict[str, object]:
        """Matplotlib's `savefig(metadata=...)` for png, pdf or svg. No time of making is written: the
        same state gives the same file."""
        sources = "; ".join(self.sources)
        if fmt == "png":  # tEXt chunks (iTXt for Khmer, by Pillow)
            return {"Title": self.title, "Description": self.description, "Source": sources,
                    "Software": self.software, "Disclaimer": self.caveat, "Comment": "; ".join(self.keywords)}
        if fmt == "pdf":
            return {"Title": self.title, "Subject": f"{self.description} Sources: {sources}",
                    "Keywords": "; ".join(self.keywords), "Author": "Pailin Atlas", "Creator": self.software,
                    "CreationDate": None, "Producer": None}
        if fmt == "svg":  # Dublin Core in <metadata>
            return {"Title": self.title, "Description": self.description, "Coverage": f"{self.date}; {self.bbox_text}",
                    "Language": self.lang, "Source": sources, "Creator": self.software,
                    "Keywords": self.keywords, "Date": None}
        raise ExportError(Message(N_("no file metadata for format {format!r}."), format=fmt))


def snapshot_metadata(state: State, bbox: Bbox | None, words: Words = ENGLISH,
                      version: str = __version__) -> SnapshotMeta:
    """The metadata of a snapshot of `state` showing `bbox`, in `words`' language."""
    ids = state_source_ids(state)
    title = f"{words('Pailin Atlas')}: {words('Situation on {date}').replace('{date}', words.day(state.day))}"
    return SnapshotMeta(title=title, date=state.day.isoformat(),
                        bbox=None if bbox is None else tuple(round(float(v), 6) for v in bbox),  # type: ignore[arg-type]
                        lang=words.lang, sources=tuple(citations_for(state.dataset, ids, words)), source_ids=tuple(ids),
                        version=version, caveat=words(CAVEAT))


def _drawn_bbox(fig, crs: str) -> Bbox:
    """The view the map axes show (the requested one widened to the image's shape), in degrees."""
    from pyproj import Transformer

    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    to_geo = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lons, lats = to_geo.transform([x0, x1, x0, x1], [y0, y0, y1, y1])
    return (min(lons), min(lats), max(lons), max(lats))


SNAPSHOT_NOTE = N_("Snapshot of {date}; drag the slider to see any date.")


def html_bytes(state: State, bbox: Bbox | None = None, toggles: Toggles = Toggles(),
               words: Words = ENGLISH, store: TimeStore | None = None, version: str = __version__) -> bytes:
    """A standalone interactive map (everything inlined: it opens from a USB stick) with its own date
    slider over the whole period, opened at the snapshot's date and view. The same time layer as the app's.
    Its <head> says the date, view, language, sources and atlas version in <meta> tags."""
    ds = state.dataset
    store = store or build_time_store(state.timeline, words)
    title = (f"{escape(ds.meta.title)}<br><span style='font-weight:400'>"
             f"{escape(words(SNAPSHOT_NOTE).replace('{date}', words.day(state.day)))}"
             "</span>")
    fmap = atlas_map(store.text, assets="inline", basemap="OpenStreetMap", center=(ds.meta.view_lat, ds.meta.view_lon),
                     zoom=ds.meta.view_zoom, bbox=bbox, day=state.day.isoformat(), hidden=toggles.hidden(), title=title)
    return _with_head_metadata(page_html(fmap), snapshot_metadata(state, bbox, words, version)).encode("utf-8")


def _with_head_metadata(page: str, meta: SnapshotMeta) -> str:
    """`page` with <html lang>, a <title> and <meta> tags (Dublin Core names) at the top of its <head>."""
    tags = [f"<title>{escape(meta.title)}</title>",
            *(f'<meta name="{name}" content="{escape(value)}">' for name, value in (
                ("description", meta.description), ("generator", meta.software), ("dcterms.title", meta.title),
                ("dcterms.date", meta.date), ("dcterms.coverage", f"{meta.date}; {meta.bbox_text}"),
                ("dcterms.language", meta.lang), ("dcterms.source", "; ".join(meta.sources)),
                ("keywords", "; ".join(meta.keywords))))]
    head = "<head>\n    <meta charset=\"utf-8\">\n    " + "\n    ".join(tags)
    page = page.replace("<html>", f'<html lang="{escape(meta.lang)}">', 1)
    # Folium declares the charset after the inlined scripts, beyond the first 1024 bytes where browsers
    # look for it; one declaration, first in <head>, is the one kept.
    page = page.replace('<meta http-equiv="content-type" content="text/html; charset=UTF-8" />', "", 1)
    return page.replace("<head>", head, 1)


def animation_days(timeline: AtlasTimeline, start: date, end: date, step: str | int = "changes") -> list[date]:
    """The frames' dates: every change date in the period (plus its first day), or every N days."""
    if end < start:
        raise DateError(Message(N_("the period ends ({end}) before it starts ({start})."), end=end.isoformat(),
                                start=start.isoformat()))
    if step == "changes":
        days = [start] + [d for d in timeline.change_dates() if start < d <= end]
    else:
        every = int(step)
        if every < 1:
            raise ExportError(Message(N_("--step must be 'changes' or a number of days ≥ 1 (e.g. 30d).")))
        days = [start + timedelta(days=k) for k in range(0, (end - start).days + 1, every)]
    if len(days) > MAX_FRAMES:
        raise ExportError(Message(N_("{frames} frames is more than {most}: choose a shorter period or a longer step."),
                                  frames=len(days), most=MAX_FRAMES))
    return days


def animation_bytes(timeline: AtlasTimeline, start: date, end: date, *, step: str | int = "changes",
                    fmt: str = "gif", size: str | Canvas = "960x540", bbox: Bbox | None = None,
                    seconds_per_frame: float = 0.8,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    budget: Budget | None = None, toggles: Toggles = Toggles(),
                    words: Words = ENGLISH) -> tuple[bytes, int]:
    """An animated GIF or MP4 whose frames are the static snapshots of each date; returns (bytes, frames).
    See `write_animation`."""
    out = io.BytesIO()
    frames = write_animation(out, timeline, start, end, step=step, fmt=fmt, size=size, bbox=bbox,
                             seconds_per_frame=seconds_per_frame, progress=progress, cancelled=cancelled,
                             budget=budget, toggles=toggles, words=words)
    return out.getvalue(), frames


def write_animation(out: BinaryIO, timeline: AtlasTimeline, start: date, end: date, *,
                    step: str | int = "changes", fmt: str = "gif", size: str | Canvas = "960x540",
                    bbox: Bbox | None = None, seconds_per_frame: float = 0.8,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    budget: Budget | None = None, toggles: Toggles = Toggles(), words: Words = ENGLISH) -> int:
    """Write the animation to `out`; returns the number of frames. Frames are the PNG snapshots of
    their days (same layers, same language).

    The budget (the app's, `hosted_budget()`, unless given) is checked before the first frame is drawn.
    Each frame goes to the encoder as soon as it is drawn: memory holds one frame, not all of them.
    `cancelled` is asked before each frame; when it answers True, `Cancelled` is raised."""
    if fmt not in ("gif", "mp4"):
        raise ExportError(Message(N_("animation format {format!r} is not gif or mp4."), format=fmt))
    canvas = parse_size(size) if isinstance(size, str) else size
    days = animation_days(timeline, start, end, step)
    check_budget(canvas, len(days), budget or hosted_budget())
    bbox = _view(bbox, timeline.dataset.meta.region)

    def frames() -> Iterator[np.ndarray]:
        for k, day in enumerate(days):
            if cancelled is not None and cancelled():
                raise Cancelled(Message(N_("Cancelled after {done} of {frames} frames; nothing was kept."), done=k,
                                        frames=len(days)))
            frame = frame_pixels(timeline.state_on(day), canvas, bbox, toggles, words)
            if fmt == "mp4":  # H.264 wants even sides
                frame = frame[: frame.shape[0] // 2 * 2, : frame.shape[1] // 2 * 2]
            yield frame
            if progress:
                progress(k + 1, len(days))

    if fmt == "gif":
        _write_gif(out, frames(), duration_ms=int(seconds_per_frame * 1000))
    else:
        _write_mp4(out, frames(), fps=max(1, round(1 / seconds_per_frame)))
    return len(days)


def frame_pixels(state: State, canvas: Canvas, bbox: Bbox | None = None, toggles: Toggles = Toggles(),
                 words: Words = ENGLISH) -> np.ndarray:
    """The PNG snapshot's pixels (RGB), drawn straight to memory: no PNG to encode and decode again."""
    agg = FigureCanvasAgg(render(state, canvas, bbox, toggles=toggles, words=words))
    agg.draw()
    return np.asarray(agg.buffer_rgba())[..., :3].copy()


def _write_gif(out: BinaryIO, frames: Iterable[np.ndarray], duration_ms: int) -> None:
    """An endlessly looping GIF written frame by frame (Pillow's save keeps every frame until the end).
    Each frame after the first holds only the rectangle that changed, with its own 256-colour palette."""
    from PIL import GifImagePlugin, Image

    previous: np.ndarray | None = None
    for frame in frames:
        offset = (0, 0)
        part = frame
        if previous is None:
            first = Image.fromarray(frame).convert("P", palette=Image.Palette.ADAPTIVE)
            header, _ = GifImagePlugin.getheader(first, None, {"loop": 0})
            for chunk in header:
                out.write(chunk)
        else:
            changed = np.any(frame != previous, axis=2)
            rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
            if rows.size:
                part = frame[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
                offset = (int(cols[0]), int(rows[0]))
            else:  # nothing changed: one pixel, so that the frame (and its time) still counts
                part = frame[:1, :1]
        image = Image.fromarray(np.ascontiguousarray(part)).convert("P", palette=Image.Palette.ADAPTIVE)
        for chunk in GifImagePlugin.getdata(image, offset, duration=duration_ms, disposal=1,
                                            include_color_table=True):
            out.write(chunk)
        previous = frame
    if previous is None:
        raise ExportError(Message(N_("an animation needs at least one frame.")))
    out.write(b";")


def _write_mp4(out: BinaryIO, frames: Iterable[np.ndarray], fps: int) -> None:
    import tempfile
    from pathlib import Path

    import imageio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "animation.mp4"
        with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=2, quality=7) as writer:
            for frame in frames:
                writer.append_data(frame)
        with path.open("rb") as video:
            while chunk := video.read(1 << 20):
                out.write(chunk)


# --- results cached per request ------------------------------------------------------------------------------

def snapshot_key(dataset_version: str, day: date, bbox: Bbox | None, fmt: str, size: str | Canvas,
                 toggles: Toggles = Toggles(), language: str = "en", basemap: str = "vector") -> tuple:
    """What a snapshot's bytes depend on, hashable: equal keys, equal files. The bbox is rounded to 0.001
    degree (~100 m), so views that differ by less share one file: render with `rounded_bbox(bbox)`."""
    canvas = parse_size(size) if isinstance(size, str) else size
    return ("snapshot", dataset_version, day.isoformat(), rounded_bbox(bbox), fmt, canvas, toggles, language, basemap)


def rounded_bbox(bbox: Bbox | None) -> Bbox | None:
    return None if bbox is None else tuple(round(float(v), 3) for v in bbox)  # type: ignore[return-value]


class ResultCache:
    """Finished files shared by every session, least recently used dropped beyond `max_bytes`. Thread-safe;
    when many visitors ask for the same key at once, one makes it and the others wait for it."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self._making: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            maker = self._making.setdefault(key, threading.Lock())
        with maker:  # the first caller makes it; the others find it made
            with self._lock:
                if key in self._items:
                    return self._items[key]
            try:
                data = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            with self._lock:
                if len(data) <= self.max_bytes and key not in self._items:
                    self._items[key] = data
                    self._size += len(data)
                    while self._size > self.max_bytes:
                        _, dropped = self._items.popitem(last=False)
                        self._size -= len(dropped)
            return data

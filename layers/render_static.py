"""The state on a date drawn as a static image with a matplotlib Figure (never pyplot).

Drawn in UTM 48N (EPSG:32648): the projection the atlas measures in, so the scale bar is true across
the region. The basemap is always the vector one (Natural Earth countries and provinces from the
dataset); when asked and online, map tiles (contextily + xyzservices, cached on disk) are laid under it.
A tile failure or a slow network falls back to vector within a few seconds, and the image says which
basemap it used: never a blank or broken image.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Transformer
from xyzservices import TileProvider

from . import style
from .dates import day_label, parse_date
from .model import METRIC_CRS, Dataset
from .timeline import State

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Canvas:
    width_px: int
    height_px: int
    dpi: int


def _metric(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(_TO_METRIC.transform(xy[:, 0], xy[:, 1])))


def _area_path(dataset: Dataset, layer: str, fid: str, geom: shapely.Geometry) -> MplPath | None:
    """A polygon layer's feature as a metric matplotlib Path, made once per loaded dataset: the
    projection of big polygons is most of a frame's cost otherwise."""
    cache = dataset.__dict__.setdefault("_metric_paths", {})
    if (layer, fid) not in cache:
        cache[layer, fid] = _polygon_path(_metric(geom))
    return cache[layer, fid]


def _polygon_path(geom: shapely.Geometry) -> MplPath | None:
    vertices, codes = [], []
    for poly in getattr(geom, "geoms", [geom]):
        if poly.geom_type != "Polygon" or poly.is_empty:
            continue
        for ring in [poly.exterior, *poly.interiors]:
            coords = np.asarray(ring.coords)
            vertices.append(coords)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(coords) - 2) + [MplPath.CLOSEPOLY])
    if not vertices:
        return None
    return MplPath(np.concatenate(vertices), np.concatenate(codes))


def _lines(geom: shapely.Geometry) -> list[np.ndarray]:
    parts = getattr(geom, "geoms", [geom])
    return [np.asarray(p.coords) for p in parts if p.geom_type == "LineString" and not p.is_empty]


TILE_TIMEOUT_S = 8.0
TILE_PROVIDERS = {"osm": "OpenStreetMap.Mapnik", "light": "Esri.WorldGrayCanvas", "satellite": "Esri.WorldImagery"}


def _tiles(bounds: tuple[float, float, float, float], basemap: str | TileProvider
           ) -> tuple[np.ndarray, tuple, str] | None:
    """Tiles for the metric bounds, warped to UTM 48N, or None when they cannot be had in time.
    `basemap` is a key of TILE_PROVIDERS, an xyzservices name, or a TileProvider of one's own."""
    import contextily as ctx
    import xyzservices.providers as xyz

    provider = basemap if isinstance(basemap, TileProvider) else xyz.query_name(TILE_PROVIDERS.get(basemap, basemap))
    ctx.set_cache_dir(str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pailin-atlas" / "tiles"))
    to_merc = Transformer.from_crs(METRIC_CRS, "EPSG:3857", always_xy=True)
    xs, ys = to_merc.transform([bounds[0], bounds[2], bounds[0], bounds[2]], [bounds[1], bounds[1], bounds[3], bounds[3]])
    result: dict[str, object] = {}

    def fetch() -> None:
        try:
            img, ext = ctx.bounds2img(min(xs), min(ys), max(xs), max(ys), source=provider, ll=False)
            result["tiles"] = ctx.warp_tiles(img, ext, t_crs=METRIC_CRS)
        except Exception as exc:  # any network or decoding failure means: draw the vector basemap
            result["error"] = exc

    worker = threading.Thread(target=fetch, daemon=True)
    worker.start()
    worker.join(TILE_TIMEOUT_S)
    if "tiles" not in result:
        return None
    image, extent = result["tiles"]  # type: ignore[misc]
    return image, extent, provider.get("attribution", provider.name)


def render(state: State, canvas: Canvas, bbox: Bbox | None = None, basemap: str | TileProvider = "vector") -> Figure:
    """Draw the state; `bbox` is (west, south, east, north) in degrees, default the dataset's view.

    `basemap`: "vector" (offline), or a tile provider ("light", "osm", "satellite") tried first.
    """
    ds = state.dataset
    fig = Figure(figsize=(canvas.width_px / canvas.dpi, canvas.height_px / canvas.dpi), dpi=canvas.dpi)
    scale = max(0.9, canvas.width_px / canvas.dpi / 19.2)  # text grows with the physical width, readable in print
    ax = fig.add_axes((0.01, 0.07, 0.98, 0.83))
    ax.set_facecolor("#EAF2F8")
    ax.set_xticks([])
    ax.set_yticks([])
    if bbox is None:
        lat, lon, half_h = ds.meta.view_lat, ds.meta.view_lon, 1.25
        aspect = (canvas.width_px * 0.98) / (canvas.height_px * 0.83)
        bbox = (lon - half_h * aspect, lat - half_h, lon + half_h * aspect, lat + half_h)
    # Widen the view to the axes' shape so that a metre is as long across as up (no distortion).
    x0, y0, x1, y1 = _metric(shapely.box(*bbox)).bounds
    axes_aspect = (canvas.width_px * 0.98) / (canvas.height_px * 0.83)
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    w, h = max(w, h * axes_aspect), max(h, w / axes_aspect)
    x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    colors = {fid: f.color for fid, f in ds.factions.items()}
    tiles = _tiles((x0, y0, x1, y1), basemap) if basemap != "vector" else None
    if tiles is not None:
        image, extent, tile_credit = tiles
        ax.imshow(image, extent=extent, zorder=0, interpolation="bilinear")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        basemap_note = f"Basemap tiles: {tile_credit}."
    else:
        basemap_note = "Basemap: Natural Earth vector" + (" (map tiles unavailable: offline?)." if basemap != "vector" else ".")

    # add_artist, not add_patch: the limits are set above, and fitting them to big patches is slow.
    for cid, row in ds.countries.iterrows():
        path = _area_path(ds, "countries", cid, row.geometry)
        if path is not None:
            ax.add_artist(PathPatch(path, facecolor="#FFFFFF" if cid == "KHM" else style.NEUTRAL_COUNTRY,
                                   alpha=0.25 if tiles is not None else 1.0, edgecolor=style.BORDER,
                                   linewidth=1.2 * scale, zorder=1))
    for pid, row in ds.provinces.iterrows():
        path = _area_path(ds, "provinces", pid, row.geometry)
        if path is not None:
            ax.add_artist(PathPatch(path, fill=False, edgecolor="#AAAAAA", linewidth=0.4 * scale,
                                   linestyle=(0, (3, 3)), zorder=2))
    for zid, row in state.zones.iterrows():
        zstyle = style.zone_style(row["certainty"])
        color = style.controller_color(colors, row["controller"])
        path = _area_path(ds, "zones", zid, row.geometry)
        if path is not None:
            ax.add_artist(PathPatch(path, facecolor=color, alpha=zstyle.fill_opacity + 0.1, edgecolor="none", zorder=3,
                                    gid=f"zone:{zid}"))
            ax.add_artist(PathPatch(path, fill=False, edgecolor=color, hatch=zstyle.hatch, linewidth=1.0 * scale,
                                    linestyle=zstyle.mpl_linestyle, zorder=4))
    for _, row in ds.routes.iterrows():
        for line in _lines(_metric(row.geometry)):
            ax.plot(line[:, 0], line[:, 1], color=style.ROUTE, linewidth=1.8 * scale, zorder=5, solid_capstyle="round")
    fronts = [(r.geometry, "described") for _, r in state.frontlines.iterrows()]
    fronts += [(f["geometry"], "derived") for f in state.derived_frontlines]
    for geom, kind in fronts:
        lstyle = style.FRONT_STYLES[kind]
        for line in _lines(_metric(geom)):
            ax.plot(line[:, 0], line[:, 1], color=lstyle.color, linewidth=lstyle.weight * 0.6 * scale,
                    linestyle=lstyle.mpl_linestyle, zorder=6)

    today = state.day.toordinal()
    for _, row in state.events.iterrows():
        if row.geometry is None:
            continue
        p = _metric(row.geometry)
        when = parse_date(row["date"])
        days_ago = today - when.last_day if today > when.last_day else (0 if today >= when.first_day else -1)
        ax.scatter([p.x], [p.y], s=260 * scale ** 2, facecolor="none", edgecolor="#000000",
                   alpha=style.event_opacity(days_ago, state.window_days), linewidth=1.5 * scale, zorder=7)

    # Labels keep clear of the north arrow (top right corner of the axes).
    placed: list[tuple[float, float, float, float]] = [(x0 + 0.93 * (x1 - x0), y0 + 0.8 * (y1 - y0), x1, y1)]
    places = ds.places
    for status in sorted(state.places, key=lambda s: not places.loc[s.place_id, "key"]):
        row = places.loc[status.place_id]
        p = _metric(row.geometry)
        if not (x0 <= p.x <= x1 and y0 <= p.y <= y1):
            continue
        color = style.controller_color(colors, status.controller)
        ax.scatter([p.x], [p.y], s=(style.place_radius(row["kind"], bool(row["key"])) * 2.2 * scale) ** 2,
                   color=color, edgecolor="#000000", linewidth=0.8 * scale, zorder=8, gid=f"place:{status.place_id}")
        if row["key"] or (row["kind"] in style.LABELLED_KINDS and row["country"] == "KH"):
            _label(ax, fig, p.x, p.y, row["name"], bool(row["key"]), scale, placed)

    stamp = fig.text(0.99, 0.955, f"Situation on {day_label(state.day)}", fontsize=15 * scale, ha="right",
                     va="center", color="#000000",
                     bbox={"facecolor": "#FFFFFF", "edgecolor": "#333333", "boxstyle": "round,pad=0.3"})
    title = fig.text(0.01, 0.955, ds.meta.title, fontsize=15 * scale, weight="bold", va="center")
    renderer = FigureCanvasAgg(fig).get_renderer()  # one renderer measures all the text below
    _fit(title, stamp.get_window_extent(renderer).x0 - 0.01 * fig.bbox.width, renderer)
    handles = [Patch(facecolor=ds.factions[f].color, alpha=0.7, label=ds.factions[f].name_on(state.day))
               for f in ds.factions if f in set(state.zones["controller"]) | {s.controller for s in state.places}]
    handles += [Patch(facecolor="#777777", alpha=s.fill_opacity + 0.1, linestyle=s.mpl_linestyle, edgecolor="#333333",
                      hatch=s.hatch, label=s.label) for s in style.ZONE_STYLES.values()]
    handles += [Line2D([], [], color=s.color, linewidth=s.weight * 0.6 * scale, linestyle=s.mpl_linestyle, label=s.label)
                for s in style.FRONT_STYLES.values()]
    handles += [Line2D([], [], marker="o", linestyle="none", markerfacecolor="none", markeredgecolor="#000000",
                       markersize=9 * scale, label="event within ±%d days" % state.window_days)]
    ax.legend(handles=handles, loc="lower left", fontsize=8.5 * scale, framealpha=0.92, title="Legend",
              title_fontsize=9 * scale)
    _scale_bar(ax, x0, x1, y0, y1, scale)
    _north_arrow(ax, scale)
    used = sorted({s for _, r in state.zones.iterrows() for s in r["sources"]} |
                  {s for p in state.places for s in p.sources} | {s for _, r in state.events.iterrows() for s in r["sources"]})
    sources = "Sources: " + "; ".join(ds.sources[s].title if s in ds.sources else s for s in used[:12])
    if len(used) > 12:
        sources += f"; and {len(used) - 12} more (see the GeoJSON or HTML snapshot)"
    right_edge = 0.99 * fig.bbox.width
    _fit(fig.text(0.01, 0.035, sources, fontsize=7 * scale, va="center", color="#333333"), right_edge, renderer,
         shrink=1.0)
    _fit(fig.text(0.01, 0.012, f"Made with Natural Earth. {basemap_note} Places: GeoNames (CC BY 4.0). Zones and front "
                  "lines are approximate reconstructions from the sources. Pailin Atlas.", fontsize=7 * scale,
                  va="center", color="#555555", gid="attribution"), right_edge, renderer, shrink=0.55)
    return fig


def _label(ax, fig, x: float, y: float, text: str, key: bool, scale: float,
           placed: list[tuple[float, float, float, float]]) -> None:
    """Place a label at the first candidate position that collides with no earlier label."""
    (xa, xb), (ya, yb) = ax.get_xlim(), ax.get_ylim()
    size = (9.5 if key else 8) * scale
    box_w, box_h = ax.get_position().width * fig.get_figwidth() * 72, ax.get_position().height * fig.get_figheight() * 72
    w = (xb - xa) * len(text) * size * (0.62 if key else 0.56) / box_w  # an average glyph is ~0.6 em wide
    h = (yb - ya) * size * 1.25 / box_h
    dx, dy = (xb - xa) * 0.006, (yb - ya) * 0.006
    for ox, oy, ha in ((dx, dy, "left"), (dx, -h - dy, "left"), (-dx - w, dy, "right"), (-dx - w, -h - dy, "right"),
                       (-w / 2, dy * 2.5, "center"), (-w / 2, -h - dy * 2.5, "center")):
        box = (x + ox, y + oy, x + ox + w, y + oy + h)
        if all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed):
            placed.append(box)
            anchor_x = {"left": box[0], "right": box[2], "center": (box[0] + box[2]) / 2}[ha]
            ax.text(anchor_x, box[1], text, ha=ha, va="bottom", fontsize=size,
                    weight="bold" if key else "normal", zorder=9, gid=f"label:{text}",
                    path_effects=[__import__("matplotlib.patheffects", fromlist=["x"]).withStroke(
                        linewidth=2.5 * scale, foreground="white")])
            return


def _fit(text, limit_px: float, renderer, shrink: float = 0.6) -> None:
    """Make `text` end before `limit_px`: first smaller (down to `shrink` of its size), then cut after
    as many words as fit, with an ellipsis."""
    def fits() -> bool:
        return text.get_window_extent(renderer).x1 <= limit_px

    size, words = text.get_fontsize(), text.get_text().split()
    # No glyph is narrower than ~0.3 em: drop what cannot fit before measuring (long text is slow to measure).
    room = int(limit_px / (0.3 * shrink * size * text.figure.dpi / 72))
    if len(text.get_text()) > room:
        while len(words) > 1 and len(" ".join(words)) > room:
            words.pop()
        text.set_text(" ".join(words) + " …")
    while not fits() and text.get_fontsize() > shrink * size:
        text.set_fontsize(max(shrink * size, text.get_fontsize() * 0.92))
    if fits():
        return
    lo, hi = 1, len(words) - 1  # the most words that fit, by bisection: measuring long text is slow
    while lo < hi:
        mid = (lo + hi + 1) // 2
        text.set_text(" ".join(words[:mid]) + " …")
        lo, hi = (mid, hi) if fits() else (lo, mid - 1)
    text.set_text(" ".join(words[:lo]) + " …")


def _scale_bar(ax, x0: float, x1: float, y0: float, y1: float, scale: float) -> None:
    span = (x1 - x0) / 5
    km = max(1, int(10 ** np.floor(np.log10(span / 1000))))
    km *= max(1, int((span / 1000) // km))
    bx, by = x1 - (x1 - x0) * 0.04 - km * 1000, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + km * 1000], [by, by], color="#000000", linewidth=3 * scale, zorder=10, solid_capstyle="butt")
    ax.text(bx + km * 500, by + (y1 - y0) * 0.012, f"{km} km", ha="center", va="bottom", fontsize=9 * scale, zorder=10)


def _north_arrow(ax, scale: float) -> None:
    ax.add_patch(FancyArrow(0.965, 0.83, 0, 0.08, width=0.008, head_width=0.025, head_length=0.035,
                            transform=ax.transAxes, color="#000000", zorder=10))
    ax.text(0.965, 0.94, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=12 * scale, weight="bold")

"""The state on a date drawn as a static image with a matplotlib Figure (never pyplot).

Drawn in UTM 48N (EPSG:32648): the projection the atlas measures in, so the scale bar is true across
the region. The basemap is always the vector one (Natural Earth countries and provinces from the
dataset); when asked and online, map tiles (contextily + xyzservices, cached on disk) are laid under it.
A tile failure or a slow network falls back to vector within a few seconds, and the image says which
basemap it used: never a blank or broken image.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, PathPatch
from matplotlib.path import Path as MplPath
from pyproj import Transformer
from xyzservices import TileProvider

from . import symbology as sym
from ..data.catalog import Dataset
from ..data.model import METRIC_CRS, ORIGIN, ORIGIN_MINE
from .render_folium import Toggles
from ..text.text_safety import mpl_text
from ..engine.timeline import State, metric_crs
from ..text.i18n import N_, font_properties, text_props
from ..text.words import ENGLISH, Words

_paths_lock = threading.Lock()
_paths: dict[int, dict[tuple[str, str], MplPath | None]] = {}   # per loaded dataset (by id, freed with it)


@lru_cache(maxsize=16)
def _to_metric(crs: str) -> Transformer:
    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)
Bbox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Canvas:
    width_px: int
    height_px: int
    dpi: int


def _metric(geom: shapely.Geometry, crs: str = METRIC_CRS) -> shapely.Geometry:
    to_metric = _to_metric(crs)
    return shapely.transform(geom, lambda xy: np.column_stack(to_metric.transform(xy[:, 0], xy[:, 1])))


def _area_path(dataset: Dataset, layer: str, fid: str, geom: shapely.Geometry) -> MplPath | None:
    """A polygon layer's feature as a metric matplotlib Path, made once per loaded dataset (projecting big
    polygons is most of a frame's cost otherwise). The cache is shared by every session: locked, and
    dropped when the dataset is."""
    key = id(dataset)
    with _paths_lock:
        cache = _paths.get(key)
        if cache is None:
            cache = _paths[key] = {}
            weakref.finalize(dataset, _paths.pop, key, None)
        if (layer, fid) not in cache:
            cache[layer, fid] = _polygon_path(_metric(geom, metric_crs(dataset)))
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


def _tiles(bounds: tuple[float, float, float, float], basemap: str | TileProvider, crs: str = METRIC_CRS
           ) -> tuple[np.ndarray, tuple, str] | None:
    """Tiles for the metric bounds, warped to UTM 48N, or None when they cannot be had in time.
    `basemap` is a key of TILE_PROVIDERS, an xyzservices name, or a TileProvider of one's own.
    (layers/render/tiles.py: every request times out by TILE_TIMEOUT_S, no thread outlives the call, and the
    disk cache is capped.)"""
    import contextily as ctx
    import xyzservices.providers as xyz

    from .tiles import fetch_mosaic

    try:
        provider = basemap if isinstance(basemap, TileProvider) else xyz.query_name(TILE_PROVIDERS.get(basemap, basemap))
    except ValueError:  # not a provider xyzservices knows: the vector basemap
        return None
    to_lonlat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    lons, lats = to_lonlat.transform([bounds[0], bounds[2], bounds[0], bounds[2]], [bounds[1], bounds[1], bounds[3], bounds[3]])
    mosaic = fetch_mosaic((min(lons), min(lats), max(lons), max(lats)), provider, TILE_TIMEOUT_S)
    if mosaic is None:
        return None
    image, extent = ctx.warp_tiles(*mosaic, t_crs=crs)
    return image, extent, provider.get("attribution", provider.name)


def _line_style(look: sym.Look, scale: float) -> dict[str, object]:
    """Matplotlib line options for a look (widths in CSS px become points, dashes stay proportional)."""
    width = look.width * 0.6 * scale
    style: object = "solid" if not look.dash else (0, tuple(d / look.width for d in look.dash))
    return {"color": look.stroke, "linewidth": width, "linestyle": style, "alpha": look.opacity}


def render(state: State, canvas: Canvas, bbox: Bbox | None = None, basemap: str | TileProvider = "vector",
           toggles: Toggles = Toggles(), words: Words = ENGLISH) -> Figure:
    """Draw the state; `bbox` is (west, south, east, north) in degrees, default the dataset's view.

    `basemap`: "vector" (offline), or a tile provider ("light", "osm", "satellite") tried first. Layers
    that `toggles` hides are not drawn.
    """
    ds = state.dataset
    crs = metric_crs(ds)
    fig = Figure(figsize=(canvas.width_px / canvas.dpi, canvas.height_px / canvas.dpi), dpi=canvas.dpi)
    scale = max(0.9, canvas.width_px / canvas.dpi / 19.2)  # text grows with the physical width, readable in print
    ax = fig.add_axes((0.01, 0.085, 0.98, 0.815))
    ax.set_facecolor("#EAF2F8")
    ax.set_xticks([])
    ax.set_yticks([])
    if bbox is None:
        lat, lon, half_h = ds.meta.view_lat, ds.meta.view_lon, 1.25
        aspect = (canvas.width_px * 0.98) / (canvas.height_px * 0.815)
        bbox = (lon - half_h * aspect, lat - half_h, lon + half_h * aspect, lat + half_h)
    # Widen the view to the axes' shape so that a metre is as long across as up (no distortion).
    x0, y0, x1, y1 = _metric(shapely.box(*bbox), crs).bounds
    axes_aspect = (canvas.width_px * 0.98) / (canvas.height_px * 0.815)
    cx, cy, w, h = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    w, h = max(w, h * axes_aspect), max(h, w / axes_aspect)
    x0, x1, y0, y1 = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    colors = {fid: f.color for fid, f in ds.factions.items()}
    tiles = _tiles((x0, y0, x1, y1), basemap, crs) if basemap != "vector" else None
    if tiles is not None:
        image, extent, tile_credit = tiles
        ax.imshow(image, extent=extent, zorder=0, interpolation="bilinear")
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        basemap_note = words(N_("Basemap tiles: {credit}.")).replace("{credit}", tile_credit)
    else:
        basemap_note = words(N_("Basemap: Natural Earth vector (map tiles unavailable: offline?).") if basemap != "vector"
                             else N_("Basemap: Natural Earth vector."))

    # add_artist, not add_patch: the limits are set above, and fitting them to big patches is slow.
    home = sym.home_iso3(ds.countries, ds.meta.region)
    for cid, row in ds.countries.iterrows():
        path = _area_path(ds, "countries", cid, row.geometry)
        if path is not None:
            ax.add_artist(PathPatch(path, facecolor="#FFFFFF" if cid == home else sym.NEUTRAL_COUNTRY,
                                   alpha=0.25 if tiles is not None else 1.0, edgecolor=sym.BORDER,
                                   linewidth=1.2 * scale, zorder=1))
    if toggles.provinces:
        for pid, row in ds.provinces.iterrows():
            path = _area_path(ds, "provinces", pid, row.geometry)
            if path is not None:
                ax.add_artist(PathPatch(path, fill=False, edgecolor="#AAAAAA", linewidth=0.4 * scale,
                                       linestyle=(0, (3, 3)), zorder=2))
    present: set[str] = set()
    if toggles.zones:
        for zid, row in state.zones.iterrows():
            look = sym.zone_look(row["certainty"], colors.get(row["controller"], sym.NO_CONTROLLER))
            present.add(row["controller"])
            path = _area_path(ds, "zones", zid, row.geometry)
            if path is not None:
                ax.add_artist(PathPatch(path, facecolor=look.fill, alpha=look.fill_opacity + 0.1, edgecolor="none",
                                        zorder=3, gid=f"zone:{zid}"))
                line = _line_style(look, scale)
                ax.add_artist(PathPatch(path, fill=False, edgecolor=line["color"], hatch=look.hatch,
                                        linewidth=line["linewidth"], linestyle=line["linestyle"], zorder=4))
    if toggles.routes:
        for _, row in ds.routes.iterrows():
            for line in _lines(_metric(row.geometry, crs)):
                ax.plot(line[:, 0], line[:, 1], zorder=5, solid_capstyle="round", **_line_style(sym.ROUTE_LOOK, scale))
    if toggles.frontlines:
        fronts = [(r.geometry, sym.front_look(r["certainty"]), f"front:{fid}") for fid, r in state.frontlines.iterrows()]
        fronts += [(r.geometry, sym.EDGE_LOOK, f"edge:{eid}") for eid, r in state.zone_edges.iterrows()]
        for geom, look, gid in fronts:
            for line in _lines(_metric(geom, crs)):
                ax.plot(line[:, 0], line[:, 1], zorder=6, gid=gid, **_line_style(look, scale))

    today = state.day.toordinal()
    rule = sym.EventRule(state.window_days)
    own = False  # whether the image shows any of a visitor's own features (they get a legend entry)
    if toggles.events:
        for eid, row in state.events.iterrows():
            if row.geometry is None:
                continue
            p = _metric(row.geometry, crs)
            look = rule.look(rule.days_ago(today, int(row["first_day"]), int(row["last_day"])))
            if row.get(ORIGIN) == ORIGIN_MINE:
                look, own = sym.mine(look), True
            line = _line_style(look, scale)
            ax.scatter([p.x], [p.y], s=(look.radius * 1.45 * scale) ** 2, facecolor="none", edgecolor=look.stroke,
                       alpha=look.opacity, linewidth=line["linewidth"], linestyle=line["linestyle"], zorder=7,
                       gid=f"event:{eid}")

    # Labels keep clear of the north arrow (top right corner of the axes).
    placed: list[tuple[float, float, float, float]] = [(x0 + 0.93 * (x1 - x0), y0 + 0.8 * (y1 - y0), x1, y1)]
    places = ds.places
    home_country = sym.home_country(places["country"])
    if toggles.places:
        for status in sorted(state.places, key=lambda s: not places.loc[s.place_id, "key"]):
            row = places.loc[status.place_id]
            p = _metric(row.geometry, crs)
            if not (x0 <= p.x <= x1 and y0 <= p.y <= y1):
                continue
            faction = ds.faction(status.controller)
            look = sym.place_look(row["kind"], bool(row["key"]), row["certainty"],
                                  colors.get(status.controller, sym.NO_CONTROLLER) if status.controller else None,
                                  from_zone=status.derived_from_zone is not None, transition=status.transition)
            if row.get(ORIGIN) == ORIGIN_MINE:
                look, own = sym.mine(look), True
            if status.controller:
                present.add(status.controller)
            line = _line_style(look, scale)
            ax.scatter([p.x], [p.y], s=(look.radius * 2.2 * scale) ** 2, color=look.fill, alpha=look.fill_opacity,
                       edgecolor=look.stroke, linewidth=line["linewidth"], linestyle=line["linestyle"], zorder=8,
                       gid=f"place:{status.place_id}")
            if sym.labelled(row["kind"], bool(row["key"]), row["country"], home_country):
                name = row["name_km"] if words.lang == "km" and row["name_km"] else row["name"]
                text = sym.label_text(name, sym.faction_short(faction) if faction else None)
                _label(ax, fig, p.x, p.y, text, bool(row["key"]), scale, placed, text_props(words.lang))

    tp = text_props(words.lang)  # the font and shaping for the reader's language (Khmer needs its own)
    stamp = fig.text(0.99, 0.955, words("Situation on {date}").replace("{date}", words.day(state.day)), **tp,
                     fontsize=15 * scale, ha="right", va="center", color="#000000",
                     bbox={"facecolor": "#FFFFFF", "edgecolor": "#333333", "boxstyle": "round,pad=0.3"})
    title = fig.text(0.01, 0.955, mpl_text(ds.meta.title), fontsize=15 * scale, weight="bold", va="center", **tp)
    renderer = FigureCanvasAgg(fig).get_renderer()  # one renderer measures all the text below
    _fit(title, stamp.get_window_extent(renderer).x0 - 0.01 * fig.bbox.width, renderer)
    ax.legend(handles=_legend_handles(ds, state, toggles, present, scale, words, own), loc="lower left",
              prop=font_properties(words.lang, 8.5 * scale), framealpha=0.92, title=words("Legend"),
              title_fontproperties=font_properties(words.lang, 9 * scale))
    _scale_bar(ax, x0, x1, y0, y1, scale, words)
    _north_arrow(ax, scale)
    right_edge = 0.99 * fig.bbox.width
    # The caveat sits where readers look, at a legible size (at least 8 pt on a slide).
    _fit(fig.text(0.01, 0.06, words(sym.CAVEAT_PRINT), fontsize=max(8.0, 8.5 * scale), va="center", color="#111111", **tp,
                  weight="bold", gid="caveat"), right_edge, renderer, shrink=0.95)
    used = sorted({s for _, r in state.zones.iterrows() for s in r["sources"]} |
                  {s for p in state.places for s in p.sources} | {s for _, r in state.events.iterrows() for s in r["sources"]})
    sources = words("Sources") + ": " + "; ".join(ds.sources[s].citation() if s in ds.sources else s for s in used[:12])
    if len(used) > 12:
        sources += "; " + words(N_("and {count} more (see the GeoJSON or HTML snapshot)")).replace(
            "{count}", words.number(len(used) - 12))
    _fit(fig.text(0.01, 0.035, mpl_text(sources), fontsize=7 * scale, va="center", color="#333333", **tp), right_edge,
         renderer, shrink=1.0)
    credits = words(N_("Made with Natural Earth. {basemap} Places: GeoNames (CC BY 4.0). Pailin Atlas.")).replace(
        "{basemap}", basemap_note)
    _fit(fig.text(0.01, 0.012, mpl_text(credits), fontsize=7 * scale,
                  va="center", color="#555555", gid="attribution", **tp), right_edge, renderer, shrink=0.55)
    return fig


def _legend_handles(ds: Dataset, state: State, toggles: Toggles, present: set[str], scale: float,
                    words: Words, own: bool) -> list[object]:
    """The symbology's legend entries for what this image shows."""
    handles: list[object] = []
    hidden = set(toggles.hidden())
    colors = {fid: f.color for fid, f in ds.factions.items()}
    for entry in sym.legend_entries(ds.factions, colors):
        if entry.layer in hidden or (entry.faction and entry.faction not in present) or (entry.mine_only and not own):
            continue
        look = entry.look or sym.Look()
        if entry.faction:
            faction = ds.factions[entry.faction]
            label = sym.legend_label(sym.faction_name(faction, entry.faction, state.day, words), sym.faction_short(faction))
        else:
            label = words(entry.label)
        label = mpl_text(label)
        if entry.shape == "line":
            handles.append(Line2D([], [], label=label, **_line_style(look, scale)))
        elif entry.shape == "marker":
            line = _line_style(look, scale)
            handles.append(Line2D([], [], marker="o", linestyle="none", markerfacecolor=look.fill or "none",
                                  markeredgecolor=look.stroke, markeredgewidth=line["linewidth"],
                                  markersize=(look.radius or 5) * 1.6 * scale, alpha=max(look.fill_opacity, 0.6),
                                  label=label))
        else:
            line = _line_style(look, scale)
            handles.append(Patch(facecolor=look.fill, alpha=min(1.0, look.fill_opacity + 0.1), edgecolor=look.stroke or "#333333",
                                 linestyle=line["linestyle"], hatch=look.hatch, label=label))
    return handles


def _label(ax, fig, x: float, y: float, text: str, key: bool, scale: float,
           placed: list[tuple[float, float, float, float]], tp: dict[str, object]) -> None:
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
            ax.text(anchor_x, box[1], mpl_text(text), ha=ha, va="bottom", fontsize=size, **tp,
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


def _scale_bar(ax, x0: float, x1: float, y0: float, y1: float, scale: float, words: Words) -> None:
    span = (x1 - x0) / 5
    km = max(1, int(10 ** np.floor(np.log10(span / 1000))))
    km *= max(1, int((span / 1000) // km))
    bx, by = x1 - (x1 - x0) * 0.04 - km * 1000, y0 + (y1 - y0) * 0.05
    ax.plot([bx, bx + km * 1000], [by, by], color="#000000", linewidth=3 * scale, zorder=10, solid_capstyle="butt")
    ax.text(bx + km * 500, by + (y1 - y0) * 0.012, f"{words.number(km)} km", ha="center", va="bottom",
            fontsize=9 * scale, zorder=10, **text_props(words.lang))


def _north_arrow(ax, scale: float) -> None:
    ax.add_patch(FancyArrow(0.965, 0.83, 0, 0.08, width=0.008, head_width=0.025, head_length=0.035,
                            transform=ax.transAxes, color="#000000", zorder=10))
    ax.text(0.965, 0.94, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=12 * scale, weight="bold")

"""Map tiles for static snapshots: fetched within a deadline, cached on disk under a size cap.

contextily's fetcher waits for a tile without a time limit (a slow server held a thread for good) and its
joblib cache grows without bound; a hosted atlas needs both bounded. Every request here carries a timeout
no longer than what is left of the deadline, and the workers are joined before returning: no thread
outlives the call. The cache keeps raw tile files and drops the least recently used beyond the cap.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import mercantile
import numpy as np
import requests
from PIL import Image
from xyzservices import TileProvider

DEFAULT_CACHE_MB = 200.0
MAX_TILES = 64  # a 1920 px wide view needs ~24; more is a view nobody asked for
MAX_TILE_BYTES = 2 * 2**20
MAX_TILE_SIDE = 1024  # 256 or 512 px in practice; anything bigger is not a tile (or a decompression bomb)
WORKERS = 4
USER_AGENT = "PailinAtlas/1.0 (static map snapshots of a historical atlas)"


def cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pailin-atlas" / "tiles"


def cache_cap_bytes() -> int:
    """PAILIN_ATLAS_TILE_CACHE_MB (megabytes, may be fractional; 0 keeps nothing), default 200."""
    try:
        megabytes = float(os.environ.get("PAILIN_ATLAS_TILE_CACHE_MB", DEFAULT_CACHE_MB))
    except ValueError:
        megabytes = DEFAULT_CACHE_MB
    return int(megabytes * 2**20) if math.isfinite(megabytes) and megabytes >= 0 else int(DEFAULT_CACHE_MB * 2**20)


def tile_zoom(west: float, south: float, east: float, north: float, provider: TileProvider) -> int:
    """contextily's automatic zoom (the view about 2-4 tiles across), within the provider's zooms and
    lowered until the view needs at most MAX_TILES tiles."""
    span = max(min(east - west, north - south), 1e-9)
    zoom = int(min(max(math.ceil(math.log2(720.0 / span)), provider.get("min_zoom", 0)), provider.get("max_zoom", 19)))
    while zoom > 0 and _count(west, south, east, north, zoom) > MAX_TILES:
        zoom -= 1
    return zoom


def _count(west: float, south: float, east: float, north: float, zoom: int) -> int:
    ul, lr = mercantile.tile(west, north, zoom), mercantile.tile(east, south, zoom)
    return (abs(lr.x - ul.x) + 1) * (abs(lr.y - ul.y) + 1)


def fetch_mosaic(lonlat_bounds: tuple[float, float, float, float], provider: TileProvider, timeout_s: float
                 ) -> tuple[np.ndarray, tuple[float, float, float, float]] | None:
    """The tiles covering (west, south, east, north) in degrees, merged: (RGBA image, extent in Web
    Mercator as (left, right, bottom, top)), or None when any tile cannot be had within `timeout_s`."""
    west, south, east, north = lonlat_bounds
    west, east = max(west, -180.0), min(east, 180.0)
    south, north = max(south, -85.0511), min(north, 85.0511)
    if not (west < east and south < north):
        return None
    zoom = tile_zoom(west, south, east, north, provider)
    tiles = list(mercantile.tiles(west, south, east, north, [zoom]))
    if not tiles or len(tiles) > MAX_TILES:
        return None
    deadline = time.monotonic() + timeout_s
    with requests.Session() as session, ThreadPoolExecutor(WORKERS, thread_name_prefix="atlas-tile") as pool:
        # Leaving the `with` joins the workers; each of them gives up at the deadline at the latest.
        fetched = list(pool.map(lambda t: _tile(session, provider, t, deadline), tiles))
    if any(new for _, new in fetched):
        prune_cache()
    arrays = [array for array, _ in fetched]
    if any(a is None for a in arrays):
        return None
    return _merge(tiles, arrays)  # type: ignore[arg-type]


def _tile(session: requests.Session, provider: TileProvider, tile: mercantile.Tile, deadline: float
          ) -> tuple[np.ndarray | None, bool]:
    """(the tile's pixels or None, whether it was newly stored in the cache)."""
    url = provider.build_url(x=tile.x, y=tile.y, z=tile.z)
    data = _cached(url)
    new = data is None
    if data is None:
        data = _download(session, url, deadline)
        if data is None:
            return None, False
    try:
        with Image.open(io.BytesIO(data)) as image:
            if max(image.size) > MAX_TILE_SIDE:
                return None, False
            array = np.asarray(image.convert("RGBA"))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, False
    return array, new and _store(url, data)


def _download(session: requests.Session, url: str, deadline: float) -> bytes | None:
    left = deadline - time.monotonic()
    if left <= 0:
        return None
    try:
        with session.get(url, headers={"User-Agent": USER_AGENT}, timeout=(left, left), stream=True) as response:
            if response.status_code != 200:
                return None
            chunks, size = [], 0
            # The read timeout bounds each wait for bytes; the deadline bounds a server that trickles them.
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_TILE_BYTES or time.monotonic() > deadline:
                    return None
                chunks.append(chunk)
            return b"".join(chunks)
    except (requests.RequestException, OSError):
        return None


def _merge(tiles: list[mercantile.Tile], arrays: list[np.ndarray]) -> tuple[np.ndarray, tuple[float, float, float, float]]:
    h, w = arrays[0].shape[:2]
    x0, y0 = min(t.x for t in tiles), min(t.y for t in tiles)
    nx, ny = max(t.x for t in tiles) - x0 + 1, max(t.y for t in tiles) - y0 + 1
    image = np.zeros((h * ny, w * nx, 4), dtype=np.uint8)
    for tile, array in zip(tiles, arrays):
        if array.shape[:2] != (h, w):
            array = np.asarray(Image.fromarray(array).resize((w, h)))
        image[(tile.y - y0) * h:(tile.y - y0 + 1) * h, (tile.x - x0) * w:(tile.x - x0 + 1) * w] = array
    ul = mercantile.xy_bounds(mercantile.Tile(x0, y0, tiles[0].z))
    lr = mercantile.xy_bounds(mercantile.Tile(x0 + nx - 1, y0 + ny - 1, tiles[0].z))
    return image, (ul.left, lr.right, lr.bottom, ul.top)


# --- the disk cache ------------------------------------------------------------------------------------------

def _path(url: str) -> Path:
    return cache_dir() / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".tile")


def _cached(url: str) -> bytes | None:
    path = _path(url)
    try:
        data = path.read_bytes()
        os.utime(path)  # recently used: evicted last
        return data
    except OSError:
        return None


def _store(url: str, data: bytes) -> bool:
    """Keep the tile, written whole and then renamed (a reader never sees half a tile); True if stored."""
    path = _path(url)
    if cache_cap_bytes() < len(data):
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as part:
            part.write(data)
        os.replace(part.name, path)
    except OSError:
        return False
    return True


def prune_cache(cap_bytes: int | None = None) -> int:
    """Delete the least recently used tiles until the cache holds at most `cap_bytes` (default
    `cache_cap_bytes()`); returns the bytes it then holds. Leftover `.part` files go too."""
    cap = cache_cap_bytes() if cap_bytes is None else cap_bytes
    entries = []
    try:
        with os.scandir(cache_dir()) as listing:
            for entry in listing:
                try:
                    info = entry.stat()
                except OSError:
                    continue
                if entry.name.endswith(".part") and time.time() - info.st_mtime > 60:
                    _unlink(entry.path)
                elif entry.name.endswith(".tile"):
                    entries.append((info.st_mtime, info.st_size, entry.path))
    except OSError:
        return 0
    total = sum(size for _, size, _ in entries)
    for _, size, path in sorted(entries):
        if total <= cap:
            break
        if _unlink(path):
            total -= size
    return total


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:  # another session pruned it first
        return True
    except OSError:
        return False

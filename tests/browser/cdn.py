"""Offline routing for Playwright: CDN assets come from node_modules/, tiles are blank.

Folium (and the plugins the app uses) reference scripts, styles, fonts and images on
public CDNs. `local_asset_for` maps each such URL to a file installed from the npm
registry by `npm ci` (see package.json); `route_offline` installs a route on a
BrowserContext that serves those files, fakes map tiles, lets localhost through and
aborts (and records) everything else.
"""

from __future__ import annotations

import mimetypes
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route

REPO_ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = REPO_ROOT / "node_modules"
GENERATED = NODE_MODULES / ".cache" / "pailin-cdn"

# (URL prefix, path under node_modules/). The longest matching prefix wins; the rest
# of the URL is appended to the path. Keep in sync with package.json (exact versions).
TABLE: list[tuple[str, str]] = [
    ("https://cdn.jsdelivr.net/npm/leaflet@1.9.3/", "leaflet/"),
    ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery/dist/jquery.min.js"),
    ("https://code.jquery.com/jquery-3.7.1.js", "jquery/dist/jquery.js"),
    ("https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/", "bootstrap/"),
    ("https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/", "@fortawesome/fontawesome-free/"),
    # Glyphicons-only CSS (Bootstrap 3 glyphicons); its fonts resolve to ../fonts/.
    ("https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
     "@neos21/bootstrap3-glyphicons/dist/css/bootstrap3-glyphicons.css"),
    ("https://netdna.bootstrapcdn.com/bootstrap/3.0.0/fonts/", "@neos21/bootstrap3-glyphicons/dist/fonts/"),
    ("https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.",
     "drmonty-leaflet-awesome-markers/js/leaflet.awesome-markers."),
    ("https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
     "drmonty-leaflet-awesome-markers/css/leaflet.awesome-markers.css"),
    ("https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/images/",
     "drmonty-leaflet-awesome-markers/css/images/"),
    ("https://cdn.jsdelivr.net/npm/leaflet.timeline@1.6.0/", "leaflet.timeline/"),
    ("https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/", "moment/min/"),
    ("https://cdnjs.cloudflare.com/ajax/libs/leaflet-minimap/3.6.1/", "leaflet-minimap/src/"),
    ("https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/", "leaflet.fullscreen/"),
    ("https://cdn.jsdelivr.net/gh/ardhi/Leaflet.MousePosition/", "leaflet-mouse-position/"),
    ("https://cdn.jsdelivr.net/gh/ljagis/leaflet-measure@2.1.7/", "leaflet-measure/"),
]

# No npm package ships folium's rotate stylesheet; it is 360 one-line rules that the
# Icon(angle=...) class names use, so it is generated (same rules as folium's file).
ROTATE_CSS_URL = (
    "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/"
    "leaflet.awesome.rotate.min.css"
)
_GENERATED_TEXT: dict[str, tuple[str, str]] = {
    ROTATE_CSS_URL: (
        "leaflet.awesome.rotate.min.css",
        "".join(f".fa-rotate-{d}{{transform:rotate({d}deg)}}" for d in range(360)),
    ),
}

CDN_HOSTS = frozenset({
    "cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna.bootstrapcdn.com",
    "maxcdn.bootstrapcdn.com", "stackpath.bootstrapcdn.com", "unpkg.com", "d3js.org",
    "cdn.plot.ly", "ajax.googleapis.com", "rawcdn.githack.com", "rawgit.com",
})
# A tile request: a host named like a tile server, or a known map provider's host
# with a z/x/y-looking path (so e.g. a geocoder on openstreetmap.org is not a "tile").
TILE_HOST_RE = re.compile(r"(^|[.-])tiles?\d*[.-]|(^|\.)basemaps\.")
PROVIDER_HOST_RE = re.compile(
    r"(arcgisonline|cartocdn|openstreetmap|opentopomap|stadiamaps|mapbox|thunderforest)\.\w+$"
)
TILE_PATH_RE = re.compile(r"/tile/|/\d+/\d+/\d+(@2x)?(\.\w+)?$")
# URLs that are 404 on the real CDN too. Leaflet builds them when a default marker icon
# is created before leaflet.css applies (streamlit-folium injects the CSS late): its
# fallback strips one character too many from ".../dist/leaflet.css". Every folium
# Marker does this (it is created with the default icon, then setIcon), which is harmless
# when folium.Icon replaces it, but a Marker without icon= stays a broken image for users.
# Answered 404 like production, recorded in `upstream_404` (not a problem by itself):
# tests catch the visible case by checking that every <img> loaded.
UPSTREAM_BROKEN_RE = re.compile(r"^https://cdn\.jsdelivr\.net/npm/leaflet@[\d.]+/dist(marker-[\w-]+\.png)$")

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})

_EXTRA_TYPES = {
    ".js": "application/javascript", ".mjs": "application/javascript", ".css": "text/css",
    ".svg": "image/svg+xml", ".png": "image/png", ".woff": "font/woff", ".woff2": "font/woff2",
    ".ttf": "font/ttf", ".eot": "application/vnd.ms-fontobject", ".json": "application/json",
    ".map": "application/json",
}


def _strip(url: str) -> str:
    """URL without query string or fragment (fonts use ?#iefix, ?v=...)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


def _generated(name: str, text: str) -> Path:
    path = GENERATED / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def local_asset_for(url: str) -> Path | None:
    """The file under node_modules/ serving CDN `url`, or None when no row matches.

    A matching row whose file is missing (npm ci not run, wrong version) also gives None.
    `.min.js`/`.min.css` fall back to the unminified file (jsDelivr minifies on the fly).
    """
    bare = _strip(url)
    if bare in _GENERATED_TEXT:
        return _generated(*_GENERATED_TEXT[bare])
    matches = [(p, d) for p, d in TABLE if bare.startswith(p)]
    if not matches:
        return None
    prefix, target = max(matches, key=lambda m: len(m[0]))
    path = NODE_MODULES / (target + bare[len(prefix):])
    candidates = [path]
    for ext in (".js", ".css"):
        if path.name.endswith(".min" + ext):
            candidates.append(path.with_name(path.name[: -len(".min" + ext)] + ext))
    return next((c for c in candidates if c.is_file()), None)


def content_type(path: Path) -> str:
    return _EXTRA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _blank_png(size: int = 256, grey: int = 0xDD) -> bytes:
    """A size x size opaque grey PNG, built with the standard library only."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes([grey]) * size  # filter byte + one grey sample per pixel
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(row * size, 9)) + chunk(b"IEND", b""))


BLANK_TILE = _blank_png()


def is_tile(url: str) -> bool:
    parts = urlsplit(url)
    host = parts.hostname or ""
    return bool(TILE_HOST_RE.search(host)
                or (PROVIDER_HOST_RE.search(host) and TILE_PATH_RE.search(parts.path)))


@dataclass
class RequestLog:
    """What the offline route did; tests assert on `missing` and `blocked`."""

    served: list[str] = field(default_factory=list)   # CDN URLs served from node_modules/
    tiles: list[str] = field(default_factory=list)    # tile URLs answered with BLANK_TILE
    missing: list[str] = field(default_factory=list)  # failure messages: CDN URL, no local copy
    blocked: list[str] = field(default_factory=list)  # other external URLs, aborted
    upstream_404: list[str] = field(default_factory=list)  # UPSTREAM_BROKEN_RE URLs

    def problems(self) -> list[str]:
        """Failures: CDN URLs with no local copy, and any other external request."""
        return self.missing + [f"unexpected external request (aborted): {u}" for u in self.blocked]


def missing_message(url: str) -> str:
    return (f"CDN URL has no local copy: {url}\n"
            "  -> add the npm package (exact version in the URL) to package.json, run "
            "tests/setup.sh, and add a (URL prefix, node_modules path) row to TABLE in "
            "tests/browser/cdn.py")


def route_offline(context: BrowserContext, log: RequestLog | None = None) -> None:
    """Route every request of `context` so the page works with no network."""
    record = log if log is not None else RequestLog()

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or (parts.hostname or "") in LOCAL_HOSTS:
            route.continue_()
            return
        if UPSTREAM_BROKEN_RE.match(url):
            record.upstream_404.append(url)
            route.fulfill(status=404, body="", headers={"Access-Control-Allow-Origin": "*"})
            return
        asset = local_asset_for(url)
        if asset is not None:
            record.served.append(url)
            route.fulfill(status=200, path=str(asset), content_type=content_type(asset),
                          headers={"Access-Control-Allow-Origin": "*"})
        elif is_tile(url):
            record.tiles.append(url)
            route.fulfill(status=200, body=BLANK_TILE, content_type="image/png",
                          headers={"Access-Control-Allow-Origin": "*"})
        elif (parts.hostname or "") in CDN_HOSTS:
            record.missing.append(missing_message(url))
            route.abort("blockedbyclient")
        else:
            record.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)

"""Offline routing for Playwright: the app and its snapshots must work with no network.

`route_offline` lets the app's own server (localhost) and inline data through, answers map-tile
requests with a blank tile (tiles are the one thing a user with internet fetches from outside, and only
when they pick a tiled basemap), and aborts and records everything else: any other request a page makes
to the outside is a bug the test reports.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
# A tile request: a host named like a tile server, or a known map provider's host with a z/x/y path.
TILE_HOST_RE = re.compile(r"(^|[.-])tiles?\d*[.-]|(^|\.)basemaps\.")
PROVIDER_HOST_RE = re.compile(r"(arcgisonline|openstreetmap)\.\w+$")
TILE_PATH_RE = re.compile(r"/tile/|/\d+/\d+/\d+(@2x)?(\.\w+)?$")


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
    return bool(TILE_HOST_RE.search(host) or (PROVIDER_HOST_RE.search(host) and TILE_PATH_RE.search(parts.path)))


@dataclass
class RequestLog:
    """What the offline route saw; tests assert on `blocked`."""

    local: list[str] = field(default_factory=list)    # requests to the app's own server
    tiles: list[str] = field(default_factory=list)    # tile URLs answered with BLANK_TILE
    blocked: list[str] = field(default_factory=list)  # every other external request, aborted

    def problems(self) -> list[str]:
        return [f"unexpected external request (aborted): {u}" for u in self.blocked]


def route_offline(context: BrowserContext, log: RequestLog | None = None) -> None:
    """Route every request of `context` so the page works with no network."""
    record = log if log is not None else RequestLog()

    def handle(route: Route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            route.continue_()
        elif parts.scheme == "file" or (parts.hostname or "") in LOCAL_HOSTS:
            record.local.append(url)
            route.continue_()
        elif is_tile(url):
            record.tiles.append(url)
            route.fulfill(status=200, body=BLANK_TILE, content_type="image/png",
                          headers={"Access-Control-Allow-Origin": "*"})
        else:
            record.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", handle)

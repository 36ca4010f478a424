"""Static snapshots over map tiles from a real (local) tile server: fetched over HTTP, warped, cached."""

from __future__ import annotations

import io
import re
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from PIL import Image
from xyzservices import TileProvider

from layers.data.catalog import load_dataset
from layers.exports.export import parse_size
from layers.render.render_static import render
from layers.engine.timeline import Timeline

TILE_RGB = (255, 0, 255)  # magenta: no layer uses it, so the tiles can be found in the picture


def _tile_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), TILE_RGB).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture()
def tile_server():
    """An XYZ tile server on localhost that counts the tiles it serves."""
    png, served = _tile_png(), []

    class Tiles(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            if not re.fullmatch(r"/\d+/\d+/\d+\.png", self.path):
                self.send_error(404)
                return
            served.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    provider = TileProvider(name="Local test tiles", url=f"http://127.0.0.1:{server.server_port}/{{z}}/{{x}}/{{y}}.png",
                            attribution="© Local test tiles")
    yield provider, served
    server.shutdown()


def _credits(fig) -> str:
    return " ".join(t.get_text() for t in fig.texts)


def test_tiles_are_fetched_drawn_under_the_layers_and_credited(tile_server, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    provider, served = tile_server
    state = Timeline(load_dataset()).state_on(date(1994, 4, 19))
    fig = render(state, parse_size("800x450"), bbox=(102.3, 12.4, 103.6, 13.4), basemap=provider)
    assert served, "no tile was requested"
    assert "Basemap tiles: © Local test tiles" in _credits(fig)
    vector = render(state, parse_size("800x450"), bbox=(102.3, 12.4, 103.6, 13.4), basemap="vector")
    assert _magenta_share(fig) > 0.15 and _magenta_share(vector) < 0.01  # the tiles show under the layers


def _magenta_share(fig) -> float:
    png = io.BytesIO()
    fig.savefig(png, format="png")
    red, green, blue = np.asarray(Image.open(png).convert("RGB")).reshape(-1, 3).astype(int).T
    return float(((red > 190) & (blue > 190) & (green < 130)).mean())


def test_tiles_come_from_the_disk_cache_the_second_time(tile_server, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    provider, served = tile_server
    state = Timeline(load_dataset()).state_on(date(1994, 4, 19))
    render(state, parse_size("640x360"), bbox=(102.3, 12.4, 103.6, 13.4), basemap=provider)
    first = len(served)
    fig = render(state, parse_size("640x360"), bbox=(102.3, 12.4, 103.6, 13.4), basemap=provider)
    assert first > 0 and len(served) == first
    assert "Basemap tiles: © Local test tiles" in _credits(fig)
    assert any((tmp_path / "pailin-atlas" / "tiles").rglob("*"))


def test_a_failing_tile_server_falls_back_to_the_vector_basemap(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    dead = TileProvider(name="Nowhere", url="http://127.0.0.1:9/{z}/{x}/{y}.png", attribution="Nowhere")
    state = Timeline(load_dataset()).state_on(date(1994, 4, 19))
    fig = render(state, parse_size("400x300"), basemap=dead)
    assert "map tiles unavailable" in _credits(fig) and "Natural Earth" in _credits(fig)


SLOW_SERVER = """
import sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Slow(BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(30)  # a tile server that never answers in time

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
server.daemon_threads = True
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture()
def slow_tile_server():
    """A tile server in another process (its threads are not this process's), answering nothing for 30 s."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", SLOW_SERVER], stdout=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        yield TileProvider(name="Slow tiles", url=f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png", attribution="Slow")
    finally:
        proc.kill()
        proc.wait(10)


def test_a_slow_tile_server_times_out_and_leaves_no_thread_behind(slow_tile_server, tmp_path, monkeypatch):
    import time

    import layers.render.render_static as rs

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(rs, "TILE_TIMEOUT_S", 1.0)
    before = set(threading.enumerate())
    state = Timeline(load_dataset()).state_on(date(1994, 4, 19))
    started = time.monotonic()
    fig = render(state, parse_size("400x300"), bbox=(102.3, 12.4, 103.6, 13.4), basemap=slow_tile_server)
    assert time.monotonic() - started < 10
    assert "map tiles unavailable" in _credits(fig)
    left = [t for t in threading.enumerate() if t not in before]
    assert not left, f"threads still running after the snapshot: {left}"


def test_the_disk_cache_keeps_under_its_cap_dropping_the_least_recently_used(tile_server, tmp_path, monkeypatch):
    import os


    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cache = tmp_path / "pailin-atlas" / "tiles"
    cache.mkdir(parents=True)
    for k in range(20):  # 20 KB of tiles from an earlier run, oldest first
        old = cache / f"{k:064x}.tile"
        old.write_bytes(b"x" * 1024)
        os.utime(old, (1_000_000 + k, 1_000_000 + k))
    provider, served = tile_server
    tile_bytes = len(_tile_png())
    monkeypatch.setenv("PAILIN_ATLAS_TILE_CACHE_MB", str(12 * 1024 / 2**20))  # 12 KB
    render(Timeline(load_dataset()).state_on(date(1994, 4, 19)), parse_size("640x360"), bbox=(102.3, 12.4, 103.6, 13.4),
           basemap=provider)
    files = {p.name: p.stat().st_size for p in cache.iterdir()}
    assert served and sum(files.values()) <= 12 * 1024
    fresh = [name for name in files if not name.startswith("0" * 40)]
    assert len(fresh) == min(len(served), 12 * 1024 // tile_bytes)  # the new tiles kept, the oldest files dropped
    kept_old = sorted(name for name in files if name.startswith("0" * 40))
    assert kept_old == sorted(f"{k:064x}.tile" for k in range(20))[20 - len(kept_old):]


def test_the_cache_cap_is_an_operator_setting(monkeypatch):
    from layers.render.tiles import cache_cap_bytes

    assert cache_cap_bytes() == 200 * 2**20
    monkeypatch.setenv("PAILIN_ATLAS_TILE_CACHE_MB", "50")
    assert cache_cap_bytes() == 50 * 2**20
    monkeypatch.setenv("PAILIN_ATLAS_TILE_CACHE_MB", "lots")
    assert cache_cap_bytes() == 200 * 2**20


def test_a_view_never_asks_for_more_than_the_tile_cap(tile_server, tmp_path, monkeypatch):
    from layers.render.tiles import MAX_TILES, fetch_mosaic

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    provider, served = tile_server
    mosaic = fetch_mosaic((60.0, -10.0, 150.0, 40.0), provider, 8.0)  # a continent at once
    assert mosaic is not None and 0 < len(served) <= MAX_TILES

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

from layers.catalog import load_dataset
from layers.export import parse_size
from layers.render_static import render
from layers.timeline import Timeline

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

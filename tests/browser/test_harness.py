"""The offline browser harness itself works, independently of the real app."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import folium
import pytest
from folium.plugins import (Fullscreen, MeasureControl, MiniMap, MousePosition, Timeline,
                            TimelineSlider)
from playwright.sync_api import Frame, Page

from .cdn import RequestLog, local_asset_for
from .conftest import map_frame, streamlit_server

PLUGINS: list[type[Any]] = [folium.Map, Timeline, TimelineSlider, MiniMap, Fullscreen,
                            MousePosition, MeasureControl]
CENTER = (12.85, 102.61)  # Pailin
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "area", "start": "1979-01-01", "end": "1999-12-31"},
         "geometry": {"type": "Polygon", "coordinates": [[[102.5, 12.8], [102.7, 12.8], [102.7, 12.95],
                                                          [102.5, 12.95], [102.5, 12.8]]]}},
        {"type": "Feature", "properties": {"name": "road", "start": "1990-01-01", "end": "2020-01-01"},
         "geometry": {"type": "LineString", "coordinates": [[102.45, 12.75], [102.75, 13.0]]}},
    ],
}
MARKERS = ".leaflet-marker-icon, .awesome-marker"  # folium.Icon markers are awesome-markers
# Every <img> finished loading with real pixels (no broken-image icons).
ALL_IMAGES_OK = "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"


def cdn_urls() -> list[str]:
    return sorted({url for cls in PLUGINS
                   for attr in ("default_js", "default_css")
                   for _, url in getattr(cls, attr, [])})


def assert_map_ok(frame: Frame | Page, log: RequestLog, errors: list[str]) -> None:
    assert frame.evaluate("() => typeof window.L === 'object' && L.version") == "1.9.3"
    assert frame.locator(MARKERS).count() >= 1
    assert frame.locator(".leaflet-overlay-pane path").count() >= 1
    frame.wait_for_function(ALL_IMAGES_OK, timeout=15_000)
    assert log.tiles, "no map tile was requested"
    assert not log.problems(), log.problems()
    assert not errors, f"page errors: {errors}"


def test_cdn_table_covers_folium_and_plugins() -> None:
    missing = [url for url in cdn_urls() if local_asset_for(url) is None]
    assert not missing, "no local copy (run tests/setup.sh or extend cdn.TABLE): " + ", ".join(missing)
    assert local_asset_for("https://example.com/lib.js") is None


@pytest.fixture
def static_server(tmp_path: Path) -> Iterator[str]:
    """Serve tmp_path over HTTP on a free localhost port from a thread."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_folium_html_renders_offline(tmp_path: Path, static_server: str, page: Page,
                                     offline_log: RequestLog) -> None:
    m = folium.Map(location=CENTER, zoom_start=10)
    folium.Marker(CENTER, tooltip="default marker").add_to(m)
    folium.Marker((12.9, 102.55), icon=folium.Icon(color="red", icon="flag", prefix="fa")).add_to(m)
    folium.GeoJson(GEOJSON, name="geojson").add_to(m)
    timeline = Timeline(GEOJSON).add_to(m)
    TimelineSlider(auto_play=False, start="1975-01-01", end="2021-01-01").add_timelines(timeline).add_to(m)
    for plugin in (MiniMap(), Fullscreen(), MousePosition(), MeasureControl()):
        plugin.add_to(m)
    m.save(str(tmp_path / "map.html"))

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{static_server}/map.html", wait_until="load")
    page.wait_for_selector(".leaflet-tile-loaded")
    assert_map_ok(page, offline_log, errors)
    assert page.locator(".leaflet-control-minimap, .leaflet-control-measure").count() == 2
    assert page.evaluate("() => typeof moment === 'function' && typeof L.timeline === 'function'")
    assert set(cdn_urls()) <= set(offline_log.served)  # every asset really came from node_modules
    page.screenshot(path="/tmp/harness_folium.png")


ST_SCRIPT = '''
import datetime as dt
import folium
import streamlit as st
from streamlit_folium import st_folium

day = st.slider("Date", dt.date(1970, 1, 1), dt.date(2000, 1, 1), dt.date(1985, 6, 1))
st.write(f"Showing {day.isoformat()}")
m = folium.Map(location=CENTER, zoom_start=10)
folium.Marker(CENTER, tooltip=str(day), icon=folium.Icon(color="blue")).add_to(m)
folium.GeoJson(GEOJSON).add_to(m)
st_folium(m, height=450, width=800, key="map", returned_objects=[])
'''


def test_streamlit_st_folium_renders_offline(tmp_path: Path, page: Page,
                                             offline_log: RequestLog) -> None:
    script = tmp_path / "mini_app.py"
    script.write_text(f"CENTER = {CENTER!r}\nGEOJSON = {GEOJSON!r}\n{ST_SCRIPT}", encoding="utf-8")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    with streamlit_server(script, cwd=tmp_path) as url:
        page.goto(url)
        frame = map_frame(page)
        frame.wait_for_selector(".leaflet-tile-loaded")
        frame.wait_for_selector(MARKERS)
        assert_map_ok(frame, offline_log, errors)

        # Widget changes rerun the script; the map (a new iframe) comes back, still offline.
        for _ in range(3):
            page.get_by_role("slider").press("ArrowRight")
        page.get_by_text("Showing 1985-06-04").wait_for()
        frame = map_frame(page)
        frame.wait_for_selector(MARKERS)
        assert_map_ok(frame, offline_log, errors)
        page.screenshot(path="/tmp/harness_streamlit.png")

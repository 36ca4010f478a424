"""Slider step → the map's date stamp showing the new date, in a real browser, one run, three apps.

    python benchmarks/bench_scrub.py [--steps 25]

(a) floor: a bare Streamlit app with only a date slider and a text (the cost of any rerun);
(b) naive: the whole Folium map rebuilt and re-sent on every rerun;
(c) the atlas: a base map that never changes plus FeatureGroups for what the date changes;
(d) the cost of any streamlit-folium update: a slider and an empty map whose only layer is the date stamp,
    redrawn the atlas's way (in a fragment, base kept, one FeatureGroup sent).
The apps take turns step by step. Prints the median over the steps and the ratios to the floor (target: the atlas ≤ 1.3× the floor),
and the time to the first painted map after opening the app (first visitor of a fresh server, and the next). Headless Debian Chromium, offline:
CDN scripts are served from node_modules (tests/setup.sh), tiles are blank.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.cdn import route_offline  # noqa: E402
from tests.browser.conftest import streamlit_server  # noqa: E402

START = date(1994, 3, 1)
FLOOR_APP = """
import datetime as dt
import streamlit as st
day = st.slider("Date", min_value=dt.date(1989, 9, 1), max_value=dt.date(1998, 12, 31),
                value=dt.date(1994, 3, 1), step=dt.timedelta(days=1))
st.markdown(f'<div class="atlas-stamp">as of {day.day} {day:%B %Y}</div>', unsafe_allow_html=True)
"""
NAIVE_APP = f"""
import sys, datetime as dt
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from streamlit_folium import st_folium
from layers.catalog import load_dataset
from layers.timeline import Timeline
from layers.render_folium import full_map

@st.cache_resource
def timeline():
    return Timeline(load_dataset())

day = st.slider("Date", min_value=dt.date(1989, 9, 1), max_value=dt.date(1998, 12, 31),
                value=dt.date(1994, 3, 1), step=dt.timedelta(days=1))
st_folium(full_map(timeline().state_on(day), basemap="None (works offline)"), height=640,
          use_container_width=True, returned_objects=[])
"""
STFOLIUM_APP = f"""
import sys, datetime as dt
sys.path.insert(0, {str(ROOT)!r})
import streamlit as st
from streamlit_folium import st_folium
from layers.render_folium import MapPanel, _FeatureGroup, _Map

@st.fragment
def date_and_map():
    day = st.slider("Date", min_value=dt.date(1989, 9, 1), max_value=dt.date(1998, 12, 31),
                    value=dt.date(1994, 3, 1), step=dt.timedelta(days=1))
    stamp = _FeatureGroup(name="stamp")
    MapPanel(f"as of {{day.day}} {{day:%B %Y}}", "topright", "atlas-stamp").add_to(stamp)
    st_folium(_Map(location=(13, 103), zoom_start=8, tiles=None), feature_group_to_add=[stamp], key="map",
              height=640, use_container_width=True, returned_objects=[])

date_and_map()
"""
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# textContent, not innerText: reading innerText lays the page out on every poll, which would charge the
# measurement's own cost to the app with the bigger page.
STAMP_IN_PAGE = "(text) => [...document.querySelectorAll('.atlas-stamp')].some(e => e.textContent.trim() === text)"
STAMP_IN_FRAMES = """(text) => [...document.querySelectorAll('iframe')].some(f => {
  try { return [...f.contentDocument.querySelectorAll('.atlas-stamp')].some(e => e.textContent.trim() === text); }
  catch (e) { return false; } })"""


def _label(day: date) -> str:
    return f"as of {day.day} {day:%B %Y}"


class Probe:
    """One app open in its own browser context, stepped one day at a time."""

    def __init__(self, browser, url: str, in_frame: bool) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        route_offline(self.context)
        self.page = self.context.new_page()
        self.check = STAMP_IN_FRAMES if in_frame else STAMP_IN_PAGE
        opened = time.perf_counter()
        self.page.goto(f"{url}/?date={START.isoformat()}")
        self.page.wait_for_function(self.check, arg=_label(START), timeout=60_000, polling="raf")
        self.first_paint = time.perf_counter() - opened
        self.slider = self.page.locator('input[aria-label="Date"]')
        self.day = START
        self.times: list[float] = []

    def step(self) -> None:
        self.day += timedelta(days=1)
        self.slider.focus()
        start = time.perf_counter()
        self.slider.press("ArrowRight")
        self.page.wait_for_function(self.check, arg=_label(self.day), timeout=60_000, polling="raf")
        self.times.append(time.perf_counter() - start)
        self.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
        self.page.wait_for_timeout(150)  # let a follow-up run (the atlas's situation panel) finish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, contextlib.ExitStack() as stack:
        floor_py, naive_py, stfolium_py = Path(tmp) / "floor.py", Path(tmp) / "naive.py", Path(tmp) / "stfolium.py"
        floor_py.write_text(FLOOR_APP)
        naive_py.write_text(NAIVE_APP)
        stfolium_py.write_text(STFOLIUM_APP)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=LAUNCH_ARGS)
        apps = {
            "floor (slider + text)": (stack.enter_context(streamlit_server(floor_py)), False),
            "naive (whole map rebuilt)": (stack.enter_context(streamlit_server(naive_py)), True),
            "atlas (base kept, layers sent)": (stack.enter_context(streamlit_server(ROOT / "app.py")), True),
            "empty st_folium map (stamp only)": (stack.enter_context(streamlit_server(stfolium_py)), True),
        }
        probes = {name: Probe(browser, url, in_frame) for name, (url, in_frame) in apps.items()}
        # The apps take turns, step by step, so that the machine's slow moments fall on all of them alike.
        for _ in range(args.steps):
            for probe in probes.values():
                probe.step()
        # A second visitor finds the server's caches warm.
        warm = {name: Probe(browser, url, in_frame).first_paint for name, (url, in_frame) in apps.items()}
        results = {name: (statistics.median(p.times) * 1000, p.first_paint * 1000, warm[name] * 1000)
                   for name, p in probes.items()}
        browser.close()
    floor = results["floor (slider + text)"][0]
    print(f"slider step -> date stamp shows the new date, median of {args.steps} steps (headless Chromium):")
    for name, (median, first, second) in results.items():
        print(f"  {name:34} {median:7.0f} ms   ({median / floor:.2f}x floor)   first paint {first:6.0f} ms "
              f"(next visitor {second:5.0f} ms)")
    atlas = results["atlas (base kept, layers sent)"][0]
    print(f"target atlas <= 1.3x floor: {'met' if atlas <= 1.3 * floor else 'MISSED'} ({atlas / floor:.2f}x)")
    reference = results["empty st_folium map (stamp only)"][0]
    print(f"atlas / empty st_folium map: {atlas / reference:.2f}x (what the atlas adds to any streamlit-folium update)")


if __name__ == "__main__":
    main()

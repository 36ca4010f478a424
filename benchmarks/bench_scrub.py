"""Slider step → the map's date stamp showing the new date, in a real browser, one run, three apps.

    python benchmarks/bench_scrub.py [--steps 25]

(a) floor: a bare Streamlit app with only a date slider and a text (the cost of any rerun);
(b) naive: the whole Folium map rebuilt and re-sent on every rerun;
(c) the atlas: a base map that never changes plus FeatureGroups for what the date changes.
Prints the median over the steps and the ratios to the floor (target: the atlas ≤ 1.3× the floor),
and the time to the first painted map after opening the app. Headless Debian Chromium, offline:
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
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
STAMP_IN_PAGE = "(text) => [...document.querySelectorAll('.atlas-stamp')].some(e => e.innerText.trim() === text)"
STAMP_IN_FRAMES = """(text) => [...document.querySelectorAll('iframe')].some(f => {
  try { return [...f.contentDocument.querySelectorAll('.atlas-stamp')].some(e => e.innerText.trim() === text); }
  catch (e) { return false; } })"""


def _label(day: date) -> str:
    return f"as of {day.day} {day:%B %Y}"


def measure(browser, url: str, in_frame: bool, steps: int) -> tuple[float, float]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    route_offline(context)
    page = context.new_page()
    check = STAMP_IN_FRAMES if in_frame else STAMP_IN_PAGE
    opened = time.perf_counter()
    page.goto(f"{url}/?date={START.isoformat()}")
    page.wait_for_function(check, arg=_label(START), timeout=60_000, polling="raf")
    first_paint = time.perf_counter() - opened
    slider = page.locator('input[aria-label="Date"]')
    slider.focus()
    times = []
    day = START
    for _ in range(steps):
        day += timedelta(days=1)
        start = time.perf_counter()
        slider.press("ArrowRight")
        page.wait_for_function(check, arg=_label(day), timeout=60_000, polling="raf")
        times.append(time.perf_counter() - start)
        page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')
    context.close()
    return statistics.median(times) * 1000, first_paint * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, contextlib.ExitStack() as stack:
        floor_py, naive_py = Path(tmp) / "floor.py", Path(tmp) / "naive.py"
        floor_py.write_text(FLOOR_APP)
        naive_py.write_text(NAIVE_APP)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=LAUNCH_ARGS)
        apps = {
            "floor (slider + text)": (stack.enter_context(streamlit_server(floor_py)), False),
            "naive (whole map rebuilt)": (stack.enter_context(streamlit_server(naive_py)), True),
            "atlas (base kept, layers sent)": (stack.enter_context(streamlit_server(ROOT / "app.py")), True),
        }
        results = {}
        for name, (url, in_frame) in apps.items():
            results[name] = measure(browser, url, in_frame, args.steps)
        browser.close()
    floor = results["floor (slider + text)"][0]
    print(f"slider step -> date stamp shows the new date, median of {args.steps} steps (headless Chromium):")
    for name, (median, first) in results.items():
        print(f"  {name:32} {median:7.0f} ms   ({median / floor:.2f}x floor)   first paint {first:6.0f} ms")
    atlas = results["atlas (base kept, layers sent)"][0]
    print(f"target atlas <= 1.3x floor: {'met' if atlas <= 1.3 * floor else 'MISSED'} ({atlas / floor:.2f}x)")


if __name__ == "__main__":
    main()

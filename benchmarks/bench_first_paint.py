"""How long a visitor waits for the first painted map, beside a bare Streamlit app's first paint.

    python benchmarks/bench_first_paint.py [--visitors 8] [--lang km] [--fresh 5]

Three pages, each opened by `--visitors` new visitors in turn (a fresh browser context each: nothing
cached), taking turns so that a slow moment of this shared machine falls on all of them alike:
(a) floor: a bare Streamlit app with a date slider and a text (its first paint: the stamp is in the page);
(b) embed: the atlas's map alone (`?map_only=1`), the component and the map page in its iframe;
(c) map page: the atlas's map page with its situation panel, downloads and sidebar.
The servers are warmed by one visitor each first (the dataset loaded, the map page built), as for every
visitor after the first. A first paint is timed inside the page, from navigation start to the first time
the top document holds the painted mark (the floor's stamp; the map's <iframe> element, which the map
marks with data-day an animation frame after it has drawn its day). Target (issue 11): the map page's first
paint <= 1.3x the floor's. Printed: medians, the ratio of the medians, and each turn's ratio. For the map
page, also when its situation panel appeared: the page sends it once the map has painted (pages/map.py).
Then `--fresh` server starts of each app in turns, and the first paint of each start's first visitor
(the atlas prepares its datasets before it reports healthy: layers/ui/prepare.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from benchmarks.bench_scrub import FIRST_PAINT, FLOOR_APP, START  # noqa: E402
from tests.browser.conftest import CHROMIUM_ARGS, streamlit_server  # noqa: E402
from tests.browser.offline import route_offline  # noqa: E402


PANEL = "#situation"   # the situation panel's heading (pages/map.py)
PANEL_SHOWN = """() => {
  if (window.top !== window) return;
  const note = () => { if (!window.__panel && document.querySelector(%s)) window.__panel = performance.now(); };
  new MutationObserver(note).observe(document, {subtree: true, childList: true});
}""" % json.dumps(PANEL)


def first_paint_ms(browser, url: str, marked: str, panel: bool = False) -> tuple[float, float | None]:
    """The first paint, and (with `panel`) when the situation panel appeared, in ms from navigation start."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        route_offline(context)
        context.add_init_script(f"({FIRST_PAINT})({json.dumps(marked)})")
        context.add_init_script(f"({PANEL_SHOWN})()")
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => window.__painted", timeout=120_000, polling=100)
        if panel:
            page.wait_for_function("() => window.__panel", timeout=120_000, polling=100)
        return float(page.evaluate("() => window.__painted")), page.evaluate("() => window.__panel || null")
    finally:
        context.close()


def fresh_first_paints(browser, floor_py: Path, starts: int, lang: str) -> list[tuple[float, float]]:
    """(floor, map page) first paints of the first visitor after each of `starts` server starts."""
    pairs = []
    for _ in range(starts):
        with streamlit_server(floor_py) as floor:
            floor_ms, _ = first_paint_ms(browser, f"{floor}/", ".stamp[data-day]")
        with streamlit_server(ROOT / "app.py", deadline_s=120) as atlas:
            atlas_ms, _ = first_paint_ms(browser, f"{atlas}/?date={START}&lang={lang}", "iframe[data-day]")
        pairs.append((floor_ms, atlas_ms))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=8)
    parser.add_argument("--lang", default="en", help="the atlas's language (km: Khmer, with its fonts)")
    parser.add_argument("--fresh", type=int, default=5,
                        help="fresh servers of each app, in turns: the first visitor after a start (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw, contextlib.ExitStack() as stack:
        floor_py = Path(tmp) / "floor.py"
        floor_py.write_text(FLOOR_APP)
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        floor = stack.enter_context(streamlit_server(floor_py))
        floor_start_s = time.perf_counter() - started
        started = time.perf_counter()
        atlas = stack.enter_context(streamlit_server(ROOT / "app.py", deadline_s=120))
        atlas_start_s = time.perf_counter() - started
        pages = {
            "floor (slider + text)": (f"{floor}/", ".stamp[data-day]"),
            "embed (the map alone)": (f"{atlas}/?embed=true&map_only=1&date={START}&lang={args.lang}",
                                      "iframe[data-day]"),
            "map page": (f"{atlas}/?date={START}&lang={args.lang}", "iframe[data-day]"),
        }
        for url, marked in pages.values():  # warm-up: the dataset loaded, the pages built
            first_paint_ms(browser, url, marked)
        times: dict[str, list[float]] = {name: [] for name in pages}
        panel_times: list[float] = []
        for _ in range(args.visitors):
            for name, (url, marked) in pages.items():
                painted, panel = first_paint_ms(browser, url, marked, panel=name == "map page")
                times[name].append(painted)
                if panel is not None:
                    panel_times.append(panel)
        fresh = fresh_first_paints(browser, floor_py, args.fresh, args.lang)
        browser.close()
    floor_times = times["floor (slider + text)"]
    floor_median = statistics.median(floor_times)
    print(f"server start to healthy: floor {floor_start_s:.1f} s, atlas {atlas_start_s:.1f} s "
          "(the atlas prepares its datasets first: app.py)")
    print(f"first painted map, {args.visitors} new visitors each (warm servers), headless Chromium:")
    for name, ms in times.items():
        median = statistics.median(ms)
        turns = [m / f for m, f in zip(ms, floor_times)]
        print(f"  {name:24} median {median:6.0f} ms (range {min(ms):5.0f}-{max(ms):5.0f})  "
              f"{median / floor_median:4.2f}x the floor's median; per turn {min(turns):4.2f}-{max(turns):4.2f}x")
    panel_after = [p - m for p, m in zip(panel_times, times["map page"])]
    print(f"  map page's panel shown   median {statistics.median(panel_times):6.0f} ms, "
          f"{statistics.median(panel_after):4.0f} ms after its map (range {min(panel_after):4.0f}-{max(panel_after):4.0f})")
    page_median = statistics.median(times["map page"])
    print(f"target: map page <= 1.3x the floor's: {'met' if page_median <= 1.3 * floor_median else 'MISSED'} "
          f"({page_median / floor_median:.2f}x)")
    if fresh:
        ratios = [atlas / floor for floor, atlas in fresh]
        print(f"first visitor after a server start, {len(fresh)} starts each, in turns: floor median "
              f"{statistics.median(f for f, _ in fresh):.0f} ms, map page {statistics.median(a for _, a in fresh):.0f} ms; "
              f"map page / floor per start {min(ratios):.2f}-{max(ratios):.2f}x, median {statistics.median(ratios):.2f}x "
              f"(target <= 1.3x: {'met' if statistics.median(ratios) <= 1.3 else 'MISSED'})")


if __name__ == "__main__":
    main()

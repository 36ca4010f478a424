"""Visitors scrub the map's date at once: step latency, steps lost, the panel catching up, server CPU and memory.

    python benchmarks/bench_load.py [--visitors 8] [--light 0] [--steps 20] [--burst 5] [--interval-ms 80]
                                    [--pause-ms 1500] [--url URL [--server-pid PID]]
    python benchmarks/bench_load.py --visitors 2 --light 28      # a classroom of 30 on a 2-core machine
    python benchmarks/bench_load.py --faithful                   # a light visitor costs what a browser costs

Starts the app (`streamlit run app.py` on a free port) unless --url names a running server. Opens
--visitors real visitors in headless Debian Chromium (one browser, a context each; CDN scripts come from
node_modules/, tiles are blank, every other external request is aborted) and --light light visitors
(benchmarks/light_visitor.py: Python clients of Streamlit's websocket protocol that send the server what
a scrubbing browser sends, the map bridge's syncs, and nothing else), waits until every map shows the
start date, then every visitor scrubs like a student: `--burst` presses of ArrowRight on the slider
labelled "Date", `--interval-ms` apart, then a pause of `--pause-ms` to read the panel, `--steps` presses in
all (`--burst 0`: no pause). Visitors start spread over one burst and pause (`--stagger-ms`; 0: all at once).

Thirty Chromium renderers on a 2-core machine measure the browsers, not the app (in a classroom each
student has their own machine; only the server is shared): a few real visitors measure what a student
sees while light visitors bring the server's load to a classroom's.

A step's latency runs from its key press to the first moment the map shows its date or a later one (the
map may skip a day when presses come faster than it paints: that step is "skipped", not lost). A step is
lost when the map never gets there. What the map shows is read in the page by a probe (PROBES): the map
root's `data-day` attribute (the map contract in the team's contract), or, for the old st_folium map,
the date stamp's text inside its iframe.

The panel catches up after a pause: the map's bridge sends the day SYNC_MS after the last press, the
server reruns the page, and the panel's heading ("Situation on 4 March 1994") names the day. Browsers:
from the pause (the last press) and from the sync leaving the page to the heading shown. Light
visitors: from the sync sent to the heading received, and to the run's script_finished message.

Server figures (psutil, children included): CPU seconds per step and per sync during the scrub, and RSS
growth per session: after all visitors have opened and scrubbed, over the RSS after one warm-up visitor
(which loads the dataset and fills the shared caches). Targets (issue 11): 30 visitors, no step lost,
step p95 at most 150 ms, server CPU per step near zero (only the syncs cost anything); < 10 MB per session.

`--faithful` checks that a light visitor stands for a browser: one real visitor, then one light visitor,
alone, twice each, scrub the same way; server CPU per sync and per opening for each, and whether the
light visitor received the panel for each day it synced.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from playwright.async_api import Page, Route, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.offline import BLANK_TILE, LOCAL_HOSTS, is_tile  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402
from benchmarks.light_visitor import LightVisitor, Pace, Sync, panel_day  # noqa: E402

START = date(1994, 3, 1)

# Probes: JavaScript functions run in the top page on every animation frame; each returns the day the map
# shows as YYYY-MM-DD, or null. They look into same-origin iframes (components render in iframes).
_DOCS = """const docs = [document];
  for (const f of document.querySelectorAll('iframe')) {
    try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {} }"""
PROBES = {
    # The map contract: the map's root element carries data-day once restyled for that day.
    "data-day": f"""() => {{ {_DOCS}
  for (const d of docs) {{ const el = d.querySelector('[data-day]'); if (el) return el.getAttribute('data-day'); }}
  return null; }}""",
    # The st_folium map today: a panel "as of 19 April 1994" (textContent: no layout forced by reading it).
    "stamp": f"""() => {{ {_DOCS}
  const months = ['January','February','March','April','May','June','July','August','September','October',
                  'November','December'];
  for (const d of docs) {{
    const el = d.querySelector('.atlas-stamp'); if (!el) continue;
    const m = /(\\d{{1,2}}) (\\w+) (\\d{{4}})/.exec(el.textContent);
    if (!m || months.indexOf(m[2]) < 0) continue;
    const mm = String(months.indexOf(m[2]) + 1).padStart(2, '0');
    return `${{m[3]}}-${{mm}}-${{m[1].padStart(2, '0')}}`; }}
  return null; }}""",
}
# Records the first time (epoch ms) each day was seen. With the map contract's data-day, a MutationObserver
# (no polling: 30 pages polling every frame would measure the harness); otherwise the probe every frame.
OBSERVER = """() => {
  if (window.__atlasBench) return;
  const seen = {}; window.__atlasBench = seen;
  const note = (el) => { const d = el.getAttribute('data-day'); if (d && !(d in seen)) seen[d] = Date.now(); };
  new MutationObserver((records) => records.forEach(r => note(r.target)))
    .observe(document.documentElement, {subtree: true, attributes: true, attributeFilter: ['data-day']});
  document.querySelectorAll('[data-day]').forEach(note);
}"""
RECORDER = """(probe) => {
  if (window.__atlasBench) return;
  const seen = {}; window.__atlasBench = seen;
  const fn = eval(probe);
  const tick = () => { try { const d = fn(); if (d && !(d in seen)) seen[d] = Date.now(); } catch (e) {}
                       requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""
# Records the first time each panel heading was shown (the subheader's anchor is "situation", pages/map.py),
# and each time the page learnt that a run had finished (the app's script state turning "notRunning").
PANEL_OBSERVER = """() => {
  if (window.__atlasPanel) return;
  const seen = {}; window.__atlasPanel = seen; const idle = []; window.__atlasIdle = idle;
  const note = () => { const h = document.getElementById('situation');
                       const text = h && h.textContent.trim(); if (text && !(text in seen)) seen[text] = Date.now(); };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
  note();
  const app = document.querySelector('[data-testid="stApp"]');
  new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'notRunning') idle.push(Date.now()); })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Records when the page sends Streamlit a message (the bridge's syncs) and when a message reaches its socket
# (before the page renders it); installed before any script of the page runs.
SEND_RECORDER = """(() => {
  const sends = [], received = []; window.__atlasSends = sends; window.__atlasReceived = received;
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (!this.__atlasHeard) { this.__atlasHeard = true; this.addEventListener('message', () => received.push(Date.now())); }
    sends.push(Date.now()); return send.call(this, data); };
})();"""
SLIDER = 'input[aria-label="Date"], [role="slider"][aria-label="Date"]'


@dataclass
class Visitor:
    number: int
    page: Page
    first_paint_s: float = 0.0
    presses: list[float] = field(default_factory=list)  # epoch seconds of each key press
    seen: dict[str, float] = field(default_factory=dict)  # day -> epoch seconds first shown
    panel: dict[str, float] = field(default_factory=dict)  # day -> epoch seconds its panel heading was shown
    sends: list[float] = field(default_factory=list)  # epoch seconds of each message sent to Streamlit
    idle: list[float] = field(default_factory=list)  # epoch seconds at which a run had finished
    received: list[float] = field(default_factory=list)  # epoch seconds each message from Streamlit arrived


async def route_offline(route: Route) -> None:
    """Localhost through; tiles blank; anything else external aborted (the app needs no CDN)."""
    url = route.request.url
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about") or (parts.hostname or "") in LOCAL_HOSTS:
        await route.continue_()
        return
    if is_tile(url):
        await route.fulfill(status=200, body=BLANK_TILE, content_type="image/png",
                            headers={"Access-Control-Allow-Origin": "*"})
    else:
        await route.abort("blockedbyclient")


async def seen_days(page: Page) -> dict[str, float]:
    raw = await page.evaluate("() => window.__atlasBench || {}")
    return {day: ms / 1000 for day, ms in raw.items()}


async def shows(page: Page, day: date, timeout_s: float) -> bool:
    """Wait until the map has shown `day` or a later one."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if any(d >= day.isoformat() for d in await seen_days(page)):
            return True
        await asyncio.sleep(0.05)
    return False


async def open_visitor(browser, url: str, number: int, probe: str) -> Visitor:
    context = await browser.new_context(viewport={"width": 1400, "height": 900})
    await context.route("**/*", route_offline)
    await context.add_init_script(SEND_RECORDER)
    page = await context.new_page()
    opened = time.monotonic()
    await page.goto(f"{url}/?date={START.isoformat()}", timeout=180_000)
    if probe == "data-day":
        await page.evaluate(OBSERVER)
    else:
        await page.evaluate(RECORDER, PROBES[probe])
    await page.evaluate(PANEL_OBSERVER)
    if not await shows(page, START, 180):
        raise SystemExit(f"visitor {number}: the map never showed {START} (probe {probe!r}); is the app up?")
    visitor = Visitor(number, page, time.monotonic() - opened)
    await page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=120_000)
    return visitor


async def find_slider(page: Page):
    for frame in page.frames:
        slider = frame.locator(SLIDER)
        if await slider.count():
            return slider.first
    raise SystemExit('no slider labelled "Date" in the page or its frames')


async def scrub(visitor: Visitor, start: float, pace: Pace, settle_s: float) -> None:
    """From epoch second `start`, press ArrowRight on the slider at the times `pace` gives."""
    slider = await find_slider(visitor.page)
    await slider.focus()
    for offset in pace.press_offsets():
        await asyncio.sleep(max(0.0, start + offset - time.time()))
        visitor.presses.append(time.time())
        await visitor.page.keyboard.press("ArrowRight")
    last = START + timedelta(days=pace.steps)
    await shows(visitor.page, last, settle_s)
    # The rest of the page (situation panel, URL) follows the map in a full rerun after the last pause.
    end = time.monotonic() + settle_s
    while last.isoformat() not in await panel_days(visitor.page) and time.monotonic() < end:
        await asyncio.sleep(0.1)
    await visitor.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                         timeout=settle_s * 1000)
    visitor.seen = await seen_days(visitor.page)
    visitor.panel = await panel_days(visitor.page)
    recorded = await visitor.page.evaluate(
        "() => [window.__atlasSends || [], window.__atlasIdle || [], window.__atlasReceived || []]")
    visitor.sends, visitor.idle, visitor.received = ([ms / 1000 for ms in times] for times in recorded)


async def panel_days(page: Page) -> dict[str, float]:
    """Day -> epoch seconds its panel heading was first shown."""
    shown = await page.evaluate("() => window.__atlasPanel || {}")
    return {day: ms / 1000 for text, ms in shown.items() if (day := panel_day(text))}


def browser_syncs(visitor: Visitor, pace: Pace) -> list[Sync]:
    """The bridge's syncs after the visitor's pauses: when each left the page, when its run's messages arrived
    and the run finished (before the next sync left), when the panel showed its day."""
    syncs = []
    presses = visitor.presses + [float("inf")]
    for k in pace.synced_steps():
        day, paused = (START + timedelta(days=k + 1)).isoformat(), presses[k]
        shown = visitor.panel.get(day)
        sync = Sync("day", day, paused, panel=shown if shown is not None and shown > paused else None)
        sync.sent = next((t for t in visitor.sends if paused < t < presses[k + 1]), None)
        if sync.sent is not None:
            next_sent = next((t for t in visitor.sends if t > sync.sent), float("inf"))
            sync.finished = next((t for t in visitor.idle if sync.sent < t <= next_sent), None)
            arrived = [t for t in visitor.received if sync.sent < t <= min(next_sent, sync.finished or 0)]
            sync.received = arrived[-1] if arrived else None
        syncs.append(sync)
    return syncs


def detect_probe_js() -> str:
    return "() => (" + PROBES["data-day"] + ")() !== null"


def busy(before, after) -> float:
    idle = (after.idle + getattr(after, "iowait", 0)) - (before.idle + getattr(before, "iowait", 0))
    total = sum(after) - sum(before)
    return 1 - idle / total if total > 0 else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Server:
    """psutil figures for the server process and its children."""

    def __init__(self, pid: int | None) -> None:
        self.proc = psutil.Process(pid) if pid else None

    def _all(self) -> list[psutil.Process]:
        return [self.proc, *self.proc.children(recursive=True)] if self.proc else []

    def cpu_s(self) -> float | None:
        if not self.proc:
            return None
        return sum(p.cpu_times().user + p.cpu_times().system for p in self._all())

    def rss_mb(self) -> float | None:
        if not self.proc:
            return None
        return sum(p.memory_info().rss for p in self._all()) / 2**20


def client_cpu_s(server: Server) -> float:
    """CPU seconds of this script's other descendants: the browser and Playwright's driver."""
    skip = {p.pid for p in server._all()}
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        if proc.pid in skip:
            continue
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def pid_listening_on(url: str) -> int | None:
    port = urlsplit(url).port
    try:
        for conn in psutil.net_connections("tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
                return conn.pid
    except psutil.AccessDenied:
        pass
    return None


def own_cpu_s() -> float:
    """CPU seconds of this script itself: the light visitors and the Playwright client."""
    times = psutil.Process().cpu_times()
    return times.user + times.system


def step_latencies(visitors: list[Visitor]) -> tuple[list[float], int, int]:
    """Milliseconds from each press to the map showing its day or a later one; steps lost; steps skipped."""
    latencies, lost, skipped = [], 0, 0
    for v in visitors:
        for k, pressed in enumerate(v.presses):
            expected = (START + timedelta(days=k + 1)).isoformat()
            reached = [t for d, t in v.seen.items() if d >= expected]
            if not reached:
                lost += 1
                continue
            skipped += expected not in v.seen
            latencies.append(max(0.0, min(reached) - pressed) * 1000)
    return latencies, lost, skipped


def spread(values_ms: list[float]) -> str:
    if not values_ms:
        return "n/a"
    return (f"{percentile(values_ms, 0.5):.0f} / {percentile(values_ms, 0.95):.0f} / {max(values_ms):.0f} ms"
            f"  (n = {len(values_ms)})")


def catch_up_rows(syncs: list[Sync], kind: str) -> list[tuple[str, str]]:
    days = [s for s in syncs if s.kind == "day"]
    missed = sum(s.panel is None for s in days)
    finished = [(s.finished - s.sent) * 1000 for s in syncs if s.finished and s.sent]
    if kind == "browsers":
        return [
            ("panel catch-up, browsers, pause to heading shown", spread([(s.panel - s.paused) * 1000 for s in days if s.panel])),
            ("panel catch-up, browsers, sync to heading shown", spread([(s.panel - s.sent) * 1000 for s in days
                                                                         if s.panel and s.sent])),
            ("browsers, sync to run's last message received", spread([(s.received - s.sent) * 1000 for s in syncs
                                                                       if s.received and s.sent])),
            ("browsers, sync to run finished (page idle)", spread(finished)),
            ("pauses whose day the browsers' panel never showed", f"{missed} of {len(days)}"),
        ]
    return [
        ("panel catch-up, light, sync to heading received", spread([(s.panel - s.sent) * 1000 for s in days if s.panel])),
        ("light, sync to script_finished received", spread(finished)),
        ("light syncs superseded before their run finished", f"{len(syncs) - len(finished)} of {len(syncs)}"),
        ("light day syncs whose panel heading never came", f"{missed} of {len(days)}"),
    ]


def start_offsets(browsers: int, light: int, window_s: float) -> tuple[list[float], list[float]]:
    """Start offsets spread evenly over `window_s` (a class does not press in step); the browsers' spread
    among the light visitors', so that what they see stands for the whole class."""
    total = browsers + light
    offsets = [i * window_s / total for i in range(total)]
    slots = {round(j * total / browsers) for j in range(browsers)} if browsers else set()
    return [offsets[i] for i in sorted(slots)], [o for i, o in enumerate(offsets) if i not in slots]


async def open_in_waves(opener, count: int, wave: int) -> list:
    """`opener(number)` for 1..count, `wave` at once: a classroom does not click at the same millisecond,
    and 30 clients starting together on this machine would measure the clients, not the app."""
    opened = []
    for first in range(0, count, wave):
        opened += await asyncio.gather(*(opener(n + 1) for n in range(first, min(first + wave, count))))
    return opened


async def warm_up(browser, url: str, probe: str) -> str:
    """One visitor loads the dataset and fills the shared caches; which probe the map answers to."""
    warm = await open_visitor(browser, url, 0, "stamp" if probe == "auto" else probe)
    if probe == "auto":
        probe = "data-day" if await warm.page.evaluate(detect_probe_js()) else "stamp"
    await warm.page.context.close()
    await asyncio.sleep(1.0)
    return probe


def pace_of(args: argparse.Namespace) -> Pace:
    return Pace(args.steps, args.burst, args.interval_ms / 1000, args.pause_ms / 1000)


def describe(pace: Pace) -> str:
    presses = f"{pace.steps} presses {pace.interval_s * 1000:g} ms apart"
    if not pace.burst or pace.burst >= pace.steps:
        return f"{presses}, no pause"
    return f"{presses} in bursts of {pace.burst}, {pace.pause_s * 1000:g} ms pauses"


async def run(args: argparse.Namespace, url: str, server: Server) -> None:
    pace = pace_of(args)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        probe = await warm_up(browser, url, args.probe)
        rss_base, open_cpu_before, open_client_before = server.rss_mb(), server.cpu_s(), client_cpu_s(server)
        visitors = await open_in_waves(lambda n: open_visitor(browser, url, n, probe), args.visitors, args.open_wave)
        open_cpu_browsers, open_client = server.cpu_s(), client_cpu_s(server) - open_client_before
        lights = await open_in_waves(lambda n: LightVisitor.open(url, n, START, 180, args.view_every),
                                     args.light, args.open_wave)
        open_cpu_light = server.cpu_s()
        await asyncio.sleep(1.0)
        rss_open = server.rss_mb()
        window = pace.cycle_s if args.stagger_ms is None else args.stagger_ms / 1000
        browser_offsets, light_offsets = start_offsets(len(visitors), len(lights), window)
        load_before = os.getloadavg()[0]
        cpu_before, client_before, own_before, machine_before = (server.cpu_s(), client_cpu_s(server), own_cpu_s(),
                                                                 psutil.cpu_times())
        start = time.time() + 0.5
        await asyncio.gather(*(scrub(v, start + o, pace, args.settle_s) for v, o in zip(visitors, browser_offsets)),
                             *(v.scrub(start + o, pace, START, args.settle_s) for v, o in zip(lights, light_offsets)))
        scrub_s = time.time() - start
        await asyncio.sleep(0.5)
        cpu_after, client_after, own_after, machine_after = (server.cpu_s(), client_cpu_s(server), own_cpu_s(),
                                                             psutil.cpu_times())
        await asyncio.sleep(1.0)
        rss_after = server.rss_mb()
        for light in lights:
            await light.close()
        await browser.close()

    ms, lost, skipped = step_latencies(visitors)
    browser_sync = [s for v in visitors for s in browser_syncs(v, pace)]
    light_sync = [s for v in lights for s in v.syncs]
    sessions = len(visitors) + len(lights)
    steps_total = sessions * args.steps
    # Every message a browser sent during the scrub is a sync (the page sends nothing else meanwhile).
    syncs_total = sum(1 for v in visitors for t in v.sends if t >= start) + len(light_sync)
    paints = [v.first_paint_s for v in visitors]
    light_opens = [v.first_paint_s for v in lights]
    browsers_steps = f"{len(visitors) * args.steps}"
    rows = [
        ("visitors", f"{len(visitors)} in Chromium + {len(lights)} light (probe: {probe})"),
        ("pace", f"{describe(pace)}; starts spread over {window:.1f} s"),
        ("browsers' step latency p50/p95/max", spread(ms)),
        ("browsers' steps lost (never reached)", f"{lost} of {browsers_steps}"),
        ("browsers' steps skipped (a later day first)", f"{skipped} of {browsers_steps}"),
    ]
    if visitors:
        rows += catch_up_rows(browser_sync, "browsers")
    if lights:
        views = sum(s.kind == "view" for s in light_sync)
        rows += catch_up_rows(light_sync, "light")
        rows.append(("light visitors' syncs", f"{len(light_sync) - views} days + {views} views"))
    rows += [
        ("first paint median / max (browsers)", f"{statistics.median(paints):.1f} / {max(paints):.1f} s"
         if paints else "n/a"),
        ("light visitor's first run median / max", f"{statistics.median(light_opens):.1f} / {max(light_opens):.1f} s"
         if light_opens else "n/a"),
        ("browsers' CPU while opening", f"{open_client:.1f} s"),
        ("scrub wall time (until every page is idle)", f"{scrub_s:.1f} s"),
        ("browsers' CPU during the scrub", f"{client_after - client_before:.1f} s"),
        ("this script's CPU during the scrub", f"{own_after - own_before:.1f} s (light visitors, Playwright client)"),
        ("machine busy during the scrub", f"{busy(machine_before, machine_after):.0%} of {psutil.cpu_count()} cores "
         f"(load average before: {load_before:.1f}; other work on the machine counts too)"),
    ]
    if cpu_before is not None:
        scrub_cpu = cpu_after - cpu_before
        rows += [
            ("server CPU per opening: browser / light",
             f"{per_ms(open_cpu_browsers - open_cpu_before, len(visitors))} / "
             f"{per_ms(open_cpu_light - open_cpu_browsers, len(lights))}"),
            ("server CPU per step", f"{per_ms(scrub_cpu, steps_total)} ({scrub_cpu:.1f} s for {steps_total} steps)"),
            ("server CPU per sync", f"{per_ms(scrub_cpu, syncs_total)} ({syncs_total} syncs)"),
            ("server RSS after warm-up visitor", f"{rss_base:.0f} MB"),
            ("RSS growth per session (opened)", f"{(rss_open - rss_base) / sessions:.1f} MB"),
            ("RSS growth per session (after scrub)", f"{(rss_after - rss_base) / sessions:.1f} MB"),
        ]
    else:
        rows.append(("server figures", "n/a (pass --server-pid, or run without --url)"))
    print_rows(url, rows)
    met = bool(ms) and lost == 0 and percentile(ms, 0.95) <= 150 and (cpu_before is None or (rss_after - rss_base) / sessions < 10)
    verdict = ("met" if met else "MISSED") if ms else "n/a (no browser visitor)"
    print(f"target ({sessions} visitors: no step lost, step p95 <= 150 ms, < 10 MB/session): {verdict}")


def per_ms(cpu_s: float, count: int) -> str:
    return f"{cpu_s / count * 1000:.0f} ms" if count else "n/a"


def print_rows(url: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"bench_load: {url}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")


async def alone(kind: str, browser, url: str, number: int, probe: str, pace: Pace, server: Server,
                settle_s: float) -> tuple[float, float, int, list[Sync]]:
    """One visitor ("Chromium" or "light") alone on the server: the server's CPU seconds for its opening and
    for its scrub, the messages it sent during the scrub, and its syncs."""
    cpu_before = server.cpu_s()
    if kind == "Chromium":
        visitor = await open_visitor(browser, url, number, probe)
    else:
        visitor = await LightVisitor.open(url, number, START, 180)
    await asyncio.sleep(1.0)
    cpu_opened, start = server.cpu_s(), time.time() + 0.3
    if kind == "Chromium":
        await scrub(visitor, start, pace, settle_s)
        syncs, sent = browser_syncs(visitor, pace), sum(t >= start for t in visitor.sends)
    else:
        await visitor.scrub(start, pace, START, settle_s)
        syncs, sent = visitor.syncs, len(visitor.syncs)
    await asyncio.sleep(0.5)
    cpu_scrub = server.cpu_s() - cpu_opened
    await (visitor.page.context.close() if kind == "Chromium" else visitor.close())
    return cpu_opened - cpu_before, cpu_scrub, sent, syncs


async def faithful(args: argparse.Namespace, url: str, server: Server) -> None:
    """One browser visitor, then one light visitor, alone, `--rounds` times: server CPU per opening and per
    sync, and how soon each saw its panel."""
    if server.proc is None:
        raise SystemExit("--faithful measures the server's CPU: pass --server-pid, or run without --url")
    pace = pace_of(args)
    rows, per_sync = [], {"Chromium": [], "light": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        probe = await warm_up(browser, url, args.probe)
        idle_before = server.cpu_s()
        await asyncio.sleep(3.0)
        idle_ms_per_s = (server.cpu_s() - idle_before) / 3.0 * 1000
        for number in range(1, 2 * args.rounds + 1):
            kind = "Chromium" if number % 2 else "light"
            cpu_open, cpu_scrub, sent, syncs = await alone(kind, browser, url, number, probe, pace, server,
                                                           args.settle_s)
            per_sync[kind].append(cpu_scrub / sent * 1000)
            days = [s for s in syncs if s.kind == "day"]
            # A light visitor's run ends with script_finished received; a browser's, with its last message.
            last_message = [((s.received or s.finished) - s.sent) * 1000 for s in syncs if s.finished and s.sent]
            rows += [
                (f"{kind} visitor {number}", f"server CPU: opening {cpu_open * 1000:.0f} ms, per sync "
                 f"{cpu_scrub / sent * 1000:.0f} ms ({sent} syncs); panel showed the synced day "
                 f"{sum(s.panel is not None for s in days)} of {len(days)}"),
                ("  sync to panel heading", spread([(s.panel - s.sent) * 1000 for s in days if s.panel and s.sent])),
                ("  sync to the run's last message", spread(last_message)),
            ]
            await asyncio.sleep(1.0)
        await browser.close()
    browser_ms, light_ms = statistics.mean(per_sync["Chromium"]), statistics.mean(per_sync["light"])
    rows += [
        ("server CPU while idle", f"{idle_ms_per_s:.1f} ms per second (counted in every window above)"),
        ("pace", describe(pace)),
        ("server CPU per sync, mean: Chromium / light", f"{browser_ms:.0f} / {light_ms:.0f} ms "
                                                          f"(light / Chromium = {light_ms / browser_ms:.2f})"),
    ]
    print_rows(url, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=8, help="real visitors in headless Chromium")
    parser.add_argument("--light", type=int, default=0, help="light visitors (benchmarks/light_visitor.py)")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--burst", type=int, default=5, help="presses between two pauses (0: no pause)")
    parser.add_argument("--interval-ms", type=float, default=80, help="between two presses of a burst")
    parser.add_argument("--pause-ms", type=float, default=1500, help="a pause to read the panel")
    parser.add_argument("--stagger-ms", type=float, help="visitors start spread over this (default: one burst "
                                                           "and pause; 0: all at once)")
    parser.add_argument("--view-every", type=int, default=3, help="a light visitor pans after every n-th pause (0: never)")
    parser.add_argument("--open-wave", type=int, default=8, help="visitors opening the app at once")
    parser.add_argument("--settle-s", type=float, default=60, help="how long to wait for the last step to show")
    parser.add_argument("--probe", choices=["auto", *PROBES], default="auto")
    parser.add_argument("--faithful", action="store_true", help="compare one browser with one light visitor")
    parser.add_argument("--rounds", type=int, default=2, help="with --faithful: browser-then-light rounds")
    parser.add_argument("--url", help="a running server (default: start app.py on a free port)")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for CPU and memory")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `bash tests/setup.sh`")
    bench = faithful if args.faithful else run
    if args.url:
        url = args.url.rstrip("/")
        asyncio.run(bench(args, url, Server(args.server_pid or pid_listening_on(url))))
        return
    with streamlit_server(ROOT / "app.py", deadline_s=90) as url:
        asyncio.run(bench(args, url, Server(pid_listening_on(url))))


if __name__ == "__main__":
    main()

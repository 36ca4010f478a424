"""N real browser visitors scrub the map's date at once: step latency, steps lost, server CPU and memory.

    python benchmarks/bench_load.py [--visitors 8] [--steps 20] [--interval-ms 80] [--url URL [--server-pid PID]]

Starts the app (`streamlit run app.py` on a free port) unless --url names a running server. Opens N
visitors in headless Debian Chromium (one browser, a context each; CDN scripts come from node_modules/,
tiles are blank, every other external request is aborted), waits until every map shows the start date,
then all of them at once press ArrowRight on the slider labelled "Date", K times, `--interval-ms` apart.

A step's latency runs from its key press to the first moment the map shows its date or a later one (the
map may skip a day when presses come faster than reruns: that step is "skipped", not lost). A step is
lost when the map never gets there. What the map shows is read in the page on every animation frame by
a probe (PROBES): the map root's `data-day` attribute (the map contract in the team's contract), or,
for the current st_folium map, the date stamp's text inside its iframe.

Server figures (psutil, children included): CPU seconds per step during the scrub, and RSS growth per
session: after all visitors have opened and scrubbed, over the RSS after one warm-up visitor (which
loads the dataset and fills the shared caches). Target with 8 visitors: no step lost, p95 < 1 s,
< 10 MB per session.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psutil
from playwright.async_api import Page, Route, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.offline import BLANK_TILE, LOCAL_HOSTS, is_tile  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402

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
SLIDER = 'input[aria-label="Date"], [role="slider"][aria-label="Date"]'


@dataclass
class Visitor:
    number: int
    page: Page
    first_paint_s: float = 0.0
    presses: list[float] = field(default_factory=list)  # epoch seconds of each key press
    seen: dict[str, float] = field(default_factory=dict)  # day -> epoch seconds first shown


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
    page = await context.new_page()
    opened = time.monotonic()
    await page.goto(f"{url}/?date={START.isoformat()}", timeout=180_000)
    if probe == "data-day":
        await page.evaluate(OBSERVER)
    else:
        await page.evaluate(RECORDER, PROBES[probe])
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


async def scrub(visitor: Visitor, steps: int, interval_s: float, settle_s: float) -> None:
    slider = await find_slider(visitor.page)
    await slider.focus()
    t0 = time.time()
    for k in range(steps):
        await asyncio.sleep(max(0.0, t0 + k * interval_s - time.time()))
        visitor.presses.append(time.time())
        await visitor.page.keyboard.press("ArrowRight")
    await shows(visitor.page, START + timedelta(days=steps), settle_s)
    visitor.seen = await seen_days(visitor.page)
    # The rest of the page (situation panel, URL) follows the map in a full rerun: part of a step's cost.
    await visitor.page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                                         timeout=settle_s * 1000)


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


def start_server(log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.port", str(port), "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 90
    while time.monotonic() < end and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the Streamlit server did not become healthy within 90 s")


def pid_listening_on(url: str) -> int | None:
    port = urlsplit(url).port
    try:
        for conn in psutil.net_connections("tcp"):
            if conn.laddr and conn.laddr.port == port and conn.status == psutil.CONN_LISTEN:
                return conn.pid
    except psutil.AccessDenied:
        pass
    return None


async def run(args: argparse.Namespace, url: str, server: Server) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        # Which probe: the map contract's data-day when the map has it, else the st_folium date stamp.
        warm = await open_visitor(browser, url, 0, "stamp" if args.probe == "auto" else args.probe)
        probe = args.probe
        if probe == "auto":
            probe = "data-day" if await warm.page.evaluate(detect_probe_js()) else "stamp"
        await warm.page.context.close()
        await asyncio.sleep(1.0)
        rss_base, open_cpu_before, open_client_before = server.rss_mb(), server.cpu_s(), client_cpu_s(server)
        # Visitors open in waves (--open-wave at once): a classroom does not click at the same millisecond,
        # and 30 browsers starting together on this machine would measure the browsers, not the app.
        visitors = []
        for first in range(0, args.visitors, args.open_wave):
            wave = range(first, min(first + args.open_wave, args.visitors))
            visitors += await asyncio.gather(*(open_visitor(browser, url, n + 1, probe) for n in wave))
        await asyncio.sleep(1.0)
        rss_open, open_cpu, open_client = server.rss_mb(), server.cpu_s(), client_cpu_s(server) - open_client_before
        load_before = os.getloadavg()[0]
        cpu_before, client_before, machine_before = server.cpu_s(), client_cpu_s(server), psutil.cpu_times()
        scrub_started = time.monotonic()
        await asyncio.gather(*(scrub(v, args.steps, args.interval_ms / 1000, args.settle_s) for v in visitors))
        scrub_s = time.monotonic() - scrub_started
        await asyncio.sleep(0.5)
        cpu_after, client_after, machine_after = server.cpu_s(), client_cpu_s(server), psutil.cpu_times()
        await asyncio.sleep(1.0)
        rss_after = server.rss_mb()
        await browser.close()

    latencies, lost, skipped = [], 0, 0
    for v in visitors:
        for k, pressed in enumerate(v.presses):
            expected = (START + timedelta(days=k + 1)).isoformat()
            reached = [t for d, t in v.seen.items() if d >= expected]
            if not reached:
                lost += 1
                continue
            skipped += expected not in v.seen
            latencies.append(max(0.0, min(reached) - pressed))
    total = args.visitors * args.steps
    ms = [x * 1000 for x in latencies]
    paints = [v.first_paint_s for v in visitors]
    rows = [
        ("visitors x steps", f"{args.visitors} x {args.steps}, {args.interval_ms:g} ms apart (probe: {probe})"),
        ("step latency p50 / p95 / max", f"{percentile(ms, 0.5):.0f} / {percentile(ms, 0.95):.0f} / {max(ms):.0f} ms"
         if ms else "n/a"),
        ("steps lost (never reached)", f"{lost} of {total}"),
        ("steps skipped (a later day came first)", f"{skipped} of {total}"),
        ("first paint median / max (all opening at once)", f"{statistics.median(paints):.1f} / {max(paints):.1f} s"),
        ("browsers' CPU while opening", f"{open_client:.1f} s"),
        ("scrub wall time (until every page is idle)", f"{scrub_s:.1f} s"),
        ("browsers' CPU during the scrub", f"{client_after - client_before:.1f} s"),
        ("machine busy during the scrub", f"{busy(machine_before, machine_after):.0%} of {psutil.cpu_count()} cores "
         f"(load average before: {load_before:.1f}; other work on the machine counts too)"),
    ]
    if cpu_before is not None:
        rows += [
            ("server CPU per visitor opening", f"{(open_cpu - open_cpu_before) / args.visitors * 1000:.0f} ms"),
            ("server CPU per step", f"{(cpu_after - cpu_before) / total * 1000:.0f} ms "
             f"({cpu_after - cpu_before:.1f} s for {total} steps)"),
            ("server RSS after warm-up visitor", f"{rss_base:.0f} MB"),
            ("RSS growth per session (opened)", f"{(rss_open - rss_base) / args.visitors:.1f} MB"),
            ("RSS growth per session (after scrub)", f"{(rss_after - rss_base) / args.visitors:.1f} MB"),
        ]
    else:
        rows.append(("server figures", "n/a (pass --server-pid, or run without --url)"))
    width = max(len(name) for name, _ in rows)
    print(f"bench_load: {url}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    met = ms and lost == 0 and percentile(ms, 0.95) < 1000 and (
        cpu_before is None or (rss_after - rss_base) / args.visitors < 10)
    print(f"target (8 visitors: none lost, p95 < 1 s, < 10 MB/session): {'met' if met else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visitors", type=int, default=8)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--open-wave", type=int, default=8, help="visitors opening the app at once")
    parser.add_argument("--interval-ms", type=float, default=80)
    parser.add_argument("--settle-s", type=float, default=60, help="how long to wait for the last step to show")
    parser.add_argument("--probe", choices=["auto", *PROBES], default="auto")
    parser.add_argument("--url", help="a running server (default: start app.py on a free port)")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for CPU and memory")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"{CHROMIUM} is missing: run `bash tests/setup.sh`")
    if args.url:
        url = args.url.rstrip("/")
        asyncio.run(run(args, url, Server(args.server_pid or pid_listening_on(url))))
        return
    with tempfile.TemporaryFile() as log:
        proc, url = start_server(log)
        try:
            asyncio.run(run(args, url, Server(proc.pid)))
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    main()

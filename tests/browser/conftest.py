"""Real-browser fixtures: a Streamlit server, headless Debian Chromium, offline pages.

Fixtures: `app_url` (session: the real app.py served by Streamlit), `browser`
(session), `offline_log` and `page` (per test: a fresh routed context). Helpers:
`streamlit_server(script)` serves any script, `wait_for_app_idle(page)` waits out a
rerun, `map_frame(page)` gives the atlas map's Frame.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page, sync_playwright

from tests.browser.offline import RequestLog, route_offline

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The map component (layers/render/js/atlas_bridge.js) holds the map page in this iframe.
MAP_IFRAME = ".atlas-host iframe"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: real-browser test (headless Chromium, offline)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    report = yield
    setattr(item, f"rep_{report.when}", report)  # lets `page` see whether the test failed
    return report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http_ok(url: str, deadline_s: float, alive: subprocess.Popen[bytes] | None = None) -> bool:
    """Poll `url` until it answers 200; False on deadline or if `alive` exits first."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if alive is not None and alive.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)  # polling interval, bounded by the deadline above
    return False


@contextmanager
def streamlit_server(script: Path, cwd: Path = REPO_ROOT, deadline_s: float = 60) -> Iterator[str]:
    """Run `streamlit run script` on a free port; yield its base URL; stop it afterwards."""
    if not script.is_file():
        pytest.fail(f"Streamlit script not found: {script}")  # e.g. app.py not written yet
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            if not wait_http_ok(f"http://127.0.0.1:{port}/_stcore/health", deadline_s, proc):
                proc.kill()
                proc.wait(10)
                out.seek(0)
                log = out.read().decode(errors="replace")
                pytest.fail(f"Streamlit did not become healthy within {deadline_s:g}s "
                            f"(exit code {proc.returncode}): {' '.join(cmd)}\n--- output ---\n{log}")
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Base URL of the real app (app.py at the repo root), shared by the session."""
    with streamlit_server(REPO_ROOT / "app.py") as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash tests/setup.sh` (installs Debian's chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def offline_log() -> RequestLog:
    """What the offline route served/blocked for this test's `page`."""
    return RequestLog()


@pytest.fixture
def page(browser: Browser, offline_log: RequestLog, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh offline page; fails at teardown on unrouted CDN or external requests."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    route_offline(context, offline_log)
    pg = context.new_page()
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    if offline_log.problems():
        pytest.fail("offline route problems:\n" + "\n".join(offline_log.problems()))


def wait_for_app_idle(page: Page, timeout_ms: float = 30_000) -> None:
    """Wait until the Streamlit script run is over and no stale element is left."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]',
                           timeout=timeout_ms)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')",
                           timeout=timeout_ms)


def map_frame(page: Page, timeout_ms: float = 30_000, index: int = 0) -> Frame:
    """The Frame of the `index`-th atlas map, once its time layer has painted a day."""
    handle = page.locator(MAP_IFRAME).nth(index).element_handle(timeout=timeout_ms)
    frame = handle.content_frame()
    if frame is None:
        pytest.fail("the map iframe has no content frame")
    frame.wait_for_selector(".leaflet-container[data-day]", timeout=timeout_ms)
    return frame


def map_day(page: Page, index: int = 0) -> str:
    """The day the map has painted (the time layer's data-day)."""
    return map_frame(page, index=index).locator(".leaflet-container").get_attribute("data-day") or ""

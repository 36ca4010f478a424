"""Bring your own layers, in a real browser: upload a file, map its fields, see it on the map and every
page, scrub, and download it back as a dataset to keep."""

import io
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import map_frame, wait_for_app_idle

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
EVENT_SHOWN = """(id) => { const a = window.atlas; const i = a.items.findIndex(x => x.kind === 'event' && x.data.id === id);
  return i >= 0 && !!a.visible[i]; }"""


def test_upload_map_scrub_and_download_back(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-10")
    map_frame(page)
    page.get_by_role("button", name="Your own layers").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(FIXTURES / "acled_fictional.csv"))
    wait_for_app_idle(page)
    page.get_by_role("button", name="Import").click()
    wait_for_app_idle(page)
    expect(page.get_by_text("Imported: 3 events")).to_be_visible(timeout=30_000)
    # Laid over the built-in data: the map is rebuilt with both (wait for the new one to replace the old).
    page.wait_for_function("""() => { const f = document.querySelector('.atlas-host iframe');
      const a = f && f.contentWindow && f.contentWindow.atlas;
      return !!a && a.items.some(i => i.kind === 'event' && i.data.id === 'FIC1'); }""", timeout=30_000)
    frame = map_frame(page)
    assert frame.evaluate("() => window.atlas.items.some(i => i.kind === 'place' && i.data.id === 'pailin')")
    page.frame_locator(".atlas-host iframe").locator(".atlas-stamp").wait_for()
    slider = page.frame_locator(".atlas-host iframe").locator('input[aria-label="Date"]')
    slider.focus()
    for _ in range(9):
        slider.press("ArrowRight")
    frame.wait_for_selector('.leaflet-container[data-day="1994-04-19"]')
    assert frame.evaluate(EVENT_SHOWN, "FIC1")
    expect(page.get_by_text("Side A and Side B clashed", exact=False)).to_be_visible(timeout=15_000)
    # The skipped row is reported, naming file, row and field.
    assert page.get_by_text("31-13-1994", exact=False).count() >= 1
    with page.expect_download() as info:
        page.get_by_role("button", name="Download your layers (zip)").click()
    data = Path(info.value.path()).read_bytes()
    names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert {"dataset.json", "events.geojson", "sources.json", "factions.json"} <= names

"""The HTML snapshot in a real browser, offline: the app's own time layer, opened at its date, scrubbing
the whole period, with nothing fetched from outside."""

from datetime import date

from playwright.sync_api import Page

from layers.data.catalog import load_dataset
from layers.exports.export import snapshot_bytes
from layers.engine.timeline import Timeline

from tests.browser.offline import RequestLog

RANGE = "() => { const i = document.querySelector('input[aria-label=Date]'); return [+i.min, +i.max, +i.value]; }"
PAILIN_FILL = """() => window.atlas.items.find(i => i.kind === 'place' && i.data.id === 'pailin')
  .layer._path.getAttribute('fill')"""


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def test_the_html_snapshot_opens_at_its_date_and_scrubs_the_whole_period(page: Page, tmp_path,
                                                                         offline_log: RequestLog) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    html = snapshot_bytes(Timeline(load_dataset()).state_on(date(1994, 4, 19)), "html")
    path = tmp_path / "snapshot.html"
    path.write_bytes(html)
    page.goto(path.as_uri())  # a file opened from disk, as from a USB stick
    page.wait_for_selector('.leaflet-container[data-day="1994-04-19"]')
    assert page.evaluate(RANGE) == [_days(date(1989, 9, 1)), _days(date(1998, 12, 31)), _days(date(1994, 4, 19))]
    assert page.locator(".atlas-stamp").inner_text() == "as of 19 April 1994"
    assert page.evaluate(PAILIN_FILL) == "#D55E00"

    # Drag the slider back to 1 January 1991: the date shown and the features drawn follow.
    page.evaluate("""(day) => { const i = document.querySelector('input[aria-label=Date]');
                       i.value = String(day); i.dispatchEvent(new Event('input')); }""", _days(date(1991, 1, 1)))
    page.wait_for_selector('.leaflet-container[data-day="1991-01-01"]')
    assert page.locator(".atlas-stamp").inner_text() == "as of 1 January 1991"
    assert page.evaluate(PAILIN_FILL) == "#D55E00"
    page.evaluate("""(day) => { const i = document.querySelector('input[aria-label=Date]');
                       i.value = String(day); i.dispatchEvent(new Event('input')); }""", _days(date(1994, 3, 25)))
    page.wait_for_selector('.leaflet-container[data-day="1994-03-25"]')
    assert page.evaluate(PAILIN_FILL) == "#0072B2"
    assert not errors, errors
    assert offline_log.local == [path.as_uri()]  # the file itself, and nothing else but map tiles
    assert not offline_log.problems()

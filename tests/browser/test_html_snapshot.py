"""The HTML snapshot in a real browser (offline): it opens at its date, and its own slider scrubs the period."""

from datetime import date

from playwright.sync_api import Page

from layers.catalog import load_dataset
from layers.export import snapshot_bytes
from layers.timeline import Timeline

RANGE = "() => { const i = document.querySelector('input[type=range]'); return [+i.min, +i.max, +i.value]; }"
SHOWN_DATE = "() => document.querySelector('output.time-text').textContent.trim()"


def _ms(day: date) -> int:
    return int((day - date(1970, 1, 1)).total_seconds() * 1000)


def test_the_html_snapshot_opens_at_its_date_and_scrubs_the_whole_period(page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    timeline = Timeline(load_dataset())
    html = snapshot_bytes(timeline.state_on(date(1994, 4, 19)), "html").decode()
    page.set_content(html, wait_until="load")
    page.wait_for_function("() => document.querySelector('output.time-text')")
    low, high, value = page.evaluate(RANGE)
    assert (low, high, value) == (_ms(date(1989, 9, 1)), _ms(date(1998, 12, 31)), _ms(date(1994, 4, 19)))
    assert page.evaluate(SHOWN_DATE) == "19 April 1994"

    # Drag the slider back to 1 January 1991: the date shown and the features drawn follow.
    drawn = page.evaluate("() => document.querySelectorAll('.leaflet-overlay-pane path').length")
    page.evaluate("""(ms) => { const i = document.querySelector('input[type=range]');
                       i.value = String(ms); i.dispatchEvent(new Event('input')); }""", _ms(date(1991, 1, 1)))
    page.wait_for_function(f"() => ({SHOWN_DATE})() === '1 January 1991'")
    assert page.evaluate("() => document.querySelectorAll('.leaflet-overlay-pane path').length") != drawn
    assert not errors, errors

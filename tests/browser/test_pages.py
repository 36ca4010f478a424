"""Each companion page opens once in a real browser, offline, with no page errors."""

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import map_day, wait_for_app_idle


@pytest.mark.parametrize("path, heading", [("timeline", "Timeline"), ("story", "Story"), ("places", "Places"),
                                           ("compare", "Compare two dates"), ("sources", "Sources & method")])
def test_page_opens(app_url: str, page: Page, path: str, heading: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_url}/{path}?date=1994-04-28")
    wait_for_app_idle(page)
    page.get_by_role("heading", name=heading).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Map" in nav and "Sources & method" in nav
    assert not errors, errors


def _page_not_found_shown(page: Page) -> bool:
    dialogs = page.locator('[role="dialog"]')
    return any("Page not found" in (dialogs.nth(i).text_content() or "") for i in range(dialogs.count()))


@pytest.mark.parametrize("path", ["map", ""])
def test_the_map_opens_by_its_name_and_at_the_root(app_url: str, page: Page, path: str) -> None:
    """`/map?date=` (the page's own name in shared links) and `/?date=` both open the map on that date,
    with no "Page not found" dialog."""
    # A server's first visitor runs before app.py's navigation is known (Streamlit then serves pages/ by
    # file name, where /map exists); every later visitor gets the navigation. Be a later visitor.
    page.goto(f"{app_url}/timeline")
    wait_for_app_idle(page)
    page.goto(f"{app_url}/{path}?date=1994-04-22")
    wait_for_app_idle(page)
    assert map_day(page) == "1994-04-22"
    assert not _page_not_found_shown(page)
    assert page.get_by_role("heading", name="Pailin Atlas").count() == 1


def _axis_labels(page: Page, chart: int) -> list[str]:
    """The tick labels of the chart's time axis, read from the SVG Vega draws."""
    svg = page.locator(".vega-embed svg").nth(chart)
    svg.wait_for()
    return [t.strip() for t in svg.locator("g.role-axis-label text").all_text_contents()]


@pytest.mark.parametrize("lang, years", [("en", "1990 1991 1992 1993 1994 1995 1996 1997 1998"),
                                         ("km", "១៩៩០ ១៩៩១ ១៩៩២ ១៩៩៣ ១៩៩៤ ១៩៩៥ ១៩៩៦ ១៩៩៧ ១៩៩៨")])
def test_timeline_axis_shows_years(app_url: str, page: Page, lang: str, years: str) -> None:
    page.goto(f"{app_url}/timeline?date=1994-04-22&lang={lang}")
    wait_for_app_idle(page)
    labels = _axis_labels(page, 0)
    assert set(years.split()) <= set(labels), labels
    months = ("January", "April", "October", "មេសា", "តុលា")
    assert not any(m in label for m in months for label in labels), labels


@pytest.mark.parametrize("path, heading", [("timeline", "កាលប្បវត្តិ"), ("places", "ទីកន្លែង"),
                                           ("compare", "ប្រៀបធៀបកាលបរិច្ឆេទពីរ")])
def test_a_page_opens_in_khmer_from_its_link(app_url: str, page: Page, path: str, heading: str) -> None:
    page.goto(f"{app_url}/{path}?date=1994-04-22&lang=km")
    wait_for_app_idle(page)
    page.get_by_role("heading", name=heading).first.wait_for()
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "ផែនទី" in nav and "ប្រភព និងវិធីសាស្ត្រ" in nav and "Sources" not in nav
    assert page.title() == "អាត្លាសប៉ៃលិន"


def test_the_share_panels_embed_shows_the_map_alone(app_url: str, page: Page) -> None:
    """The <iframe> snippet's own address opens the map and its slider alone: no navigation, no panel.
    (Streamlit keeps `?embed` for itself and hides it from the app: a switch by that name never fired.)"""
    import re
    from datetime import date

    from layers.exports.share import embed_snippet

    src = re.search(r'src="([^"]+)"', embed_snippet(app_url, date(1994, 4, 22), {"lat": 13.0, "lon": 102.8,
                                                                                "zoom": 9})).group(1)
    page.goto(src.replace("&amp;", "&"))
    wait_for_app_idle(page)
    assert map_day(page) == "1994-04-22"
    assert page.get_by_role("link", name="Open in Pailin Atlas").count() == 1
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    assert page.get_by_role("heading", name="Situation on 22 April 1994").count() == 0

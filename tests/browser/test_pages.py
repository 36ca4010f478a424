"""Each companion page opens once in a real browser, offline, with no page errors."""

import pytest
from playwright.sync_api import Page

from .conftest import wait_for_app_idle


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

"""The map page in a real browser (offline): open, scrub, see the map and its date stamp change."""

from playwright.sync_api import Page, expect

from .conftest import map_frame, wait_for_app_idle


def _stamp(page: Page) -> str:
    frame = map_frame(page)
    frame.wait_for_selector(".atlas-stamp")
    return frame.locator(".atlas-stamp").inner_text()


PAILIN_FILL_JS = """() => {
  const fills = [];
  window.map.eachLayer(l => {
    const tip = l.getTooltip && l.getTooltip();
    if (l instanceof L.CircleMarker && tip && String(tip.getContent()).replace(/<[^>]*>/g, "").trim().startsWith("Pailin /")) fills.push(l.options.fill && l.options.fillOpacity > 0.5 ? l.options.fillColor : "hollow");
  });
  return fills;
}"""


def _pailin_fill(page: Page) -> list[str]:
    frame = map_frame(page)
    frame.wait_for_selector(".leaflet-overlay-pane path")
    return frame.evaluate(PAILIN_FILL_JS)


def test_open_scrub_and_see_the_map_change(app_url: str, page: Page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_url}/?date=1994-03-25")
    assert _stamp(page) == "as of 25 March 1994"
    frame = map_frame(page)
    assert frame.locator(".atlas-legend").count() == 1
    assert frame.locator(".atlas-label", has_text="Pailin").count() >= 1
    assert _pailin_fill(page) == ["#0072B2"]  # government blue on 25 March 1994

    slider = page.locator('input[aria-label="Date"]')
    slider.focus()
    slider.press("ArrowRight")
    wait_for_app_idle(page)
    assert _stamp(page) == "as of 26 March 1994"
    expect(page).to_have_url(__import__("re").compile(r"date=1994-03-26"))

    # Jump to the Khmer Rouge recapture: the zones drawn change.
    page.get_by_role("button", name="Next change ▶").click()
    wait_for_app_idle(page)
    assert _stamp(page) == "as of 19 April 1994"
    assert map_frame(page).locator(".atlas-stamp").count() == 1  # replaced, not stacked
    assert _pailin_fill(page) == ["#D55E00"]  # Khmer Rouge vermilion from 19 April 1994
    assert map_frame(page).locator(".atlas-label", has_text="Pailin").count() >= 1
    assert not errors, errors


def test_phone_width_keeps_the_map_usable(app_url: str, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/?date=1996-10-01")
    assert _stamp(page) == "as of 1 October 1996"
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] > 300


def test_download_a_snapshot_of_the_date(app_url: str, page: Page, tmp_path) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    assert _stamp(page) == "as of 19 April 1994"
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download PNG").click()
    download = info.value
    assert download.suggested_filename == "pailin-atlas_1994-04-19.png"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    from PIL import Image

    assert Image.open(path).size == (1920, 1080)


def test_play_steps_through_the_change_dates(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-03-25")
    assert _stamp(page) == "as of 25 March 1994"
    page.get_by_text("Play", exact=True).click()
    # The next change after 25 March 1994 is 19 April 1994; then the player keeps going.
    page.wait_for_function(
        """() => [...document.querySelectorAll('iframe')].some(f => { try {
             return [...f.contentDocument.querySelectorAll('.atlas-stamp')].some(e => e.innerText.trim() === 'as of 19 April 1994');
           } catch (e) { return false; } })""", timeout=30_000)
    page.get_by_text("Play", exact=True).click()  # pause
    wait_for_app_idle(page)


STAMP_IS = """(text) => [...document.querySelectorAll('iframe')].some(f => { try {
  return [...f.contentDocument.querySelectorAll('.atlas-stamp')].some(e => e.innerText.trim() === text);
} catch (e) { return false; } })"""


def test_quick_keyboard_steps_are_all_taken(app_url: str, page: Page) -> None:
    # Twelve presses faster than the app can rerun: every step counts, none is undone by a late rerun.
    page.goto(f"{app_url}/?date=1994-04-19")
    assert _stamp(page) == "as of 19 April 1994"
    slider = page.locator('input[aria-label="Date"]')
    slider.focus()
    for _ in range(12):
        slider.press("ArrowRight")
    page.wait_for_function(STAMP_IS, arg="as of 1 May 1994", timeout=30_000)
    page.wait_for_timeout(1500)  # and it stays there
    wait_for_app_idle(page)
    assert _stamp(page) == "as of 1 May 1994"
    expect(page).to_have_url(__import__("re").compile(r"date=1994-05-01"))
    expect(page.get_by_role("heading", name="Situation on 1 May 1994")).to_be_visible()


def test_popups_say_who_held_a_place_since_when_on_what_authority(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-05-01")
    assert _stamp(page) == "as of 1 May 1994"
    popup = map_frame(page).evaluate("""() => { let text = null;
      window.map.eachLayer(l => { const tip = l.getTooltip && l.getTooltip();
        if (l instanceof L.CircleMarker && tip && String(tip.getContent()).startsWith("Pailin /")) {
          l.openPopup(); text = document.querySelector(".leaflet-popup-content").innerText; } });
      return text; }""")
    assert popup is not None
    assert "Held by\tKhmer Rouge" in popup and "Since\t19 April 1994" in popup
    assert "Sources (control)" in popup and "Phnom Penh Post" in popup
    assert "GeoNames" in popup


def test_a_date_step_keeps_the_users_view(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-03-25")
    assert _stamp(page) == "as of 25 March 1994"
    map_frame(page).evaluate("() => window.map.setView([12.85, 102.6], 10)")
    expect(page).to_have_url(__import__("re").compile(r"zoom=10"), timeout=15_000)
    wait_for_app_idle(page)
    slider = page.locator('input[aria-label="Date"]')
    slider.focus()
    slider.press("ArrowRight")
    page.wait_for_function(STAMP_IS, arg="as of 26 March 1994", timeout=30_000)
    wait_for_app_idle(page)
    view = map_frame(page).evaluate("() => [window.map.getZoom(), window.map.getCenter().lat, window.map.getCenter().lng]")
    assert view[0] == 10 and abs(view[1] - 12.85) < 0.01 and abs(view[2] - 102.6) < 0.01

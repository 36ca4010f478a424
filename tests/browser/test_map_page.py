"""The map page in a real browser (offline): the map owns its date, the page follows when the user pauses."""

import re
from datetime import date

from playwright.sync_api import Frame, Page, expect

from tests.browser.conftest import map_day, map_frame, wait_for_app_idle
from tests.browser.offline import RequestLog

# What the browser painted for a place: the fill of its marker's SVG path, and its label's text.
PLACE_PAINT = """(id) => { const item = window.atlas.items.find(i => i.kind === 'place' && i.data.id === id);
  const path = item.layer && item.layer._path;
  return {fill: path ? path.getAttribute('fill') : null, label: item.label ? item.label._icon.textContent : null}; }"""
VISIBLE_ZONES = """() => window.atlas.items.filter((it, i) => it.kind === 'zone' && window.atlas.visible[i])
  .map(it => it.data.id).sort()"""


def pailin(frame: Frame) -> dict:
    return frame.evaluate(PLACE_PAINT, "pailin")


def slider(page: Page):
    return page.frame_locator(".atlas-host iframe").locator('input[aria-label="Date"]')


def test_keys_restyle_the_map_and_the_page_follows_when_the_user_pauses(app_url: str, page: Page,
                                                                        offline_log: RequestLog) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_url}/?date=1994-04-18")
    frame = map_frame(page)
    assert map_day(page) == "1994-04-18"
    assert frame.locator(".atlas-stamp").inner_text() == "as of 18 April 1994"
    assert pailin(frame) == {"fill": "#0072B2", "label": "Pailin · Gov"}  # government blue, and says so
    zones_before = frame.evaluate(VISIBLE_ZONES)

    slider(page).focus()
    slider(page).press("ArrowRight")  # 19 April 1994: the Khmer Rouge retake Pailin
    frame.wait_for_selector('.leaflet-container[data-day="1994-04-19"]')
    assert pailin(frame) == {"fill": "#D55E00", "label": "Pailin · KR"}
    assert frame.evaluate(VISIBLE_ZONES) != zones_before
    assert frame.locator(".atlas-stamp").inner_text() == "as of 19 April 1994"
    # The page catches up once the user pauses: panel and URL.
    expect(page.get_by_role("heading", name="Situation on 19 April 1994")).to_be_visible(timeout=15_000)
    expect(page).to_have_url(re.compile(r"date=1994-04-19"))
    assert not errors, errors
    assert not offline_log.problems()


def test_quick_keyboard_steps_are_all_taken(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    frame = map_frame(page)
    slider(page).focus()
    for _ in range(12):
        slider(page).press("ArrowRight")
    frame.wait_for_selector('.leaflet-container[data-day="1994-05-01"]')
    expect(page.get_by_role("heading", name="Situation on 1 May 1994")).to_be_visible(timeout=15_000)
    page.wait_for_timeout(800)  # and it stays there: no late rerun moves it back
    wait_for_app_idle(page)
    assert map_day(page) == "1994-05-01"
    expect(page).to_have_url(re.compile(r"date=1994-05-01"))


def test_previous_and_next_change_and_play_live_in_the_map(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-03-25")
    frame = map_frame(page)
    frame.get_by_role("button", name="Next change ▶").click()
    frame.wait_for_selector('.leaflet-container[data-day="1994-04-19"]')
    frame.get_by_role("button", name="◀ Previous change").click()
    frame.wait_for_selector('.leaflet-container[data-day="1994-03-19"]')
    frame.locator(".atlas-speed select").select_option("0.5")
    play = frame.get_by_role("button", name="▶ Play")
    play.click()
    expect(frame.get_by_role("button", name="❚❚ Pause")).to_have_attribute("aria-pressed", "true")
    frame.wait_for_function("() => document.querySelector('.leaflet-container').dataset.day > '1994-04-19'",
                            timeout=15_000)
    frame.get_by_role("button", name="❚❚ Pause").click()
    stopped = map_day(page)
    expect(page.get_by_role("heading", name=re.compile("Situation on"))).to_have_text(
        re.compile(r"Situation on \d+ \w+ \d{4}"))
    page.wait_for_timeout(1500)
    assert map_day(page) == stopped  # paused means paused


def test_a_date_step_keeps_the_users_view(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-03-25")
    frame = map_frame(page)
    frame.evaluate("() => window.atlas.map.setView([12.85, 102.6], 10)")
    expect(page).to_have_url(re.compile(r"zoom=10"), timeout=15_000)
    wait_for_app_idle(page)
    slider(page).focus()
    slider(page).press("ArrowRight")
    frame.wait_for_selector('.leaflet-container[data-day="1994-03-26"]')
    expect(page.get_by_role("heading", name="Situation on 26 March 1994")).to_be_visible(timeout=15_000)
    wait_for_app_idle(page)
    frame = map_frame(page)
    view = frame.evaluate("() => [window.atlas.map.getZoom(), window.atlas.map.getCenter().lat, "
                          "window.atlas.map.getCenter().lng]")
    assert view[0] == 10 and abs(view[1] - 12.85) < 0.01 and abs(view[2] - 102.6) < 0.01


def test_an_event_in_the_panel_moves_the_map(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-03-25")
    map_frame(page)
    page.get_by_role("button", name="Show this date").first.click()
    wait_for_app_idle(page)
    frame = map_frame(page)
    frame.wait_for_selector('.leaflet-container[data-day="1994-03-17"]')


def test_hiding_a_layer_hides_it_in_the_map(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    frame = map_frame(page)
    assert frame.evaluate("() => window.atlas.map.hasLayer(window.atlas.groups.zone)")
    page.locator('[data-testid="stSidebar"]').get_by_text("zones", exact=True).click()  # the Layers pill
    wait_for_app_idle(page)
    frame.wait_for_function("() => !window.atlas.map.hasLayer(window.atlas.groups.zone)")
    assert frame.evaluate("() => window.atlas.map.hasLayer(window.atlas.groups.place)")


def test_popups_say_who_held_a_place_since_when_on_what_authority(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-05-01")
    frame = map_frame(page)
    frame.evaluate("() => window.atlas.open('place', null, 'pailin')")
    popup = frame.locator(".leaflet-popup-content").inner_text()
    assert "Held by\tKhmer Rouge" in popup and "Since\t19 April 1994" in popup
    assert "Sources (control)" in popup and "Phnom Penh Post" in popup
    assert "GeoNames" in popup


def test_phone_width_keeps_the_map_usable(app_url: str, page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{app_url}/?date=1996-10-01")
    frame = map_frame(page)
    assert frame.locator(".atlas-stamp").inner_text() == "as of 1 October 1996"
    box = page.locator(".atlas-host iframe").bounding_box()
    assert box is not None and box["width"] <= 390 and box["height"] > 300
    assert not frame.locator(".atlas-legend").evaluate("e => e.open")  # folded on a small map


def test_download_a_snapshot_of_the_date(app_url: str, page: Page, tmp_path) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    map_frame(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download PNG").click()
    download = info.value
    assert download.suggested_filename == "pailin-atlas_1994-04-19.png"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    from PIL import Image

    assert Image.open(path).size == (1920, 1080)


def test_the_map_in_khmer_has_its_stamp_legend_and_labels_in_khmer(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-19&lang=km")
    frame = map_frame(page)
    assert frame.locator(".atlas-stamp").inner_text() == "គិតត្រឹមថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤"
    frame.locator(".atlas-legend summary").click()
    legend = frame.locator(".atlas-legend").inner_text()
    assert "ខ្មែរក្រហម" in legend and "Khmer Rouge" not in legend
    assert "ប៉ៃលិន" in pailin(frame)["label"]
    assert frame.locator('input[aria-label="កាលបរិច្ឆេទ"]').count() == 1
    expect(page.get_by_role("heading", name="ស្ថានភាពនៅថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤")).to_be_visible()


def test_switching_to_khmer_keeps_the_day_and_redraws_the_map_in_khmer(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    frame = map_frame(page)
    frame.locator('input[aria-label="Date"]').press("ArrowRight")
    expect(page.get_by_role("heading", name="Situation on 20 April 1994")).to_be_visible()
    page.locator('[data-testid="stSidebar"]').get_by_text("ខ្មែរ", exact=True).click()
    expect(page.get_by_role("heading", name="ស្ថានភាពនៅថ្ងៃទី ២០ ខែមេសា ឆ្នាំ ១៩៩៤")).to_be_visible()
    frame = map_frame(page)
    expect(frame.locator(".atlas-stamp")).to_have_text("គិតត្រឹមថ្ងៃទី ២០ ខែមេសា ឆ្នាំ ១៩៩៤")
    frame.locator(".atlas-legend summary").click()
    assert "ខ្មែរក្រហម" in frame.locator(".atlas-legend").inner_text()
    assert "lang=km" in page.url and "date=1994-04-20" in page.url


def test_the_map_links_to_the_same_situation_as_text(app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    frame = map_frame(page)
    assert page.locator(".atlas-host iframe").get_attribute("title") == "Map of the situation on 19 April 1994"
    frame.get_by_role("link", name="Read this situation as text").click()
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'situation'")


def test_a_new_visitors_map_paints_first_and_the_panel_follows_without_reloading_it(app_url: str,
                                                                                    page: Page) -> None:
    page.add_init_script("""() => { if (window.top !== window) return;
      new MutationObserver(() => { if (!window.__panel && document.getElementById('situation'))
        window.__panel = performance.timeOrigin + performance.now(); })
        .observe(document, {subtree: true, childList: true}); }""".join(["(", ")()"]))
    page.goto(f"{app_url}/?date=1994-04-19")
    frame = map_frame(page)
    expect(page.get_by_role("heading", name="Situation on 19 April 1994")).to_be_visible()
    expect(page.get_by_role("button", name="Download PNG")).to_be_visible()
    expect(page.locator('[data-testid="stSidebar"]').get_by_text("Layers", exact=True)).to_be_visible()
    wait_for_app_idle(page)
    # The map's document is older than the panel: the run that brought the panel left the map alone.
    map_loaded = frame.evaluate("() => performance.timeOrigin")
    assert map_loaded < page.evaluate("() => window.__panel")
    assert map_frame(page).evaluate("() => performance.timeOrigin") == map_loaded
    assert map_day(page) == "1994-04-19"


def test_the_panel_comes_even_when_the_map_cannot_paint(app_url: str, page: Page) -> None:
    page.route(re.compile(r"/atlas-store-[0-9a-f]+\.json$"), lambda route: route.abort())
    page.goto(f"{app_url}/?date=1994-04-19")
    expect(page.frame_locator(".atlas-host iframe").locator(".atlas-error")).to_be_visible(timeout=30_000)
    # The bridge stops waiting for a map that will not paint (PAINT_WAIT_MS), and the page goes on.
    expect(page.get_by_role("heading", name="Situation on 19 April 1994")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("button", name="Download PNG")).to_be_visible()


def test_dragging_the_slider_restyles_the_map_on_the_way_and_the_page_follows_where_it_stops(
        app_url: str, page: Page) -> None:
    page.goto(f"{app_url}/?date=1994-04-19")
    frame = map_frame(page)
    expect(page.get_by_role("heading", name="Situation on 19 April 1994")).to_be_visible()
    wait_for_app_idle(page)
    # Every day the map paints during the drag, in order.
    frame.evaluate("""() => { window.__painted = [];
      new MutationObserver(() => window.__painted.push(document.querySelector('.leaflet-container').dataset.day))
        .observe(document.querySelector('.leaflet-container'), {attributes: true, attributeFilter: ['data-day']}); }""")
    low, high, value = (int(v) for v in slider(page).evaluate("i => [i.min, i.max, i.value]"))
    box = slider(page).bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2

    def x_of(day_number: int) -> float:
        return box["x"] + 8 + (box["width"] - 16) * (day_number - low) / (high - low)  # inside the thumb's travel

    page.mouse.move(x_of(value), y)
    page.mouse.down()
    for step in range(1, 11):  # about a year and a half to the left, in ten moves
        page.mouse.move(x_of(value) - step * (box["width"] - 16) * 540 / (high - low) / 10, y)
        page.wait_for_timeout(30)
    page.mouse.up()
    stopped = map_day(page)
    painted = frame.evaluate("() => window.__painted")
    assert stopped < "1993-01-01" and painted[-1] == stopped
    assert len(set(painted)) >= 5  # the map followed the drag, not only its end
    assert pailin(frame)["fill"] == "#D55E00"  # restyled for the day it stopped on: Pailin is the KR's
    day = date.fromisoformat(stopped)
    expect(page.get_by_role("heading", name=f"Situation on {day.day} {day:%B %Y}")).to_be_visible(timeout=15_000)
    wait_for_app_idle(page)
    assert map_day(page) == stopped  # the page followed the map, and did not move it back

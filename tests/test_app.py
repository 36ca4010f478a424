"""Streamlit AppTest: the map page as a user drives it (widgets, deep links, the situation panel)."""

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT

APP = str(ROOT / "app.py")


def open_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def panel(at: AppTest) -> dict[str, tuple[str, str]]:
    table = at.dataframe[0].value
    return {r["Place"]: (r["Held by"], r["Since"]) for r in table.to_dict("records")}


def test_opens_on_the_map_with_a_date_slider():
    at = open_app()
    assert not at.exception
    assert [s.label for s in at.slider] == ["Date"]
    assert at.slider[0].value == date(1994, 4, 19)
    assert at.subheader[0].value == "Situation on 19 April 1994"


@pytest.mark.parametrize("day, holder, since", [
    ("1994-03-25", "Royal Cambodian Armed Forces (RCAF)", "19 March 1994"),
    ("1994-05-01", "Khmer Rouge (NADK)", "19 April 1994"),
    ("1990-06-01", "Khmer Rouge (NADK)", "23 October 1989"),
])
def test_panel_on_known_dates(day, holder, since):
    at = open_app(date=day)
    assert not at.exception
    assert panel(at)["Pailin"] == (holder, since)


def test_slider_moves_the_date_and_the_url_follows():
    at = open_app()
    at.slider[0].set_value(date(1994, 3, 25)).run()
    assert at.subheader[0].value == "Situation on 25 March 1994"
    assert panel(at)["Pailin"][0] == "Royal Cambodian Armed Forces (RCAF)"
    assert at.query_params["date"] == ["1994-03-25"] or at.query_params["date"] == "1994-03-25"


def test_previous_and_next_change_buttons():
    at = open_app(date="1994-03-25")
    next_button = next(b for b in at.button if b.label.startswith("Next change"))
    next_button.click().run()
    assert at.slider[0].value == date(1994, 4, 19)
    prev_button = next(b for b in at.button if b.label.startswith("◀ Previous change"))
    prev_button.click().run()
    assert at.slider[0].value == date(1994, 3, 19)


def test_choosing_an_event_moves_the_date():
    at = open_app(date="1994-03-25")
    at.button(key="goto_ev_1994_03_19_pailin_taken").click().run()
    assert at.slider[0].value == date(1994, 3, 19)


@pytest.mark.parametrize("bad", ["1994-13-45", "tomorrow", "2020-01-01"])
def test_bad_deep_link_warns_and_falls_back(bad):
    at = open_app(date=bad)
    assert not at.exception
    assert at.warning and "Ignored the link's date" in at.warning[0].value
    assert at.slider[0].value == date(1994, 4, 19)


def test_bad_view_in_deep_link_warns():
    at = open_app(date="1994-04-19", lat="north", lon="103")
    assert not at.exception and "lat and lon" in at.warning[0].value


def test_a_broken_user_dataset_is_explained_and_the_app_keeps_running(tmp_path):
    (tmp_path / "dataset.json").write_text("{broken")
    at = open_app()
    at.text_input[0].set_value(str(tmp_path)).run()
    assert not at.exception
    assert at.error and "cannot be used" in at.error[0].value
    assert "dataset.json" in at.dataframe[0].value.to_string()
    at.text_input[0].set_value("").run()
    assert [s.label for s in at.slider] == ["Date"]

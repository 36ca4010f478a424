"""Streamlit AppTest: the map page as a user drives it (widgets, deep links, the situation panel)."""

import re
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


def markdown_table(at: AppTest, first_header: str) -> list[dict[str, str]]:
    """The rows of the Markdown table whose first column is `first_header`, unescaped."""
    text = next(m.value for m in at.markdown if m.value.startswith(f"| {first_header} |"))
    lines = text.splitlines()
    cells = [[re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    return [dict(zip(cells[0], row)) for row in cells[2:]]


KEY_PLACE = re.compile(r"- \*\*(?P<place>.+?)\*\*: (?P<holder>.+?)(?:, since (?P<since>.+))? \((?P<certainty>[^()]+)\)")


def key_places_listed(at: AppTest) -> list[dict[str, str]]:
    """The situation panel's key places: name, holder, since and certainty, unescaped."""
    text = next(m.value for m in at.markdown if m.value.startswith("- **"))
    rows = [KEY_PLACE.fullmatch(line) for line in text.splitlines()]
    assert all(rows), text
    return [{k: re.sub(r"\\(.)", r"\1", v or "") for k, v in row.groupdict().items()} for row in rows]


def panel(at: AppTest) -> dict[str, tuple[str, str]]:
    return {r["place"]: (r["holder"], r["since"]) for r in key_places_listed(at)}


def test_opens_on_the_map_with_a_date_slider():
    at = open_app()
    assert not at.exception
    assert [s.label for s in at.slider] == ["Date"]
    assert at.slider[0].value == date(1994, 4, 19)
    assert at.subheader[0].value == "Situation on 19 April 1994"


@pytest.mark.parametrize("day, holder, since", [
    ("1994-03-25", "Royal Cambodian Armed Forces (RCAF)", "19 March 1994"),
    ("1994-05-01", "Khmer Rouge (NADK)", "19 April 1994"),
    ("1990-06-01", "Khmer Rouge (NADK)", "24 October 1989"),  # the source document's date
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


def test_text_from_data_is_shown_as_written_in_the_panel(make_dataset):
    name = "<b>Pailin</b> $x$ *y* | z"

    def edit(layers):
        for place in layers["places.geojson"]:
            place["properties"]["name"] = name
            place["properties"]["key"] = True
    at = open_app()
    at.text_input[0].set_value(str(make_dataset(edit))).run()
    assert not at.exception
    assert name in {row["place"] for row in key_places_listed(at)}
    raw = next(m.value for m in at.markdown if m.value.startswith("- **"))
    assert r"\<b\>Pailin\<\/b\> \$x\$ \*y\* \| z" in raw


def test_the_areas_table():
    at = open_app(date="1994-04-19")
    areas = {row["Faction"]: row["km²"] for row in markdown_table(at, "Faction")}
    assert set(areas) == {"Royal Cambodian Armed Forces (RCAF)", "Khmer Rouge (NADK)"}
    assert all(re.fullmatch(r"[0-9,]+", v) for v in areas.values())

"""AppTest for the companion pages: each opens, shows its content, shares the date, survives a bad link."""

import re
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT


def open_page(name: str, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


@pytest.mark.parametrize("name, title", [("timeline", "Timeline"), ("story", "Story"), ("places", "Places"),
                                         ("compare", "Compare two dates"), ("sources", "Sources & method")])
def test_each_page_opens_and_handles_a_bad_link(name, title):
    at = open_page(name, date="1994-99-99")
    assert not at.exception
    assert at.title[0].value == title
    assert at.warning and "Ignored the link's date" in re.sub(r"\\(.)", r"\1", at.warning[0].value)


def test_places_search_and_history():
    at = open_page("places")
    search = next(t for t in at.text_input if t.label.startswith("Search"))
    search.set_value("Battamband").run()
    table = at.dataframe[0].value
    assert list(table["id"]) == ["battambang"]
    search.set_value("ប៉ៃលិន").run()
    assert list(at.dataframe[0].value["id"]) == ["pailin"]
    history = at.dataframe[1].value
    assert list(history["controller_name"])[-3:] == ["Royal Cambodian Armed Forces (RCAF)", "Khmer Rouge (NADK)",
                                                     "Ieng Sary's breakaway faction (DNUM)"]


def test_sources_page_lists_the_disagreements():
    at = open_page("sources")
    text = " ".join(df.value.to_string() for df in at.dataframe)
    assert "doc_battle_of_pailin" in text
    assert "1989-10-24" in text and "7000" in text and "Viatnamese" in text


def test_compare_shows_pailin_changing_hands():
    at = open_page("compare", date="1994-05-01")
    at.date_input(key="compare_from").set_value(date(1994, 3, 25)).run()
    changed = at.dataframe[1].value
    row = changed[changed["Place"] == "Pailin"].iloc[0]
    assert (row["Before"], row["After"]) == ("Royal Cambodian Armed Forces (RCAF)", "Khmer Rouge (NADK)")
    assert row["How we know"] == "the sources date it"
    assert "Khmer Rouge retake Pailin" in at.dataframe[2].value.to_string()


def test_story_chapters_move_the_shared_date():
    at = open_page("story")
    unescape = lambda text: re.sub(r"\\(.)", r"\1", text)
    assert unescape(at.header[0].value) == "1989: the fall of Pailin"
    assert at.session_state["atlas_date"] == date(1989, 10, 24)  # the chapter opens on the source document's date for the fall
    next(b for b in at.button if b.label == "Next ▶").click().run()
    assert unescape(at.header[0].value).startswith("1993")
    assert at.session_state["atlas_date"] == date(1993, 8, 20)


def test_timeline_charts_render():
    at = open_page("timeline", date="1994-04-19")
    assert not at.exception
    assert [s.value for s in at.subheader] == ["Who held what, when", "Area of the zones drawn (km²)"]

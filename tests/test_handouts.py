"""Handouts from the engine: the situation on screen and the story booklet, in English and Khmer, read
back as text with pypdf. The built-in data's 22 April 1994: Pailin retaken by the Khmer Rouge on the
19th, Treng changing hands in late April, Samlout held only as part of the zone around it."""

import io
import re
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from layers.data.catalog import load_dataset
from layers.engine.analysis import faction_label
from layers.exports.handouts import (chapter_bbox, chapter_map_pngs, map_png, situation_handout_for,
                             situation_rows, story_booklet_for)
from layers.text.i18n import format_day
from layers.data.story import load_story
from layers.engine.timeline import Timeline
from layers.text.words import words_for

DAY = date(1994, 4, 22)
VIEW = (102.2, 12.4, 103.6, 13.8)
PLACES = {"en": ("Pailin", "Battambang", "Anlong Veng", "Treng (Banteay Treng)"),
          "km": ("ប៉ៃលិន", "បាត់ដំបង", "អន្លង់វែង", "ត្រែង")}
HOLDERS = {"en": ("Khmer Rouge (NADK)", "Royal Cambodian Armed Forces (RCAF)"), "km": ("ខ្មែរក្រហម", "កងយោធពលខេមរភូមិន្ទ")}
# The Phnom Penh Post's report of 22 April 1994 (Pailin's control and the retaking) and the events' sources.
SOURCES = {"en": ("KR close to recapturing Pailin (Phnom Penh Post, 22 April 1994)",
                  "Army reels from KR offensive (Mark Dodd, Phnom Penh Post, 6 May 1994)"),
           "km": ("KR close to recapturing Pailin (Phnom Penh Post, ថ្ងៃទី ២២ ខែមេសា ឆ្នាំ ១៩៩៤)",
                  "Army reels from KR offensive (Mark Dodd, Phnom Penh Post, ថ្ងៃទី ៦ ខែឧសភា ឆ្នាំ ១៩៩៤)")}
EVENTS = ("Khmer Rouge retake Pailin", "Khmer Rouge hold Treng; Route 5 cut")


@pytest.fixture(scope="module")
def timeline():
    return Timeline(load_dataset())


@pytest.fixture(scope="module")
def state(timeline):
    return timeline.state_on(DAY)


@pytest.fixture(scope="module")
def png(state):
    return map_png(state, VIEW, "km")


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _squeezed(text: str) -> str:
    """Without whitespace: pypdf guesses word gaps around positioned Khmer marks (see test_handout.py)."""
    return re.sub(r"\s+", "", text)


def _missing(needles, text: str, lang: str) -> list[str]:
    if lang == "km":
        return [n for n in needles if _squeezed(n) not in _squeezed(text)]
    flat = " ".join(text.split())
    return [n for n in needles if n not in flat]


@pytest.mark.parametrize("lang", ["en", "km"])
def test_situation_handout_has_the_date_places_holders_events_and_sources(state, png, lang):
    words = words_for(lang)
    text = "\n".join(_pages(situation_handout_for(state, words, png, version="test")))
    heading = words("Situation on {date}").replace("{date}", format_day(DAY, lang))
    needles = [heading, *PLACES[lang], *HOLDERS[lang], *SOURCES[lang], *EVENTS]
    assert _missing(needles, text, lang) == [], text


def test_english_rows_say_since_when_zone_and_changing_hands(state):
    rows = {r.place: r for r in situation_rows(state, words_for("en"))}
    assert (rows["Pailin"].held_by, rows["Pailin"].since) == ("Khmer Rouge (NADK)", "19 April 1994")
    assert rows["Battambang"].since == "before 1 September 1989"  # held before the atlas begins
    assert rows["Samlout"].certainty == "approximate; from the zone around it"
    treng = rows["Treng (Banteay Treng)"]
    assert treng.held_by == "changing hands (from Royal Cambodian Armed Forces (RCAF) to Khmer Rouge (NADK))"
    assert treng.since == "late April 1994"
    assert "Siem Reap" not in rows  # key places only, as on the map page


def test_english_handout_prints_the_window_and_the_caveat(state, png):
    text = " ".join(" ".join(_pages(situation_handout_for(state, words_for("en"), png))).split())
    assert "Events from 7 April 1994 to 7 May 1994" in text
    assert "Zones and front lines are approximate reconstructions from the sources" in text
    assert "changing hands (from Royal Cambodian Armed Forces (RCAF) to Khmer Rouge (NADK))" in text


def test_handout_embeds_the_map_it_is_given(state, png):
    reader = PdfReader(io.BytesIO(situation_handout_for(state, words_for("km"), png)))
    images = [image.image for image in reader.pages[0].images]
    assert len(images) == 1 and images[0].size == Image.open(io.BytesIO(png)).size
    # The map itself carries its date and language (snapshot metadata).
    assert "date=1994-04-22" in Image.open(io.BytesIO(png)).text["Comment"]


def test_khmer_faction_names_follow_the_period(timeline):
    ds, km = timeline.dataset, words_for("km")
    assert faction_label(ds, "government", date(1992, 1, 1), km) == "កងទ័ពរដ្ឋកម្ពុជា"      # SOC army
    assert faction_label(ds, "government", date(1994, 1, 1), km) == "កងយោធពលខេមរភូមិន្ទ"    # RCAF
    assert faction_label(ds, "government", date(1994, 1, 1), words_for("en")) == "Royal Cambodian Armed Forces (RCAF)"
    assert faction_label(ds, None, DAY, km) == km("not in the conflict")


def test_khmer_faction_names_without_name_km_stay_english(make_dataset):
    ds = load_dataset(make_dataset(lambda layers: None))  # the tiny factions have no name_km
    assert faction_label(ds, "khmer_rouge", DAY, words_for("km")) == "Khmer Rouge"


@pytest.mark.parametrize("lang", ["en", "km"])
def test_story_booklet_has_a_chapter_a_page_with_its_map_and_sources(timeline, lang):
    chapters = load_story(timeline.dataset)[3:5]  # Pailin won (March 1994), Pailin lost (April 1994)
    words = words_for(lang)
    pngs = chapter_map_pngs(timeline, chapters, lang)
    reader = PdfReader(io.BytesIO(story_booklet_for(timeline, chapters, words, pngs, version="test")))
    assert len(reader.pages) == len(chapters)
    for page, chapter, picture in zip(reader.pages, chapters, pngs):
        text = page.extract_text()
        cited = [s for s in chapter.sources if s == "ppp_1994_04_22"]
        needles = [chapter.title, format_day(chapter.day, lang)] + [SOURCES[lang][0] for _ in cited]
        assert _missing(needles, text, lang) == [], text
        assert len(page.images) == 1
        assert f"date={chapter.day.isoformat()}" in Image.open(io.BytesIO(picture)).text["Comment"]
    assert cited  # the second chapter cites the Post of 22 April 1994


def test_chapter_maps_show_the_chapters_view(timeline):
    chapter = load_story(timeline.dataset)[0]
    w, s, e, n = chapter_bbox(chapter, timeline.dataset.meta.region)
    assert w < chapter.lon < e and s < chapter.lat < n
    assert e - w == pytest.approx(360 / 2 ** chapter.zoom * 4)  # a map ~1000 px wide, as the app's


def test_booklet_wants_one_map_per_chapter(timeline):
    chapters = load_story(timeline.dataset)[:2]
    with pytest.raises(ValueError, match="one map"):
        story_booklet_for(timeline, chapters, words_for("en"), [None])

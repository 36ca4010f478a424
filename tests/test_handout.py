"""Handout PDFs: A4, fonts embedded, text that can be extracted, in English and Khmer."""

import io
import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from matplotlib.figure import Figure
from pypdf import PdfReader

from layers.exports.handout import CAVEAT, Chapter, EventItem, SituationRow, situation_handout, story_booklet
from layers.text.i18n import catalogue_path, format_date, format_day, translator

DAY = date(1994, 4, 22)
SOURCES = ("Phnom Penh Post article, 22 April 1994 (headline not recorded)", "UPI wire report, 20 April 1994")
PLACES = {"en": ("Pailin", "Battambang", "Anlong Veng"), "km": ("ប៉ៃលិន", "បាត់ដំបង", "អន្លង់វែង")}
HELD = {"en": "Khmer Rouge (NADK)", "km": "ខ្មែរក្រហម (NADK)"}
# Khmer marks drawn on, under or after their consonant: a line can never start with one.
KHMER_MARKS = re.compile(r"^[\u17b6-\u17d3]", re.M)


def _map_png(label: str) -> bytes:
    fig = Figure(figsize=(8, 5), dpi=60)
    fig.add_axes((0, 0, 1, 1)).text(0.5, 0.5, label, ha="center")
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _situation(lang: str) -> bytes:
    t = translator(lang)
    places = PLACES[lang]
    rows = [SituationRow(places[0], HELD[lang], format_day(date(1994, 4, 19), lang), t.pgettext("certainty", "exact")),
            SituationRow(places[1], "RCAF", format_date({"earliest": "1989-09-01", "latest": "1989-09-30",
                                                         "precision": "month"}, lang), t.pgettext("certainty", "assessed")),
            SituationRow(places[2], HELD[lang], format_date({"earliest": "1994-11-01", "latest": "1994-12-16",
                                                             "kind": "one_of"}, lang), t.pgettext("certainty", "approximate"))]
    events = [EventItem(format_day(date(1994, 4, 19), lang), "Khmer Rouge retake Pailin", SOURCES),
              EventItem(format_date({"earliest": "1994-04-01", "latest": "1994-04-30", "precision": "month",
                                     "part": "late"}, lang), "Push down Route 10", ("AP wire report, 25 April 1994",))]
    return situation_handout(DAY, lang, _map_png("map"), rows, events, window=(date(1994, 4, 7), date(1994, 5, 7)),
                             version="test", made_on=date(2026, 11, 29))


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def _squeezed(text: str) -> str:
    """Text without whitespace: pypdf puts a space wherever a Khmer mark is positioned on its own
    (e.g. ឆ្នា ំ), a guess about word gaps; the characters and their order are what the file holds."""
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("lang", ["en", "km"])
def test_situation_handout_text_has_the_date_places_and_sources(lang):
    pages = _text(_situation(lang))
    text = "\n".join(pages)
    needles = [translator(lang)._("Situation on {date}", date=format_day(DAY, lang)), *PLACES[lang], *SOURCES,
               "AP wire report, 25 April 1994", HELD[lang]]
    haystack = _squeezed(text) if lang == "km" else text
    missing = [n for n in needles if (_squeezed(n) if lang == "km" else n) not in haystack]
    assert missing == [], text


def test_english_handout_text_is_exact_with_the_caveat():
    text = " ".join(" ".join(_text(_situation("en"))).split())
    assert "Situation on 22 April 1994" in text
    assert "between 1 November and 16 December 1994" in text and "late April 1994" in text
    assert "Events from 7 April 1994 to 7 May 1994" in text
    assert CAVEAT in text


def test_khmer_handout_has_only_characters_someone_wrote():
    """fpdf2 leaves glyphs inside a shaped cluster without text; extractors then invent characters
    ('ខ្មែ\\tរក្រហម', 'ស្រ4្តី'). Every character extracted must come from the inputs or the catalogue."""
    written = "".join(PLACES["km"]) + HELD["km"] + "".join(SOURCES) + "AP wire report, 25 April 1994" + "RCAF"
    written += "Khmer Rouge retake Pailin Push down Route 10 test —·" + "០១២៣៤៥៦៧៨៩"
    with catalogue_path("km").open("rb") as po:
        written += "".join("".join(m.string) if isinstance(m.string, tuple) else m.string for m in read_po(po))
    text = "".join(_text(_situation("km")))
    strange = sorted({c for c in text if not c.isspace() and c not in written})
    assert strange == []
    assert not KHMER_MARKS.search(text)


@pytest.mark.parametrize("lang", ["en", "km"])
def test_handout_is_a4_with_embedded_fonts_and_metadata(lang):
    reader = PdfReader(io.BytesIO(_situation(lang)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    for ref in reader.pages[0]["/Resources"]["/Font"].values():
        descriptor = ref.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor  # the TrueType subset is in the file
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert "date=1994-04-22" in reader.metadata["/Keywords"] and f"lang={lang}" in reader.metadata["/Keywords"]
    assert format_day(DAY, lang) in reader.metadata["/Title"]


def test_same_inputs_same_file():
    assert _situation("km") == _situation("km")


@pytest.mark.parametrize("lang", ["en", "km"])
def test_story_booklet_has_a_chapter_a_page(lang):
    text_km = "នៅខែកញ្ញា ឆ្នាំ ១៩៨៩ ពេលកងទ័ពវៀតណាមដកចេញពីកម្ពុជា កងពលខ្មែរក្រហមពីរបានវាយប្រហារក្រុងត្បូងប៉ៃលិន។ " * 8
    chapters = [
        Chapter("1989: the fall of Pailin", format_day(date(1989, 10, 23), lang),
                "Two Khmer Rouge divisions attacked the gem town of Pailin. " * 10,
                ("Battle of Pailin (source document)",), _map_png("1989")),
        Chapter("ការវាយលុកឆ្នាំ ១៩៩៤" if lang == "km" else "1994: the offensive", format_day(date(1994, 3, 19), lang),
                text_km if lang == "km" else "The government took Pailin. " * 10,
                ("Phnom Penh Post article, 25 March 1994",), _map_png("1994")),
        Chapter("1998: the end", format_day(date(1998, 4, 15), lang), "Pol Pot died.", (), None),
    ]
    pdf = story_booklet(chapters, lang, version="test", made_on=date(2026, 11, 29))
    pages = _text(pdf)
    assert len(pages) == len(chapters)
    for page, chapter in zip(pages, chapters):
        for needle in (chapter.title, chapter.date, *chapter.sources):
            assert _squeezed(needle) in _squeezed(page), (needle, page)
    assert not KHMER_MARKS.search("\n".join(pages))
    footer = translator(lang)._("Page {page} of {pages}", page="៣" if lang == "km" else "3",
                                pages="៣" if lang == "km" else "3")
    assert _squeezed(footer) in _squeezed(pages[-1])

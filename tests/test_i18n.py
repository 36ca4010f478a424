"""Translations, Khmer dates and numbers, Khmer line breaks, and Khmer text shaped in matplotlib."""

import importlib.util
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from layers.data.dates import parse_date
from layers.text.i18n import (DateParts, KHMER_FAMILY, LANGUAGES, draw_text, format_date, format_day, format_number,
                         normalise_lang, register_fonts, text_props, translator)
from layers.text.khmer_text import COENG, KHMER_DIGITS, latin_digits, syllable_breaks, wrap

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("i18n_extract", ROOT / "scripts" / "i18n_extract.py")
i18n_extract = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_extract)

KM_MONTHS = ("មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ")
KHMER = re.compile(r"[\u1780-\u17ff]")
# Translations that may stay as they are: names of products and the map's tile provider.
SAME_IN_KHMER = {"OpenStreetMap"}


def _catalogue():
    from babel.messages.pofile import read_po

    with i18n_extract.catalogue_path("km").open("rb") as po:
        return read_po(po, locale="km")


# --- the catalogue --------------------------------------------------------------------------------


def test_every_extracted_message_has_a_khmer_translation():
    """Fails when code marks a user-visible string (`_()`, `gettext`, `N_`...) that the Khmer catalogue
    does not translate, or translates only with a fuzzy guess."""
    template = i18n_extract.extract()
    assert len(template) > 100  # the pages' and renderers' strings are found at all
    assert i18n_extract.untranslated(template, _catalogue()) == []


# A message written inside an f-string is one token to Babel's extractor, which therefore never sees it.
IN_F_STRING = re.compile(r"""(?<![\w.])(?:_|N_|words|w|t\._|sym\.N_|_\.term|t)\(\s*(['"])((?:(?!\1).)+)\1\s*[,)]""")


def test_messages_written_inside_f_strings_are_translated_too():
    import tokenize

    catalogue = _catalogue()
    sources = [*(ROOT / "layers").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
    found, missing = 0, []
    for path in sources:
        with path.open("rb") as source:
            for token in tokenize.tokenize(source.readline):
                if token.type == tokenize.STRING and re.match(r"[rRbBuU]*[fF]", token.string):
                    for call in IN_F_STRING.finditer(token.string):
                        found += 1
                        entry = catalogue.get(call.group(2))
                        if not (entry and entry.string):
                            missing.append(f"{path.relative_to(ROOT)}:{token.start[0]}: {call.group(2)!r}")
    assert found > 0  # the pattern still finds the calls it is there for
    assert missing == []


def _messages():
    return [m for m in _catalogue() if m.id]


def _pairs(message):
    ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
    strings = (message.string,) if isinstance(message.string, str) else tuple(message.string)
    return ids, strings


def test_translations_keep_the_placeholders():
    """A msgstr that drops or renames `{date}` would raise KeyError (or lose the date) at run time."""
    wrong = []
    for message in _messages():
        ids, strings = _pairs(message)
        wanted = set(re.findall(r"\{(\w+)\}", ids[-1]))
        for text in strings:
            if set(re.findall(r"\{(\w+)\}", text)) != wanted:
                wrong.append((ids[0], text))
    assert wrong == []


def test_translations_are_khmer_and_end_sentences_the_khmer_way():
    not_khmer, full_stops = [], []
    for message in _messages():
        ids, strings = _pairs(message)
        for text in strings:
            if ids[0] not in SAME_IN_KHMER and not KHMER.search(text):
                not_khmer.append(ids[0])
            # Khmer sentences end with ។; a "." only closes one-letter abbreviations (គ.ម. km, ឧ. e.g.)
            if re.search(r"[\u1780-\u17ff]{2,}\.(\s|$)", text):
                full_stops.append(text)
    assert not_khmer == [] and full_stops == []


def test_translator_reads_the_catalogue_at_run_time():
    km, en = translator("km"), translator("en")
    assert km._("Situation on {date}", date=format_day(date(1994, 4, 19), "km")) == "ស្ថានភាពនៅថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤"
    assert en._("Situation on {date}", date="19 April 1994") == "Situation on 19 April 1994"
    assert km.pgettext("certainty", "approximate") == "ប្រហាក់ប្រហែល"
    assert km.ngettext("{n} day", "{n} days", 5).format(n="៥") == "៥ ថ្ងៃ"
    assert en.ngettext("{n} day", "{n} days", 1) == "{n} day"
    assert km.gettext("a message nobody wrote") == "a message nobody wrote"  # unknown: shown as it is


def test_translator_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="normalise_lang"):
        translator("fr")


@pytest.mark.parametrize("text, lang", [
    ("km", "km"), ("KM", "km"), (" km-KH ", "km"), ("km_KH", "km"), ("en", "en"), ("en-GB", "en"),
    ("fr", "en"), ("", "en"), (None, "en"), (3, "en"), ("kmx", "en"),
])
def test_normalise_lang_reads_any_url_value(text, lang):
    assert normalise_lang(text) == lang


# --- dates and numbers ----------------------------------------------------------------------------


def _d(text: str) -> date:
    return date.fromisoformat(text)


@pytest.mark.parametrize("parts, en, km", [
    (DateParts(_d("1994-04-19"), _d("1994-04-19")), "19 April 1994", "ថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤"),
    (DateParts(_d("1993-05-01"), _d("1993-05-31"), "month"), "May 1993", "ខែឧសភា ឆ្នាំ ១៩៩៣"),
    (DateParts(_d("1996-01-01"), _d("1996-12-31"), "year"), "1996", "ឆ្នាំ ១៩៩៦"),
    (DateParts(_d("1994-01-01"), _d("1994-01-31"), "month", approximate=True), "around January 1994",
     "ប្រហែលខែមករា ឆ្នាំ ១៩៩៤"),
    (DateParts(_d("1994-02-10"), _d("1994-02-10"), uncertain=True), "10 February 1994 (uncertain)",
     "ថ្ងៃទី ១០ ខែកុម្ភៈ ឆ្នាំ ១៩៩៤ (មិនប្រាកដ)"),
    (DateParts(_d("1994-04-01"), _d("1994-04-30"), "month", part="late"), "late April 1994", "ចុងខែមេសា ឆ្នាំ ១៩៩៤"),
    (DateParts(_d("1997-08-01"), _d("1997-08-31"), "month", part="mid"), "mid-August 1997",
     "ពាក់កណ្ដាលខែសីហា ឆ្នាំ ១៩៩៧"),
    (DateParts(_d("1998-01-01"), _d("1998-12-31"), "year", part="early"), "early 1998", "ដើមឆ្នាំ ១៩៩៨"),
    (DateParts(_d("1997-07-05"), _d("1997-07-06"), kind="interval"), "5–6 July 1997", "ថ្ងៃទី ៥–៦ ខែកក្កដា ឆ្នាំ ១៩៩៧"),
    (DateParts(_d("1994-11-01"), _d("1994-12-16"), kind="one_of"), "between 1 November and 16 December 1994",
     "ចន្លោះថ្ងៃទី ១ ខែវិច្ឆិកា និងថ្ងៃទី ១៦ ខែធ្នូ ឆ្នាំ ១៩៩៤"),
    (DateParts(_d("1994-12-20"), _d("1995-01-05"), kind="one_of"), "between 20 December 1994 and 5 January 1995",
     "ចន្លោះថ្ងៃទី ២០ ខែធ្នូ ឆ្នាំ ១៩៩៤ និងថ្ងៃទី ៥ ខែមករា ឆ្នាំ ១៩៩៥"),
    (DateParts(_d("1994-04-01"), _d("1994-06-30"), "month", kind="interval"), "April – June 1994",
     "ពីខែមេសា ដល់ខែមិថុនា ឆ្នាំ ១៩៩៤"),
    (DateParts(_d("1993-01-01"), _d("1995-12-31"), "year", kind="interval"), "1993–1995", "ពីឆ្នាំ ១៩៩៣ ដល់ឆ្នាំ ១៩៩៥"),
])
def test_format_date(parts, en, km):
    assert (format_date(parts, "en"), format_date(parts, "km")) == (en, km)


def test_format_date_takes_plain_mappings():
    assert format_date({"earliest": "1994-04-01", "latest": "1994-04-30", "precision": "month", "part": "late"},
                       "km") == "ចុងខែមេសា ឆ្នាំ ១៩៩៤"


@pytest.mark.parametrize("parts", [
    DateParts(_d("1994-04-19"), _d("1994-04-19"), part="late"),  # a day has no "late"
    DateParts(_d("1994-04-01"), _d("1994-06-30"), "month", kind="interval", part="early"),
    DateParts(_d("1994-04-19"), _d("1994-04-18")),
])
def test_format_date_refuses_what_is_not_a_date(parts):
    with pytest.raises(ValueError):
        format_date(parts, "km")


@pytest.mark.parametrize("x, decimals, en, km", [
    (0, 0, "0", "០"), (1994, 0, "1,994", "១.៩៩៤"), (12345.678, 1, "12,345.7", "១២.៣៤៥,៧"),
    (-3.5, 2, "-3.50", "-៣,៥០"), (2.5, 0, "2", "២"),  # half to even, as Babel rounds
])
def test_format_number(x, decimals, en, km):
    assert (format_number(x, "en", decimals), format_number(x, "km", decimals)) == (en, km)


days = st.dates(min_value=date(1800, 1, 1), max_value=date(2100, 12, 31))


@st.composite
def date_parts(draw):
    kind = draw(st.sampled_from(["point", "interval", "one_of"]))
    precision = draw(st.sampled_from(["day", "month", "year"]))
    first = draw(days)
    last = first if kind == "point" and precision == "day" else first + timedelta(days=draw(st.integers(0, 900)))
    part = draw(st.sampled_from([None, "early", "mid", "late"])) if kind == "point" and precision != "day" else None
    return DateParts(first, last, precision, draw(st.booleans()), draw(st.booleans()), kind, part)


@given(date_parts())
def test_khmer_dates_have_no_latin_letters_or_digits(parts):
    text = format_date(parts, "km")
    assert not re.search(r"[A-Za-z0-9]", text), text
    assert re.search(f"[{KHMER_DIGITS}]", text)  # the year, at least, in Khmer numerals


@given(date_parts())
def test_english_dates_have_no_khmer(parts):
    assert not KHMER.search(format_date(parts, "en"))


_KM_DAY = re.compile(r"^ថ្ងៃទី ([០-៩]+) ខែ(\S+) ឆ្នាំ ([០-៩]+)$")


@given(days)
def test_khmer_day_reads_back_to_the_same_day(day):
    match = _KM_DAY.match(format_day(day, "km"))
    assert match, format_day(day, "km")
    d, month, y = match.groups()
    assert date(int(latin_digits(y)), KM_MONTHS.index(month) + 1, int(latin_digits(d))) == day


@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=0, max_value=3))
def test_khmer_numbers_read_back(hundredths, decimals):
    x = hundredths / 100
    text = format_number(x, "km", decimals)
    assert not re.search(r"[0-9]", text)
    value = Decimal(latin_digits(text).replace(".", "").replace(",", "."))
    # Babel rounds the decimal the float prints as (2271.35 -> 2271.4), half to even.
    assert value == Decimal(str(x)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)


edtf_points = st.builds(
    lambda day, precision, qualifier: {"day": day.isoformat(), "month": day.isoformat()[:7],
                                       "year": day.isoformat()[:4]}[precision] + qualifier,
    days.filter(lambda d: d.year >= 1000), st.sampled_from(["day", "month", "year"]), st.sampled_from(["", "~", "?", "%"]))


@given(edtf_points)
def test_english_labels_match_the_date_parser(text):
    """Pages can switch from HistoricalDate.label() to format_date without any English label changing."""
    parsed = parse_date(text)
    assert format_date(parsed.to_dict(), "en") == parsed.label()


# --- Khmer line breaks ----------------------------------------------------------------------------

khmer_syllables = st.lists(st.sampled_from(["ប៉ៃ", "លិន", "ខ្មែរ", "ក្រ", "ហម", "ថ្ងៃ", "ទី", "ឆ្នាំ", "ស្ត្រី", "បាត់",
                                             "ដំ", "បង", "អ", "ន្លង់", "។", " ", "១៩៩៤"]), min_size=1, max_size=30)


@given(khmer_syllables)
def test_breaks_never_split_a_syllable(pieces):
    text = "".join(pieces)
    for i in syllable_breaks(text):
        assert text[i - 1] != COENG
        assert "\u1780" <= text[i] <= "\u17b3" or text[i - 1] in "។៕", (text, i)


@given(khmer_syllables, st.integers(min_value=3, max_value=40))
def test_wrap_keeps_the_text_and_the_width(pieces, width):
    text = "".join(pieces).strip()
    lines = wrap(text, width, len)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    unbreakable = max((len(w) for w in re.split(r"\s", text)), default=0)
    # A line is wider than asked only when no syllable break leaves a first piece that fits.
    assert all(len(line) <= width or not [i for i in syllable_breaks(line) if i <= width] for line in lines), lines
    assert all(not line.startswith(" ") for line in lines)
    if unbreakable <= width:
        assert all(len(line) <= width for line in lines)


def test_wrap_prefers_spaces():
    assert wrap("ប៉ៃលិន បាត់ដំបង", 8, len) == ["ប៉ៃលិន", "បាត់ដំបង"]


# --- Khmer in matplotlib --------------------------------------------------------------------------


def _shaped_width_px(text: str, size_px: float) -> float:
    """The text's advance width as HarfBuzz shapes it with the vendored font (the browser's shaper)."""
    import uharfbuzz as hb

    from layers.text.i18n import FONT_FILES

    blob = hb.Blob.from_file_path(str(FONT_FILES["regular"]))
    face = hb.Face(blob)
    font = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf, {})
    return sum(p.x_advance for p in buf.glyph_positions) * size_px / face.upem


def _unshaped_width_px(text: str, size_px: float) -> float:
    from fontTools.ttLib import TTFont

    from layers.text.i18n import FONT_FILES

    font = TTFont(str(FONT_FILES["regular"]))
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return sum(hmtx[cmap[ord(c)]][0] for c in text if ord(c) in cmap) * size_px / font["head"].unitsPerEm


@pytest.mark.parametrize("text", ["ខ្មែរក្រហម", "ស្ត្រី", "ថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤"])
def test_matplotlib_shapes_khmer_like_harfbuzz(text):
    """Without shaping (or with another font) a coeng and a subscript take their own advance; shaped,
    they stack under the consonant. Matplotlib's width must be HarfBuzz's, not the unshaped sum."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12, 2), dpi=100)
    artist = draw_text(fig, 0.01, 0.5, text, "km", fontsize=72)
    renderer = FigureCanvasAgg(fig).get_renderer()
    size_px = 72 * fig.dpi / 72
    width = artist.get_window_extent(renderer).width
    shaped, unshaped = _shaped_width_px(text, size_px), _unshaped_width_px(text, size_px)
    gap = abs(shaped - unshaped)
    assert gap > 20  # the strings are ones where shaping matters
    assert abs(width - shaped) < gap / 4, (width, shaped, unshaped)


def test_text_props_choose_the_vendored_khmer_font():
    from matplotlib import font_manager

    assert register_fonts() == KHMER_FAMILY
    path = font_manager.findfont(font_manager.FontProperties(family=text_props("km")["family"]), fallback_to_default=False)
    assert Path(path).parent == ROOT / "fonts"
    assert text_props("km")["language"] == "km" and text_props("en")["family"][0] == "DejaVu Sans"


def test_khmer_png_pdf_svg_render_without_missing_glyphs(recwarn):
    """Matplotlib warns 'Glyph ... missing from font' when a character falls through every font."""
    import io

    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 2))
    draw_text(fig, 0.02, 0.5, "ស្ថានភាពនៅថ្ងៃទី ២២ ខែមេសា ឆ្នាំ ១៩៩៤ ±១៥ ថ្ងៃ គ.ម²", "km", fontsize=14)
    for fmt in ("png", "pdf", "svg"):
        fig.savefig(io.BytesIO(), format=fmt)
    assert not [w for w in recwarn if "missing from" in str(w.message)]


def test_every_language_has_its_own_name_and_a_catalogue():
    from layers.text.i18n import LANGUAGE_NAMES

    for lang in LANGUAGES:
        assert lang == "en" or i18n_extract.catalogue_path(lang).exists()
    assert KHMER.search(LANGUAGE_NAMES["km"]) and LANGUAGE_NAMES["en"] == "English"

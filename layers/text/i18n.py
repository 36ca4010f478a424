"""English and Khmer: translated text (gettext catalogues via Babel), dates and numbers as
Cambodians write them, and Khmer text in matplotlib figures.

Everything here takes plain values (dates, strings, numbers), so pages, renderers and the CLI can
call it whatever shape the rest of the engine takes.

Translations: `locale/km/LC_MESSAGES/messages.po` is read at run time (Babel's `read_po`, compiled
in memory to the standard `gettext` object), so a plain `pip install -r requirements.txt` and
`streamlit run app.py` work with no build step. `python scripts/i18n_extract.py` refreshes the
template and the catalogue after code changes (see that script).

Dates: Babel's `km` locale (CLDR) gives the month names Cambodians use (មករា ... ធ្នូ), so they come
from Babel. Its date patterns do not fit: CLDR's long date is "19 មេសា 1994" with Latin digits,
while Cambodian writing (schools, the press, official letters) says "ថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤" with
Khmer numerals and the words ថ្ងៃទី (day), ខែ (month) and ឆ្នាំ (year); so the patterns are ours.
Numbers: Babel formats them with CLDR's symbols for the Khmer numbering system (group ".",
decimal ",", as in Cambodian official writing: ១.២៣៤,៥), but keeps Latin digits, which we convert.
"""

from __future__ import annotations

import gettext
import io
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Mapping

from babel.dates import get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from .khmer_text import khmer_digits

LANGUAGES = ("en", "km")
DEFAULT_LANG = "en"
LANGUAGE_NAMES = {"en": "English", "km": "ខ្មែរ"}  # each in its own language, for the switch
ROOT = Path(__file__).resolve().parents[2]
LOCALE_DIR = ROOT / "locale"
DOMAIN = "messages"

Precision = Literal["day", "month", "year"]
DateKind = Literal["point", "interval", "one_of"]
Part = Literal["early", "mid", "late"]


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (module constants, translated where shown)."""
    return message


def normalise_lang(text: object) -> str:
    """'km', 'KM', 'km-KH', 'km_KH' -> 'km'; anything unknown (or None) -> 'en'. Never raises: this
    reads `?lang=` from a URL."""
    if isinstance(text, str):
        code = re.split(r"[-_]", text.strip().lower(), maxsplit=1)[0]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANG


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}; "
                         "use normalise_lang() for text from a URL or a user.")
    return lang


# --- messages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Translator:
    """Messages in one language. `_` is `gettext`; placeholders are `{name}` (str.format)."""

    lang: str
    _catalog: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._catalog.pgettext(context, message)

    def _(self, message: str, **values: Any) -> str:
        """`gettext`, then `format(**values)` when values are given."""
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text


def catalogue_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=None)
def translator(lang: str) -> Translator:
    """The Translator for 'en' (the msgids themselves) or 'km' (the Khmer catalogue). Fuzzy entries
    are not used: they are a translator's unchecked guess."""
    lang = _check_lang(lang)
    path = catalogue_path(lang)
    if not path.exists():
        return Translator(lang, gettext.NullTranslations())
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translator(lang, gettext.GNUTranslations(compiled))


# --- numbers --------------------------------------------------------------------------------------


def format_number(x: float, lang: str, decimals: int = 0) -> str:
    """12345.6 -> '12,346' (en) or '១២.៣៤៦' (km), rounded half-even to `decimals` places."""
    _check_lang(lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    if lang == "en":
        return format_decimal(x, format=pattern, locale="en")
    return khmer_digits(format_decimal(x, format=pattern, locale="km", numbering_system="khmr"))


def _num(n: int, lang: str) -> str:
    return khmer_digits(str(n)) if lang == "km" else str(n)


# --- dates ----------------------------------------------------------------------------------------

_MONTHS = {lang: get_month_names("wide", locale=lang) for lang in LANGUAGES}
_EN_PART = {"early": "early ", "mid": "mid-", "late": "late "}
_KM_PART = {"early": "ដើម", "mid": "ពាក់កណ្ដាល", "late": "ចុង"}


@dataclass(frozen=True, slots=True)
class DateParts:
    """A date as history states it, in plain fields.

    kind: "point" (one date in its precision), "interval" (a span: it lasted from `earliest` to
    `latest`), "one_of" (EDTF `[A..B]`: one day somewhere between them). `part` narrows a month- or
    year-precision point to its early, mid or late third (the contract's `<field>_part`)."""

    earliest: date
    latest: date
    precision: Precision = "day"
    approximate: bool = False
    uncertain: bool = False
    kind: DateKind = "point"
    part: Part | None = None

    @classmethod
    def of(cls, value: "DateParts | Mapping[str, Any]") -> "DateParts":
        """From a DateParts or a mapping with these keys (dates as `date` or ISO text), e.g.
        `HistoricalDate.to_dict()` plus `kind` and `part`."""
        if isinstance(value, DateParts):
            return value
        fields = {k: value[k] for k in ("earliest", "latest", "precision", "approximate", "uncertain", "kind",
                                        "part") if k in value}
        for key in ("earliest", "latest"):
            if isinstance(fields.get(key), str):
                fields[key] = date.fromisoformat(fields[key])
        if "latest" not in fields:
            fields["latest"] = fields["earliest"]
        return cls(**fields)


def format_day(day: date, lang: str) -> str:
    """'19 April 1994' or 'ថ្ងៃទី ១៩ ខែមេសា ឆ្នាំ ១៩៩៤'."""
    return _point(day, "day", _check_lang(lang))


def _point(day: date, precision: Precision, lang: str, part: Part | None = None) -> str:
    month = _MONTHS[lang][day.month]
    year = _num(day.year, lang)
    if lang == "en":
        text = {"day": f"{day.day} {month} {year}", "month": f"{month} {year}", "year": year}[precision]
        return _EN_PART[part] + text if part else text
    text = {"day": f"ថ្ងៃទី {_num(day.day, lang)} ខែ{month} ឆ្នាំ {year}", "month": f"ខែ{month} ឆ្នាំ {year}",
            "year": f"ឆ្នាំ {year}"}[precision]
    return _KM_PART[part] + text if part else text


def _without_year(day: date, precision: Precision, lang: str) -> str:
    """The first end of a range within one year: '1 November', 'ថ្ងៃទី ១ ខែវិច្ឆិកា'."""
    full = _point(day, precision, lang)
    return full.rsplit(" ", 1)[0] if lang == "en" else full.rsplit(" ឆ្នាំ ", 1)[0]


def _range(first: date, last: date, precision: Precision, lang: str, kind: DateKind) -> str:
    if precision == "year":
        a, b = _point(first, "year", lang), _point(last, "year", lang)
        if lang == "en":
            return f"between {a} and {b}" if kind == "one_of" else f"{a}\u2013{b}"
        return f"ចន្លោះ{a} និង{b}" if kind == "one_of" else f"ពី{a} ដល់{b}"
    same_year = first.year == last.year
    same_month = same_year and first.month == last.month
    b = _point(last, precision, lang)
    if lang == "en":
        if kind == "interval" and precision == "day" and same_month:
            return f"{first.day}\u2013{b}"
        if kind == "one_of" and precision == "day" and same_month:
            return f"between {first.day} and {b}"
        a = _without_year(first, precision, lang) if same_year else _point(first, precision, lang)
        return f"between {a} and {b}" if kind == "one_of" else f"{a} \u2013 {b}"
    if kind == "interval" and precision == "day" and same_month:
        return f"ថ្ងៃទី {_num(first.day, lang)}\u2013{b.removeprefix('ថ្ងៃទី ')}"
    if kind == "one_of" and precision == "day" and same_month:
        return f"ចន្លោះថ្ងៃទី {_num(first.day, lang)} និង{b}"
    a = _without_year(first, precision, lang) if same_year else _point(first, precision, lang)
    return f"ចន្លោះ{a} និង{b}" if kind == "one_of" else f"ពី{a} ដល់{b}"


def format_date(parts: DateParts | Mapping[str, Any], lang: str) -> str:
    """A historical date in words, in its own precision (never a day the sources do not give).

    >>> format_date(DateParts(date(1994, 4, 1), date(1994, 4, 30), "month", part="late"), "km")
    'ចុងខែមេសា ឆ្នាំ ១៩៩៤'
    >>> format_date({"earliest": "1994-11-01", "latest": "1994-12-16", "kind": "one_of"}, "en")
    'between 1 November and 16 December 1994'
    """
    _check_lang(lang)
    p = DateParts.of(parts)
    if p.latest < p.earliest:
        raise ValueError(f"date ends ({p.latest}) before it starts ({p.earliest}).")
    if p.part is not None and (p.precision == "day" or p.kind != "point"):
        raise ValueError(f"part {p.part!r} applies to one month- or year-precision date, not a "
                         f"{p.precision}-precision {p.kind}.")
    if p.kind == "point" or p.earliest == p.latest and p.precision == "day":
        text = _point(p.earliest, p.precision, lang, p.part)
    else:
        text = _range(p.earliest, p.latest, p.precision, lang, p.kind)
    if p.approximate:
        text = ("around " if lang == "en" else "ប្រហែល") + text
    if p.uncertain:
        text += " (uncertain)" if lang == "en" else " (មិនប្រាកដ)"
    return text


# --- Khmer text in matplotlib ---------------------------------------------------------------------
# Matplotlib 3.11 lays text out with libraqm (HarfBuzz + SheenBidi): Khmer subscripts (coeng) and
# vowel reordering come out as in a browser, in PNG, PDF and SVG alike (checked against Chromium).
# What it lacks is a Khmer font: fonts/ carries Noto Sans Khmer (OFL), renamed so that an older
# system copy of the same family (Debian's has no Latin letters) can never be chosen instead.

FONT_DIR = ROOT / "fonts"
KHMER_FAMILY = "Noto Sans Khmer Atlas"
FONT_FILES = {"regular": FONT_DIR / "NotoSansKhmerAtlas-Regular.ttf", "bold": FONT_DIR / "NotoSansKhmerAtlas-Bold.ttf"}
_FALLBACK = "DejaVu Sans"  # ships with matplotlib: has ± ² and arrows, which the Khmer font lacks


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Add the vendored Khmer font to matplotlib's font manager (once); returns its family name."""
    from matplotlib import font_manager

    for path in FONT_FILES.values():
        font_manager.fontManager.addfont(str(path))
    return KHMER_FAMILY


def font_family(lang: str) -> list[str]:
    """Matplotlib `family` for text in `lang`: the Khmer font first for Khmer; for English the usual
    DejaVu Sans, falling back to the Khmer font for Khmer names in English text."""
    register_fonts()
    return [KHMER_FAMILY, _FALLBACK] if _check_lang(lang) == "km" else [_FALLBACK, KHMER_FAMILY]


def text_props(lang: str) -> dict[str, Any]:
    """Keyword arguments for any matplotlib text call (`fig.text`, `ax.text`, `ax.set_title`...)."""
    return {"family": font_family(lang), "language": "km" if lang == "km" else "en"}


def font_properties(lang: str, size: float | None = None, weight: str = "normal"):
    """A FontProperties for APIs that take one (`legend(prop=..., title_fontproperties=...)`)."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=font_family(lang), size=size, weight=weight)


def draw_text(target, x: float, y: float, text: str, lang: str, **kwargs: Any):
    """`target.text(x, y, text, **kwargs)` in the right font and language; target is a Figure or Axes."""
    return target.text(x, y, text, **{**text_props(lang), **kwargs})


def localise_figure(fig, lang: str) -> None:
    """Set the font and language of every text already in `fig` (titles, legend, labels). Call it
    before measuring text for fitting: Khmer is taller and wider than Latin at the same size."""
    from matplotlib.text import Text

    props = text_props(lang)
    for artist in fig.findobj(Text):
        artist.set_family(props["family"])
        artist.set_language(props["language"])

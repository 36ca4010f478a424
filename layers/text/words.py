"""The words a renderer needs in one language: messages, dates, numbers (English by default).

Renderers take a `Words` instead of reaching for a global language, so one dataset can be drawn in two
languages at once (two visitors, two snapshots) with nothing shared that changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Callable

from babel.dates import get_month_names

from ..data.dates import MONTHS, HistoricalDate, day_label
from .i18n import DateParts, format_date, format_day, format_number, normalise_lang, translator


def _identity(message: str) -> str:
    return message


def _number(value: float) -> str:
    return f"{value:,.0f}"


@dataclass(frozen=True)
class Words:
    lang: str = "en"
    gettext: Callable[[str], str] = _identity
    date: Callable[[HistoricalDate], str] = field(default=HistoricalDate.label)
    day: Callable[[date], str] = day_label
    number: Callable[[float], str] = _number
    months: tuple[str, ...] = MONTHS
    digits: str = "0123456789"
    day_format: str = "{d} {m} {y}"   # for the browser: a day from its parts

    term: Callable[[str, str], str] = lambda context, key: key   # a data key (certainty, kind) in words

    def __call__(self, message: str) -> str:
        return self.gettext(message)


ENGLISH = Words()


def date_parts(when: HistoricalDate) -> DateParts:
    """A HistoricalDate as the plain fields layers/text/i18n.py formats."""
    kind = "one_of" if getattr(when, "is_one_of", False) else "interval" if when.is_interval else "point"
    return DateParts(when.earliest, when.latest, when.precision, when.approximate, when.uncertain, kind,
                     getattr(when, "part", None))


@lru_cache(maxsize=None)
def words_for(lang: str) -> Words:
    """The words of `lang` ('en' or 'km'; anything else gives English)."""
    lang = normalise_lang(lang)
    t = translator(lang)
    return Words(
        lang=lang, gettext=t.gettext, date=lambda when: format_date(date_parts(when), lang),
        day=lambda day: format_day(day, lang), number=lambda x: format_number(x, lang),
        months=tuple(get_month_names("wide", locale=lang)[m] for m in range(1, 13)),
        digits="០១២៣៤៥៦៧៨៩" if lang == "km" else "0123456789",
        day_format="ថ្ងៃទី {d} ខែ{m} ឆ្នាំ {y}" if lang == "km" else "{d} {m} {y}",
        term=t.pgettext)

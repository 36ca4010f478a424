"""The words a renderer needs in one language: messages, dates, numbers (English by default).

Renderers take a `Words` instead of reaching for a global language, so one dataset can be drawn in two
languages at once (two visitors, two snapshots) with nothing shared that changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from .dates import MONTHS, HistoricalDate, day_label


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

    def __call__(self, message: str) -> str:
        return self.gettext(message)


ENGLISH = Words()

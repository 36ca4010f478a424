"""Historical dates with their precision: "19 April 1994", "May 1993", "around January 1994".

Dates are written in EDTF (Library of Congress Extended Date/Time Format), the subset history
needs: YYYY, YYYY-MM, YYYY-MM-DD, each optionally qualified ~ (approximate), ? (uncertain) or %
(both), intervals of two such dates joined by '/', and the level-2 set "one of" `[A..B]` (one day
somewhere between A and B: "by 16 December 1994" when the last day of the old state is known).
A month or year may be narrowed by a part ("early", "mid", "late", the sibling field `<date>_part`):
"late April 1994". For the state computation a month part is days 1-10 / 11-20 / 21-end and a year
part Jan-Apr / May-Aug / Sep-Dec: the atlas's convention, never shown as a day. We keep what the map needs: the earliest and
latest day the text allows, the precision, and the qualifiers. (The `edtf` package parses the full
standard but takes ~11 ms a date through pyparsing, minutes for a large dataset; the tests use it as
an oracle for this parser.)
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from .errors import DateError

Precision = Literal["day", "month", "year"]

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_PLAIN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?[~?%]?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ONE_OF = re.compile(r"^\[(\d{4}(?:-\d{2}(?:-\d{2})?)?)\.\.(\d{4}(?:-\d{2}(?:-\d{2})?)?)\]$")
PARTS = ("early", "mid", "late")


@dataclass(frozen=True, slots=True)
class HistoricalDate:
    """A date as history states it. `earliest`..`latest` is every day the text allows."""

    text: str
    earliest: date
    latest: date
    precision: Precision
    approximate: bool = False
    uncertain: bool = False
    part: str | None = None

    @property
    def is_interval(self) -> bool:
        return "/" in self.text

    @property
    def is_one_of(self) -> bool:
        """An EDTF set `[A..B]`: a single day, somewhere between A and B."""
        return self.text.startswith("[")

    @property
    def first_day(self) -> int:
        """Proleptic ordinal of the earliest day: the key used for the state computation."""
        return self.earliest.toordinal()

    @property
    def last_day(self) -> int:
        return self.latest.toordinal()

    def label(self) -> str:
        """The date in words, in its own precision: never a day the sources do not give."""
        if self.is_one_of:
            text = _one_of_label(self.earliest, self.latest, self.precision)
        elif self.is_interval:
            text = _interval_label(self.earliest, self.latest, self.precision)
        elif self.part:
            joiner = "-" if self.part == "mid" else " "  # "mid-August 1997", "late April 1994"
            text = f"{self.part}{joiner}{_point_label(self.earliest, self.precision)}"
        else:
            text = _point_label(self.earliest, self.precision)
        if self.approximate:
            text = "around " + text
        if self.uncertain:
            text += " (uncertain)"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "date": self.text,
            "precision": self.precision,
            "approximate": self.approximate,
            "uncertain": self.uncertain,
            "part": self.part,
            "earliest": self.earliest.isoformat(),
            "latest": self.latest.isoformat(),
            "label": self.label(),
        }


def _point_label(day: date, precision: Precision) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _interval_label(first: date, last: date, precision: Precision) -> str:
    if precision == "day" and (first.year, first.month) == (last.year, last.month):
        return f"{first.day}\u2013{last.day} {MONTHS[first.month - 1]} {first.year}"
    return f"{_point_label(first, precision)} \u2013 {_point_label(last, precision)}"


def _one_of_label(first: date, last: date, precision: Precision) -> str:
    if precision == "day" and first.year == last.year:
        return f"between {first.day} {MONTHS[first.month - 1]} and {_point_label(last, precision)}"
    return f"between {_point_label(first, precision)} and {_point_label(last, precision)}"


def _narrow(first: date, last: date, precision: Precision, part: str) -> tuple[date, date]:
    """The days a part of a month or year stands for in the state computation."""
    i = PARTS.index(part)
    if precision == "month":
        starts = (1, 11, 21)
        end = date(first.year, first.month, starts[i + 1] - 1) if i < 2 else last
        return date(first.year, first.month, starts[i]), end
    start_month = (1, 5, 9)[i]
    end = date(first.year, start_month + 3, calendar.monthrange(first.year, start_month + 3)[1])
    return date(first.year, start_month, 1), end


def _bounds(part: str) -> tuple[date, date]:
    """First and last day of one EDTF date without qualifiers' effect on the bounds."""
    fields = [int(x) for x in part.strip("~?%").split("-")]
    year = fields[0]
    if year < 1:
        raise ValueError("year 0 is out of range")
    if len(fields) == 1:
        return date(year, 1, 1), date(year, 12, 31)
    month = fields[1]
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1..12")
    if len(fields) == 2:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(year, month, fields[2])
    return day, day


def _precision_of(part: str) -> Precision:
    digits = part.strip("~?%")
    dashes = digits.count("-")
    return ("year", "month", "day")[min(dashes, 2)]


@lru_cache(maxsize=65536)
def parse_date(text: str, part: str | None = None) -> HistoricalDate:
    """Parse an EDTF date or interval of dates.

    >>> parse_date("1993-05").label()
    'May 1993'
    >>> parse_date("1994-01~").label()
    'around January 1994'
    >>> parse_date("1997-07-05/1997-07-06").label()
    '5–6 July 1997'
    >>> parse_date("[1994-05-09..1994-12-16]").label()
    'between 9 May and 16 December 1994'
    >>> parse_date("1994-04", "late").label()
    'late April 1994'
    """
    if not isinstance(text, str):
        raise DateError(f"Expected an EDTF date string such as '1994-04-19', got {text!r}.")
    text = text.strip()
    one_of = _ONE_OF.match(text)
    if one_of is not None:
        return _parse_one_of(text, one_of.group(1), one_of.group(2), part)
    parsed = _parse_plain(text)
    if part is None:
        return parsed
    if part not in PARTS:
        raise DateError(f"part {part!r} of {text!r} must be one of {', '.join(PARTS)}.")
    if parsed.is_interval or parsed.precision == "day":
        raise DateError(f"{text!r} cannot take the part {part!r}: only a single month or year can "
                        "(write '1994-04' with part 'late' for \"late April 1994\").")
    first, last = _narrow(parsed.earliest, parsed.latest, parsed.precision, part)
    return HistoricalDate(text, first, last, parsed.precision, parsed.approximate, parsed.uncertain, part)


def _parse_one_of(text: str, a: str, b: str, part: str | None) -> HistoricalDate:
    if part is not None:
        raise DateError(f"{text!r} is a set of days; it cannot also take the part {part!r}.")
    try:
        earliest, latest = _bounds(a)[0], _bounds(b)[1]
    except ValueError as exc:
        raise DateError(f"{text!r} is not a valid date ({exc}).") from None
    if latest <= earliest:
        raise DateError(f"{text!r} must run from an earlier to a later date.")
    precision: Precision = min((_precision_of(a), _precision_of(b)), key=("year", "month", "day").index)
    return HistoricalDate(text=text, earliest=earliest, latest=latest, precision=precision)


def _parse_plain(text: str) -> HistoricalDate:
    parts = text.split("/")
    if len(parts) > 2 or not all(_PLAIN.match(p) for p in parts):
        raise DateError(
            f"{text!r} is not a date this atlas understands: write YYYY, YYYY-MM or YYYY-MM-DD, "
            "optionally followed by ~ (approximate) or ? (uncertain), two such dates joined by '/', "
            "or '[A..B]' for one day between A and B."
        )
    try:
        earliest = _bounds(parts[0])[0]
        latest = _bounds(parts[-1])[1]
    except ValueError as exc:
        raise DateError(f"{text!r} is not a valid date ({exc}).") from None
    if latest < earliest:
        raise DateError(f"{text!r} ends before it starts.")
    precisions = [_precision_of(p) for p in parts]
    # An interval is as precise as its coarser end.
    precision: Precision = min(precisions, key=("year", "month", "day").index)
    return HistoricalDate(
        text=text,
        earliest=earliest,
        latest=latest,
        precision=precision,
        approximate=any(p.endswith(("~", "%")) for p in parts),
        uncertain=any(p.endswith(("?", "%")) for p in parts),
    )


def parse_day(text: str, *, earliest: date | None = None, latest: date | None = None) -> date:
    """Parse a query date `YYYY-MM-DD` (a day, as a slider or a URL gives it), within a range.

    Raises DateError with a message a user can act on.
    """
    match = _ISO_DAY.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise DateError(f"{text!r} is not a date: write it as YYYY-MM-DD, for example 1994-04-19.")
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise DateError(f"{text!r} is not a real day ({exc}).") from None
    if earliest is not None and day < earliest or latest is not None and day > latest:
        raise DateError(
            f"{day.isoformat()} is outside the dataset's time range "
            f"{earliest.isoformat() if earliest else '…'} to {latest.isoformat() if latest else '…'}."
        )
    return day


def day_label(day: date) -> str:
    """A plain day in words, e.g. '19 April 1994'."""
    return _point_label(day, "day")


def from_ordinal(ordinal: int) -> date:
    return date.fromordinal(ordinal)


def shift(day: date, days: int) -> date:
    return day + timedelta(days=days)

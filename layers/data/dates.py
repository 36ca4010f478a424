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

Two additions from EDTF level 2 and the atlas's own convention:
- `[A..B]`, one day somewhere between A and B inclusive ("by 16 December 1994", when the last day
  the old state is attested is known): label "between 1 November and 16 December 1994".
- A part, `early`/`mid`/`late`, for a month- or year-precision date where the sources say
  "late April 1994" (given in a sibling field `<field>_part`). For the state computation a month is
  narrowed to days 1-10 / 11-20 / 21-end and a year to Jan-Apr / May-Aug / Sep-Dec; the label stays
  "late April 1994" and never shows a day.

Years are limited to 1000-2999: every layer of the stack (the date slider, pandas, JavaScript's
Date in the HTML snapshot) can represent those.
"""

from __future__ import annotations

import calendar
import re
import reprlib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal, Mapping

from .errors import N_, DateError, Message

Precision = Literal["day", "month", "year"]
Part = Literal["early", "mid", "late"]

PARTS: tuple[Part, ...] = ("early", "mid", "late")
MIN_YEAR, MAX_YEAR = 1000, 2999

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
_PLAIN = re.compile(r"\A\d{4}(-\d{2}(-\d{2})?)?[~?%]?\Z")
_ONE_OF = re.compile(r"\A\[([^\[\]]*)\.\.([^\[\]]*)\]\Z")
_ISO_DAY = re.compile(r"\A(\d{4})-(\d{2})-(\d{2})\Z")


@dataclass(frozen=True, slots=True)
class HistoricalDate:
    """A date as history states it. `earliest`..`latest` is every day the text allows."""

    text: str
    earliest: date
    latest: date
    precision: Precision
    approximate: bool = False
    uncertain: bool = False
    part: Part | None = None
    one_of: bool = False  # `[A..B]`: a single day, somewhere between earliest and latest

    @property
    def is_interval(self) -> bool:
        return "/" in self.text

    @property
    def is_single_day(self) -> bool:
        return self.earliest == self.latest

    @property
    def first_day(self) -> int:
        """Proleptic ordinal of the earliest day: the key used for the state computation."""
        return self.earliest.toordinal()

    @property
    def last_day(self) -> int:
        return self.latest.toordinal()

    def label(self) -> str:
        """The date in words, in its own precision: never a day the sources do not give."""
        if self.one_of:
            text = _between_label(self.earliest, self.latest, self.precision)
        elif self.is_interval:
            text = _interval_label(self.earliest, self.latest, self.precision)
        elif self.part is not None:
            text = f"{'mid-' if self.part == 'mid' else self.part + ' '}{_point_label(self.earliest, self.precision)}"
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
            "one_of": self.one_of,
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


def _between_label(first: date, last: date, precision: Precision) -> str:
    """'between 1 November and 16 December 1994': the shared year (and month) said once."""
    if precision == "year":
        return f"between {first.year} and {last.year}"
    if first.year != last.year:
        return f"between {_point_label(first, precision)} and {_point_label(last, precision)}"
    if precision == "month":
        return f"between {MONTHS[first.month - 1]} and {MONTHS[last.month - 1]} {last.year}"
    if first.month == last.month:
        return f"between {first.day} and {last.day} {MONTHS[last.month - 1]} {last.year}"
    return f"between {first.day} {MONTHS[first.month - 1]} and {_point_label(last, 'day')}"


def _narrow(first: date, last: date, precision: Precision, part: Part) -> tuple[date, date]:
    """The atlas's convention for early/mid/late: thirds of a month (1-10, 11-20, 21-end) or of a
    year (Jan-Apr, May-Aug, Sep-Dec)."""
    third = PARTS.index(part)
    if precision == "month":
        lo = first.replace(day=1 + 10 * third)
        hi = last if third == 2 else first.replace(day=10 * (third + 1))
        return lo, hi
    lo = date(first.year, 1 + 4 * third, 1)
    hi = date(first.year, 4 * (third + 1), calendar.monthrange(first.year, 4 * (third + 1))[1])
    return lo, hi


def _bounds(part: str) -> tuple[date, date]:
    """First and last day of one EDTF date without qualifiers' effect on the bounds."""
    fields = [int(x) for x in part.strip("~?%").split("-")]
    year = fields[0]
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}, the years the atlas can show")
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


def parse_date(text: str, part: str | None = None) -> HistoricalDate:
    """Parse an EDTF date, an interval `A/B` or a one-of-set `[A..B]`, optionally narrowed by a part.

    >>> parse_date("1993-05").label()
    'May 1993'
    >>> parse_date("1994-01~").label()
    'around January 1994'
    >>> parse_date("1997-07-05/1997-07-06").label()
    '5–6 July 1997'
    >>> parse_date("1994-04", "late").label()
    'late April 1994'
    >>> parse_date("[1994-11-01..1994-12-16]").label()
    'between 1 November and 16 December 1994'
    """
    if not isinstance(text, str):
        raise DateError(Message(N_("Expected an EDTF date string such as '1994-04-19', got {value}."),
                                value=reprlib.repr(text)))
    if part is not None and not isinstance(part, str):
        raise DateError(Message(N_("part {part} is not one of early, mid, late."), part=reprlib.repr(part)))
    return _parse_date(text, part)


@lru_cache(maxsize=65536)
def _parse_date(text: str, part: str | None) -> HistoricalDate:
    text = text.strip()
    one_of = _ONE_OF.match(text)
    parts = [one_of.group(1).strip(), one_of.group(2).strip()] if one_of else text.split("/")
    if len(parts) > 2 or not all(_PLAIN.match(p) for p in parts):
        raise DateError(Message(
            N_("{text!r} is not a date this atlas understands: write YYYY, YYYY-MM or YYYY-MM-DD, "
               "optionally followed by ~ (approximate) or ? (uncertain), two such dates joined by '/' "
               "(a span), or '[A..B]' (one day between A and B)."), text=text[:60]))
    try:
        earliest = _bounds(parts[0])[0]
        latest = _bounds(parts[-1])[1]
    except ValueError as exc:
        raise DateError(Message(N_("{text!r} is not a valid date ({reason})."), text=text, reason=str(exc))) \
            from None
    if latest < earliest:
        raise DateError(Message(N_("{text!r} ends before it starts."), text=text))
    precisions = [_precision_of(p) for p in parts]
    # An interval is as precise as its coarser end.
    precision: Precision = min(precisions, key=("year", "month", "day").index)
    if part is not None:
        if part not in PARTS:
            raise DateError(Message(N_("part {part} is not one of early, mid, late."), part=repr(part)))
        if len(parts) > 1 or precision == "day":
            raise DateError(Message(N_("{text!r} cannot take the part {part!r}: early/mid/late narrow a single "
                                       "month- or year-precision date (such as '1994-04')."), text=text, part=part))
        earliest, latest = _narrow(earliest, latest, precision, part)  # type: ignore[arg-type]
    return HistoricalDate(
        text=text,
        earliest=earliest,
        latest=latest,
        precision=precision,
        approximate=any(p.endswith(("~", "%")) for p in parts),
        uncertain=any(p.endswith(("?", "%")) for p in parts),
        part=part,  # type: ignore[arg-type]
        one_of=one_of is not None,
    )


def parse_date_field(props: Mapping[str, object], name: str) -> HistoricalDate | None:
    """The date in `props[name]`, narrowed by `props[name + '_part']`; None when absent."""
    value = props.get(name)
    if value is None:
        return None
    part = props.get(f"{name}_part")
    return parse_date(value, part)  # type: ignore[arg-type]


def parse_day(text: str, *, earliest: date | None = None, latest: date | None = None) -> date:
    """Parse a query date `YYYY-MM-DD` (a day, as a slider or a URL gives it), within a range.

    Raises DateError with a message a user can act on.
    """
    match = _ISO_DAY.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise DateError(Message(N_("{text!r} is not a date: write it as YYYY-MM-DD, for example 1994-04-19."),
                                text=text))
    try:
        day = date(*(int(g) for g in match.groups()))
    except ValueError as exc:
        raise DateError(Message(N_("{text!r} is not a real day ({reason})."), text=text, reason=str(exc))) from None
    if earliest is not None and day < earliest or latest is not None and day > latest:
        raise DateError(Message(
            N_("{day} is outside the dataset's time range {first} to {last}."), day=day.isoformat(),
            first=earliest.isoformat() if earliest else "…", last=latest.isoformat() if latest else "…"))
    return day


def day_label(day: date) -> str:
    """A plain day in words, e.g. '19 April 1994'."""
    return _point_label(day, "day")


def from_ordinal(ordinal: int) -> date:
    return date.fromordinal(ordinal)


def shift(day: date, days: int) -> date:
    return day + timedelta(days=days)

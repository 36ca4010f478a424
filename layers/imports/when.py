"""Dates as other people's files write them, turned into the atlas's EDTF in their own precision.

ISO days and datetimes, EDTF, epoch milliseconds (Leaflet.TimeDimension), and dates as historians
write them: "May 1993", "around January 1994", "late April 1994" (`1994-04` with part "late", per
the team contract), "19 April 1994", "April 19, 1994". A datetime keeps its time of day beside the
day (the slider steps by day). Nothing here ever adds precision the text does not give.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Literal

from ..data.dates import MONTHS, parse_date
from ..data.errors import N_, DateError, Message, message

Part = Literal["early", "mid", "late"]


@dataclass(frozen=True, slots=True)
class When:
    """One date: `edtf` in the atlas's EDTF subset, `part` of a month or year, `time` of day if given."""

    edtf: str
    part: Part | None = None
    time: str | None = None  # the original datetime text, e.g. "1994-04-19T14:30:00+07:00"


class WhenError(ValueError):
    """A value that is not a date the importer understands; the message says how to write it. Its one
    argument is a Message, so the reason can be shown in the reader's language."""

    @property
    def reason(self) -> Message:
        return message(self.args[0]) if self.args else Message("")


_MONTH_NAMES = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_NAMES.update({m[:3].lower(): i for i, m in enumerate(MONTHS, 1)})
_MONTH_NAMES["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_APPROX = re.compile(r"^(around|about|circa|c\.|ca\.|approx\.?|approximately|~)\s*", re.I)
_UNCERTAIN = re.compile(r"\s*(\?|\(\?\)|\(uncertain\))$", re.I)
_PART = re.compile(r"^(?P<part>early|beginning of|start of|middle of|mid-|mid|late|end of)[\s-]*", re.I)
_PART_WORDS = {"early": "early", "beginning of": "early", "start of": "early", "mid": "mid", "mid-": "mid",
               "middle of": "mid", "late": "late", "end of": "late"}
_ISO_DATETIME = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})[T ](?P<clock>\d{2}:\d{2}(:\d{2}(\.\d+)?)?)\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?$")
_DAY_MONTH_YEAR = re.compile(r"^(?P<day>\d{1,2})(st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})$", re.I)
_MONTH_DAY_YEAR = re.compile(r"^" + _MONTH + r"\s+(?P<day>\d{1,2})(st|nd|rd|th)?,?\s+(?P<year>\d{4})$", re.I)
_MONTH_YEAR = re.compile(r"^" + _MONTH + r",?\s+(?P<year>\d{4})$", re.I)
_YEAR = re.compile(r"^(?P<year>\d{4})$")
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})$")
_SLASHED_ISO = re.compile(r"^(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})$")
HOW_TO_WRITE = Message(N_("write it as YYYY-MM-DD, YYYY-MM or YYYY (EDTF, e.g. 1994-04-19, 1993-05, 1994-01~), "
                           "or in words: '19 April 1994', 'May 1993', 'around January 1994', 'late April 1994'."))


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:  # pandas.NaT and numpy.datetime64('NaT') are not equal to themselves
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def parse_when(value: Any, *, day_first: bool | None = None) -> When | None:
    """The date a cell, property or KML element gives, or None when it is empty (the feature is timeless).

    Raises WhenError when the value is not a date this importer understands.

    >>> parse_when("late April 1994")
    When(edtf='1994-04', part='late', time=None)
    >>> parse_when("1994-04-19T14:30:00Z").time
    '1994-04-19T14:30:00Z'
    """
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise WhenError(_not_a_date(value))
    if isinstance(value, datetime):
        return _from_datetime(value)
    if isinstance(value, date):
        return When(value.isoformat())
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp
        return _from_datetime(value.to_pydatetime())
    if isinstance(value, (int, float)):
        return _from_number(value)
    if not isinstance(value, str):
        raise WhenError(_not_a_date(value))
    return _from_text(value.strip(), day_first)


def _from_datetime(moment: datetime) -> When:
    day = moment.date().isoformat()
    if (moment.hour, moment.minute, moment.second, moment.microsecond) == (0, 0, 0, 0):
        return When(day)  # a bare midnight is how date-only values arrive through datetime types
    return When(day, time=moment.isoformat())


def _from_number(value: float) -> When:
    if float(value).is_integer() and 1000 <= value <= 9999:
        return When(f"{int(value):04d}")
    if abs(value) >= 1e11:  # epoch milliseconds, as Leaflet.TimeDimension and TimestampedGeoJson write them
        return _from_datetime(datetime.fromtimestamp(value / 1000, tz=timezone.utc))
    raise WhenError(Message(N_("the number {value!r} is neither a year nor epoch milliseconds; {how}"),
                            value=value, how=HOW_TO_WRITE))


def _from_text(text: str, day_first: bool | None) -> When:
    try:
        parse_date(text)
        return When(text)  # already EDTF
    except DateError:
        pass
    if text.startswith("'") and text[1:2] in "=+-@\t\r":  # a spreadsheet's formula guard
        text = text[1:]
    if (m := _ISO_DATETIME.match(text)) is not None:
        clock = m["clock"]
        if clock in ("00:00", "00:00:00") or re.fullmatch(r"00:00:00\.0+", clock):
            return When(m["day"]) if _valid(m["day"]) else _fail(text)
        return When(m["day"], time=text) if _valid(m["day"]) else _fail(text)
    approx = bool(_APPROX.match(text))
    core = _APPROX.sub("", text, count=1)
    uncertain = bool(_UNCERTAIN.search(core))
    core = _UNCERTAIN.sub("", core).strip()
    part: Part | None = None
    if (m := _PART.match(core)) is not None:
        part = _PART_WORDS[m["part"].lower()]  # type: ignore[assignment]
        core = core[m.end():].strip()
    edtf = _core(core, day_first, original=text)
    if part is not None and edtf.count("-") == 2:
        raise WhenError(Message(N_("{text!r}: early/mid/late applies to a month or a year, not a day; write the day "
                                   "alone or the month with its part ('late April 1994')."), text=text))
    qualifier = "%" if approx and uncertain else "~" if approx else "?" if uncertain else ""
    edtf += qualifier
    if not _valid(edtf):
        _fail(text)
    return When(edtf, part=part)


def _core(core: str, day_first: bool | None, original: str) -> str:
    if _valid(core) and "~" not in core and "?" not in core and "%" not in core:
        return core
    if (m := _DAY_MONTH_YEAR.match(core)) or (m := _MONTH_DAY_YEAR.match(core)):
        return f"{int(m['year']):04d}-{_MONTH_NAMES[m['month'].lower()]:02d}-{int(m['day']):02d}"
    if (m := _MONTH_YEAR.match(core)) is not None:
        return f"{int(m['year']):04d}-{_MONTH_NAMES[m['month'].lower()]:02d}"
    if (m := _YEAR.match(core)) is not None:
        return m["year"]
    if (m := _SLASHED_ISO.match(core)) is not None:
        return f"{m['year']}-{int(m['month']):02d}-{int(m['day']):02d}"
    if (m := _NUMERIC.match(core)) is not None:
        a, b = int(m["a"]), int(m["b"])
        if m["sep"] == ".":
            day_first = True  # 19.04.1994 is written day first wherever dots are used
        if day_first is None:
            if a > 12 and b > 12:
                _fail(original)
            if a > 12 >= b:
                day_first = True
            elif b > 12 >= a:
                day_first = False
            else:
                raise WhenError(Message(N_("{text!r} could be day/month or month/day; say which with the mapping "
                                           "option day_first (CLI: --day-first or --month-first), or write "
                                           "YYYY-MM-DD."), text=original))
        day, month = (a, b) if day_first else (b, a)
        return f"{m['year']}-{month:02d}-{day:02d}"
    _fail(original)
    return ""  # unreachable


def _valid(edtf: str) -> bool:
    try:
        parse_date(edtf)
    except DateError:
        return False
    return True


def _not_a_date(value: Any) -> Message:
    return Message(N_("{value!r} is not a date; {how}"), value=value, how=HOW_TO_WRITE)


def _fail(text: str) -> When:
    raise WhenError(Message(N_("{text!r} is not a date this importer understands; {how}"), text=text,
                            how=HOW_TO_WRITE))


def first_day(when: When) -> date:
    return parse_date(when.edtf).earliest


def last_day(when: When) -> date:
    return parse_date(when.edtf).latest


# --- conflict-event databases ---------------------------------------------------------------------

def acled_when(event_date: Any, time_precision: Any) -> When:
    """ACLED's `event_date` read in its `time_precision` (codebook: 1 the actual day; 2 a day within the
    week or weekend the source names; 3 only the month is known, the day is ACLED's placeholder).
    """
    when = parse_when(event_date, day_first=True)
    if when is None:
        raise WhenError(Message(N_("event_date is empty; ACLED rows always have one.")))
    code = _int_or_none(time_precision)
    day = when.edtf[:10]
    if code in (None, 1) or len(day) < 10:
        return when
    if code == 2:
        return When(day + "~")
    if code == 3:
        return When(day[:7])
    raise WhenError(Message(N_("time_precision {value!r} is not 1, 2 or 3 (ACLED codebook)."),
                            value=time_precision))


def ucdp_when(date_start: Any, date_end: Any, date_prec: Any) -> tuple[When, str | None]:
    """UCDP GED's `date_start`..`date_end` in its `date_prec` (1 exact; 2 a 2-6 day range; 3 the week;
    4 a range of 8-30 days or the month; 5 the year or a longer range), with a note when the range is
    "some day in it" rather than "lasted".
    """
    start, end = parse_when(date_start), parse_when(date_end)
    if start is None:
        raise WhenError(Message(N_("date_start is empty; UCDP GED rows always have one.")))
    a = start.edtf[:10]
    b = end.edtf[:10] if end is not None else a
    code = _int_or_none(date_prec)
    if a == b:
        return When(a), None
    first, last = parse_date(a).earliest, parse_date(b).latest
    if first > last:
        raise WhenError(Message(N_("date_end {end} is before date_start {start}."), end=b, start=a))
    month = parse_date(a[:7])
    year = parse_date(a[:4])
    if code in (4, 5) and (month.earliest, month.latest) == (first, last):
        return When(a[:7]), None
    if code == 5 and (year.earliest, year.latest) == (first, last):
        return When(a[:4]), None
    if code is not None and code > 1:
        # EDTF "one of": a single day somewhere in the range (the contract's [A..B]), not a span.
        return When(f"[{a}..{b}]"), (f"UCDP GED date_prec {code}: the event happened on one day between {a} and "
                                     f"{b}; the source does not say which.")
    return When(f"{a}/{b}"), None


def _int_or_none(value: Any) -> int | None:
    if is_missing(value):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None

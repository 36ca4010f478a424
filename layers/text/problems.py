"""Data problems (layers/data/errors.py) in the reader's language: one line, or rows for a table.

A problem's `message` and `fix` are English templates with their values; here the template is translated
(gettext) and the values put in: strings as they are (ids, field names, file names are data), numbers in
the reader's digits, dates in words, nested messages translated in turn. With the English `Words`, every
function gives exactly `str(problem)`'s text.
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any, Iterable

from ..data.errors import Message, Problem, message
from .i18n import N_
from .messages import pN_
from .words import Words

SEVERITIES = (pN_("severity", "error"), pN_("severity", "warning"))
COLUMNS = {"file": N_("file"), "feature": N_("feature"), "field": N_("field"), "problem": N_("problem"),
           "fix": N_("how to fix")}


class _Formatter(string.Formatter):
    def __init__(self, words: Words) -> None:
        self.words = words

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Message):
            return format(message_text(value, self.words), format_spec)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return format(value, format_spec).translate(str.maketrans("0123456789", self.words.digits))
        if isinstance(value, date):
            return format(self.words.day(value), format_spec)
        if callable(getattr(value, "label", None)):  # a HistoricalDate
            return format(self.words.date(value), format_spec)
        return format(value, format_spec)


def message_text(text: str, words: Words) -> str:
    """A Message (or plain English text) in `words`' language; untranslated templates stay English."""
    msg = message(text)
    translated = words.gettext(msg.template) if msg.template else msg.template
    return _Formatter(words).vformat(translated, (), dict(msg.params)) if msg.params else translated


def severity_text(severity: str, words: Words) -> str:
    return words.term("severity", severity)


def feature_text(problem: Problem, words: Words) -> str | None:
    """Which feature: an id as it is written, or a place in an imported file ("row 5") in `words`' language."""
    return message_text(problem.feature, words) if isinstance(problem.feature, Message) else problem.feature


def where_text(problem: Problem, words: Words) -> str:
    """'places.geojson, feature 'town', field 'control'' in `words`' language."""
    where = problem.file
    if problem.feature is not None:
        where += words(N_(", feature {feature!r}")).format(feature=feature_text(problem, words))
    if problem.field is not None:
        where += words(N_(", field {field!r}")).format(field=problem.field)
    return where


def problem_text(problem: Problem, words: Words) -> str:
    """The whole problem on one line, as `str(problem)` writes it in English."""
    return words(N_("{severity}: {where}: {message} Fix: {fix}")).format(
        severity=severity_text(problem.severity, words), where=where_text(problem, words),
        message=message_text(problem.message, words), fix=message_text(problem.fix, words))


def problem_rows(problems: Iterable[Problem], words: Words) -> list[dict[str, str | None]]:
    """One row a problem, for a table: column titles and text in `words`' language (a dataframe shows them
    as plain text; escape them before using them as Markdown)."""
    title = {key: words(name) for key, name in COLUMNS.items()}
    return [{title["file"]: p.file, title["feature"]: feature_text(p, words), title["field"]: p.field,
             title["problem"]: message_text(p.message, words), title["fix"]: message_text(p.fix, words)}
            for p in problems]


def reason_text(reason: str, words: Words) -> str:
    """'error: <reason>' in `words`' language, for a failure that is not a data problem (a bad date asked for)."""
    return words(N_("{severity}: {message}")).format(severity=severity_text("error", words),
                                                     message=message_text(reason, words))


def data_error_text(problems: Iterable[Problem], words: Words) -> str:
    """Why a dataset cannot be used, naming its first error: `str(DataError(problems))` in `words`' language."""
    errors = [p for p in problems if p.severity == "error"]
    head = problem_text(errors[0], words) if errors else words(N_("no errors"))
    if len(errors) > 1:
        head += words(N_(" (and {count} more)")).format(count=words.number(len(errors) - 1))
    return words(N_("the dataset cannot be used: {problem}")).format(problem=head)

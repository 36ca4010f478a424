"""The one error type for bad data, and the problems it carries.

A problem's `message` and `fix` are `Message`s: English text (a `str`, so existing code reads them as
before) that remembers how it was made: an English template marked for translation with `N_` and the
values put into it (ids, field names, numbers, dates: data, never translated). `layers/text/problems.py`
renders them in the reader's language; this tier knows no language but English.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


def N_(message: str) -> str:
    """Mark a message template for extraction (scripts/i18n_extract.py) without translating it: the same
    marker as `layers.text.i18n.N_`, here so that the data tier does not import the text tier."""
    return message


def _english(value: Any) -> Any:
    """A value as the English text shows it: a HistoricalDate in words; anything else as it is."""
    label = getattr(value, "label", None)
    return label() if callable(label) else value


class Message(str):
    """English text built from a template marked for translation and the values put into it.

    `Message(N_("refers to unknown source {id!r}."), id="ppp_1")` is the string
    "refers to unknown source 'ppp_1'."; its `template` and `params` let a translator render it in another
    language. Values are strings (shown as they are), numbers (a translator may write them in its own
    digits), HistoricalDates (written in words; a plain day is `parse_date(day.isoformat())`), or Messages
    (translated in turn). Without values
    the template is the text itself (braces and all), as with `Translator._`.
    """

    template: str
    params: tuple[tuple[str, Any], ...]

    def __new__(cls, template: str, /, **params: Any) -> "Message":
        text = template.format(**{k: _english(v) for k, v in params.items()}) if params else template
        self = super().__new__(cls, text)
        self.__dict__.update(template=str(template), params=tuple(params.items()))
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a Message is immutable; cannot set {name!r}.")

    def __reduce__(self) -> tuple[Any, ...]:  # pickling (st.cache_data) and copying keep template and params
        return _rebuild, (self.template, self.params)


def _rebuild(template: str, params: tuple[tuple[str, Any], ...]) -> Message:
    return Message(template, **dict(params))


def message(text: str) -> Message:
    """`text` as a Message: a Message unchanged, a plain string as a template without values."""
    return text if isinstance(text, Message) else Message(text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the data: what, where (file, feature, field) and how to fix it.

    `message` and `fix` are `Message`s (a plain string is taken as a template without values)."""

    file: str
    feature: str | None
    field: str | None
    message: Message
    fix: Message
    severity: Severity = "error"

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", message(self.message))
        object.__setattr__(self, "fix", message(self.fix))

    def __str__(self) -> str:
        where = self.file
        if self.feature is not None:
            where += f", feature {self.feature!r}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{self.severity}: {where}: {self.message} Fix: {self.fix}"

    def to_dict(self) -> dict[str, str | None]:
        """The problem for JSON: `message` and `fix` in English (machine-stable)."""
        return {"file": self.file, "feature": self.feature, "field": self.field, "message": str(self.message),
                "fix": str(self.fix), "severity": self.severity}


class DataError(ValueError):
    """Raised when a dataset or file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        head = str(errors[0]) if errors else "no errors"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(head + more)


class DateError(ValueError):
    """A date that cannot be parsed or lies outside the range asked for. Its one argument is a Message
    (or a plain string), so the reason can be shown in the reader's language."""

    @property
    def reason(self) -> Message:
        return message(self.args[0]) if self.args else Message("")

"""The one error type for bad data, and the problems it carries."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the data: what, where (file, feature, field) and how to fix it."""

    file: str
    feature: str | None
    field: str | None
    message: str
    fix: str
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file
        if self.feature is not None:
            where += f", feature {self.feature!r}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{self.severity}: {where}: {self.message} Fix: {self.fix}"

    def to_dict(self) -> dict[str, str | None]:
        return asdict(self)


class DataError(ValueError):
    """Raised when a dataset or file cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        head = str(errors[0]) if errors else "no errors"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(head + more)


class DateError(ValueError):
    """A date that cannot be parsed or lies outside the range asked for."""

"""Text from data and from visitors, made safe for the place it goes: matplotlib text and CSV cells.

(Markdown: layers/text/markdown.py; HTML and Leaflet: layers/render_folium.escape.)
"""

from __future__ import annotations

import pandas as pd

# Spreadsheets run a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|..., @SUM(...));
# tab and carriage return come first in some injection payloads and are trimmed by the spreadsheet (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def mpl_text(text: str) -> str:
    """`text` for a matplotlib Text shown literally: a pair of `$` would otherwise start mathtext (drawn as
    maths, or an error that breaks the PNG, PDF and SVG). Matplotlib shows an escaped `\\$` as `$`."""
    return text.replace("$", r"\$")


def csv_safe(value: object) -> object:
    """A CSV cell a spreadsheet shows as text: strings that would start a formula get a leading `'`.
    Numbers are kept as numbers (a negative latitude is not a formula)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv_bytes(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV for download, every text cell (and column name) made `csv_safe`."""
    safe = table.rename(columns=lambda name: csv_safe(str(name)))
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(csv_safe)
    return safe.to_csv(index=False).encode("utf-8")

"""Text from data for Streamlit's Markdown: shown as written, never read as markup."""

from __future__ import annotations

import re
from collections.abc import Sequence

# CommonMark lets a backslash escape any ASCII punctuation mark. Escaping them all also stops
# Streamlit's own syntax ($…$ for LaTeX, :colour[…] directives) and a table's "|".
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(text: object) -> str:
    """`text` on one line, every punctuation mark escaped."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split()))


def md_table(header: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[str] = ()) -> str:
    """A Markdown table; cells are escaped, columns named in `right` are right-aligned (numbers)."""
    rule = "|" + "".join("---:|" if name in right else "---|" for name in header)
    lines = ["| " + " | ".join(md(name) for name in header) + " |", rule]
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)

"""Axes for the Timeline page's Vega-Lite charts (Altair) that read in the reader's language.

Vega formats numbers and dates with Latin digits and English month names; these axes label by year
(no month names to translate) and put each digit in the reader's script through a label expression.
"""

from __future__ import annotations

import altair as alt

from ..text.words import Words


def in_digits(expr: str, words: Words) -> str:
    """A Vega expression giving `expr`'s text with the reader's digits (Khmer numerals in Khmer)."""
    for latin, native in zip("0123456789", words.digits):
        if latin != native:
            expr = f"replace({expr}, regexp('{latin}', 'g'), '{native}')"
    return expr


def year_axis(words: Words) -> alt.Axis:
    """A time axis labelled by year ('1990', or '១៩៩០' in Khmer), never by month names."""
    return alt.Axis(format="%Y", tickCount="year", labelExpr=in_digits("timeFormat(datum.value, '%Y')", words),
                    title=None, grid=True)


def number_axis(title: str, words: Words) -> alt.Axis:
    """A quantity axis: '12,000' in English, '១២.០០០' in Khmer (group separator '.')."""
    grouped = "format(datum.value, ',')" if words.lang == "en" else \
        "replace(format(datum.value, ','), regexp(',', 'g'), '.')"
    return alt.Axis(title=title, labelExpr=in_digits(grouped, words))


__all__ = ["in_digits", "number_axis", "year_axis"]

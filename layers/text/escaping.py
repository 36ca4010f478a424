"""Text from data, escaped for the place it goes in a web page."""

from __future__ import annotations

from html import escape as _html_escape

# Text can also end up in JS template literals (folium tooltips) or in a Jinja template (branca compiles
# rendered scripts again): neutralise the characters those read too.
_NEUTRALISE = str.maketrans({"`": "&#96;", "$": "&#36;", "{": "&#123;", "}": "&#125;"})


def escape(text: object) -> str:
    """HTML-escape `text`, and neutralise ` $ { } as well."""
    return _html_escape(str(text)).translate(_NEUTRALISE)

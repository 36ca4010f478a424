"""HTML from imported popups and descriptions, cleaned with nh3 (the Rust `ammonia` allowlist sanitiser).

Kept: text structure, tables, headings, lists and links (http, https, mailto; opened with
rel="noopener noreferrer nofollow"). Removed: scripts, styles, event handlers, forms, frames and
every image, so that showing an imported popup makes no request to anyone's server.
"""

from __future__ import annotations

import re

import nh3

_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "div",
    "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p",
    "pre", "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul",
})
_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
    "time": {"datetime"},
}
_SCHEMES = frozenset({"http", "https", "mailto"})
_LOOKS_LIKE_HTML = re.compile(r"<\s*[a-zA-Z!/]|&[a-zA-Z#][a-zA-Z0-9]*;")


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def clean_html(text: str) -> str:
    """The allowlisted HTML of `text` (never raises; content of removed script/style elements is dropped)."""
    return nh3.clean(text, tags=set(_TAGS), attributes={k: set(v) for k, v in _ATTRIBUTES.items()},
                     url_schemes=set(_SCHEMES), link_rel="noopener noreferrer nofollow",
                     clean_content_tags={"script", "style"}, strip_comments=True)


def html_to_text(text: str) -> str:
    """Plain text of an HTML fragment: every tag removed, entities decoded, whitespace collapsed."""
    import html

    bare = nh3.clean(re.sub(r"<\s*(br|/p|/tr|/td|/th|/h[1-6]|/li|/div)\b[^>]*>", " ", text, flags=re.I), tags=set(),
                     clean_content_tags={"script", "style"})
    return re.sub(r"\s+", " ", html.unescape(bare)).strip()

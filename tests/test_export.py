import io
import json
import xml.etree.ElementTree as ET
from datetime import date

import numpy as np
import pytest
from PIL import Image

from layers.data.catalog import load_dataset
from layers.data.errors import DateError
from layers.exports.export import (ExportError, animation_bytes, animation_days, parse_bbox, parse_size, snapshot_bytes,
                           snapshot_filename)
from layers.render.render_static import render
from layers.engine.timeline import Timeline


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
    from layers.data.catalog import validate_path

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
    from layers.exports.export import frame_pixels

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
    import layers.render.render_static as rs

    monkeypatch.setattr(rs, "_tiles", lambda bounds, name, crs: None)  # as when offline or the server fails
    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size("400x300"), basemap="light")
    credit = next(t.get_text() for t in fig.texts if t.get_gid() == "attribution")
    assert "map tiles unavailable" in credit and "Natural Earth" in credit
    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size("400x300"), basemap="vector")
    assert "unavailable" not in next(t.get_text() for t in fig.texts if t.get_gid() == "attribution")


def test_tiles_are_drawn_under_the_layers_when_available(timeline, monkeypatch):
    import numpy as np

    import layers.render.render_static as rs

    monkeypatch.setattr(rs, "_tiles", lambda b, name, crs: (np.zeros((4, 4, 3), dtype=np.uint8), (b[0], b[2], b[1], b[3]),
                                                      "Tiles (c) Test"))
    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size("400x300"), basemap="osm")
    assert fig.axes[0].images and "Tiles (c) Test" in next(t.get_text() for t in fig.texts if t.get_gid() == "attribution")


# --- bounded work ------------------------------------------------------------------------------------------

def _no_frame(k, n):
    raise AssertionError(f"frame {k} of {n} was drawn before the budget was checked")


def test_an_animation_over_budget_is_refused_before_any_frame_with_the_numbers_and_the_way_out(timeline):
    from layers.exports.export import HOSTED_BUDGET

    with pytest.raises(ExportError) as refused:
        animation_bytes(timeline, date(1994, 1, 1), date(1994, 12, 31), step=3, size="1920x1080", progress=_no_frame)
    message = str(refused.value)
    assert "122 frames at 1920×1080 px" in message and "253.0 million pixels" in message
    assert f"{HOSTED_BUDGET.max_frames} frames" in message and "shorter period, a longer step or a smaller size" in message


def test_the_budget_can_be_set_by_the_operator(timeline, monkeypatch):
    state = timeline.state_on(date(1994, 4, 19))
    with pytest.raises(ExportError, match="8000×8000"):
        snapshot_bytes(state, "png", size=parse_size("8000x8000"))  # 64 million pixels: over the hosted budget
    monkeypatch.setenv("PAILIN_ATLAS_MAX_PIXEL_FRAMES", "100000")
    with pytest.raises(ExportError, match="0.1 million pixels"):
        snapshot_bytes(state, "png", size="800x450")
    monkeypatch.setenv("PAILIN_ATLAS_MAX_PIXEL_FRAMES", "a lot")  # not a number: the default
    assert snapshot_bytes(state, "png", size="800x450").startswith(b"\x89PNG")


@pytest.mark.timeout(60)
def test_the_cli_refuses_a_huge_animation_at_once(tmp_path, capsys):
    from layers.__main__ import main

    out = tmp_path / "a.gif"
    assert main(["animate", "--from", "1994-01-01", "--to", "1994-06-30", "--step", "7d", "--size", "8000x8000",
                 "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "26 frames at 8000×8000 px" in err and "--size" in err and not out.exists()


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_frames_are_streamed_to_the_encoder_not_held(timeline, monkeypatch, fmt):
    import gc
    import weakref

    import layers.exports.export as export

    drawn, alive_at_each_frame = [], []
    real = export.frame_pixels

    def watched(*args, **kwargs):
        frame = real(*args, **kwargs)
        drawn.append(weakref.ref(frame))
        return frame

    def progress(k, n):
        gc.collect()
        alive_at_each_frame.append(sum(ref() is not None for ref in drawn))

    monkeypatch.setattr(export, "frame_pixels", watched)
    data, frames = animation_bytes(timeline, date(1994, 1, 1), date(1994, 2, 12), step=7, fmt=fmt, size="320x180",
                                   progress=progress)
    assert frames == len(drawn) == 7 and data
    assert max(alive_at_each_frame) <= 2, alive_at_each_frame  # this frame and the one before it, never all


def test_the_streamed_gif_shows_each_frame(timeline):
    from layers.exports.export import frame_pixels

    days = animation_days(timeline, date(1994, 3, 1), date(1994, 5, 1), 20)
    data, frames = animation_bytes(timeline, date(1994, 3, 1), date(1994, 5, 1), step=20, size="320x180",
                                   seconds_per_frame=0.5)
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == frames == len(days) and gif.info["loop"] == 0
    for k, day in enumerate(days):
        gif.seek(k)
        assert gif.info["duration"] == 500
        shown = np.asarray(gif.convert("RGB")).astype(int)
        expected = frame_pixels(timeline.state_on(day), parse_size("320x180")).astype(int)
        assert np.abs(shown - expected).mean() < 4  # the frame, up to the 256-colour palette


def test_a_cancel_hook_stops_between_frames(timeline):
    from layers.exports.export import Cancelled

    drawn = []
    with pytest.raises(Cancelled, match="after 3 of 10 frames"):
        animation_bytes(timeline, date(1994, 1, 1), date(1994, 3, 10), step=7, size="320x180",
                        progress=lambda k, n: drawn.append(k), cancelled=lambda: len(drawn) >= 3)
    assert drawn == [1, 2, 3]


@pytest.mark.timeout(60)
def test_a_crafted_tiny_view_is_widened_before_drawing(timeline):
    import time

    state = timeline.state_on(date(1994, 4, 19))
    started = time.process_time()
    png = snapshot_bytes(state, "png", bbox=(102.6, 12.8, 102.6000001, 12.8000001), size="640x360")
    assert Image.open(io.BytesIO(png)).size == (640, 360) and time.process_time() - started < 10
    with pytest.raises(ExportError, match="finite"):
        snapshot_bytes(state, "png", bbox=(float("nan"), 12.0, 103.0, 13.0), size="640x360")


def test_snapshot_keys_and_the_shared_result_cache():
    import threading
    import time

    from layers.exports.export import ResultCache, rounded_bbox, snapshot_key
    from layers.render.render_folium import Toggles

    day, bbox = date(1994, 4, 19), (102.41234, 12.6, 103.6, 13.4)
    key = snapshot_key("v1", day, bbox, "png", "slide", Toggles(), "en")
    assert key == snapshot_key("v1", day, (102.41231, 12.60004, 103.6, 13.4), "png", parse_size("1920x1080"), Toggles(), "en")
    assert rounded_bbox(bbox) == (102.412, 12.6, 103.6, 13.4)
    others = [snapshot_key("v2", day, bbox, "png", "slide"), snapshot_key("v1", date(1994, 4, 20), bbox, "png", "slide"),
              snapshot_key("v1", day, (102.5, 12.6, 103.6, 13.4), "png", "slide"), snapshot_key("v1", day, bbox, "pdf", "slide"),
              snapshot_key("v1", day, bbox, "png", "a4"), snapshot_key("v1", day, bbox, "png", "slide", Toggles(events=False)),
              snapshot_key("v1", day, bbox, "png", "slide", Toggles(), "km"), snapshot_key("v1", day, None, "png", "slide")]
    assert len({key, *others}) == 1 + len(others)

    cache, made = ResultCache(max_bytes=25), []

    def make():
        made.append(1)
        time.sleep(0.2)
        return b"x" * 10

    results = []
    visitors = [threading.Thread(target=lambda: results.append(cache.get(key, make))) for _ in range(6)]
    for v in visitors:
        v.start()
    for v in visitors:
        v.join()
    assert results == [b"x" * 10] * 6 and len(made) == 1  # six visitors at once, one rendering
    cache.get(("b",), lambda: b"y" * 10)
    cache.get(key, make)  # used again: now the most recent
    cache.get(("c",), lambda: b"z" * 10)  # over 25 bytes: the least recently used ("b") goes
    assert len(made) == 1 and cache.get(("b",), lambda: b"again") == b"again"


@pytest.mark.parametrize("size", ["slide", "a4", "square", "800x450"])
def test_every_image_says_the_zones_are_schematic_at_a_legible_size(timeline, size):
    from matplotlib.text import Text

    from layers.render import symbology as sym

    fig = render(timeline.state_on(date(1994, 4, 19)), parse_size(size))
    caveat = [t for t in fig.findobj(Text) if t.get_gid() == "caveat"]
    assert len(caveat) == 1 and caveat[0].get_text() == sym.CAVEAT_PRINT  # whole, not cut
    assert caveat[0].get_fontsize() >= 8.0

"""Limits checked before parsing, hostile archives and XML refused, HTML sanitised, no request leaves."""

from __future__ import annotations

import http.server
import json
import threading
import zipfile
from pathlib import Path

import pytest

from layers.imports import Limits, detect, import_files, open_dataset_zip, write_dataset, dataset_zip_bytes
from layers.imports.sanitize import clean_html
from layers.data.catalog import validate_path

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def test_size_limit_is_checked_before_parsing(tmp_path):
    path = tmp_path / "big.geojson"
    path.write_text("{not json at all" + " " * 2000)
    result = import_files([path], limits=Limits(max_file_bytes=1000))
    [problem] = result.problems
    assert problem.file == "big.geojson" and "MB" in problem.message and "not valid JSON" not in problem.message
    assert "--max-mb" in problem.fix


def test_feature_limit_is_checked_before_rows_are_read(tmp_path):
    result = import_files([FIXTURES / "acled_fictional.csv"], limits=Limits(max_features=2))
    assert not result.feature_count
    assert "more than the 2" in result.problems[0].message and "--max-features" in result.problems[0].fix


def test_feature_limit_counts_gis_layers_before_reading(tmp_path):
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [102.5 + i / 100, 12.5]},
         "properties": {"name": f"p{i}"}} for i in range(5)]}
    path = tmp_path / "five.geojson"
    path.write_text(json.dumps(doc))
    assert import_files([path], limits=Limits(max_features=5)).feature_count == 5
    refused = import_files([path], limits=Limits(max_features=4))
    assert not refused.feature_count and "holds 5 features" in refused.problems[0].message


def test_zip_that_expands_too_far_is_refused_unread(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("layer.shp", b"\0" * 3_000_000)
    assert path.stat().st_size < 100_000
    result = import_files([path], limits=Limits(max_total_bytes=1_000_000))
    assert "expands to 3 MB" in result.problems[0].message


def test_zip_with_escaping_member_paths_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../etc/layer.shp", b"x")
    assert "unsafe path" in import_files([path]).problems[0].message


@pytest.mark.parametrize("suffix", [".kml", ".gpx"])
def test_xml_entities_are_refused(tmp_path, suffix):
    root = "kml" if suffix == ".kml" else "gpx"
    path = tmp_path / f"laughs{suffix}"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE {root} [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                    f'<{root}><name>&b;</name></{root}>')
    result = import_files([path])
    assert not result.feature_count and "entities" in result.problems[0].message


@pytest.mark.parametrize("name", ["http://127.0.0.1:9/layer.geojson", "/vsicurl/http://127.0.0.1:9/x.gpkg"])
def test_only_local_files_are_opened(name):
    [layer] = detect([name])
    assert layer.format == "unreadable" and "not a local file" in layer.problems[0].message


@pytest.mark.parametrize("dirty, kept, gone", [
    ('<h2 style="position:fixed;inset:0">Title</h2>', "<h2>Title</h2>", "style"),
    ("<table><tr><td onclick=\"x()\">1</td></tr></table>", "<td>1</td>", "onclick"),
    ("<script>alert(1)</script><b>bold</b>", "<b>bold</b>", "alert"),
    ('<img src="http://127.0.0.1:9/t.png" onerror="alert(1)">', "", "<img"),
    ('<a href="javascript:alert(1)">x</a>', ">x</a>", "javascript"),
    ('<a href="https://example.org/">ok</a>', 'href="https://example.org/"', "<script"),
    ('<iframe src="https://example.org"></iframe>', "", "iframe"),
    ('<svg><image href="http://127.0.0.1:9/x"/></svg>', "", "127.0.0.1"),
])
def test_sanitiser_keeps_structure_and_links_drops_the_rest(dirty, kept, gone):
    clean = clean_html(dirty)
    assert kept in clean and gone not in clean


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        _Counter.hits.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_no_request_leaves_because_of_an_imported_file(tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        kml = tmp_path / "links.kml"
        kml.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>Fictional links</name>
 <Style id="s"><IconStyle><Icon><href>{base}/icon.png</href></Icon></IconStyle></Style>
 <NetworkLink><name>more</name><Link><href>{base}/more.kml</href></Link></NetworkLink>
 <Placemark><name>P</name><styleUrl>{base}/styles.kml#s</styleUrl>
  <description><![CDATA[<img src="{base}/d.png"> <a href="{base}/page">page</a>]]></description>
  <TimeStamp><when>1994-04</when></TimeStamp><Point><coordinates>102.6,12.85</coordinates></Point></Placemark>
</Document></kml>""")
        geojson = tmp_path / "icons.geojson"
        geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [{
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [102.7, 12.9]},
            "properties": {"time": "1994-04-19", "iconstyle": {"iconUrl": f"{base}/i.png"},
            "popup": f'<img src="{base}/p.png">'}}]}))
        detect([kml, geojson])
        result = import_files([kml, geojson])
        out = write_dataset(result, tmp_path / "out")
        assert validate_path(out).ok
        assert result.feature_count == 2
        written = "".join(p.read_text() for p in out.iterdir())
        assert f"{base}/page" in written  # a link stays, as text the visitor may click
        for path in ("/icon.png", "/more.kml", "/styles.kml", "/d.png", "/i.png", "/p.png"):
            assert path not in written
    finally:
        server.shutdown()
        server.server_close()
    assert _Counter.hits == []


def test_dataset_zip_round_trip_and_refusal(tmp_path):
    result = import_files([FIXTURES / "ucdp_ged_fictional.csv"])
    out = write_dataset(result, tmp_path / "ds")
    archive = tmp_path / "ds.zip"
    archive.write_bytes(dataset_zip_bytes(out))
    again = open_dataset_zip(archive, tmp_path / "again")
    assert validate_path(again).ok
    assert (again / "events.geojson").read_text() == (out / "events.geojson").read_text()
    refused = import_files([archive])
    assert "dataset archive" in refused.problems[0].message
    not_a_dataset = tmp_path / "other.zip"
    with zipfile.ZipFile(not_a_dataset, "w") as zf:
        zf.writestr("../dataset.json", "{}")
    with pytest.raises(Exception, match="not an atlas dataset"):
        open_dataset_zip(not_a_dataset, tmp_path / "x")

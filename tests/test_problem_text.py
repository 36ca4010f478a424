"""Every data problem reads in Khmer as well as English (issue 13): the bad datasets and files of the
table-driven validator tests, rendered through the Khmer catalogue. The message's template is found and
translated there, the values (file, feature, field) are kept, and the English is exactly `str(problem)`."""

import copy
import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import ROOT, tiny_layers, write_layers
from test_catalog import BAD_DATA, CRASHES
from test_checks import EARLY_CITES, STATED_DAYS, _both, _period, _with_source
from test_geojson_io import BAD_GEOJSON
from layers.data.catalog import validate_path
from layers.data.errors import Message, Problem
from layers.data.geojson_io import read_bytes, read_feature_collection
from layers.text.problems import feature_text, message_text, problem_rows, problem_text
from layers.text.words import ENGLISH, words_for
from layers.imports import Limits, Mapping, detect, import_files, open_dataset_zip
from layers.imports.uploads import UploadedFile, import_uploads, save
from layers.data.errors import DataError, DateError
from layers.exports.export import (CLI_BUDGET, HOSTED_BUDGET, ExportError, animation_days, check_budget, parse_bbox,
                                   parse_size, write_animation)
from layers.render.render_static import Canvas

KM = words_for("km")
KHMER = re.compile("[\u1780-\u17ff]")
PLACEHOLDERS_ONLY = re.compile(r"\A(?:\{[^{}]*\}|[\s;:,.()])*\Z")  # e.g. "{p0}; {p1}": nothing to translate

DATASET_EDITS = ([(f"catalog {i}", case[0]) for i, case in enumerate(BAD_DATA)]
                 + [(f"crash {name}", edit) for name, edit, *_ in CRASHES]
                 + [(f"early source {i}", _both(_with_source("early", "1989-01-15"), case[0]))
                    for i, case in enumerate(EARLY_CITES)]
                 + [("place against its zone", _period(1, enclave=None))]
                 + [(f"stated day {i}", case[0]) for i, case in enumerate(STATED_DAYS)])


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    with (ROOT / "locale" / "km" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po, locale="km") if m.id and not m.context and not m.fuzzy}


@pytest.fixture(scope="module")
def problems(tmp_path_factory) -> list[tuple[str, Problem]]:
    """Every problem the bad datasets and files give, with the case that gave it."""
    root = tmp_path_factory.mktemp("bad")
    found = []
    for k, (name, edit) in enumerate(DATASET_EDITS):
        layers = copy.deepcopy(tiny_layers())
        edit(layers)
        found += [(name, p) for p in validate_path(write_layers(root / f"ds{k}", layers)).problems]
    for k, (content, _needle) in enumerate(BAD_GEOJSON):
        path = root / f"layer{k}.geojson"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        found += [(f"geojson {k}", p) for p in read_feature_collection(path, "layer.geojson").problems]
    (root / "latin1.geojson").write_bytes('{"type": "Feature", "name": "Kr\xe9ng"}'.encode("latin-1"))
    found += [("not utf-8", p) for p in read_feature_collection(root / "latin1.geojson", "latin1.geojson").problems]
    found += [("a directory", p) for p in read_bytes(root, "somewhere")[1]]
    found += [("no such path", p) for p in validate_path(root / "nowhere").problems]
    assert len({name for name, _ in found}) == len(DATASET_EDITS) + len(BAD_GEOJSON) + 3, "a case gave no problem"
    return found


def _templates(message: Message):
    yield message.template
    for _name, value in message.params:
        if isinstance(value, Message):
            yield from _templates(value)


def _text_values(message: Message):
    for _name, value in message.params:
        if isinstance(value, Message):
            yield from _text_values(value)
        elif isinstance(value, str):
            yield value


def _assert_reads_in_khmer(case: str, p: Problem, catalogue: dict[str, str]) -> None:
    english, khmer = problem_text(p, ENGLISH), problem_text(p, KM)
    assert english == str(p), case  # the English line is the one every test and script knows
    for part in (p.message, p.fix):
        _assert_translated(case, part, catalogue)
    assert khmer.startswith("កំហុស" if p.severity == "error" else "ការព្រមាន"), (case, khmer)
    assert p.file in khmer, (case, khmer)
    if isinstance(p.feature, Message):  # a place in an imported file ("row 5"): read in Khmer too
        _assert_translated(case, p.feature, catalogue)
        assert repr(feature_text(p, KM)) in khmer and feature_text(p, KM) != p.feature, (case, khmer)
    else:  # an id, as the data writes it
        assert p.feature is None or repr(p.feature) in khmer, (case, khmer)
    assert p.field is None or repr(p.field) in khmer, (case, khmer)


def _assert_translated(case: str, part: Message, catalogue: dict[str, str]) -> None:
    """`part`'s template is translated in the catalogue, its Khmer text is Khmer and keeps its text values."""
    template = part.template
    if not PLACEHOLDERS_ONLY.match(template):
        assert catalogue.get(template), (case, template)
        assert catalogue[template] != template, (case, template)
    text = message_text(part, KM)
    assert KHMER.search(text), (case, text)
    for value in _text_values(part):
        assert value in text or repr(value) in text, (case, value, text)
        # A sentence the catalogue translates, passed as a plain value (data), would stay English: a nested
        # message must be a Message. (Single words such as the field name 'date' are data.)
        assert not (" " in value and value.endswith(".") and catalogue.get(value)), (case, value)


def _assert_all_marked(messages: list[Message], catalogue: dict[str, str]) -> None:
    """A template built with an f-string, or not marked with N_, is missing from the catalogue (and would
    stay English): each template, nested ones too, must be a msgid there."""
    templates = {t for m in messages for t in _templates(m)}
    missing = sorted(t for t in templates if t not in catalogue and not PLACEHOLDERS_ONLY.match(t))
    assert not missing, missing


def test_every_problem_reads_in_khmer_and_keeps_its_values(problems, catalogue):
    assert len(problems) > 60
    for case, p in problems:
        _assert_reads_in_khmer(case, p, catalogue)


def test_every_template_is_a_literal_marked_for_extraction(problems, catalogue):
    assert len({t for _case, p in problems for part in (p.message, p.fix) for t in _templates(part)}) > 60
    _assert_all_marked([part for _case, p in problems for part in (p.message, p.fix)], catalogue)


def test_numbers_and_dates_are_written_the_khmer_way(problems):
    early = next(p for case, p in problems if case == "early source 0")
    khmer = message_text(early.message, KM)
    assert "ឆ្នាំ ១៩៨៩" in khmer and "1989" not in khmer  # the publication date in Khmer words and numerals
    place = next(p for case, p in problems if case == "place against its zone")
    assert "(៣១ ថ្ងៃ)" in message_text(place.message, KM)
    assert "'kr_west'" in message_text(place.message, KM)  # an id stays as written


def test_a_table_of_problems_has_khmer_column_titles():
    p = Problem("places.geojson", "town", "sources", Message("refers to unknown source {id!r}.", id="nowhere"),
                "use an id defined in sources.json.")
    (row,) = problem_rows([p], KM)
    assert list(row) == ["ឯកសារ", "ធាតុ", "វាល", "បញ្ហា", "របៀបកែ"]
    assert row["បញ្ហា"] == "យោងទៅប្រភពដែលមិនស្គាល់ 'nowhere'។"
    assert list(problem_rows([p], ENGLISH)[0]) == ["file", "feature", "field", "problem", "how to fix"]


def test_a_message_survives_pickling_with_its_template():
    import pickle

    m = Message("cites {source!r}.", source="ppp")
    copy_ = pickle.loads(pickle.dumps(Problem("f", None, None, m, "fix"))).message
    assert (str(copy_), copy_.template, copy_.params) == ("cites 'ppp'.", "cites {source!r}.", (("source", "ppp"),))


# --- the import tier: other people's files (issue 13) -----------------------------------------------

FIXTURES = ROOT / "tests" / "fixtures" / "imports"


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _fc(*features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _f(geometry, **props) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _gpkg(crs: str | None):
    """A GeoPackage layer 'posts' of two points, in `crs` (None: it states none)."""
    def write(path: Path) -> None:
        import geopandas as gpd
        from shapely.geometry import Point

        frame = gpd.GeoDataFrame({"name": ["A", "B"]}, geometry=[Point(102.6, 12.85), Point(102.7, 12.9)], crs=crs)
        frame.to_file(path, layer="posts", driver="GPKG")
    return write


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


PT = {"type": "Point", "coordinates": [102.6, 12.85]}
POINTS = {"type": "MultiPoint", "coordinates": [[102.6, 12.8], [102.7, 12.9], [102.8, 13.0]]}
LINE = {"type": "LineString", "coordinates": [[102.5, 12.7], [102.6, 12.8], [102.7, 12.9]]}
BOWTIE = {"type": "Polygon",
          "coordinates": [[[102.5, 12.5], [102.9, 12.9], [102.9, 12.5], [102.5, 12.9], [102.5, 12.5]]]}
NO_AREA = {"type": "Polygon", "coordinates": [[[102.5, 12.5], [102.6, 12.5], [102.6, 12.5], [102.5, 12.5]]]}
KML = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>K</name>'
       '<Placemark><name>P</name>{time}<Point><coordinates>102.6,12.85</coordinates></Point></Placemark>'
       '</Document></kml>')
DTD = '<?xml version="1.0"?><!DOCTYPE {0} [<!ENTITY a "a">]><{0}>&a;</{0}>'
CSV = "name,lat,lon,date\n"
ACLED = "event_id_cnty,event_date,time_precision,latitude,longitude\n"
UCDP = "id,date_start,date_end,date_prec,latitude,longitude\n"
DATED = _f(PT, date="1994-04-19")

# Every way an import refuses a file, skips a row or warns: (case, {file name: bytes, text, or a function
# writing the file}, Mapping options, Limits options). The first rows are the inputs of test_imports_safety.py,
# test_imports_tables.py and test_imports_gis.py.
BAD_IMPORTS = [
    ("file too big", {"big.geojson": "{not json" + " " * 2000}, {}, {"max_file_bytes": 1000}),
    ("too many features", {"a.csv": _fixture("acled_fictional.csv")}, {}, {"max_features": 2}),
    ("zip expands too far", {"bomb.zip": _zip({"layer.shp": b"\0" * 3_000_000})}, {}, {"max_total_bytes": 1_000_000}),
    ("zip unsafe path", {"evil.zip": _zip({"../../etc/layer.shp": b"x"})}, {}, {}),
    ("kml with a dtd", {"d.kml": DTD.format("kml")}, {}, {}),
    ("gpx with entities", {"e.gpx": DTD.format("gpx")}, {}, {}),
    ("zip is a dataset", {"ds.zip": _zip({"dataset.json": "{}"})}, {}, {}),
    ("acled impossible date", {"acled.csv": _fixture("acled_fictional.csv")}, {}, {}),
    ("unknown place", {"h.csv": _fixture("historian_places.csv")}, {}, {}),
    ("default place kind", {"untimed.csv": _fixture("untimed_places.csv")}, {}, {}),
    ("before the slider", {"old.csv": CSV + "A,12.9,102.7,1558\n"}, {"kind": "event"}, {}),
    ("projected without crs", {"utm.csv": "name,x,y,date\nA,240525.1,1421641.7,1994-04-19\n"},
     {"lat": "y", "lon": "x"}, {}),
    ("swapped coordinates", {"s.csv": CSV + "Swapped,102.6,12.8,1994-04-19\nFine,12.8,102.6,1994-04-20\n"}, {}, {}),
    ("ambiguous day", {"dm.csv": CSV + "A,12.8,102.6,02/03/1994\n"}, {}, {}),
    ("chosen field missing", {"untimed.csv": _fixture("untimed_places.csv")}, {"date": "when"}, {}),
    ("gave no feature", {"bad.csv": "a,b\n1,2\n"}, {}, {}),
    ("xml neither kml nor gpx", {"x.kml": "<foo/>"}, {}, {}),
    ("unknown extension", {"x.pdf": "hello"}, {}, {}),
    ("too many features in a layer", {"p.gpkg": _gpkg("EPSG:4326")}, {}, {"max_features": 1}),
    ("csv not utf-8", {"w.csv": (CSV + "Kr\xe9ng,12.8,102.6,1994-04-19\n").encode("latin-1")}, {}, {}),
    ("csv empty", {"e.csv": ""}, {}, {}),
    ("csv repeated columns", {"r.csv": "a,a\n1,2\n"}, {}, {}),
    ("csv too many cells", {"c.csv": CSV + "A,12.8,102.6,1994-04-19,extra\nB,12.8,102.6,1994-04-19\n"}, {}, {}),
    ("geojson not json", {"j.geojson": "{oops"}, {}, {}),
    ("json not geojson", {"n.geojson": '{"a": 1}'}, {}, {}),
    ("no features list", {"l.geojson": '{"type": "FeatureCollection", "features": 5}'}, {}, {}),
    ("unreadable crs member", {"u.geojson": json.dumps({"type": "FeatureCollection", "features": [DATED], "crs": {
        "type": "name", "properties": {"name": "urn:nonsense"}}})}, {}, {}),
    ("not a feature", {"f.geojson": json.dumps({"type": "FeatureCollection", "features": [5, DATED]})}, {}, {}),
    ("unreadable geometry", {"g.geojson": _fc(_f({"type": "Point", "coordinates": "x"}), DATED)}, {}, {}),
    ("unknown geometry type", {"g.geojson": _fc(_f({"type": "Pointy", "coordinates": [1, 2]}), DATED)}, {}, {}),
    ("gpkg unreadable", {"bad.gpkg": b"SQLite format 3\x00" + b"\x00" * 200}, {}, {}),
    ("zip unreadable", {"bad.zip": b"PK\x03\x04" + b"\x00" * 50}, {}, {}),
    ("zip too many files", {"many.zip": _zip({f"f{i}.shp": b"x" for i in range(5)})}, {}, {"max_files_in_zip": 3}),
    ("zip holds no shapefile", {"none.zip": _zip({"readme.txt": "x"})}, {}, {}),
    ("kmz holds no kml", {"k.kmz": _zip({"readme.txt": "x"})}, {}, {}),
    ("kml not well-formed", {"m.kml": "<kml><Document>"}, {}, {}),
    ("kml time not a date", {"t.kml": KML.format(time="<TimeStamp><when>spring</when></TimeStamp>")}, {}, {}),
    ("kml end without start", {"s.kml": KML.format(time="<TimeSpan><end>1994-04</end></TimeSpan>")}, {}, {}),
    ("after the slider", {"late.csv": CSV + "A,12.9,102.7,2300\n"}, {"kind": "event"}, {}),
    ("gpkg without crs", {"nocrs.gpkg": _gpkg(None)}, {}, {}),
    ("unknown crs", {"c.csv": CSV + "A,12.8,102.6,1994-04-19\n"}, {"crs": "EPSG:999999"}, {}),
    ("bad wkt", {"w.csv": "name,wkt,date\nA,POLYGON ((nonsense,1994-04-19\n"}, {"wkt": "wkt"}, {}),
    ("latitude not a number", {"n.csv": CSV + "A,abc,102.6,1994-04-19\n"}, {}, {}),
    ("icon properties", {"i.geojson": _fc(_f(PT, date="1994-04-19", icon="http://127.0.0.1:9/i.png"))}, {}, {}),
    ("unknown place in a country", {"h.csv": _fixture("historian_places.csv")}, {"country": "KH"}, {}),
    ("neither location nor date", {"x.csv": "name,note\nA,b\n"}, {}, {}),
    ("times not dates", {"t.geojson": _fc(_f(PT, times=["spring"]))}, {}, {}),
    ("times empty", {"t.geojson": _fc(_f(PT, times=[None]))}, {}, {}),
    ("times for points", {"t.geojson": _fc(_f(POINTS, times=["1994-04-19", "1994-04-20"]))}, {}, {}),
    ("times on a polygon", {"t.geojson": _fc(_f(BOWTIE, times=["1994-04-19"]))}, {}, {}),
    ("times for vertices", {"t.geojson": _fc(_f(LINE, times=["1994-04-19", "1994-04-20"]))}, {}, {}),
    ("ends before it starts", {"e.csv": "name,lat,lon,date,end\nA,12.8,102.6,1994-05-01,1994-04-01\n"}, {}, {}),
    ("end without start", {"e.csv": "name,lat,lon,date,end\nA,12.8,102.6,,1994-04-01\n"}, {}, {}),
    ("place without location", {"p.csv": "name,date\nA,1994-04-19\n"}, {"kind": "place"}, {}),
    ("line as a place", {"l.geojson": _fc(_f(LINE))}, {"kind": "place"}, {}),
    ("zone without geometry", {"z.geojson": _fc(_f(None, start="1994-04-19"))}, {"kind": "zone"}, {}),
    ("point as a zone", {"z.geojson": _fc(_f(PT, start="1994-04-19"))}, {"kind": "zone"}, {}),
    ("zone beyond repair", {"z.geojson": _fc(_f(NO_AREA, start="1994-04-19"))}, {"kind": "zone"}, {}),
    ("zone repaired", {"z.geojson": _fc(_f(BOWTIE, start="1994-04-19"))}, {"kind": "zone"}, {}),
    ("event without date", {"e.geojson": _fc(_f(PT, name="A"))}, {"kind": "event"}, {}),
    ("front line without sides", {"f.geojson": _fc(_f(LINE, start="1994-04-19"))}, {"kind": "frontline"}, {}),
    ("control period unreadable", {"c.geojson": _fc(_f(PT, name="A", control='[{"controller": "Side A"}]'))},
     {"kind": "place"}, {}),
    ("control period bad date",
     {"c.geojson": _fc(_f(PT, name="A", control='[{"controller": "A", "start": "1994-13"}]'))}, {"kind": "place"}, {}),
    ("unknown place kind", {"k.csv": "name,lat,lon\nA,12.8,102.6\n"}, {"kind": "place", "place_kind": "castle"}, {}),
    ("feature limit reached", {"t.geojson": _fc(_f(POINTS, times=["1994-04-19", "1994-04-20", "1994-04-21"]))}, {},
     {"max_features": 2}),
    ("duplicate id", {"d.csv": "id,name,lat,lon,date\nx1,A,12.8,102.6,1994-04-19\nx1,B,12.9,102.7,1994-04-20\n"}, {},
     {}),
    ("dated place without controller", {"p.csv": CSV + "A,12.8,102.6,1994-04-19\n"}, {"kind": "place"}, {}),
    ("part of a day", {"p.csv": "name,lat,lon,date,date_part\nA,12.8,102.6,1994-04-19,late\n"}, {}, {}),
    ("part of a day in words", {"pw.csv": CSV + "A,12.8,102.6,late 19 April 1994\n"}, {}, {}),
    ("acled precision", {"a.csv": ACLED + "X1,1994-04-19,7,12.8,102.6\n"}, {}, {}),
    ("acled empty date", {"a.csv": ACLED + "X1,,1,12.8,102.6\nX2,1994-04-19,1,12.8,102.6\n"}, {}, {}),
    ("ucdp end before start", {"u.csv": UCDP + "1,1994-04-19,1994-04-01,1,12.8,102.6\n"}, {}, {}),
    ("ucdp empty start", {"u.csv": UCDP + "1,,1994-04-01,1,12.8,102.6\n2,1994-04-01,1994-04-01,1,12.8,102.6\n"}, {},
     {}),
    ("number not a date", {"n.geojson": _fc(_f(PT, date=42))}, {}, {}),
    ("bool not a date", {"b.geojson": _fc(_f(PT, date=True))}, {}, {}),
]
NOT_FILES = [("not a local file", "http://127.0.0.1:9/layer.geojson"), ("no such file", "/nonexistent/file.csv")]
# Dataset zips open_dataset_zip refuses: (case, members, or None for bytes that are not a zip)
BAD_DATASET_ZIPS = [("not a zip", None), ("too big", {"dataset.json": "x" * 2000}),
                    ("no dataset.json", {"places.geojson": "{}"})]


def _write(path: Path, content) -> Path:
    if callable(content):
        content(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def import_problems(tmp_path_factory) -> list[tuple[str, Problem]]:
    """Every problem the bad imports give, with the case that gave it."""
    root = tmp_path_factory.mktemp("imports")
    found = []
    for k, (case, files, mapping, limits) in enumerate(BAD_IMPORTS):
        (root / str(k)).mkdir()
        paths = [_write(root / str(k) / name, content) for name, content in files.items()]
        found += [(case, p) for p in import_files(paths, Mapping(**mapping), limits=Limits(**limits)).problems]
    for case, path in NOT_FILES:
        found += [(case, p) for p in import_files([path]).problems]
    for case, members in BAD_DATASET_ZIPS:
        archive = _write(root / f"{case}.zip", b"not a zip" if members is None else _zip(members))
        with pytest.raises(DataError) as refused:
            open_dataset_zip(archive, root / "opened", Limits(max_total_bytes=1000))
        found += [(case, p) for p in refused.value.problems]
    cases = [c for c, *_ in BAD_IMPORTS] + [c for c, _ in NOT_FILES + BAD_DATASET_ZIPS]
    assert len(set(cases)) == len(cases) and {c for c, _ in found} == set(cases), "a case gave no problem"
    return found


def test_every_import_problem_reads_in_khmer_and_keeps_its_values(import_problems, catalogue):
    assert len(import_problems) > 100
    for case, p in import_problems:
        _assert_reads_in_khmer(case, p, catalogue)


def test_every_import_template_is_a_literal_marked_for_extraction(import_problems, catalogue):
    messages = [part for _case, p in import_problems for part in (p.message, p.fix)]
    assert len({t for m in messages for t in _templates(m)}) > 120
    _assert_all_marked(messages, catalogue)


# The English lines as they were before the messages became templates: a few of each shape.
ENGLISH_IMPORT_LINES = {
    "csv too many cells": "error: c.csv, feature 'line 2': has 5 cells but the header names 4 columns; the row was "
                          "skipped. Fix: quote cells that contain the delimiter, or fix the row.",
    "acled impossible date": "error: acled.csv, feature 'line 5', field 'event_date': '31-13-1994' is not a date this "
                             "importer understands; write it as YYYY-MM-DD, YYYY-MM or YYYY (EDTF, e.g. 1994-04-19, "
                             "1993-05, 1994-01~), or in words: '19 April 1994', 'May 1993', 'around January 1994', "
                             "'late April 1994'. The row was skipped. Fix: correct the date in the row (the rest of "
                             "the file is imported).",
    "before the slider": "warning: (import), field 'start': the data's dates reach 1558-01-01, beyond what the date "
                         "slider can show; the dataset's start is 1684-07-29, and the features dated outside the "
                         "range are kept. Fix: give the range you mean (CLI: --dataset-start, --dataset-end).",
    "zip expands too far": "error: bomb.zip: expands to 3 MB; the limit is 1 MB. Fix: zip only the layers to import.",
    "too many features in a layer": "error: p.gpkg: holds 2 features (layer 'posts'), more than the 1 this import "
                                    "still allows. Fix: import fewer features at once, or raise the limit (CLI: "
                                    "--max-features).",
    "unknown place in a country": "warning: h.csv, feature 'line 6', field 'place': the offline gazetteer does not "
                                  "know the place 'Nowhereville Fictional'. Fix: add latitude/longitude columns for "
                                  "this row, or correct the spelling (searched in country KH).",
    "point as a zone": "error: z.geojson, feature 'feature 0', field 'geometry': is a Point; a zone is a Polygon or "
                       "MultiPolygon. The row was skipped. Fix: choose the layer kind that fits the geometry "
                       "(place/event: points, zone: areas, route/frontline: lines).",
    "control period unreadable": "warning: c.geojson, feature \"feature 0 ('A')\", field 'control[0]': is not a "
                                 "control period the atlas can read (no start); the place was imported without its "
                                 "control history. Fix: write each period as {\"controller\", \"start\", \"end\", "
                                 "\"certainty\"}, or map a controller field instead.",
}


def test_the_english_of_import_problems_is_unchanged(import_problems):
    lines = {case: [str(p) for c, p in import_problems if c == case] for case in ENGLISH_IMPORT_LINES}
    for case, line in ENGLISH_IMPORT_LINES.items():
        assert line in lines[case], (case, lines[case])


def _khmer_messages(import_problems, case: str) -> list[str]:
    return [message_text(p.message, KM) for c, p in import_problems if c == case]


def test_import_numbers_dates_and_nested_reasons_read_the_khmer_way(import_problems):
    [cells] = _khmer_messages(import_problems, "csv too many cells")
    assert cells == "មានក្រឡា ៥ ប៉ុន្តែជួរក្បាលដាក់ឈ្មោះជួរឈរ ៤៖ ជួរនេះត្រូវបានរំលង។"
    [slider] = _khmer_messages(import_problems, "before the slider")
    assert "1558-01-01" in slider and "1684-07-29" in slider  # days as the data writes them
    [bomb] = _khmer_messages(import_problems, "zip expands too far")
    assert bomb == "ពន្លាចេញដល់ ៣ MB៖ ដែនកំណត់គឺ ១ MB។"
    [date] = _khmer_messages(import_problems, "acled impossible date")  # the reason, its advice and the skip
    assert date.startswith("'31-13-1994' មិនមែនជាកាលបរិច្ឆេទដែលកម្មវិធីនាំចូលនេះយល់ទេ៖ សរសេរវាជា YYYY-MM-DD")
    assert date.endswith("'late April 1994'។ ជួរនេះត្រូវបានរំលង។")


def test_the_detect_step_notes_read_in_khmer(tmp_path, catalogue):
    bare = _write(tmp_path / "bare.csv", "name,when\nA,spring\n")
    layers = detect([FIXTURES / "acled_fictional.csv", FIXTURES / "ucdp_ged_fictional.csv", bare])
    notes = [note for layer in layers for note in layer.notes]
    assert len(notes) >= 4 and all(isinstance(note, Message) for note in notes)
    for note in notes:
        _assert_translated("detect", note, catalogue)
    assert "field 'when' looks like a date field but its values are not dates." in notes


def test_the_upload_note_reads_in_khmer(tmp_path, catalogue):
    first = import_uploads(save([UploadedFile("acled.csv", _fixture("acled_fictional.csv"))], tmp_path / "in"),
                           None, tmp_path / "a")
    again = save([UploadedFile("mine.zip", first.zip_bytes), UploadedFile("extra.csv", b"a,b\n1,2\n")], tmp_path / "b")
    reopened = import_uploads(again, None, tmp_path / "c")
    assert reopened.note == ("Opened the dataset zip mine.zip. Other files uploaded with it were not imported: "
                             "upload them on their own.")
    _assert_translated("upload", reopened.note, catalogue)


# --- export refusals (snapshot, animate; the app's animation download) -----------------------------

EXPORT_REFUSALS = [
    ("size not a size", lambda: parse_size("huge")),
    ("size out of range", lambda: parse_size("50x50")),
    ("bbox not numbers", lambda: parse_bbox("1,2")),
    ("bbox upside down", lambda: parse_bbox("103,13,102,12")),
    ("one image too big", lambda: check_budget(Canvas(8000, 8000, 100), 1, HOSTED_BUDGET)),
    ("too many pixels", lambda: check_budget(Canvas(1920, 1080, 100), 500, CLI_BUDGET)),
    ("step below one", lambda: animation_days(None, date(1994, 1, 1), date(1994, 2, 1), step=0)),
    ("too many frames", lambda: animation_days(None, date(1990, 1, 1), date(1994, 1, 1), step=1)),
    ("period backwards", lambda: animation_days(None, date(1994, 2, 1), date(1994, 1, 1))),
    ("animation format", lambda: write_animation(io.BytesIO(), None, date(1994, 1, 1), date(1994, 2, 1), fmt="avi")),
]


@pytest.mark.parametrize("case, refuse", EXPORT_REFUSALS, ids=[c for c, _ in EXPORT_REFUSALS])
def test_every_export_refusal_reads_in_khmer(case, refuse, catalogue):
    with pytest.raises((ExportError, DateError)) as refused:
        refuse()
    reason = refused.value.reason
    assert str(reason) == str(refused.value) and message_text(reason, ENGLISH) == str(reason)
    _assert_translated(case, reason, catalogue)
    _assert_all_marked([reason], catalogue)


def test_an_export_refusal_keeps_its_numbers_in_khmer_digits():
    with pytest.raises(ExportError) as refused:
        check_budget(Canvas(8000, 8000, 100), 1, HOSTED_BUDGET)
    assert str(refused.value).startswith("A 8000×8000 px image is 64.0 million pixels to draw")
    assert message_text(refused.value.reason, KM).startswith("រូបភាពមួយទំហំ ៨០០០×៨០០០ px ស្មើនឹង ៦៤.០ លានភីកសែល")

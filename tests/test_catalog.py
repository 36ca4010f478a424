import os
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from layers.data.catalog import load_dataset, validate_path
from layers.data.errors import DataError
from layers.data.synthetic import write_synthetic_dataset


def _errors(directory: Path):
    return validate_path(directory).errors


def test_tiny_dataset_loads(tiny_dir):
    ds = load_dataset(tiny_dir)
    assert list(ds.places.index) == ["town", "village"]
    assert len(ds.control) == 3
    assert ds.zones.loc["kr_west", "area_km2"] == pytest.approx(0.8 * 111.3 * 0.8 * 108.6, rel=0.05)
    assert ds.events.index[0] == "ev_fall"  # sorted by date
    assert ds.factions["government"].name_on(__import__("datetime").date(1994, 1, 1)) == "RCAF"


def _set(layer, index, **props):
    def edit(layers):
        feature = layers[layer][index]
        for key, value in props.items():
            if value is None:
                feature["properties"].pop(key, None)
            else:
                feature["properties"][key] = value
    return edit


BAD_DATA = [
    (_set("places.geojson", 0, sources=None), "places.geojson", "town", "sources", "missing"),
    (_set("places.geojson", 0, sources=["nowhere"]), "places.geojson", "town", "sources", "unknown source"),
    (_set("places.geojson", 1, certainty="sure"), "places.geojson", "village", "certainty", "must be one of"),
    (_set("zones.geojson", 0, controller="martians"), "zones.geojson", "kr_west", "controller", "unknown faction"),
    (_set("zones.geojson", 0, start="1994-13"), "zones.geojson", "kr_west", "start", "not a valid date"),
    (_set("zones.geojson", 0, end="1980"), "zones.geojson", "kr_west", "end", "before it starts"),
    (_set("events.geojson", 0, place_ids=["atlantis"]), "events.geojson", "ev_fall", "place_ids", "unknown place"),
    (_set("events.geojson", 0, date="May 1993"), "events.geojson", "ev_fall", "date", "not a date"),
    (_set("frontlines.geojson", 0, sides=["government"]), "frontlines.geojson", "front_1994", "sides", "two"),
]


@pytest.mark.parametrize("edit, file, feature, field, needle", BAD_DATA)
def test_bad_data_is_named_precisely(make_dataset, edit, file, feature, field, needle):
    errors = _errors(make_dataset(edit))
    assert any(e.file == file and e.feature == feature and e.field == field and needle in e.message and e.fix
               for e in errors), [str(e) for e in errors]


def test_place_outside_region_suggests_lat_lon_swap(make_dataset):
    def edit(layers):
        layers["places.geojson"][1]["geometry"]["coordinates"] = [12.5, 13.5]
    errors = _errors(make_dataset(edit))
    assert any(e.feature == "village" and "outside the dataset's region" in e.message and "swapped" in e.fix
               for e in errors)


def test_place_held_by_two_factions_at_once(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["properties"]["control"][1]["start"] = "1994-03-01"
    errors = _errors(make_dataset(edit))
    assert any(e.feature == "town" and e.field == "control" and "at the same time" in e.message for e in errors)


def test_overlap_allowed_when_contested(make_dataset):
    def edit(layers):
        periods = layers["places.geojson"][0]["properties"]["control"]
        periods[1]["start"] = "1994-03-01"
        periods[1]["certainty"] = "contested"
    assert not _errors(make_dataset(edit))


def test_overlapping_hostile_zones_are_an_error_allied_are_not(make_dataset):
    def grow(controller):
        def edit(layers):
            zone = layers["zones.geojson"][1]
            zone["geometry"]["coordinates"] = [[[102.5, 12.1], [103.7, 12.1], [103.7, 12.9], [102.5, 12.9], [102.5, 12.1]]]
            zone["properties"]["controller"] = controller
        return edit
    errors = _errors(make_dataset(grow("government")))
    assert any(e.feature == "gov_east" and "overlaps zone 'kr_west'" in e.message for e in errors)
    assert not any("overlaps" in e.message for e in _errors(make_dataset(grow("khmer_rouge"))))


def test_duplicate_ids_across_files(make_dataset):
    def edit(layers):
        layers["events.geojson"][0]["id"] = layers["events.geojson"][0]["properties"]["id"] = "town"
    errors = _errors(make_dataset(edit))
    assert any(e.feature == "town" and "also used in places.geojson" in e.message for e in errors)


def test_missing_required_file(tiny_dir):
    (tiny_dir / "sources.json").unlink()
    errors = _errors(tiny_dir)
    assert any(e.file == "sources.json" and "missing" in e.message for e in errors)


def test_load_dataset_raises_one_error_type(make_dataset):
    with pytest.raises(DataError) as info:
        load_dataset(make_dataset(_set("places.geojson", 0, name=None)))
    assert info.value.problems[0].feature == "town"


def test_single_layer_file_is_validated_against_its_schema(tiny_dir):
    report = validate_path(tiny_dir / "places.geojson")
    assert report.ok
    (tiny_dir / "zones.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                                          '"geometry": null, "properties": {"id": "z"}}]}')
    errors = validate_path(tiny_dir / "zones.geojson").errors
    assert {e.field for e in errors} >= {"name", "controller", "start", "geometry"}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15, deadline=None)
@given(st.integers(min_value=10, max_value=300), st.integers(min_value=0, max_value=10**6))
def test_generated_datasets_always_load(tmp_path, size, seed):
    directory = write_synthetic_dataset(tmp_path / f"syn_{size}_{seed}", size, seed)
    ds = load_dataset(directory)
    assert len(ds.zones) + len(ds.places) + len(ds.events) == size


# --- issue 10: every dataset ends in a message or a pass, never a traceback or a hang ---------------

def _meta(**changes):
    def edit(layers):
        layers["dataset.json"].update(changes)
    return edit


def _faction(index, **changes):
    def edit(layers):
        layers["factions.json"]["factions"][index].update(changes)
    return edit


def _source(index, **changes):
    def edit(layers):
        layers["sources.json"]["sources"][index].update(changes)
    return edit


def _story(doc):
    def edit(layers):
        layers["story.json"] = doc
    return edit


_CHAPTER = {"id": "c1", "title": "One", "date": "1994-03-25", "view": {"lat": 12.5, "lon": 102.5, "zoom": 9},
            "text": "Text.", "sources": ["doc"]}


def _chapter(**changes):
    return _story({"chapters": [_CHAPTER | changes]})


def _figure_sources(value):
    def edit(layers):
        layers["events.geojson"][2]["properties"]["figures"][0]["sources"] = value
    return edit


def _claim_sources(value):
    def edit(layers):
        layers["events.geojson"][0]["properties"]["disputes"][0]["claims"][0]["sources"] = value
    return edit


# The 16 crashes of issue 10 (item 2): the first eleven raised inside `validate`; the last five passed
# it and crashed a page or an export later. Then more found the same way.
CRASHES = [
    ("view [1]", _meta(view=[1]), "dataset.json", "view"),
    ("view 'x'", _meta(view="x"), "dataset.json", "view"),
    ("view lat 'abc'", _meta(view={"lat": "abc", "lon": 103, "zoom": 8}), "dataset.json", "view.lat"),
    ("view without lon", _meta(view={"lat": 13}), "dataset.json", "view.lon"),
    ("allied_with [[1]]", _faction(2, allied_with=[[1]]), "factions.json", "allied_with"),
    ("slips 5", _source(0, slips=5), "sources.json", "slips"),
    ("chapters a dict", _story({"chapters": {"id": "c1"}}), "story.json", "chapters"),
    ("chapters [1]", _story({"chapters": [1]}), "story.json", None),
    ("figure sources [['a']]", _figure_sources([["a"]]), "events.geojson", "figures[0].sources"),
    ("claim sources [['a']]", _claim_sources([["a"]]), "events.geojson", "disputes[0].claims[0].sources"),
    ("view lat 'nan'", _meta(view={"lat": "nan", "lon": 103, "zoom": 8}), "dataset.json", "view.lat"),
    ("story view lat 'nan'", _chapter(view={"lat": "nan", "lon": 102.5, "zoom": 9}), "story.json", "view.lat"),
    ("end 9999-12-31", _meta(end="9999-12-31"), "dataset.json", "end"),
    ("start and end in year 1", _meta(start="0001-01-01", end="0001-01-10"), "dataset.json", "start"),
    ("view zoom 8.5", _meta(view={"lat": 13, "lon": 103, "zoom": 8.5}), "dataset.json", "view.zoom"),
    # found while writing these
    ("faction names 5", _faction(0, names=5), "factions.json", "names"),
    ("faction sources 5", _faction(0, sources=5), "factions.json", "sources"),
    ("source kind [1]", _source(0, kind=[1]), "sources.json", "kind"),
    ("certainty [1]", _set("places.geojson", 1, certainty=[1]), "places.geojson", "certainty"),
    ("figure sources 5", _figure_sources(5), "events.geojson", "figures[0].sources"),
    ("claims not a list", _claim_sources("doc"), "events.geojson", "disputes[0].claims[0].sources"),
    ("event window 10**30", _meta(event_window_days=10**30), "dataset.json", "event_window_days"),
    ("uncertainty 1e308", _set("places.geojson", 1, uncertainty_km=1e308), "places.geojson", "uncertainty_km"),
    ("view lat 91", _meta(view={"lat": 91, "lon": 103, "zoom": 8}), "dataset.json", "view.lat"),
    ("view lon -181", _meta(view={"lat": 13, "lon": -181, "zoom": 8}), "dataset.json", "view.lon"),
    ("zoom 23", _meta(view={"lat": 13, "lon": 103, "zoom": 23}), "dataset.json", "view.zoom"),
    ("story date a number", _chapter(date=19940325), "story.json", "date"),
    ("colour with a newline", _faction(0, color="#0072B2\n"), "factions.json", "color"),
    ("source id with a newline", _source(1, id="news\n"), "sources.json", "id"),
    ("region with strings", _meta(region=[102, 12, "104", 14]), "dataset.json", "region"),
]


@pytest.mark.parametrize("edit, file, field", [c[1:] for c in CRASHES], ids=[c[0] for c in CRASHES])
def test_malformed_dataset_gets_a_message_not_a_traceback(make_dataset, edit, file, field):
    report = validate_path(make_dataset(edit))
    assert not report.ok
    assert any(e.file == file and e.field == field and e.message and e.fix for e in report.errors), \
        [str(e) for e in report.errors]


@pytest.mark.parametrize("name, old, new", [
    ("dataset.json", '"zoom": 8', '"zoom": 1e999'),  # issue 10: zoom 1e999 reads as infinity
    ("dataset.json", '"region": [102.0', '"region": [-1e400'),
    ("places.geojson", '"uncertainty_km":5', '"uncertainty_km": 1E+999'),
])
def test_numbers_too_large_to_be_finite_are_located(tiny_dir, name, old, new):
    path = tiny_dir / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    errors = validate_path(tiny_dir).errors
    literal = new.split(": ")[1].lstrip("[")
    assert any(e.file == name and f"the number {literal} at line" in e.message for e in errors), \
        [str(e) for e in errors]


def test_non_utf8_story_is_located(tiny_dir):
    (tiny_dir / "story.json").write_bytes(b'{"chapters": [\n  {"id": "caf\xe9"}]}')
    errors = validate_path(tiny_dir).errors
    assert [(e.file, "byte 0xe9 at line 2, column 14" in e.message) for e in errors] == [("story.json", True)], \
        [str(e) for e in errors]


def test_non_utf8_layer_is_located(tiny_dir):
    (tiny_dir / "routes.geojson").write_bytes(b'{"type": "FeatureCollection",\n"features": [\xff]}')
    errors = validate_path(tiny_dir).errors
    assert any(e.file == "routes.geojson" and "byte 0xff at line 2, column 14" in e.message for e in errors)


@pytest.mark.timeout(30)
def test_fifo_is_refused_without_reading(tiny_dir):
    (tiny_dir / "dataset.json").unlink()
    os.mkfifo(tiny_dir / "dataset.json")
    errors = validate_path(tiny_dir).errors
    assert any(e.file == "dataset.json" and "named pipe" in e.message for e in errors)
    assert any("named pipe" in e.message for e in validate_path(tiny_dir / "dataset.json").errors)


@pytest.mark.timeout(30)
def test_device_is_refused_without_reading():
    errors = validate_path(Path("/dev/zero")).errors
    assert len(errors) == 1 and "character device" in errors[0].message


def test_directory_named_like_a_layer_is_refused(tiny_dir):
    (tiny_dir / "routes.geojson").mkdir()
    errors = validate_path(tiny_dir).errors
    assert [(e.file, "a directory" in e.message) for e in errors] == [("routes.geojson", True)]


@pytest.mark.timeout(30)
def test_size_is_checked_before_reading(tiny_dir):
    with open(tiny_dir / "routes.geojson", "wb") as handle:  # sparse: 51 MiB on paper, nothing on disk
        handle.truncate(51 * 2**20)
    errors = validate_path(tiny_dir).errors
    assert any(e.file == "routes.geojson" and "over the 50 MiB limit" in e.message for e in errors)


def test_symlink_out_of_the_dataset_is_not_followed(tiny_dir, tmp_path):
    outside = tmp_path / "elsewhere.json"
    (tiny_dir / "sources.json").rename(outside)
    (tiny_dir / "sources.json").symlink_to(outside)
    errors = validate_path(tiny_dir).errors
    assert any(e.file == "sources.json" and "outside the dataset directory" in e.message for e in errors)
    (tiny_dir / "sources.json").unlink()
    (tiny_dir / "sources.json").symlink_to("../" + tiny_dir.name + "/../elsewhere.json")
    assert any("outside the dataset directory" in e.message for e in validate_path(tiny_dir).errors)


def test_symlink_inside_the_dataset_is_read(tiny_dir):
    (tiny_dir / "sources.json").rename(tiny_dir / "bibliography.json")
    (tiny_dir / "sources.json").symlink_to("bibliography.json")
    assert validate_path(tiny_dir).ok


# --- contract schema: sources without headlines, parts, sets, background sources, enclaves ----------

def test_source_without_a_recorded_headline_is_cited_honestly(make_dataset):
    def edit(layers):
        layers["sources.json"]["sources"].append(
            {"id": "upi", "title": None, "describe": "UPI wire report", "publisher": "UPI", "date": "1989-09-22",
             "kind": "news"})
    ds = load_dataset(make_dataset(edit))
    assert ds.sources["upi"].citation() == "UPI wire report, 22 September 1989 (headline not recorded)"
    assert ds.sources["news"].citation() == "A newspaper (May 1994)"


@pytest.mark.parametrize("source, field, needle", [
    ({"title": None, "kind": "news", "date": "1994-01"}, "describe", "needs one"),
    ({"title": "A headline", "kind": "news", "date": "1994-01"}, "title_from", "where the title comes from"),
    ({"title": "A headline", "title_from": "memory", "kind": "news", "date": "1994-01"}, "title_from",
     "must be one of"),
    ({"title": "", "title_from": "brief", "kind": "news", "date": "1994-01"}, "title", "real title, or null"),
    ({"title": None, "describe": "Cambodia Daily articles", "kind": "news"}, "date", "publication date"),
])
def test_source_titles_say_where_they_come_from(make_dataset, source, field, needle):
    def edit(layers):
        layers["sources.json"]["sources"].append({"id": "s1", **source})
    errors = _errors(make_dataset(edit))
    assert any(e.file == "sources.json" and e.feature == "s1" and e.field == field and needle in e.message
               for e in errors), [str(e) for e in errors]


def test_parts_and_sets_narrow_the_days_the_state_uses(make_dataset):
    def edit(layers):
        layers["events.geojson"][1]["properties"].update(date="1993-05", date_part="late")
        layers["zones.geojson"][1]["properties"].update(start="1989-09", start_part="early")
        layers["places.geojson"][0]["properties"]["control"][2].update(end="1996-08", end_part="mid")
        layers["frontlines.geojson"][0]["properties"].update(end="[1994-06-01..1994-06-16]")
    ds = load_dataset(make_dataset(edit))
    assert (ds.events.loc["ev_may93", "first_day"], ds.events.loc["ev_may93", "last_day"]) == (
        date(1993, 5, 21).toordinal(), date(1993, 5, 31).toordinal())
    assert ds.zones.loc["gov_east", "start_day"] == date(1989, 9, 1).toordinal()
    last = ds.control[ds.control["place_id"] == "town"].iloc[2]
    assert last["end_day"] == date(1996, 8, 11).toordinal() and last["end"].label() == "mid-August 1996"
    assert ds.frontlines.loc["front_1994", "end_day"] == date(1994, 6, 1).toordinal()


@pytest.mark.parametrize("edit, field, needle", [
    (_set("events.geojson", 0, date_part="late"), "date_part", "cannot take the part"),
    (_set("events.geojson", 1, date_part="last"), "date_part", "must be one of"),
    (_set("zones.geojson", 1, end_part="early"), "end_part", "narrows 'end', which is not given"),
    (_set("zones.geojson", 0, background_sources=["nowhere"]), "background_sources", "unknown source"),
    (_set("zones.geojson", 0, background_sources="doc"), "background_sources", "must be a list"),
])
def test_contract_fields_are_checked(make_dataset, edit, field, needle):
    errors = _errors(make_dataset(edit))
    assert any(e.field == field and needle in e.message for e in errors), [str(e) for e in errors]


def test_control_period_fields_are_checked(make_dataset):
    def edit(layers):
        period = layers["places.geojson"][0]["properties"]["control"][1]
        period.update(enclave="yes", start_part="late")
    errors = _errors(make_dataset(edit))
    assert {(e.feature, e.field) for e in errors} >= {("town", "control[1].enclave")}
    def edit2(layers):
        layers["places.geojson"][0]["properties"]["control"][1].update(start_part="late")
    errors = _errors(make_dataset(edit2))
    assert [(e.feature, e.field) for e in errors] == [("town", "control[1].start_part")]


@pytest.mark.parametrize("extra, severity", [({}, "error"), ({"date_unknown": "the paper's archive has no date"}, "warning"),
                                             ({"date_unknown": "  "}, "error")])
def test_an_undated_news_item_is_an_error_unless_the_entry_says_why(make_dataset, extra, severity):
    from layers.data.catalog import validate_path

    def edit(layers):
        news = layers["sources.json"]["sources"][1]
        news.pop("date", None)
        news.update(extra)
    problems = [p for p in validate_path(make_dataset(edit)).problems if p.feature == "news" and p.field == "date"]
    assert [p.severity for p in problems] == [severity]

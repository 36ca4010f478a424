"""The document the browser's time layer reads (layers/render/time_store.py), checked against the engine.

`shown_on` reads the store the way layers/render/js/atlas_time.js does (a run is in force on start <= day < end);
for every change date of the built-in dataset, and for generated datasets, what the browser would show
must be what `Timeline.state_on` says. The browser tests check the JavaScript reads it the same way.
"""

import gc
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from layers.render import symbology as sym
from layers.data.catalog import load_dataset
from layers.data.synthetic import write_synthetic_dataset
from layers.render.time_store import EPOCH, build_time_store
from layers.engine.timeline import Timeline

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def builtin():
    timeline = Timeline(load_dataset())
    return timeline, build_time_store(timeline).document


def shown_on(doc: dict, day: date) -> dict[str, dict[str, tuple]]:
    """kind -> id -> the run in force (as a tuple), as the browser picks it."""
    d = day.toordinal() - EPOCH
    out: dict[str, dict[str, tuple]] = {}
    for layer in doc["layers"]:
        found = out.setdefault(layer["kind"], {})
        for item in layer["items"]:
            if "e" in item:
                first, last = item["e"]
                if last >= d - doc["events"]["window"] and first <= d + doc["events"]["window"]:
                    found[item["id"]] = (first, last)
                continue
            for run in item["r"]:
                if run[0] <= d < run[1]:
                    found[item["id"]] = tuple(run)
    return out


def _agrees(timeline: Timeline, doc: dict, day: date) -> None:
    state = timeline.state_on(day)
    shown = shown_on(doc, day)
    assert set(shown["zone"]) == set(state.zones.index)
    assert {z: r[3] for z, r in shown["zone"].items()} == dict(zip(state.zones.index, state.zones["controller"]))
    assert set(shown["front"]) == set(state.frontlines.index)
    assert set(shown["edge"]) == set(state.zone_edges.index)
    assert set(shown["event"]) == {e for e, g in zip(state.events.index, state.events.geometry) if g is not None}
    held = {p.place_id: p for p in state.places if p.controller}
    assert {p: r[3] for p, r in shown["place"].items()} == {p: s.controller for p, s in held.items()}
    for pid, run in shown["place"].items():
        status = held[pid]
        assert bool(run[8]) is status.transition
        assert bool(run[7]) is (status.derived_from_zone is not None)
        strings = doc["strings"]
        assert (strings[run[4]] if run[4] >= 0 else None) == (status.since.label() if status.since else None)


def test_the_browser_shows_what_the_engine_says_on_every_change_date(builtin):
    timeline, doc = builtin
    days = timeline.change_dates()
    assert len(days) > 10
    for day in days:
        _agrees(timeline, doc, day)
        _agrees(timeline, doc, day - timedelta(days=1))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=5, deadline=None)
@given(st.integers(0, 10_000), st.lists(st.integers(0, 3409), min_size=3, max_size=12))
def test_generated_datasets_agree_too(tmp_path_factory, seed, offsets):
    timeline = Timeline(load_dataset(write_synthetic_dataset(tmp_path_factory.mktemp("s"), 150, seed)))
    doc = build_time_store(timeline).document
    for offset in offsets:
        _agrees(timeline, doc, date(1989, 9, 1) + timedelta(days=offset))


def test_change_dates_and_range(builtin):
    timeline, doc = builtin
    meta = timeline.dataset.meta
    assert doc["range"] == [meta.start.toordinal() - EPOCH, meta.end.toordinal() - EPOCH]
    assert doc["changes"] == [d.toordinal() - EPOCH for d in timeline.change_dates()]


def test_looks_come_from_the_symbology(builtin):
    timeline, doc = builtin
    ds = timeline.dataset
    zone = ds.zones.iloc[0]
    item = next(i for i in doc["layers"][0]["items"] if i["id"] == zone.name)
    look = sym.zone_look(zone["certainty"], ds.factions[zone["controller"]].color).leaflet()
    assert doc["looks"][item["r"][0][2]] == look
    rule = sym.EventRule(ds.meta.event_window_days)
    assert doc["events"] == {**rule.to_browser(), "mine": {"color": sym.MINE, "weight": sym.mine(rule.past).width}}
    assert not any(entry.get("label") is not None and doc["strings"][entry["label"]] == sym.YOUR_LAYERS
                   for entry in doc["legend"])  # no visitor's layers here: no legend entry for them


def test_faction_names_by_period(builtin):
    timeline, doc = builtin
    gov = doc["factions"]["government"]
    soc = next(n for n in gov["names"] if "SOC" in n[2])
    assert soc[0] <= date(1990, 1, 1).toordinal() - EPOCH < soc[1]


def test_every_string_from_data_is_escaped(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["properties"]["name"] = EVIL
        layers["zones.geojson"][0]["properties"]["name"] = EVIL + "{{ 7*7 }}"
        layers["events.geojson"][0]["properties"]["title"] = "`${alert(1)}`"
        layers["sources.json"]["sources"][0]["title"] = "</script><script>alert(1)</script>"
    store = build_time_store(Timeline(load_dataset(make_dataset(edit))))
    assert "<img" not in store.text and "</script" not in store.text and "${" not in store.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in store.text
    assert "{{" not in store.text


def _objects_a_full_collection_walks(root: object) -> int:
    """How many garbage-collected objects are reachable from `root` (classes and modules aside)."""
    seen: set[int] = set()
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or not gc.is_tracked(obj) or isinstance(obj, type):
            continue
        seen.add(id(obj))
        todo.extend(gc.get_referents(obj))
    return len(seen)


def test_a_store_keeps_no_python_objects_per_feature(tmp_path):
    # A store is cached for the life of the server, and Streamlit runs a full garbage collection after
    # every rerun of every session: kept as Python objects, the document of a 100,000-feature dataset
    # (1.3 million of them) cost every session about a second per rerun.
    timeline = Timeline(load_dataset(write_synthetic_dataset(tmp_path, 600, seed=1)))
    store = build_time_store(timeline)
    assert len(store.document["layers"][0]["items"]) > 100
    assert _objects_a_full_collection_walks(store) < 10

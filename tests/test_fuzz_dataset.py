"""Property: whatever a dataset's JSON holds, `validate_path` returns problems or passes, never raises;
and a dataset that passes loads, and its state on any day computes and serialises.

Hypothesis mutates the built-in dataset's JSON files (and the tests' tiny dataset, which stays valid
more often, so the "it passes, now use it" half runs too): values replaced by other types, NaN,
infinities, huge numbers, odd strings and nested lists; keys dropped; values wrapped in lists.
"""

from __future__ import annotations

import copy
import json
import math
import os
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from apptest_map import open_like_a_browser
from conftest import ROOT, tiny_layers, write_layers
from layers.data.catalog import validate_path
from layers.data.story import load_story
from layers.engine.timeline import Timeline

JSON_FILES = ("dataset.json", "factions.json", "sources.json", "story.json", "places.geojson",
              "events.geojson", "zones.geojson", "frontlines.geojson", "routes.geojson")

WEIRD_STRINGS = ["", " ", "\n", "x\n", "\x00", "$5m a month", "é", "Ω" * 3, "x" * 5000, "1994-13-45",
                 "1994-04", "9999-12-31", "0001-01-01", "[1994..]", "[1994-11-01..1994-12-16]", "late",
                 "../../etc/passwd", "<script>alert(1)</script>", "=HYPERLINK(\"x\")", "nan", "inf", "-1",
                 "#0072B2\n", "government", "khmer_rouge", "EPSG:4326", "EPSG:99999"]
WEIRD_VALUES = st.one_of(
    st.none(), st.booleans(), st.sampled_from([0, -1, 1, 22, 23, 90, 91, 181, -181, 10**30, 2**63, 1e308,
                                               -1e308, 0.5, float("nan"), float("inf"), float("-inf")]),
    st.integers(), st.floats(), st.sampled_from(WEIRD_STRINGS), st.text(max_size=12),
    st.sampled_from([[], [[]], [[1]], [["a"]], [[[[]]]], {}, {"a": [1]}, [None], [1, "a", None]]),
)


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz_bases")
    builtin = root / "builtin"
    shutil.copytree(ROOT / "geodata", builtin)
    return {"builtin": builtin, "tiny": write_layers(root / "tiny", tiny_layers())}


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _mutate(doc: Any, data: st.DataObject,
            actions: tuple[str, ...] = ("similar", "similar", "replace", "replace", "drop", "wrap", "stringify",
                                        "empty")) -> Any:
    """One mutation at a random place in the JSON tree (the root itself included)."""
    # Mostly down to a leaf (a property value, a coordinate), sometimes a whole object or file.
    depth = data.draw(st.just(99) | st.integers(0, 8), label="depth")
    parent, key, node = None, None, doc
    for _ in range(depth):
        if isinstance(node, dict) and node:
            k = data.draw(st.sampled_from(sorted(node, key=str)), label="key")
        elif isinstance(node, list) and node:
            k = data.draw(st.integers(0, len(node) - 1), label="index")
        else:
            break
        parent, key, node = node, k, node[k]
    action = data.draw(st.sampled_from(actions), label="action")
    if action == "similar":  # same type, another value: the mutations most likely to pass
        new = data.draw(_similar(node), label="value")
    elif action == "replace" or parent is None and action == "drop":
        new = copy.deepcopy(data.draw(WEIRD_VALUES, label="value"))  # the samples are shared objects
    elif action == "wrap":
        new = [node]
    elif action == "stringify":
        new = json.dumps(node)[:200]
    elif action == "empty":
        new = type(node)() if isinstance(node, (dict, list, str)) else None
    else:
        new = None
    if parent is None:
        return new
    if action == "drop":
        if isinstance(parent, dict):
            parent.pop(key)
        else:
            parent.pop(key)
    else:
        parent[key] = new
    return doc


def _similar(node: Any) -> st.SearchStrategy[Any]:
    if isinstance(node, bool):
        return st.just(not node)
    if isinstance(node, int):
        return st.integers(-10**6, 10**6) | st.sampled_from([0, node + 1, node - 1])
    if isinstance(node, float):
        return st.floats(-1e6, 1e6) | st.sampled_from([node + 1e-9, -node, node * 10])
    if isinstance(node, str):
        return st.text(min_size=1, max_size=20) | st.sampled_from(WEIRD_STRINGS) | st.just(node.upper())
    if isinstance(node, list):
        return st.just(node[::-1]) | st.just(node + node[:1]) | st.just(node[1:])
    if isinstance(node, dict) and node:
        return st.sampled_from(sorted(node, key=str)).map(lambda k: {x: v for x, v in node.items() if x != k})
    return st.just(node)


def _write(directory: Path, base: Path, changed: dict[str, Any]) -> None:
    shutil.copytree(base, directory, copy_function=os.link)
    for name, doc in changed.items():
        path = directory / name
        path.unlink(missing_ok=True)
        # allow_nan: NaN and Infinity are written as such, which JSON forbids: the reader must say so.
        path.write_text(json.dumps(doc, allow_nan=True), encoding="utf-8")


def _days(start: date, end: date, opening: date) -> list[date]:
    middle = start + timedelta(days=(end - start).days // 2)
    return sorted({start, end, opening, middle})


counter = iter(range(10**9))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(base=st.sampled_from(["builtin", "tiny"]), data=st.data())
def test_mutated_dataset_validates_or_explains_and_what_passes_works(bases, tmp_path, base, data):
    source = bases[base]
    changed: dict[str, Any] = {}
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        name = data.draw(st.sampled_from([n for n in JSON_FILES if (source / n).exists()]), label="file")
        doc = changed[name] if name in changed else _load(source / name)
        changed[name] = _mutate(doc, data)
    directory = tmp_path / f"fuzz{next(counter)}"
    _write(directory, source, changed)

    report = validate_path(directory)  # must not raise, whatever the files hold
    event(f"{base}: {'passes' if report.ok else 'problems'}")

    for problem in report.problems:
        assert problem.file and problem.message and problem.fix, problem
    if not report.ok:
        return
    dataset = report.dataset
    assert dataset is not None
    meta = dataset.meta
    assert math.isfinite(meta.view_lat) and math.isfinite(meta.view_lon) and 0 <= meta.view_zoom <= 22
    load_story(dataset)
    timeline = Timeline(dataset)
    for day in _days(meta.start, meta.end, meta.opening_day):
        state = timeline.state_on(day)
        json.dumps(state.to_dict(), allow_nan=False)


PAGES = ("map", "timeline", "story", "places", "compare", "sources")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_dataset_that_passes_renders_on_every_page_and_in_every_export(bases, tmp_path, monkeypatch,
                                                                                 data):
    """What `validate` accepts, the app shows: every page under AppTest, and every snapshot format."""
    from streamlit.testing.v1 import AppTest

    from layers.ui.state import _registry
    from layers.exports.export import snapshot_bytes
    from layers.render.time_store import build_time_store

    source = bases["tiny"]
    name = data.draw(st.sampled_from(JSON_FILES[:3] + ("places.geojson", "events.geojson")), label="file")
    doc = _load(source / name)
    directory = tmp_path / f"pages{next(counter)}"
    # Same-type changes at the leaves: the mutations a valid dataset survives most often.
    _write(directory, source, {name: _mutate(doc, data, actions=("similar",))})
    report = validate_path(directory)
    event("passes" if report.ok else "problems")
    if not report.ok:
        return
    timeline = Timeline(report.dataset)
    state = timeline.state_on(report.dataset.meta.opening_day)
    build_time_store(timeline)
    for fmt in ("png", "html", "geojson"):
        assert snapshot_bytes(state, fmt, size="400x300")
    monkeypatch.setenv("PAILIN_ATLAS_DATASETS", f"fuzz={directory}")
    _registry.clear()
    try:
        for page in PAGES:
            at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=120)
            at.query_params["dataset"] = "fuzz"
            open_like_a_browser(at)  # the map page's panel too, which follows the painted map
            assert not at.exception, (page, name, [e.value for e in at.exception])
            assert not at.error, (page, name, [e.value for e in at.error])  # shown, not refused
    finally:
        _registry.clear()

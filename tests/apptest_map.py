"""AppTest and the atlas map: what a page sends the map, and what the map's bridge sends back.

AppTest runs no browser, so it cannot look inside the map (the browser tests do). It sees what the page
sends the map (`map_data`, `map_page`) and can send what the bridge sends (`map_sends`): the same widget
message a browser sends.
"""

from __future__ import annotations

import json
import re

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import UnknownElement


def _component(at: AppTest, key: str = "atlas_map") -> UnknownElement:
    found = _find(at, key)
    assert found is not None, "the map component is not on the page"
    return found


def _find(at: AppTest, key: str) -> UnknownElement | None:
    def walk(node):
        for child in getattr(node, "children", {}).values():
            if isinstance(child, UnknownElement) and child.type == "bidi_component" and child.key == key:
                return child
            found = walk(child)
            if found is not None:
                return found
        return None

    return walk(at._tree)


def map_data(at: AppTest, key: str = "atlas_map") -> dict:
    """What the page sent the map on its last run."""
    return json.loads(_component(at, key).proto.json)


def map_page(at: AppTest, key: str = "atlas_map") -> str:
    """The map page the browser loads in the <iframe> beside the map component (the same container)."""
    box = next(block for block in _blocks(at._tree) if getattr(block, "key", None) == f"{key}_box")
    frames = [child for child in box.children.values() if isinstance(child, UnknownElement) and child.type == "iframe"]
    assert len(frames) == 1, "the map's <iframe> is not beside its component"
    return frames[0].proto.srcdoc


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


def opening_day(html: str) -> str:
    """The day the map page opens at (the time layer's options)."""
    return re.search(r'AtlasTime\.attach\([^;]*"day": "(\d{4}-\d\d-\d\d)"', html).group(1)


def map_sends(at: AppTest, state: dict, key: str = "atlas_map") -> AppTest:
    """The map telling Streamlit its state (that it painted, the day the user paused on, the view), then a
    rerun."""
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=_component(at, key).proto.id, json_value=json.dumps(state)))
    return at._run(states)


def open_like_a_browser(at: AppTest) -> AppTest:
    """Run `at` as a browser opens it: the page, then, where its map asks for it, the bridge's report
    that the map has painted (layers/render/js/atlas_bridge.js) and the run that follows."""
    at.run()
    if not at.exception and _find(at, "atlas_map") is not None and map_data(at)["report_paint"]:
        map_sends(at, {"painted": True})
    return at

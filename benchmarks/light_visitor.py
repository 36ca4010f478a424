"""Light visitors for bench_load: Python clients that cost the server what a scrubbing browser costs.

A visitor on the map page scrubs the date in the browser (no server); the map's bridge
(layers/render/js/atlas_bridge.js) sends Streamlit the day SYNC_MS after the user pauses, and the view
VIEW_MS after panning stops, and the server reruns the page. A light visitor does exactly that server
work without a browser: it speaks Streamlit's websocket protocol (`/_stcore/stream`) the way Streamlit's
frontend does (read from `streamlit/web/server/starlette/starlette_websocket.py`, `runtime/app_session.py`
and the frontend's connection code, and checked against the frames a real Chromium visitor sends):

- open: GET `_stcore/health` (sets the XSRF cookie) and `_stcore/host-config`, then a websocket with the
  subprotocols `streamlit` and the XSRF token, and a `rerun_script` with the page's query string, no
  widget states and the browser's context;
- every ForwardMsg is read and decoded; widgets keep the values a browser would hold (from the element
  protos, then from the user); widgets that left the page are dropped when a run finishes; cacheable
  messages are kept and `ref_hash` messages resolved from them, and their hashes go back with each rerun;
- once the first run is over, the bridge's report that the map has painted, when the page asks for it;
- a sync: `rerun_script` with the URL's query string (as the server last set it), the page's script hash,
  every widget state, and the component's JSON value merged with the new key, as `setStateValue` does.

A light visitor sends no pings of its own and fetches no static files: those cost the server nothing per
sync. Its scrub's key presses cost nothing either, as in a browser; they only time the syncs.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

BRIDGE_JS = Path(__file__).resolve().parent.parent / "layers" / "render" / "js" / "atlas_bridge.js"


def _bridge_ms(name: str) -> float:
    """A delay of the bridge's, read from its source so that the light visitor keeps its pace."""
    found = re.search(rf"const {name} = (\d+);", BRIDGE_JS.read_text(encoding="utf-8"))
    if not found:
        raise SystemExit(f"{BRIDGE_JS}: no `const {name} = <ms>;` (the light visitor times its syncs by it)")
    return float(found.group(1))


SYNC_S = _bridge_ms("SYNC_MS") / 1000
VIEW_S = _bridge_ms("VIEW_MS") / 1000
COMPONENT = "pailin_atlas.map"  # layers/ui/map.py registers the map component under this name
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PANEL_HEADING = re.compile(r"^Situation on (\d{1,2}) (\w+) (\d{4})$")  # the map page's panel (English)
# What Streamlit's frontend tells the server about the browser (ClientState.context_info).
BROWSER_CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False,
                   "color_scheme": "light"}


def panel_day(heading: str) -> str | None:
    """The day (YYYY-MM-DD) a panel heading such as "Situation on 4 March 1994" names, or None."""
    found = PANEL_HEADING.match(heading.strip())
    if not found or found.group(2) not in MONTHS:
        return None
    return date(int(found.group(3)), MONTHS.index(found.group(2)) + 1, int(found.group(1))).isoformat()


@dataclass(frozen=True)
class Pace:
    """How a student scrubs: `burst` presses `interval_s` apart, then a pause of `pause_s` to read the panel."""

    steps: int
    burst: int
    interval_s: float
    pause_s: float

    @property
    def cycle_s(self) -> float:
        """Seconds from the first press of a burst to the first of the next (burst 0: one burst)."""
        return ((self.burst or self.steps) - 1) * self.interval_s + self.pause_s

    def press_offsets(self) -> list[float]:
        """Seconds from the start of the scrub to each key press."""
        burst = self.burst or self.steps
        return [(k // burst) * self.cycle_s + (k % burst) * self.interval_s for k in range(self.steps)]

    def synced_steps(self) -> list[int]:
        """The steps (0-based) after which the bridge sends the day: the next press comes over SYNC_MS later."""
        offsets = self.press_offsets()
        return [k for k in range(self.steps) if k == self.steps - 1 or offsets[k + 1] - offsets[k] > SYNC_S]


def browser_value(element) -> WidgetState | None:
    """The value Streamlit's frontend gives a widget it has just received, or None for a widget that
    holds no value until the user acts (buttons, download buttons, components)."""
    kind = element.WhichOneof("type")
    proto = getattr(element, kind)
    state = WidgetState(id=getattr(proto, "id", ""))
    if kind == "checkbox":
        state.bool_value = proto.value if proto.set_value else proto.default
    elif kind == "multiselect":
        state.string_array_value.data.extend(proto.raw_values if proto.set_value
                                             else [proto.options[i] for i in proto.default])
    elif kind == "button_group":  # pills and segmented controls
        state.string_array_value.data.extend(proto.raw_values if proto.set_value
                                             else [proto.options[i].content for i in proto.default])
    elif kind in ("selectbox", "radio"):
        if proto.set_value:
            state.string_value = proto.raw_value
        elif proto.HasField("default"):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "file_uploader":
        state.file_uploader_state_value.SetInParent()
    else:
        return None
    return state


class StreamlitClient:
    """The browser's side of one Streamlit session: what it sends, and a log of what it receives.

    `log` holds (epoch seconds, kind, detail) for what bench_load measures: "heading" (its text),
    "finished" (the script_finished status name) and "query" (the query string the server set).
    """

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.ws = None
        self.query_string = ""
        self.page_script_hash = ""
        self.widgets: dict[str, WidgetState] = {}
        self.components: dict[str, str] = {}  # component name -> its widget id
        self.component_data: dict[str, dict] = {}  # component name -> the data its last run sent
        self.log: list[tuple[float, str, str]] = []
        self.messages = 0
        self.received_bytes = 0
        self._seen_this_run: set[str] = set()
        self._cache: dict[str, tuple[bytes, int]] = {}  # hash -> (message, run count when last used)
        self._runs = 0
        self._max_cached_age = 2
        self._idle = asyncio.Event()
        self._reader: asyncio.Task | None = None

    async def open(self, query_string: str) -> None:
        """Connect as the frontend does and ask for the page's first run."""
        cookie = await asyncio.to_thread(self._get, "_stcore/health")
        await asyncio.to_thread(self._get, "_stcore/host-config")
        xsrf = cookie.split("=", 1)[1] if cookie else "PLACEHOLDER_AUTH_TOKEN"
        parts = urlsplit(self.url)
        self.ws = await websockets.connect(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream", subprotocols=["streamlit", xsrf],
            origin=f"{parts.scheme}://{parts.netloc}", additional_headers={"Cookie": cookie} if cookie else None,
            compression=None, ping_interval=None, max_size=None, proxy=None)  # the server compresses nothing
        self._reader = asyncio.create_task(self._read())
        self.query_string = query_string
        await self.rerun(first=True)

    def _get(self, path: str) -> str:
        with urllib.request.urlopen(f"{self.url}/{path}", timeout=30) as resp:
            resp.read()
            cookie = resp.headers.get("Set-Cookie", "")
        return cookie.split(";", 1)[0]

    def set_component_value(self, name: str, key: str, value) -> None:
        """The component's `setStateValue(key, value)`: its JSON state, merged with the new key."""
        widget_id = self.components[name]
        held = self.widgets.get(widget_id)
        merged = {**(json.loads(held.json_value) if held else {}), key: value}
        self.widgets[widget_id] = WidgetState(id=widget_id, json_value=json.dumps(merged, separators=(",", ":")))

    async def rerun(self, first: bool = False) -> None:
        msg = BackMsg()
        request = msg.rerun_script
        request.query_string = self.query_string
        if not first:
            request.widget_states.widgets.extend(self.widgets.values())
            request.page_script_hash = self.page_script_hash
        request.cached_message_hashes.extend(self._cache)
        for name, value in BROWSER_CONTEXT.items():
            setattr(request.context_info, name, value)
        request.context_info.url = f"{self.url}/"
        self._idle.clear()
        await self.ws.send(msg.SerializeToString())

    async def idle(self, timeout_s: float) -> bool:
        """Wait until the last rerun asked for has finished."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
            return True
        except asyncio.TimeoutError:
            return False

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.received_bytes += len(data)
                self.messages += 1
                self._receive(data, time.time())
        except websockets.ConnectionClosed:
            pass

    def _receive(self, data: bytes, now: float) -> None:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # a message the browser holds already: the server sent only its hash
            cached, _ = self._cache[msg.ref_hash]
            metadata = msg.metadata
            msg = ForwardMsg()
            msg.ParseFromString(cached)
            msg.metadata.CopyFrom(metadata)
            self._cache[msg.hash] = (cached, self._runs)
            kind = msg.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache.setdefault(msg.hash, (data, self._runs))
        if kind == "new_session":
            self._max_cached_age = msg.new_session.config.max_cached_message_age
            self._seen_this_run.clear()
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
            self.log.append((now, "query", self.query_string))
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, now)
        elif kind == "script_finished":
            self._finished(msg.script_finished, now)

    def _element(self, element, now: float) -> None:
        kind = element.WhichOneof("type")
        if kind == "heading":
            self.log.append((now, "heading", element.heading.body))
        if kind == "bidi_component":
            self.components[element.bidi_component.component_name] = element.bidi_component.id
            self.component_data[element.bidi_component.component_name] = json.loads(element.bidi_component.json or "{}")
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if not widget_id:
            return
        self._seen_this_run.add(widget_id)
        value = browser_value(element)
        if value is not None and (widget_id not in self.widgets or getattr(getattr(element, kind), "set_value", False)):
            self.widgets[widget_id] = value

    def _finished(self, status: int, now: float) -> None:
        name = ForwardMsg.ScriptFinishedStatus.Name(status)
        self.log.append((now, "finished", name))
        if name == "FINISHED_EARLY_FOR_RERUN":
            return
        if name == "FINISHED_SUCCESSFULLY":
            # As the frontend does: widgets the run did not draw are gone; old cached messages expire.
            self.widgets = {k: v for k, v in self.widgets.items() if k in self._seen_this_run}
            self._runs += 1
            self._cache = {h: (m, used) for h, (m, used) in self._cache.items()
                           if self._runs - used <= self._max_cached_age}
        self._idle.set()


@dataclass
class Sync:
    """One rerun a visitor's bridge asked for: the day after a pause, or the view after a pan."""

    kind: str  # "day" or "view"
    day: str
    paused: float  # epoch seconds of the last key press (day) or of the pan's end (view)
    sent: float | None = None
    panel: float | None = None  # the panel heading for `day` shown (browser) or received (light)
    finished: float | None = None  # the run finished (light: script_finished received; browser: page idle)
    received: float | None = None  # browsers: the run's last message reached the page's socket


@dataclass
class LightVisitor:
    """A scrubbing student without a browser: the server work of a real visitor, and its timings."""

    number: int
    client: StreamlitClient
    view_every: int = 0  # every n-th pause is followed by a pan (a view sync); 0: never
    first_paint_s: float = 0.0
    presses: list[float] = field(default_factory=list)
    syncs: list[Sync] = field(default_factory=list)

    @classmethod
    async def open(cls, url: str, number: int, first_day: date, timeout_s: float,
                   view_every: int = 0) -> LightVisitor:
        client = StreamlitClient(url)
        opened = time.monotonic()
        await client.open(f"date={first_day.isoformat()}")
        if not await client.idle(timeout_s) or COMPONENT not in client.components:
            raise SystemExit(f"light visitor {number}: the map page did not run, or drew no {COMPONENT!r} "
                             f"component (saw {sorted(client.components)}); is the app up?")
        if client.component_data[COMPONENT].get("report_paint"):
            # As the bridge does once the map has painted: the page then sends its panel and sidebar.
            client.set_component_value(COMPONENT, "painted", True)
            await client.rerun()
            await client.idle(timeout_s)
        return cls(number, client, view_every, time.monotonic() - opened)

    async def scrub(self, start: float, pace: Pace, first_day: date, settle_s: float) -> None:
        """From epoch second `start`, the presses of `pace` (nothing sent) and the bridge's syncs after pauses."""
        offsets, synced = pace.press_offsets(), pace.synced_steps()
        self.presses = [start + offset for offset in offsets]
        for n, k in enumerate(synced):
            day = (first_day + timedelta(days=k + 1)).isoformat()
            await self._sync(Sync("day", day, self.presses[k]), "day", day, self.presses[k] + SYNC_S)
            if self.view_every and n % self.view_every == self.view_every - 1:
                panned = time.time()
                await self._sync(Sync("view", day, panned), "view", self._panned_view(n), panned + VIEW_S)
        await self.client.idle(settle_s)
        self._match_log()

    async def _sync(self, sync: Sync, key: str, value, at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.time()))
        self.client.set_component_value(COMPONENT, key, value)
        sync.sent = time.time()
        self.syncs.append(sync)
        await self.client.rerun()

    @staticmethod
    def _panned_view(n: int) -> dict:
        # A small pan around the built-in dataset's region, as the map reports it (layers/ui/map.py clamps it).
        lat, lon = 13.0 + 0.01 * (n % 7), 102.7 + 0.01 * (n % 5)
        return {"lat": lat, "lon": lon, "zoom": 9, "bbox": [lon - 0.9, lat - 0.8, lon + 0.9, lat + 0.8]}

    def _match_log(self) -> None:
        """Each sync's panel (its day's heading) and finish, from what the client received."""
        sent = [s.sent for s in self.syncs] + [float("inf")]
        for sync, next_sent in zip(self.syncs, sent[1:]):
            for at, kind, detail in self.client.log:
                if at < sync.sent:
                    continue
                if kind == "heading" and sync.panel is None and panel_day(detail) == sync.day:
                    sync.panel = at
                if kind == "finished" and detail == "FINISHED_SUCCESSFULLY":
                    if at <= next_sent:
                        sync.finished = at
                    break

    async def close(self) -> None:
        await self.client.close()

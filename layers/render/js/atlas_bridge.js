// The Streamlit side of the atlas map (a components.v2 component, layers/ui/map.py).
//
// The map page (layers/render/render_folium.py) is Streamlit's own <iframe> element beside this one, in
// the same container, so it loads and paints without waiting for this component's scripts. The bridge
// links it to Streamlit once it arrives: it tells Streamlit the day only once the user pauses (SYNC_MS
// after the last change), and the view when panning stops; it moves the map only when Streamlit pushes
// a new day (a button, a story chapter, another page), never back to a day the user has already left.
const SYNC_MS = 150;
const VIEW_MS = 400;
// A page may hold back its other parts until its map has painted (pages/map.py): the bridge says when
// the map painted, or after PAINT_WAIT_MS without a painted map, so that they never wait on a broken one.
const PAINT_WAIT_MS = 5000;

function whenReady(frame, use) {
  const atlas = frame.contentWindow && frame.contentWindow.atlas;
  if (atlas) { use(atlas); return; }
  frame.addEventListener("atlas:ready", () => use(frame.contentWindow.atlas), { once: true });
}

// Listen to the map in `frame` once per <iframe> element; `send` reaches the latest setStateValue.
function attach(box, frame, data, send) {
  let dayTimer = null;
  let viewTimer = null;
  let paintReported = false;
  const reportPaint = () => {
    if (!paintReported && box.atlasData.report_paint) { send("painted", true); }
    paintReported = true;
  };
  const paintWait = setTimeout(reportPaint, PAINT_WAIT_MS);
  // The container shows the day the map has painted (the map marks its <iframe> once painted).
  const mirror = () => {
    if (!frame.getAttribute("data-day")) { return; }
    box.setAttribute("data-day", frame.getAttribute("data-day"));
    clearTimeout(paintWait);
    reportPaint();
  };
  new MutationObserver(mirror).observe(frame, { attributes: true, attributeFilter: ["data-day"] });
  mirror();
  frame.addEventListener("atlas:day", (event) => {
    if (event.detail.source !== "user") { return; }
    clearTimeout(dayTimer);
    dayTimer = setTimeout(() => send("day", event.detail.iso), SYNC_MS);
  });
  frame.addEventListener("atlas:view", (event) => {
    // A page rebuilt in this <iframe> (new basemap or language) opens where this one was.
    frame.dataset.view = JSON.stringify(event.detail);
    clearTimeout(viewTimer);
    viewTimer = setTimeout(() => send("view", event.detail), VIEW_MS);
  });
  // The page the map opened with already showed the day of this push.
  frame.dataset.push = String(data.opened_push);
  // What the user did before the bridge arrived.
  whenReady(frame, (atlas) => {
    if (atlas.daySource === "user" && frame.getAttribute("data-day") !== data.day) {
      send("day", frame.getAttribute("data-day"));
    }
  });
}

// Link the map now in `box` to Streamlit, with the data of the latest run. Runs on every run and whenever
// the box's <iframe> element is replaced (Streamlit may recreate it while this component's data is the same).
function link(box) {
  const data = box.atlasData;
  const frame = box.querySelector("iframe");
  if (!frame || !data) { return; }
  if (!frame.atlasBridged) {
    frame.atlasBridged = true;
    attach(box, frame, data, (name, value) => box.atlasSend(name, value));
  }
  frame.title = data.title;  // what a screen reader announces: the map, and its date
  if (frame.dataset.push !== String(data.push)) {
    frame.dataset.push = String(data.push);
    whenReady(frame, (atlas) => {
      if (data.push_view) {
        atlas.map.setView([data.push_view.lat, data.push_view.lon], data.push_view.zoom, { animate: false });
      }
      atlas.setDay(data.day, "push");
    });
  }
  const hidden = JSON.stringify(data.hidden || []);
  if (frame.dataset.hidden !== hidden) {
    frame.dataset.hidden = hidden;
    whenReady(frame, (atlas) => atlas.setLayers(data.hidden || []));
  }
}

export default function ({ parentElement, data, setStateValue }) {
  const box = parentElement.closest(`.${data.box}`);
  if (!box) { return; }
  box.classList.add("atlas-host");
  box.atlasData = data;
  box.atlasSend = setStateValue;
  if (!box.atlasWatch) {
    box.atlasWatch = new MutationObserver(() => link(box));
    box.atlasWatch.observe(box, { childList: true, subtree: true });
  }
  link(box);
}

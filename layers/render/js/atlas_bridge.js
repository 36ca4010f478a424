// The Streamlit side of the atlas map (a components.v2 component, layers/ui/).
//
// It holds the map page (layers/render/render_folium.py) in an <iframe> and keeps it while the date moves: the
// time layer inside answers every date itself. The bridge tells Streamlit the day only once the user
// pauses (SYNC_MS after the last change), and the view when panning stops; it moves the map only when
// Streamlit pushes a new day (a button, a story chapter, another page), never back to a day the user
// has already left.
const SYNC_MS = 150;
const VIEW_MS = 400;

function whenReady(frame, use) {
  const atlas = frame.contentWindow && frame.contentWindow.atlas;
  if (atlas) { use(atlas); return; }
  frame.addEventListener("atlas:ready", () => use(frame.contentWindow.atlas), { once: true });
}

export default function ({ parentElement, data, setStateValue }) {
  let host = parentElement.querySelector(".atlas-host");
  if (!host) {
    host = document.createElement("div");
    host.className = "atlas-host";
    host.style.position = "relative";
    parentElement.appendChild(host);
  }
  host.style.height = `${data.height}px`;
  let frame = host.querySelector("iframe");
  if (!frame || frame.dataset.page !== data.page) {
    const fresh = document.createElement("iframe");
    fresh.title = data.title;
    fresh.style.cssText = "width:100%;height:100%;border:0;display:block";
    fresh.dataset.page = data.page;
    // A rebuilt page (new basemap or language) opens where the old one was.
    fresh.dataset.day = (frame && frame.getAttribute("data-day")) || data.day;
    const view = (frame && frame.dataset.lastView) || (data.view ? JSON.stringify(data.view) : "");
    if (view) { fresh.dataset.view = view; }
    let dayTimer = null;
    let viewTimer = null;
    fresh.addEventListener("atlas:day", (event) => {
      host.setAttribute("data-day", event.detail.iso);
      if (event.detail.source !== "user") { return; }
      clearTimeout(dayTimer);
      dayTimer = setTimeout(() => setStateValue("day", event.detail.iso), SYNC_MS);
    });
    fresh.addEventListener("atlas:view", (event) => {
      fresh.dataset.lastView = JSON.stringify(event.detail);
      clearTimeout(viewTimer);
      viewTimer = setTimeout(() => setStateValue("view", event.detail), VIEW_MS);
    });
    fresh.srcdoc = data.html;
    host.replaceChildren(fresh);
    host.dataset.push = String(data.push);
    frame = fresh;
  }
  frame.title = data.title;  // what a screen reader announces: the map, and its date
  if (host.dataset.push !== String(data.push)) {
    host.dataset.push = String(data.push);
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

"""The map page: scrub the date and watch control, front lines and events change."""

import time
from datetime import timedelta

import streamlit as st
from streamlit_folium import st_folium

from layers import ui
from layers.analysis import citations, key_places
from layers.dates import day_label, parse_date
from layers.export import MIME, ExportError, animation_bytes, snapshot_bytes, snapshot_filename
from layers.markdown import md, md_table
from layers.render_folium import BASEMAPS, LAYERS, MapView, Toggles, base_map, faction_label, state_layers

TILES_FOR = {"Light (Esri)": "light", "OpenStreetMap": "osm", "Satellite (Esri)": "satellite"}

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, meta = atlas.dataset, atlas.timeline, atlas.dataset.meta
ui.show_data_warnings(ds)

with st.sidebar:
    shown = st.multiselect("Layers", LAYERS, default=[n for n in LAYERS if n != "provinces"])
    basemap = st.selectbox("Basemap", list(BASEMAPS), help="Tiles need the internet; 'None' works offline.")
    speed = st.select_slider("Play speed (seconds per change)", options=[0.5, 1.0, 2.0, 4.0], value=1.0)
toggles = Toggles.from_names(shown)

st.title("Pailin Atlas")
st.caption(meta.title)
day, playing = atlas.day, st.session_state.get("atlas_playing", False)


@st.fragment(run_every=speed if playing else None)
def player() -> None:
    # Advance through the change dates, one step per tick, then rerun the page to draw it.
    if not st.session_state.get("atlas_playing"):
        return
    last = st.session_state.get("atlas_last_step", 0.0)
    if time.monotonic() - last < speed * 0.9:
        return
    step = timeline.next_change(st.session_state[ui.DATE_KEY])
    st.session_state["atlas_last_step"] = time.monotonic()
    if step is None:
        st.session_state["atlas_playing"] = False
    else:
        ui.set_day(step)
    st.rerun(scope="app")


player()


@st.fragment
def date_and_map() -> MapView:
    """The date slider and the map. A date step reruns only this, so the map changes at once; the rest of
    the page (situation, downloads, the URL) follows in a full rerun started at the end."""
    now = atlas.day
    if st.session_state.get("date_slider") != now:
        # The date moved elsewhere (a button, an event, Play, another page). Set only then: setting it on
        # every run would undo the steps the user took while the run was on its way.
        st.session_state["date_slider"] = now
    st.slider("Date", min_value=meta.start, max_value=meta.end, step=timedelta(days=1), key="date_slider",
              format="D MMM YYYY", on_change=lambda: ui.set_day(st.session_state["date_slider"]))
    # The base map opens where the link said when it is first drawn (or its tiles change) and then stays:
    # a base that moved with the URL would be redrawn, losing the user's view, on every step.
    link, drawn_with = atlas.link, (basemap, toggles.provinces)
    if st.session_state.get("atlas_base", (None,))[0] != drawn_with:
        st.session_state["atlas_base"] = (drawn_with, (link.lat, link.lon) if link.has_view else None, link.zoom)
    _, location, zoom = st.session_state["atlas_base"]
    fmap = base_map(ds, basemap, provinces=toggles.provinces, location=location, zoom=zoom,
                    store_url=ui.feature_store_url(ds, toggles.provinces))
    returned = st_folium(fmap, feature_group_to_add=state_layers(timeline.state_on(now), toggles), key="atlas_map",
                         height=640, use_container_width=True, returned_objects=["center", "zoom", "bounds"],
                         render=False)  # st_folium renders the map's parts itself; a whole-page render is wasted
    shows = (now, MapView.reported(returned))
    if page_shows is not None and shows != page_shows:
        # A new run clears the messages not yet sent; give the server a moment to send the map first.
        time.sleep(0.12)
        st.rerun(scope="app")
    return shows[1]


state = timeline.state_on(day)
page_shows = None  # what the rest of the page is drawn for, read by the fragment's own reruns
left, right = st.columns([3, 2], gap="medium")
with left:
    previous, following = timeline.previous_change(day), timeline.next_change(day)
    back, forward, play = st.columns([2.2, 2, 1.4], vertical_alignment="bottom")
    back.button("◀ Previous change", on_click=ui.set_day, args=(previous,), disabled=previous is None,
                width="stretch", help=f"Go to {previous.isoformat()}" if previous else None)
    forward.button("Next change ▶", on_click=ui.set_day, args=(following,), disabled=following is None,
                   width="stretch", help=f"Go to {following.isoformat()}" if following else None)
    play.toggle("Play", key="atlas_playing", help="Step through the change dates (speed in the sidebar)")
    view = date_and_map()
    page_shows = (day, view)
    bbox = view.bbox
    buttons = st.columns(3) + st.columns(3)[:2]
    for col, fmt in zip(buttons, ("png", "pdf", "svg", "html", "geojson")):
        col.download_button("Download " + ("GeoJSON" if fmt == "geojson" else fmt.upper()), key=f"download_{fmt}",
                            mime=MIME[fmt],
                            file_name=snapshot_filename(day, fmt), width="stretch",
                            data=lambda fmt=fmt: snapshot_bytes(state, fmt, bbox=bbox, size="slide", toggles=toggles,
                                                                 basemap=TILES_FOR.get(basemap, "vector")))
    with st.expander("Download animation"):
        a, b, c, d = st.columns(4)
        first = a.date_input("From", value=max(meta.start, day - timedelta(days=180)), min_value=meta.start,
                             max_value=meta.end, key="anim_from")
        last = b.date_input("To", value=day, min_value=meta.start, max_value=meta.end, key="anim_to")
        step = c.selectbox("Step", ["changes", "7 days", "30 days", "90 days"], key="anim_step")
        fmt = d.selectbox("Format", ["gif", "mp4"], key="anim_fmt")
        if st.button("Render animation", key="anim_go"):
            bar = st.progress(0.0, text="Rendering frames…")
            try:
                data, frames = animation_bytes(
                    timeline, first, last, step="changes" if step == "changes" else int(step.split()[0]), fmt=fmt,
                    bbox=bbox, progress=lambda k, n: bar.progress(k / n, text=f"Frame {k} of {n}"))
                st.session_state["anim_file"] = (data, f"pailin-atlas_{first}_{last}.{fmt}", fmt, frames)
            except (ExportError, ValueError) as exc:
                st.error(str(exc))
        if "anim_file" in st.session_state:
            data, name, kind, frames = st.session_state["anim_file"]
            st.download_button(f"Download {name} ({frames} frames)", data=data, file_name=name, mime=MIME[kind])
    ui.follow_in_url(day, view.lat, view.lon, view.zoom)
    st.caption("Zones and front lines are approximate reconstructions from the sources; click any feature for "
               "its certainty and sources. Provinces are modern boundaries.")

with right:
    st.subheader(f"Situation on {day_label(day)}")
    # Markdown, not dataframes: a short list needs no grid, and the grid's scripts delay the map.
    st.markdown("\n".join(
        f"- **{md(s.name)}**: {md(faction_label(ds, s.controller, state))}"
        + (f", since {md(s.since.label())}" if s.since else "") + f" ({md(s.certainty or 'certainty unknown')})"
        for s in key_places(state.places, ds)))
    areas = state.area_by_faction
    if areas:
        st.markdown("**Area of the zones drawn** (km², UTM 48N)")
        st.markdown(md_table(["Faction", "km²"], [[faction_label(ds, f, state), f"{a:,.0f}"] for f, a in
                                                  sorted(areas.items(), key=lambda kv: -kv[1])], right=["km²"]))
    st.markdown(f"**Events within ±{state.window_days} days**")
    if state.events.empty:
        st.caption("No dated event in this window.")
    for eid, row in state.events.iterrows():
        when = parse_date(row["date"])
        with st.container(border=True):
            st.markdown(f"**{md(when.label())}** — {md(row['title'])}")
            if row["description"]:
                st.caption(md(row["description"]))
            st.caption("Sources: " + md("; ".join(citations(ds, row["sources"]))))
            if when.earliest != day:
                st.button("Show this date", key=f"goto_{eid}", on_click=ui.set_day, args=(when.earliest,))

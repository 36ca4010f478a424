"""The map page: scrub the date and watch control, front lines and events change."""

from datetime import timedelta

import streamlit as st

from layers import ui
from layers.analysis import citations, key_places
from layers.export import MIME, ExportError, animation_bytes, snapshot_bytes, snapshot_filename
from layers.markdown import md, md_table
from layers.render_folium import BASEMAPS, LAYERS, Toggles
from layers.symbology import approx_km2, faction_name

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, meta, words = atlas.dataset, atlas.timeline, atlas.dataset.meta, atlas.words
ui.show_data_warnings(ds)

with st.sidebar:
    shown = st.multiselect("Layers", LAYERS, default=[n for n in LAYERS if n != "provinces"], key="atlas_layers")
    basemap = st.selectbox("Basemap", list(BASEMAPS), key="atlas_basemap",
                           help="Tiles need the internet; 'None' works offline.")
toggles = Toggles.from_names(shown)

st.title("Pailin Atlas")
st.caption(md(meta.title))
day = atlas.day
state = timeline.state_on(day)
TILES_FOR = {"Light (Esri)": "light", "OpenStreetMap": "osm", "Satellite (Esri)": "satellite"}

left, right = st.columns([7, 3], gap="medium")
with left:
    view = ui.atlas_map(atlas, basemap=basemap, toggles=toggles)
    bbox = tuple(view["bbox"]) if view and "bbox" in view else None
    buttons = st.columns(3) + st.columns(3)[:2]
    for col, fmt in zip(buttons, ("png", "pdf", "svg", "html", "geojson")):
        col.download_button("Download " + ("GeoJSON" if fmt == "geojson" else fmt.upper()), key=f"download_{fmt}",
                            mime=MIME[fmt], file_name=snapshot_filename(day, fmt), width="stretch",
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
                st.error(md(str(exc)))
        if "anim_file" in st.session_state:
            data, name, kind, frames = st.session_state["anim_file"]
            st.download_button(f"Download {name} ({frames} frames)", data=data, file_name=name, mime=MIME[kind])
    ui.follow_in_url(day, view)

with right:
    st.subheader(f"Situation on {words.day(day)}")
    lines = []
    for s in key_places(state.places, ds):
        holder = faction_name(ds.faction(s.controller), s.controller, day)
        if s.transition:
            before = faction_name(ds.faction(s.previous), s.previous, day)
            when = f"changing hands from {before} to {holder}, on a day the sources do not give ({words.date(s.since)})"
            lines.append(f"- **{md(s.name)}**: {md(when)}")
            continue
        since = f", since {words.date(s.since)}" if s.since else ""
        how = f"from the zone around it, {s.certainty}" if s.derived_from_zone else (s.certainty or "certainty unknown")
        lines.append(f"- **{md(s.name)}**: {md(holder + since)} ({md(how)})")
    st.markdown("\n".join(lines))
    areas = state.area_by_faction
    if areas:
        st.markdown("**Area of the zones as drawn** (schematic; about, in km²)")
        st.markdown(md_table(["Faction", "km²"], [[faction_name(ds.faction(f), f, day), f"{approx_km2(a):,}"]
                                                  for f, a in sorted(areas.items(), key=lambda kv: -kv[1])],
                             right=["km²"]))
    st.markdown(f"**Events within ±{state.window_days} days**")
    if state.events.empty:
        st.caption("No dated event in this window.")
    from layers.dates import parse_date
    for eid, row in state.events.iterrows():
        when = parse_date(row["date"])
        with st.container(border=True):
            st.markdown(f"**{md(words.date(when))}** — {md(row['title'])}")
            if row["description"]:
                st.caption(md(row["description"]))
            st.caption("Sources: " + md("; ".join(citations(ds, row["sources"]))))
            if when.earliest != day:
                st.button("Show this date", key=f"goto_{eid}", on_click=ui.set_day, args=(when.earliest,))

"""The map page: scrub the date and watch control, front lines and events change."""

from datetime import timedelta

import streamlit as st

from layers import ui
from layers.engine.analysis import citations, date_disputes, situation_markdown
from layers.data.dates import parse_date
from layers.exports.export import MIME, snapshot_filename
from layers.text.markdown import md, md_table
from layers.text.messages import pN_
from layers.render.render_folium import BASEMAPS, LAYERS, Toggles
from layers.engine.timeline import approx_km2
from layers.render.symbology import faction_name

EVENTS_LISTED = 25  # the events listed beside the map; the rest of a crowded window is counted

# The map reaches the browser first; the sidebar's widgets follow at the end of the page (ui.sidebar).
atlas = ui.open_atlas(sidebar_last=True)
if atlas is None:
    st.stop()
ds, timeline, meta, _ = atlas.dataset, atlas.timeline, atlas.dataset.meta, atlas.words
st.session_state.setdefault("atlas_layers", [n for n in LAYERS if n != "provinces"])
st.session_state.setdefault("atlas_basemap", next(iter(BASEMAPS)))
basemap = st.session_state["atlas_basemap"]
toggles = Toggles.from_names(st.session_state["atlas_layers"])

st.title(_("Pailin Atlas"))
st.caption(md(meta.title))
day = atlas.day
state = timeline.state_on(day)

left, right = st.columns([7, 3], gap="medium")
with left:
    view = ui.atlas_map(atlas, basemap=basemap, toggles=toggles, text_target="situation", paint_first=True)
    if not ui.map_painted():
        # A new visitor's map paints first: the panel, the downloads and the sidebar follow once it has
        # (the map's bridge reports it). Sent with the map, they would hold the browser's main thread
        # while the map loads (benchmarks/bench_first_paint.py).
        st.stop()
    bbox = tuple(view["bbox"]) if view and "bbox" in view else None
    buttons = st.columns(3) + st.columns(3)
    for col, fmt in zip(buttons, ("png", "pdf", "svg", "html", "geojson")):
        col.download_button(_("Download {format}").replace("{format}", "GeoJSON" if fmt == "geojson" else fmt.upper()),
                            key=f"download_{fmt}", mime=MIME[fmt], file_name=snapshot_filename(day, fmt, ds),
                            width="stretch", data=lambda fmt=fmt: ui.snapshot(atlas, state, fmt, bbox, toggles, basemap))
    buttons[5].download_button(_("Print handout (PDF)"), key="download_handout", mime="application/pdf",
                               file_name=snapshot_filename(day, "pdf", ds).replace(".pdf", "_handout.pdf"),
                               width="stretch", data=lambda: ui.handout(atlas, state, bbox, toggles))
    # Behind pills, not expanders: a collapsed expander still renders its widgets, and loading their
    # scripts (date pickers, code blocks) delays the first painted map by about a second; pills share
    # their script with the sidebar's (benchmarks/bench_first_paint.py).
    more = {"animation": _("Download animation"), "share": _("Share or cite this view")}
    opened = st.pills(_("More"), list(more), selection_mode="multi", key="atlas_more", format_func=more.get,
                      label_visibility="collapsed") or []
    animate, share = "animation" in opened, "share" in opened
    if animate:
        a, b, c, d = st.columns(4)
        first = a.date_input(_("From"), value=max(meta.start, day - timedelta(days=180)), min_value=meta.start,
                             max_value=meta.end, key="anim_from")
        last = b.date_input(_("To"), value=day, min_value=meta.start, max_value=meta.end, key="anim_to")
        steps = {"changes": pN_("animation step", "changes"), "7": pN_("animation step", "7 days"),
                 "30": pN_("animation step", "30 days"), "90": pN_("animation step", "90 days")}
        step = c.selectbox(_("Step"), list(steps), key="anim_step",
                           format_func=lambda key: _.term("animation step", steps[key]))
        fmt = d.selectbox(_("Format"), ["gif", "mp4"], key="anim_fmt")
        ui.animation_button(atlas, first, last, step, fmt, bbox, toggles)
    if share:
        ui.share_panel(atlas, state, view)
    ui.follow_in_url(day, view)

with right:
    st.subheader(_("Situation on {date}").replace("{date}", _.day(day)), anchor="situation")
    st.markdown(situation_markdown(state, _))
    areas = state.area_by_faction
    if areas:
        st.markdown("**" + md(_("Area of the zones as drawn")) + "** " + md(_("(schematic; about, in km²)")))
        st.markdown(md_table([_("Faction"), "km²"],
                             [[faction_name(ds.faction(f), f, day, _), _.number(approx_km2(a))]
                              for f, a in sorted(areas.items(), key=lambda kv: -kv[1])], right=["km²"]))
    st.markdown("**" + md(_("Events within ±{n} days").replace("{n}", _.number(state.window_days))) + "**")
    if state.events.empty:
        st.caption(_("No dated event in this window."))
    shown_events = state.events.head(EVENTS_LISTED)
    for eid, row in shown_events.iterrows():
        when = parse_date(row["date"])
        with st.container(border=True):
            st.markdown(f"**{md(_.date(when))}** — {md(row['title'])}")
            disputed = date_disputes(ds, row, _)
            if disputed:
                st.caption(md(disputed))
            if row["description"]:
                st.caption(md(row["description"]))
            st.caption(md(_("Sources") + ": " + "; ".join(citations(ds, row["sources"]))))
            if when.earliest != day:
                st.button(_("Show this date"), key=f"goto_{eid}", on_click=ui.set_day, args=(when.earliest,))
    if len(state.events) > EVENTS_LISTED:
        # A crowded window (a large imported dataset) is not listed whole: the map shows every event.
        st.caption(md(_("… and {count} more events in this window: click them on the map, or see the Timeline.")
                      .replace("{count}", _.number(len(state.events) - EVENTS_LISTED))))

with st.sidebar:
    # Pills rather than a multiselect and a select box: their scripts are a tenth of the size, and the
    # browser loads them before it can paint the map (benchmarks/bench_first_paint.py).
    st.pills(_("Layers"), LAYERS, selection_mode="multi", key="atlas_layers",
             format_func=lambda name: _.term("layer", name))
    st.pills(_("Basemap"), list(BASEMAPS), key="atlas_basemap", required=True,
             format_func=lambda name: _.term("basemap", name), help=_("Tiles need the internet; 'None' works offline."))
ui.sidebar(atlas)

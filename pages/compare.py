"""Compare two dates: area gained and lost, places that changed hands, the events in between."""

from datetime import timedelta

import streamlit as st

from layers import ui
from layers.engine.analysis import citations, compare, faction_label, place_name
from layers.data.dates import parse_date
from layers.text.markdown import md
from layers.render.render_folium import Toggles
from layers.engine.timeline import approx_km2
from layers.render.symbology import CAVEAT

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, timeline, meta, words = atlas.dataset, atlas.timeline, atlas.dataset.meta, atlas.words
_ = words
st.title(_("Compare two dates"))
first_col, second_col = st.columns(2)
before = first_col.date_input(_("From"), value=max(meta.start, atlas.day - timedelta(days=60)),
                              min_value=meta.start, max_value=meta.end, key="compare_from")
after = second_col.date_input(_("To"), value=atlas.day, min_value=meta.start, max_value=meta.end, key="compare_to")
result = compare(timeline, before, after)
for col, day, key in ((first_col, result.before, "cmp_a"), (second_col, result.after, "cmp_b")):
    with col:
        st.markdown(f"**{md(words.day(day))}**")
        ui.atlas_map(atlas, key=key, view_key="compare_view", day=day, push=(day.toordinal(), None), height=420,
                     toggles=Toggles(events=False), controls=False)
st.caption(md(_(CAVEAT)))


def name(faction_id: str | None) -> str:
    return faction_label(ds, faction_id, result.after, words)


def km2(value: float) -> str:
    return words.number(approx_km2(value))


st.subheader(_("Area gained and lost"))
st.caption(_("Areas of the schematic zones in km², rounded: they show the direction and rough size of a change, "
             "not surveyed territory."))
st.dataframe([{_("Faction"): name(r["faction"]),
               _("Before: {date}").format(date=words.day(result.before)): km2(r["before_km2"]),
               _("After: {date}").format(date=words.day(result.after)): km2(r["after_km2"]),
               _("Gained"): km2(r["gained_km2"]), _("Lost"): km2(r["lost_km2"])}
              for _row, r in result.areas.iterrows()], hide_index=True, width="stretch",
             column_config={c: st.column_config.TextColumn(alignment="right") for c in (
                 _("Before: {date}").format(date=words.day(result.before)),
                 _("After: {date}").format(date=words.day(result.after)), _("Gained"), _("Lost"))})
st.subheader(_("Places that changed hands"))
if result.changed_places.empty:
    st.caption(_("None."))
else:
    st.dataframe([{_("Place"): place_name(ds, r["place_id"], words),
                   _("Before"): name(r["before"]) if r["before"] else "—",
                   _("After"): name(r["after"]) if r["after"] else "—",
                   _("Since"): words.date(r["since_date"]) if r["since_date"] else "—",
                   _("How we know"): _("inferred from the zone around it") if r["inferred"]
                   else _("the sources date it")}
                  for _row, r in result.changed_places.iterrows()], hide_index=True, width="stretch")
    st.caption(_("“Inferred from the zone around it”: no source dates this place's change itself; it follows "
                 "from the schematic zone it lies in."))
st.subheader(_("Events between {start} and {end}").format(start=words.day(result.before), end=words.day(result.after)))
if result.events.empty:
    st.caption(_("None."))
else:
    st.dataframe([{_("Date"): words.date(parse_date(r["date"])), _("Event"): r["title"],
                   _("Sources"): "; ".join(citations(ds, r["sources"], words))}
                  for _row, r in result.events.iterrows()], hide_index=True, width="stretch",
                 column_config={_("Sources"): st.column_config.TextColumn(width=560)})

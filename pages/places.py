"""Places: a searchable gazetteer with names, coordinates, GeoNames ids, certainty and control history."""

import streamlit as st

from layers import ui
from layers.engine.analysis import control_periods, distance_words, gazetteer, gazetteer_view, place_name, search_places
from layers.text.markdown import md
from layers.text.text_safety import to_csv_bytes

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, words = atlas.dataset, atlas.words
_ = words
st.title(_("Places"))
table = gazetteer(ds)
query = st.text_input(_("Search (English, Khmer, Thai or another spelling)"),
                      placeholder=_("e.g. Anlong Veng, ប៉ៃលិន, Battamband"), key="places_search")
found = search_places(table, query)
shown = gazetteer_view(ds, found, words)
st.caption(_("{shown} of {total} places").format(shown=words.number(len(found)), total=words.number(len(table))))
st.dataframe(shown, hide_index=True, width="stretch", column_config={
    _("GeoNames id"): st.column_config.NumberColumn(format="%d"),
    _("Latitude"): st.column_config.NumberColumn(format="%.5f"),
    _("Longitude"): st.column_config.NumberColumn(format="%.5f"),
    _("Uncertainty (± km)"): st.column_config.NumberColumn(format="±%g"),
})
st.download_button(_("Download CSV"), data=lambda: to_csv_bytes(shown), file_name="pailin-atlas_places.csv",
                   mime="text/csv")
if len(found):
    choice = st.selectbox(_("Control history of"), list(found["id"]), key="places_choice",
                          format_func=lambda pid: place_name(ds, pid, words))
    history = control_periods(ds, [choice], words)
    if history.empty:
        st.caption(_("No explicit control history; on the map it takes the controller of the zone it lies in."))
    else:
        st.dataframe(history[["controller_name", "period", "certainty_label", "sources"]].rename(columns={
            "controller_name": _("Held by"), "period": _("Period"), "certainty_label": _("Certainty"),
            "sources": _("Sources")}), hide_index=True, width="stretch")
    row = ds.places.loc[choice]
    where = _("Location: {certainty}").format(certainty=words.term("certainty", row["certainty"]))
    if row["uncertainty_km"]:
        where += _(", within {km} km").format(km=distance_words(row["uncertainty_km"], words))
    st.caption(md(where) + (" " + md(row["gazetteer_note"]) if row["gazetteer_note"] else ""))

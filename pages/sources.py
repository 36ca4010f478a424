"""Sources & method: the bibliography, how zones and lines were drawn, where the sources disagree."""

import streamlit as st

from layers import ui
from layers.engine.analysis import bibliography, disagreements, source_slips

atlas = ui.open_atlas()
if atlas is None:
    st.stop()
ds, words = atlas.dataset, atlas.words
_ = words
st.title(_("Sources & method"))

st.header(_("How the map is drawn"))
st.info(_("The zones on the map are sketches, not surveys: we drew each one around the places and distances "
          "the sources give (towns held, kilometres along a road), widened it by a few kilometres, and kept it "
          "inside Cambodia's border."))
st.markdown("\n".join("- " + line for line in (
    _("**Places** come from the GeoNames gazetteer where it has them (exact); otherwise their point is "
      "approximate, derived from distances in the sources, or unverified, with its uncertainty in km."),
    _("**Certainty**: *assessed* (sources agree), *approximate* (extent or dates estimated), *claimed* (one "
      "side's claim), *contested* (fought over). The map shows the last three with lighter fills and dashed "
      "edges."),
    _("**Front lines**: the ones the sources describe are solid; dashed ones are derived where opposing zones "
      "touch."),
    _("**Dates** keep their precision: a month stays a month, and “around” stays approximate. A period counts "
      "from its first possible day."),
    _("**Areas** are computed in UTM zone 48N (EPSG:32648) and rounded: the zones are schematic."),
)))

st.header(_("Bibliography"))
st.caption(_("Where a source's headline was not recorded, the citation says so instead of inventing one."))
books = bibliography(ds, words)
st.dataframe(books.rename(columns={"id": _("Cited as"), "citation": _("Citation"), "kind": _("Kind"),
                                   "date": _("Published"), "file": _("File"), "url": _("Link")}),
             hide_index=True, width="stretch",
             column_config={_("Citation"): st.column_config.TextColumn(width=640),
                            _("Link"): st.column_config.LinkColumn(display_text=_("open"))})

st.header(_("Where the sources disagree"))
st.caption(_("Each claim is followed by the sources that make it (see “Cited as” in the bibliography)."))
st.dataframe(disagreements(ds, words).drop(columns=["id"]).rename(columns={
    "layer": _("What"), "feature": _("Name"), "about": _("About"), "claims": _("Claims"), "note": _("Note")}),
    hide_index=True, width="stretch", column_config={_("Claims"): st.column_config.TextColumn(width=520),
                                                     _("Note"): st.column_config.TextColumn(width=420)})

st.header(_("Slips in the source documents"))
st.caption(_("Kept as data, not silently corrected."))
st.dataframe(source_slips(ds, words).drop(columns=["source"]).rename(columns={
    "title": _("Source"), "text": _("The source writes"), "reading": _("Read as"), "note": _("Note")}),
    hide_index=True, width="stretch", column_config={_("Note"): st.column_config.TextColumn(width=420)})

"""AppTest for the companion pages: each opens, shows its content, shares the date, survives a bad link,
and speaks Khmer when asked (no English left but the data's own words)."""

import json
import re
from datetime import date

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from layers.data.catalog import load_dataset
from layers.data.story import load_story
from layers.engine.timeline import Timeline

PAGES = ("timeline", "story", "places", "compare", "sources")


def open_page(name: str, lang: str | None = None, **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    if lang is not None:
        at.session_state["atlas_lang"] = lang
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


# --- what a reader sees -----------------------------------------------------------------------------


def charts(at: AppTest) -> list[tuple[dict, dict]]:
    """Each Vega-Lite chart as (spec, {dataset name: DataFrame})."""
    found = []
    for element in at.get("vega_lite_chart"):
        data = {d.name: convert_arrow_bytes_to_pandas_df(d.data.data) for d in element.proto.datasets}
        found.append((json.loads(element.proto.spec), data))
    return found


def _chart_texts(spec: dict, data: dict) -> list[str]:
    """Titles anywhere in the spec (axes, legends, tooltips) and the values of every field a reader
    sees: the y axis, the colour legend and the tooltips."""
    texts: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "title" and isinstance(value, str):
                    texts.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(spec)
    for layer in spec.get("layer", [spec]):
        frame = data.get(layer.get("data", {}).get("name"))
        if frame is None:
            continue
        encoding = layer.get("encoding", {})
        shown = [encoding.get(channel, {}) for channel in ("y", "color")] + list(encoding.get("tooltip", []))
        for channel in shown:
            field = channel.get("field") if isinstance(channel, dict) else None
            if field in frame and frame[field].dtype == object or field in frame and str(frame[field].dtype) == "str":
                texts += [str(v) for v in frame[field].dropna()]
    return texts


def visible_texts(at: AppTest, skip_columns: tuple[str, ...] = ()) -> list[str]:
    """Every text a reader sees on the page: titles, headers, Markdown, captions, alerts, widget labels
    and options, table column titles and cells, chart titles and the chart values shown."""
    texts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success") for e in at.get(kind)]
    for kind in ("button", "text_input", "date_input", "selectbox", "radio", "multiselect", "checkbox",
                 "download_button"):
        for widget in at.get(kind):
            texts.append(widget.label if hasattr(widget, "label") else widget.proto.label)
            texts += [str(o) for o in getattr(widget, "options", []) or []]
    texts += [b.proto.label for b in at.get("download_button")]
    for table in at.dataframe:
        frame = table.value
        texts += [str(c) for c in frame.columns]
        for column in frame.columns:
            if column not in skip_columns:
                texts += [v for v in frame[column].tolist() if isinstance(v, str)]
    for spec, data in charts(at):
        texts += _chart_texts(spec, data)
    return [unescape(t) for t in texts if t]


# Written the same in Khmer text: the language switch names each language in its own script, and
# the names of systems and products are not translated.
SAME_IN_KHMER = {"English", "Language", "GeoNames", "UTM", "EPSG", "CSV", "PDF"}  # names of things, not words
WORD = re.compile(r"[A-Za-z]{2,}")


def data_strings(ds, with_latin_place_names: bool) -> set[str]:
    """The dataset's own words, which have no Khmer version: titles, descriptions, notes, citations'
    parts, disputed values, source ids. Place names only for places with no Khmer name (unless the
    page shows Latin spellings on purpose)."""
    out: set[str] = {ds.meta.title}
    for fid, row in ds.events.iterrows():
        out |= {fid, row["title"], row["description"] or ""}
        for figure in row["figures"] or []:
            out |= {str(figure.get("what")), str(figure.get("value"))}
    for pid, row in ds.places.iterrows():
        out |= {row["gazetteer_note"] or ""}
        if with_latin_place_names or not row["name_km"]:
            out |= {row["name"], *row["alt_names"]}
    for frame in (ds.places, ds.zones, ds.frontlines, ds.events, ds.routes):
        if "disputes" not in frame:
            continue
        for fid, row in frame.iterrows():
            if not row.get("name_km"):
                out |= {str(row.get("title") or row.get("name") or "")}
            for dispute in row["disputes"] or []:
                out |= {str(dispute.get("field", "")), str(dispute.get("note", ""))}
                out |= {str(c.get("value")) for c in dispute.get("claims", [])}
    for source in ds.sources.values():
        out |= {source.id, source.title or "", (source.title or "").removesuffix(" (headline not recorded)"),
                getattr(source, "describe", None) or "", source.author or "", source.publisher or "",
                source.file or "", source.url or "", source.note or ""}
        for slip in source.slips:
            out |= {str(slip.get(k, "")) for k in ("text", "reading", "note")}
    for faction in ds.factions.values():
        if not faction.name_km:
            out |= {faction.name, *(p.name for p in faction.names)}
    for chapter in load_story(ds):
        out |= {chapter.title, chapter.text}
    return {s for s in out if s and WORD.search(s)}


def english_left(texts: list[str], allowed: set[str]) -> list[str]:
    """The texts that still hold an English word once the data's own strings are taken out. Long data
    strings are removed wherever they occur; a short one-word value (a dispute's 'resistance') only
    passes as the whole text, so it cannot hide an untranslated label."""
    removable = sorted((s for s in allowed if len(s) >= 8 or re.search(r"[\s_\d]", s)), key=len, reverse=True)
    whole = {s for s in allowed if s not in removable}
    left = []
    for text in texts:
        if text.strip() in whole:
            continue
        rest = text
        for s in removable:
            if s in rest:
                rest = rest.replace(s, " ")
        words = [w for w in WORD.findall(rest) if w not in SAME_IN_KHMER]
        if words:
            left.append(f"{text!r}: {words}")
    return left


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(ROOT / "geodata")


@pytest.mark.parametrize("name", PAGES)
def test_khmer_pages_leave_no_english_but_the_data(name, dataset):
    at = open_page(name, lang="km", date="1994-05-01")
    assert not at.exception
    if name == "compare":  # a window in which places change hands and events happen
        at.date_input(key="compare_from").set_value(date(1994, 3, 1)).run()
    latin = name == "places"  # the gazetteer shows each name in Latin letters too, on purpose
    texts = visible_texts(at, skip_columns=("ឈ្មោះជាអក្សរឡាតាំង", "អក្ខរាវិរុទ្ធផ្សេងទៀត") if latin else ())
    assert len(texts) > 10
    assert re.search(r"[\u1780-\u17ff]", at.title[0].value)
    assert english_left(texts, data_strings(dataset, with_latin_place_names=latin)) == []


def test_the_english_check_catches_an_untranslated_label(dataset):
    """The helper above must fail on what it is for: an English label, an English vocabulary key or an
    English place name that has a Khmer one."""
    allowed = data_strings(dataset, with_latin_place_names=False)
    assert english_left(["ទីតាំង៖ approximate"], allowed) == ["'ទីតាំង៖ approximate': ['approximate']"]
    assert english_left(["Held by"], allowed)
    assert english_left(["Pailin"], allowed)  # ប៉ៃលិន in the data
    assert english_left(["ប្រភព៖ Khmer Rouge retake Pailin (doc_battle_of_pailin)"], allowed) == []


# --- each page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, title", [("timeline", "Timeline"), ("story", "Story"), ("places", "Places"),
                                         ("compare", "Compare two dates"), ("sources", "Sources & method")])
def test_each_page_opens_and_handles_a_bad_link(name, title):
    at = open_page(name, date="1994-99-99")
    assert not at.exception
    assert at.title[0].value == title
    assert at.warning and "Ignored the link's date" in unescape(at.warning[0].value)


@pytest.mark.parametrize("name, title", [("timeline", "កាលប្បវត្តិ"), ("places", "ទីកន្លែង"),
                                         ("sources", "ប្រភព និងវិធីសាស្ត្រ")])
def test_lang_in_the_link_opens_a_page_in_khmer(name, title):
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.query_params["lang"] = "km"
    at.run()
    assert not at.exception
    assert at.title[0].value == title


def test_places_search_history_and_friendly_columns():
    at = open_page("places")
    table = at.dataframe[0].value
    assert "Name" in table and "Kind" in table and "Uncertainty (± km)" in table
    assert not {"controller_name", "name_km", "alt_names", "id", "lat"} & set(table.columns)
    search = next(t for t in at.text_input if t.label.startswith("Search"))
    search.set_value("Battamband").run()
    assert list(at.dataframe[0].value["Name"]) == ["Battambang"]
    search.set_value("ប៉ៃលិន").run()
    assert list(at.dataframe[0].value["Name"]) == ["Pailin"]
    history = at.dataframe[1].value
    assert list(history.columns) == ["Held by", "Period", "Certainty", "Sources"]
    assert list(history["Held by"])[-3:] == ["Royal Cambodian Armed Forces (RCAF)", "Khmer Rouge (NADK)",
                                             "Ieng Sary's breakaway faction (DNUM)"]


def test_places_in_khmer_use_khmer_names_and_numerals():
    at = open_page("places", lang="km")
    table = at.dataframe[0].value
    assert table.columns[0] == "ឈ្មោះជាភាសាខ្មែរ" and "ប៉ៃលិន" in set(table.iloc[:, 0])
    assert "ទីប្រជុំជន" in set(table["ប្រភេទ"])  # 'town'
    assert re.fullmatch(r"ទីកន្លែង [០-៩]+ ក្នុងចំណោម [០-៩]+", at.caption[0].value)


def test_sources_page_explains_the_zones_and_cites_honestly():
    at = open_page("sources")
    assert "sketches, not surveys" in at.info[0].value
    bibliography = at.dataframe[0].value
    cited = bibliography.set_index("Cited as")["Citation"]
    assert cited["ap_1993_01_22"] == ("Associated Press wire report (copy posted to the SEASIA-L list), "
                                      "22 January 1993 (headline not recorded)")
    assert cited["upi_1989_09_22"].startswith("Cambodian troops battle Khmer Rouge in fierce fighting (")
    disputes, slips = at.dataframe[1].value, at.dataframe[2].value
    assert list(disputes.columns) == ["What", "Name", "About", "Claims", "Note"]
    pailin = disputes[(disputes["Name"] == "Pailin") & (disputes["About"] == "when it changed hands")].iloc[0]
    assert pailin["Claims"] == ("24 October 1989 (doc_battle_of_pailin) ↔ 23 October 1989 "
                                "(universalis_1989_10_23)")
    assert "7,000 (doc_battle_of_pailin) ↔ 5,000 (ppp_1994_03_shaky_hold)" in set(disputes["Claims"])
    assert list(slips.columns) == ["Source", "The source writes", "Read as", "Note"]
    assert "Viatnamese" in set(slips["The source writes"])


def test_compare_shows_pailin_changing_hands():
    at = open_page("compare", date="1994-05-01")
    at.date_input(key="compare_from").set_value(date(1994, 3, 25)).run()
    areas, changed = at.dataframe[0].value, at.dataframe[1].value
    assert list(areas.columns) == ["Faction", "Before: 25 March 1994", "After: 1 May 1994", "Gained", "Lost"]
    # two significant figures, never a tenth of a km²
    for column in areas.columns[1:]:
        assert all(re.fullmatch(r"[\d,]+", v) and len(v.replace(",", "").rstrip("0")) <= 2 for v in areas[column])
    row = changed[changed["Place"] == "Pailin"].iloc[0]
    assert (row["Before"], row["After"]) == ("Royal Cambodian Armed Forces (RCAF)", "Khmer Rouge (NADK)")
    assert row["How we know"] == "the sources date it"
    assert "Khmer Rouge retake Pailin" in at.dataframe[2].value.to_string()


def test_compare_in_khmer_names_places_and_factions_in_khmer():
    at = open_page("compare", lang="km", date="1994-05-01")
    at.date_input(key="compare_from").set_value(date(1994, 3, 25)).run()
    changed = at.dataframe[1].value
    row = changed[changed["ទីកន្លែង"] == "ប៉ៃលិន"].iloc[0]
    assert (row["មុន"], row["ក្រោយ"]) == ("កងយោធពលខេមរភូមិន្ទ", "ខ្មែរក្រហម")
    assert all(re.fullmatch(r"[០-៩.]+", v) for v in at.dataframe[0].value["ទទួលបាន"])  # Khmer numerals


def test_story_chapters_move_the_shared_date():
    at = open_page("story")
    assert unescape(at.header[0].value) == "1989: the fall of Pailin"
    assert at.session_state["atlas_date"] == date(1989, 10, 24)  # the chapter opens on the source document's date for the fall
    next(b for b in at.button if b.label == "Next ▶").click().run()
    assert unescape(at.header[0].value).startswith("1993")
    assert at.session_state["atlas_date"] == date(1993, 8, 20)


def test_story_in_khmer():
    at = open_page("story", lang="km")
    assert [b.label for b in at.button][:2] == ["◀ មុន", "បន្ទាប់ ▶"]
    assert "ជំពូកទី ១ នៃ ៧" in at.markdown[0].value
    assert at.caption[0].value == "ផែនទី៖ ថ្ងៃទី ២៤ ខែតុលា ឆ្នាំ ១៩៨៩"


def _chart_with(at: AppTest, field: str) -> tuple[dict, pd.DataFrame]:
    for spec, data in charts(at):
        for layer in spec["layer"]:
            if field in (layer.get("encoding", {}).get("y", {}).get("field"),):
                return spec, data[layer["data"]["name"]]
    raise AssertionError(f"no chart with {field!r} on its y axis")


def test_timeline_charts_hold_the_control_periods_and_areas():
    at = open_page("timeline", date="1994-04-19")
    assert not at.exception
    _, periods = _chart_with(at, "place")
    pailin = periods[periods["place"] == "Pailin"]
    day = date(1994, 4, 19)
    held = pailin[(pailin["start_date"] <= day) & (day < pailin["end_date"])]
    assert list(held["controller_name"]) == ["Khmer Rouge (NADK)"]
    assert "19 April 1994 to" in held["period"].iloc[0]
    _, areas = _chart_with(at, "area_km2")
    kr = areas[areas["faction"] == "Khmer Rouge (NADK)"]
    on = kr[kr["date"] <= date(1994, 4, 19)].iloc[-1]  # the last change on or before the day
    drawn = Timeline(load_dataset(ROOT / "geodata")).state_on(day).area_by_faction["khmer_rouge"]
    assert on["area_km2"] == pytest.approx(drawn, rel=0.05)  # the zones in force that day, rounded
    # rounded to two significant figures: what schematic zones support
    assert all(len(str(int(v)).rstrip("0")) <= 2 for v in areas["area_km2"])


@pytest.mark.parametrize("lang, digit", [("en", "9"), ("km", "៩")])
def test_timeline_time_axes_show_years(lang, digit):
    at = open_page("timeline", lang=lang, date="1994-04-19")
    axes = [layer["encoding"]["x"]["axis"] for spec, _ in charts(at) for layer in spec["layer"]
            if "axis" in layer.get("encoding", {}).get("x", {})]
    assert len(axes) >= 3
    for axis in axes:
        assert axis["format"] == "%Y" and axis["tickCount"] == "year"
        assert ("'" + digit + "'" in axis["labelExpr"]) == (lang == "km")


def test_a_bad_dataset_in_khmer_shows_its_problems_in_khmer(make_dataset, monkeypatch):
    """Issue 13: the problem table speaks the visitor's language, column titles and messages alike."""
    from layers.ui.state import _registry

    def edit(layers):
        layers["places.geojson"][0]["properties"]["sources"] = ["nowhere"]
    monkeypatch.setenv("PAILIN_ATLAS_DATASETS", f"broken={make_dataset(edit)}")
    _registry.clear()
    try:
        at = open_page("places", lang="km", dataset="broken")
    finally:
        _registry.clear()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["ឯកសារ", "ធាតុ", "វាល", "បញ្ហា", "របៀបកែ"]
    row = table.iloc[0]
    assert (row["ឯកសារ"], row["ធាតុ"], row["វាល"]) == ("places.geojson", "town", "sources")
    assert row["បញ្ហា"] == "យោងទៅប្រភពដែលមិនស្គាល់ 'nowhere'។" and row["របៀបកែ"] == "ប្រើ id ដែលបានកំណត់ក្នុង sources.json។"

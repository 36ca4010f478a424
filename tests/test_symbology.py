"""The one description of how things are drawn (layers/render/symbology.py)."""

import pytest
from hypothesis import given, strategies as st

from layers.engine.timeline import approx_km2
from layers.render import symbology as sym
from layers.data.catalog import load_dataset
from layers.data.model import Faction


def test_builtin_factions_use_a_colour_blind_safe_palette():
    colors = [f.color.upper() for f in load_dataset().factions.values()]
    allowed = {c.upper() for c in sym.OKABE_ITO}
    assert set(colors) <= allowed and len(set(colors)) == len(colors)


def test_certainty_is_not_shown_by_colour_alone():
    looks = [sym.zone_look(c, "#0072B2") for c in ("assessed", "approximate", "claimed", "contested")]
    assert len({look.dash for look in looks}) == len(looks)
    opacities = [look.fill_opacity for look in looks]
    assert opacities == sorted(opacities, reverse=True)
    assert sym.zone_look("unknown", "#000000") == sym.zone_look("approximate", "#000000")


def test_a_claimed_front_is_not_the_boldest_line():
    claimed, assessed = sym.front_look("claimed"), sym.front_look("assessed")
    assert claimed.width < assessed.width and claimed.dash and not assessed.dash
    assert sym.EDGE_LOOK.width < min(look.width for look in sym.FRONT_LOOKS.values())


def test_place_look_marks_zone_derived_and_transition_without_colour():
    held = sym.place_look("town", False, "exact", "#D55E00")
    from_zone = sym.place_look("town", False, "exact", "#D55E00", from_zone=True)
    changing = sym.place_look("town", False, "exact", "#D55E00", transition=True)
    assert from_zone.fill_opacity < held.fill_opacity
    assert changing.dash and changing.fill == "#FFFFFF" and changing.stroke == "#D55E00"
    assert sym.place_look("town", False, "unverified", None).dash and \
        sym.place_look("town", False, "unverified", None).fill == sym.NO_CONTROLLER


@given(st.integers(0, 400), st.integers(1, 60))
def test_events_fade_with_age_and_the_future_is_faint(days, window):
    rule = sym.EventRule(window)
    assert rule.opacity(days) >= rule.opacity(days + 1)
    assert 0.25 <= rule.opacity(days) <= 1.0
    assert rule.opacity(-1) < rule.opacity(0) == 1.0
    assert rule.look(-1).dash and not rule.look(0).dash


@pytest.mark.parametrize("today, first, last, expected", [
    (100, 100, 100, 0), (101, 100, 100, 1), (99, 100, 100, -1), (105, 100, 110, 0), (112, 100, 110, 2)])
def test_days_ago(today, first, last, expected):
    assert sym.EventRule(15).days_ago(today, first, last) == expected


@pytest.mark.parametrize("x, expected", [(-5, 1.0), (0, 1.0), (7.5, 0.625), (15, 0.25), (99, 0.25)])
def test_interpolate_clamps_and_is_linear(x, expected):
    assert sym.interpolate(((0.0, 1.0), (15.0, 0.25)), x) == pytest.approx(expected)


@pytest.mark.parametrize("name, expected", [
    ("Khmer Rouge (NADK)", "NADK"), ("Khmer Rouge", "KR"), ("Government", "Gov"),
    ("Samlot ex-Khmer Rouge rebels", "SEKRR")])
def test_faction_short_is_derived_from_the_name(name, expected):
    assert sym.faction_short(Faction("x", name, "#000000")) == expected


def test_a_faction_short_name_from_the_data_wins():
    assert sym.faction_short(Faction("x", "Khmer Rouge (NADK)", "#000000", short="KR")) == "KR"
    assert sym.legend_label("Khmer Rouge (NADK)", "NADK") == "Khmer Rouge (NADK)"
    assert sym.legend_label("Khmer Rouge (NADK)", "KR") == "Khmer Rouge (NADK) (KR)"


@pytest.mark.parametrize("km2, expected", [(0, 0), (0.4, 0), (7.3, 7), (87.2, 87), (4312.7, 4300), (44099, 44000),
                                           (7349.9, 7300), (123456, 120000)])
def test_areas_are_rounded_to_what_schematic_zones_support(km2, expected):
    assert approx_km2(km2) == expected


@pytest.mark.parametrize("kind, key, country, home, expected", [
    ("village", True, "TH", "KH", True), ("town", False, "KH", "KH", True), ("town", False, "TH", "KH", False),
    ("village", False, "KH", "KH", False), ("town", False, "TH", None, True)])
def test_labelled(kind, key, country, home, expected):
    assert sym.labelled(kind, key, country, home) is expected


def test_labels_name_the_holder_so_the_map_reads_without_colour():
    assert sym.label_text("Pailin", "KR") == "Pailin · KR"
    assert sym.label_text("Pailin", None) == "Pailin"


def test_home_country_is_where_most_places_are():
    assert sym.home_country(["KH", "TH", "KH", None]) == "KH"
    assert sym.home_country([None]) is None


def test_legend_lists_each_faction_once_then_the_symbols():
    entries = sym.legend_entries(["government", "khmer_rouge"], {"government": "#0072B2", "khmer_rouge": "#D55E00"})
    assert [e.faction for e in entries[:2]] == ["government", "khmer_rouge"]
    labels = [e.label for e in entries[2:]]
    assert sym.NOBODY in labels and len(labels) == len(set(labels))
    assert all(e.layer for e in entries[3:] if not e.mine_only)  # every symbol entry goes with a layer toggle
    assert [e.label for e in entries if e.mine_only] == [sym.YOUR_LAYERS]

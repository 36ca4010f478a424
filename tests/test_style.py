from layers import style
from layers.catalog import load_dataset


def test_builtin_factions_use_a_colour_blind_safe_palette():
    colors = [f.color for f in load_dataset().factions.values()]
    assert style.is_colour_blind_safe(colors)
    assert len(set(colors)) == len(colors)
    assert not style.is_colour_blind_safe(["#FF0000"])


def test_government_and_khmer_rouge_are_far_apart():
    ds = load_dataset()
    gov, kr = ds.factions["government"].color, ds.factions["khmer_rouge"].color
    rgb = lambda c: tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))
    assert sum((a - b) ** 2 for a, b in zip(rgb(gov), rgb(kr))) ** 0.5 > 200


def test_certainty_is_not_shown_by_colour_alone():
    styles = list(style.ZONE_STYLES.values())
    assert len({s.dash for s in styles}) == len(styles)
    opacities = [style.zone_style(c).fill_opacity for c in ("assessed", "approximate", "claimed", "contested")]
    assert opacities == sorted(opacities, reverse=True)
    assert style.zone_style("unknown") == style.ZONE_STYLES["approximate"]


def test_recent_events_are_emphasised():
    values = [style.event_opacity(d, 15) for d in range(0, 16)]
    assert values == sorted(values, reverse=True) and values[0] == 1.0 and values[-1] >= 0.25
    assert style.event_opacity(-3, 15) < style.event_opacity(0, 15)


def test_controller_colour_falls_back_to_neutral():
    assert style.controller_color({"a": "#000000"}, None) == style.NO_CONTROLLER
    assert style.controller_color({"a": "#000000"}, "b") == style.NO_CONTROLLER

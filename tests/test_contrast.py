"""Text on the map stays readable over every basemap (WCAG contrast, worst case).

Labels are drawn with a white halo and the panels on a nearly opaque white: what lies underneath (light
tiles, satellite imagery, the offline vector basemap) can only darken the panel's background by its
transparency. The check reads the colours from the layer's own stylesheet.
"""

import re

import pytest

from layers.render.time_layer import asset_text

CSS = asset_text("atlas_time.css")
AA_NORMAL_TEXT = 4.5


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def hex_rgb(text: str) -> tuple[int, int, int]:
    text = text.lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    return tuple(int(text[i:i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def rule(selector: str) -> str:
    match = re.search(re.escape(selector) + r"\s*\{([^}]*)\}", CSS)
    assert match, f"no rule for {selector} in atlas_time.css"
    return match.group(1)


@pytest.mark.parametrize("selector", [".atlas-label", ".atlas-label.minor", ".atlas-label .holder"])
def test_labels_keep_their_contrast_on_their_white_halo(selector):
    color = hex_rgb(re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", rule(selector)).group(1))
    halo = rule(".atlas-label")
    assert "text-shadow" in halo and "#fff" in halo  # the halo every label carries
    assert contrast(color, (255, 255, 255)) >= AA_NORMAL_TEXT


def test_panels_stay_readable_even_over_black_imagery():
    alpha = float(re.search(r"background:\s*rgba\(255,\s*255,\s*255,\s*([0-9.]+)\)", rule(".atlas-panel")).group(1))
    worst_background = (255 * alpha,) * 3  # white at that opacity over pure black
    text = hex_rgb(re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", rule(".atlas-panel")).group(1))
    assert contrast(text, worst_background) >= AA_NORMAL_TEXT
    caveat = hex_rgb(re.search(r"color:\s*(#[0-9a-fA-F]{3,6})", rule(".atlas-caveat")).group(1))
    assert contrast(caveat, worst_background) >= AA_NORMAL_TEXT

"""Messages marked for translation that are not (yet) written as `_("...")` where they are shown.

Two kinds: text that code cannot translate in place (JavaScript templates in the Folium renderer
take the translated words from Python; vocabularies such as certainty classes and event kinds,
which come from the data as keys), and the English strings of the pages and renderers, kept here
so that their Khmer translations survive `scripts/i18n_extract.py` until each page calls `_()`
itself. Once a string is written as `_("...")` where it is shown, its line here can go.

Placeholders are `{name}` (str.format). Vocabularies use a context: `pgettext("certainty", key)`.
"""

from __future__ import annotations

from .i18n import N_, Translator


def vocabulary(t: Translator, context: str, key: str) -> str:
    """A data key (e.g. certainty 'approximate') in the reader's language; unknown keys unchanged."""
    return t.pgettext(context, key)


def pN_(context: str, message: str) -> str:
    """Mark a message with a context for extraction (translate it with `pgettext`)."""
    return message


def nN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural for extraction (translate it with `ngettext`)."""
    return singular, plural


CERTAINTY = (
    pN_("certainty", "assessed"), pN_("certainty", "exact"), pN_("certainty", "approximate"),
    pN_("certainty", "derived"), pN_("certainty", "claimed"), pN_("certainty", "contested"),
    pN_("certainty", "unverified"), pN_("certainty", "schematic"),
)
EVENT_KINDS = (
    pN_("event kind", "political"), pN_("event kind", "capture"), pN_("event kind", "diplomacy"),
    pN_("event kind", "attack"), pN_("event kind", "offensive"), pN_("event kind", "defection"),
    pN_("event kind", "background"), pN_("event kind", "other"), pN_("event kind", "battle"),
    pN_("event kind", "withdrawal"), pN_("event kind", "displacement"),
)
PLACE_KINDS = (
    pN_("place kind", "capital"), pN_("place kind", "city"), pN_("place kind", "town"),
    pN_("place kind", "village"), pN_("place kind", "base"), pN_("place kind", "temple"),
    pN_("place kind", "border_crossing"), pN_("place kind", "checkpoint"), pN_("place kind", "mountain_range"),
    pN_("place kind", "hill"), pN_("place kind", "refugee_camp"),
)
LAYER_NAMES = (
    pN_("layer", "zones"), pN_("layer", "front lines"), pN_("layer", "places"),
    pN_("layer", "routes"), pN_("layer", "events"), pN_("layer", "provinces"),
    pN_("layer", "frontlines"),   # the key the map's layer switch shows (render_folium.LAYERS)
)
BASEMAP_NAMES = (
    pN_("basemap", "Light (Esri)"), pN_("basemap", "OpenStreetMap"), pN_("basemap", "Satellite (Esri)"),
    pN_("basemap", "None (works offline)"),
)

# Strings the pages and renderers show through a variable or a template (extraction cannot see them there).
APP = (
    N_("Pailin Atlas"), N_("Map"), N_("Timeline"), N_("Story"), N_("Places"), N_("Compare"),
    N_("Sources & method"), N_("Language"), N_("Loading the layers…"),
)

MAP_PAGE = (
    N_("Layers"), N_("Basemap"), N_("Tiles need the internet; 'None' works offline."), N_("Date"), N_("Play"),
    N_("Download {format}"), N_("Download animation"), N_("From"), N_("To"), N_("Step"), N_("Format"),
    N_("changes"), N_("Render animation"), N_("Rendering frames…"), N_("Frame {k} of {n}"),
    N_("Situation on {date}"), N_("since {date}"), N_("certainty unknown"), N_("Faction"), N_("km²"),
    N_("No dated event in this window."), N_("Sources: {sources}"), N_("Show this date"),
    nN_("{n} day", "{n} days"),  # the catalogue's plural rule (Khmer has one form), checked by tests/test_i18n.py
)

MAP_RENDERERS = (
    N_("Legend"), N_("as of {date}"), N_("not in the conflict"), N_("approximate extent"), N_("claimed by one side"),
    N_("contested"), N_("front line described by the sources"), N_("road (schematic)"), N_("Held by"), N_("Since"),
    N_("Control certainty"), N_("Sources (control)"), N_("In force"), N_("{start} to {end}"), N_("Certainty"),
    N_("Area"), N_("Note"), N_("Sources"), N_("Kind"), N_("Location"), N_("Other names"), N_("Gazetteer"),
    N_("Sources (place)"), N_("What"), N_("Figures"), N_("described"), N_("derived"), N_("the end of the period"),
    # static snapshots and files
    N_("Basemap tiles: {credit}."), N_("Basemap: Natural Earth vector."),
    N_("Basemap: Natural Earth vector (map tiles unavailable: offline?)."),
    N_("and {count} more (see the GeoJSON or HTML snapshot)"), N_("N"), N_("{km} km"),
)

# Shown with `words("...")` in layers/ui/ (bring your own layers), which extraction does not see.
UPLOADS = (
    N_("Your own layers"), N_("rows or features"), N_("Layer kind"), N_("Import"),
    N_("CSV, GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GPX, or a dataset zip"),
    N_("Nothing could be imported: see the problems below."), N_("Imported"), N_("Skipped rows and warnings"),
    N_("Your layers cannot be laid over the built-in data"), N_("Download your layers (zip)"),
    N_("Remove your layers"), N_("Date (or start)"), N_("End date"), N_("Name or title"),
    N_("Held by / first actor"), N_("Place name (looked up offline)"),
)

SOURCE_KINDS = (
    pN_("source kind", "document"), pN_("source kind", "news"), pN_("source kind", "book"),
    pN_("source kind", "reference"), pN_("source kind", "gazetteer"), pN_("source kind", "dataset"),
    pN_("source kind", "method"),
)

HANDOUT = (
    N_("Situation on {date}"), N_("Who held what"), N_("Events from {start} to {end}"), N_("How the zones are drawn"),
    N_("Zones and front lines are approximate reconstructions from the sources, not surveyed lines. Lighter, "
       "dashed areas are approximate, claimed or contested. A place is coloured by who held it; where no source "
       "says, it takes the controller of the zone it lies in. Dates keep their precision: a month stays a month."),
    N_("Page {page} of {pages}"), N_("Pailin Atlas {version}, made on {date}"), N_("Chapter {n}"),
    N_("Map: situation on {date}"), N_("The Pailin Atlas story"), N_("Chapters"),
)

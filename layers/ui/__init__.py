"""The only Streamlit-aware part of the atlas: which dataset, the shared date and language, the map
component, downloads, uploads and error display. Pages call these; `layers` elsewhere knows nothing of
Streamlit.

Everything cached here is built once and never changed afterwards (datasets, timelines, time stores,
map pages), so one copy safely serves every session; a visitor's own layers stay in their session.
"""

from .atlas import Atlas, open_atlas, show_data_warnings, show_problems, sidebar, follow_in_url
from .files import animation_button, full_atlas_link, handout, share_panel, snapshot, story_booklet
from .map import atlas_map, map_painted
from .prepare import PAGE_ICON, prepared
from .state import DATE_KEY, LANG_KEY, VIEW_KEY, arrive, set_day, set_day_and_view

__all__ = ["DATE_KEY", "LANG_KEY", "PAGE_ICON", "VIEW_KEY", "Atlas", "animation_button", "arrive", "atlas_map",
           "follow_in_url", "full_atlas_link", "handout", "map_painted", "open_atlas", "prepared", "set_day",
           "set_day_and_view", "share_panel", "show_data_warnings", "show_problems", "sidebar", "snapshot",
           "story_booklet"]

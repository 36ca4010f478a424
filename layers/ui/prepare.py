"""Work every first visit would otherwise wait for, done once when the server starts (see app.py)."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from ..text.i18n import LANGUAGES
from ..text.words import words_for
from .map import publish_map_data
from .state import _registry, load_directory

# An emoji, not a :shortcode:, which would make every browser load Streamlit's emoji library (259 KB).
PAGE_ICON = "🗺️"


@asynccontextmanager
async def prepared(_app: Any) -> AsyncIterator[None]:
    """The lifespan of the server (Streamlit's `st.App`): it takes its first visitor once this is done."""
    try:
        await asyncio.to_thread(prepare_server)
    except Exception as exc:  # the visitors' runs will try again, and show what is wrong
        sys.stderr.write(f"pailin-atlas: could not prepare the datasets at start-up: {exc!r}\n")
    yield


def prepare_server() -> None:
    prepare_datasets()
    # Streamlit checks a page icon against its emoji catalogue, which it compiles on first use (about
    # 300 ms of the first visit's run otherwise).
    from streamlit.string_util import is_emoji

    is_emoji(PAGE_ICON)


def prepare_datasets() -> None:
    """Load every dataset the operator named, and publish its map data in each language: the caches
    the visitors' runs then find full."""
    with _outside_a_visit():
        registry = _registry()
        for name in registry.names:
            version, loaded = load_directory(registry.directory(name))
            if loaded.timeline is None:
                continue  # its problems are shown to the visitors who choose it
            for lang in LANGUAGES:
                publish_map_data(name, version, loaded.timeline, words_for(lang))


@contextmanager
def _outside_a_visit() -> Iterator[None]:
    # Streamlit warns "missing ScriptRunContext" for each cached function called outside a visitor's run:
    # expected here, and noise in the operator's log.
    logger = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)

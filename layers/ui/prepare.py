"""Work every first visit would otherwise wait for, done once when the server starts (see app.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from ..data.registry import fingerprint
from ..text.i18n import LANGUAGES
from ..text.words import words_for
from .map import _layer_assets_url, _store_url, _time_store
from .state import _load, _registry


def prepare_datasets() -> None:
    """Load every dataset the operator named, and publish its map data in each language: the caches
    the visitors' runs then find full."""
    with _outside_a_visit():
        registry = _registry()
        _layer_assets_url()
        for name in registry.names:
            directory = registry.directory(name)
            version = fingerprint(directory)
            loaded = _load(str(directory), version)
            if loaded.timeline is None:
                continue  # its problems are shown to the visitors who choose it
            for lang in LANGUAGES:
                _store_url(_time_store(name, version, lang, loaded.timeline, words_for(lang)))


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

"""Work every first visit would otherwise wait for, done once when the server starts (see app.py)."""

from __future__ import annotations

from ..data.registry import fingerprint
from ..text.i18n import LANGUAGES
from ..text.words import words_for
from .map import _layer_assets_url, _store_url, _time_store
from .state import _load, _registry


def prepare_datasets() -> None:
    """Load every dataset the operator named, and publish its map data in each language: the caches
    the visitors' runs then find full."""
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

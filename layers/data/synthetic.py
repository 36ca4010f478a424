"""Generated datasets in the atlas schema, for tests and benchmarks (any size, reproducible)."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

from .geojson_io import write_feature_collection

REGION = (102.0, 12.0, 105.0, 14.5)
START, END = date(1989, 9, 1), date(1998, 12, 31)


def _day(rng: random.Random, lo: date = START, hi: date = END) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


def write_synthetic_dataset(directory: Path, n_features: int = 1000, seed: int = 0) -> Path:
    """Write a valid dataset of `n_features` features (for 10 or more: about 40 % zones, 30 % places and
    the rest events).

    Zones tile a grid; each cell changes hands `per_cell - 1` times on distinct days, so zones never overlap
    in space and time. The zones a whole number of cells cannot hold are made events instead.
    """
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "dataset.json").write_text(json.dumps({
        "title": f"Synthetic dataset ({n_features} features)", "start": START.isoformat(),
        "end": END.isoformat(), "region": list(REGION), "view": {"lat": 13.2, "lon": 103.5, "zoom": 8},
        "event_window_days": 15}))
    (directory / "factions.json").write_text(json.dumps({"factions": [
        {"id": "government", "name": "Government", "color": "#0072B2"},
        {"id": "khmer_rouge", "name": "Khmer Rouge", "color": "#D55E00"}]}))
    (directory / "sources.json").write_text(json.dumps({"sources": [
        {"id": "synthetic", "title": "Generated test data", "title_from": "checked", "kind": "dataset"}]}))
    sides = ("government", "khmer_rouge")
    n_zones, n_places = int(n_features * 0.4), int(n_features * 0.3)
    per_cell = 4
    cells = max(1, n_zones // per_cell)
    cols = max(1, int(cells ** 0.5))
    rows = -(-cells // cols)
    w, s, e, n = REGION
    dx, dy = (e - w) / cols, (n - s) / rows
    zones = []
    for c in range(cells):
        x0, y0 = w + (c % cols) * dx, s + (c // cols) * dy
        ring = [[round(x0, 6), round(y0, 6)], [round(x0 + dx, 6), round(y0, 6)],
                [round(x0 + dx, 6), round(y0 + dy, 6)], [round(x0, 6), round(y0 + dy, 6)],
                [round(x0, 6), round(y0, 6)]]
        cuts = [START] + sorted(START + timedelta(days=d) for d in rng.sample(range(1, (END - START).days + 1),
                                                                              per_cell - 1))
        for k, begin in enumerate(cuts):
            finish = cuts[k + 1] if k + 1 < len(cuts) else None
            zid = f"z{c}_{k}"
            zones.append({"type": "Feature", "id": zid, "geometry": {"type": "Polygon", "coordinates": [ring]},
                          "properties": {"id": zid, "name": f"Cell {c} period {k}",
                                         "controller": sides[(c + k) % 2], "start": begin.isoformat(),
                                         "end": finish.isoformat() if finish else None,
                                         "certainty": "approximate", "sources": ["synthetic"]}})
    places = []
    for p in range(n_places):
        pid = f"p{p}"
        control = []
        cut = _day(rng)
        # The places' histories are drawn independently of the zones around them: enclaves.
        control.append({"controller": "government", "start": START.isoformat(), "end": cut.isoformat(),
                        "certainty": "assessed", "sources": ["synthetic"], "enclave": True})
        control.append({"controller": "khmer_rouge", "start": cut.isoformat(), "end": None,
                        "certainty": "claimed", "sources": ["synthetic"], "enclave": True})
        places.append({"type": "Feature", "id": pid, "geometry": {"type": "Point", "coordinates": [
            round(rng.uniform(w, e), 5), round(rng.uniform(s, n), 5)]},
            "properties": {"id": pid, "name": f"Place {p}", "kind": "village", "country": "KH",
                           "certainty": "exact", "sources": ["synthetic"],
                           "control": control if p % 2 == 0 else []}})
    events = []
    for v in range(max(0, n_features - len(zones) - len(places))):
        eid = f"e{v}"
        day = _day(rng)
        text = day.isoformat() if v % 3 else day.isoformat()[:7]
        place = places[v % len(places)] if places else None
        events.append({"type": "Feature", "id": eid, "geometry": place["geometry"] if place else None,
                       "properties": {"id": eid, "date": text, "title": f"Event {v}", "kind": "other",
                                      "certainty": "exact", "sources": ["synthetic"],
                                      "place_ids": [place["id"]] if place else []}})
    write_feature_collection(directory / "zones.geojson", zones)
    write_feature_collection(directory / "places.geojson", places)
    write_feature_collection(directory / "events.geojson", events)
    return directory

"""Median time of a state query: the engine beside the straightforward GeoPandas way, one run.

    python benchmarks/bench_state.py [--features 100000] [--queries 200]

Targets: built-in data ≤ 1 ms; 100,000 features ≤ 10 ms and ≥ 5× faster than the straightforward way;
with every place's status built (what the pages use), 100,000 features ≤ 300 ms.
Both answer the same question (zones in force, each place's controller, faction areas, events ±15 days)
on the same random dates; the results are checked to agree before anything is timed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.data.catalog import Dataset, load_dataset  # noqa: E402
from layers.data.synthetic import write_synthetic_dataset  # noqa: E402
from layers.engine.timeline import Timeline  # noqa: E402


class Straightforward:
    """A boolean mask over start/end per query, then a group-by for controllers."""

    def __init__(self, ds: Dataset, periods: pd.DataFrame) -> None:
        self.zones = ds.zones[["controller", "start_day", "end_day", "area_km2"]]
        self.periods = periods[["place_id", "controller", "start_day", "end_day", "rank"]]
        self.events = ds.events[["first_day", "last_day"]]

    def query(self, day: date, window: int = 15) -> tuple:
        t = day.toordinal()
        zones = self.zones[(self.zones.start_day <= t) & (self.zones.end_day > t)]
        areas = zones.groupby("controller")["area_km2"].sum()
        active = self.periods[(self.periods.start_day <= t) & (self.periods.end_day > t)]
        controllers = (active.sort_values(["rank", "start_day"], ascending=[True, False])
                       .groupby("place_id")["controller"].first())
        events = self.events[(self.events.last_day >= t - window) & (self.events.first_day <= t + window)]
        return zones.index, areas, controllers, events.index


def _days(ds: Dataset, n: int, seed: int = 1) -> list[date]:
    rng = random.Random(seed)
    lo, hi = ds.meta.start.toordinal(), ds.meta.end.toordinal()
    return [date.fromordinal(rng.randint(lo, hi)) for _ in range(n)]


def _median_ms(fn, days: list[date]) -> float:
    times = []
    for day in days:
        start = time.perf_counter()
        fn(day)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _check_agreement(timeline: Timeline, plain: Straightforward, days: list[date]) -> None:
    for day in days[:20]:
        state = timeline.state_on(day)
        zones, areas, controllers, events = plain.query(day)
        assert set(state.zones.index) == set(zones)
        assert set(state.events.index) == set(events)
        ours = {p.place_id: p.controller for p in state.places if p.controller}
        assert ours == controllers.to_dict()
        for faction, area in areas.items():
            assert abs(state.area_by_faction.get(faction, 0) - area) < 1e-6


def measure(label: str, ds: Dataset, queries: int) -> dict[str, float]:
    tracemalloc.start()
    start = time.perf_counter()
    timeline = Timeline(ds)
    build_s = time.perf_counter() - start
    _, peak_build = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    plain = Straightforward(ds, timeline.periods)
    days = _days(ds, queries)
    _check_agreement(timeline, plain, days)
    fresh = Timeline(ds)
    query = _median_ms(fresh.state_on, days)
    # What the pages use: the state with every place's status built (the panel, exports, compare).
    with_places = _median_ms(lambda day: fresh.state_on(day).places, days)
    naive = _median_ms(plain.query, days)
    features = len(ds.zones) + len(ds.places) + len(ds.events) + len(ds.routes) + len(ds.frontlines)
    print(f"{label}: {features} features, {len(timeline.change_days)} change dates, "
          f"runs and edges built in {build_s * 1000:.0f} ms (peak {peak_build / 2**20:.1f} MiB)")
    print(f"  engine, state (zones, events, who holds what): median {query:.3f} ms")
    print(f"  engine, state with {len(ds.places)} place statuses built:  median {with_places:.3f} ms")
    print(f"  straightforward GeoPandas mask + groupby:      median {naive:.3f} ms")
    print(f"  speed-up: {naive / query:.1f}x (state), {naive / with_places:.1f}x (with statuses)")
    return {"cold_ms": query, "places_ms": with_places, "naive_ms": naive}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    builtin = measure("built-in geodata/", load_dataset(), args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        tracemalloc.start()
        ds = load_dataset(write_synthetic_dataset(Path(tmp) / "synthetic", args.features, seed=42))
        _, peak_load = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"generated dataset loaded and validated in {time.perf_counter() - start:.1f} s "
              f"(peak {peak_load / 2**20:.0f} MiB)")
        big = measure(f"generated ({args.features} features)", ds, args.queries)
    verdicts = [
        ("built-in ≤ 1 ms", builtin["cold_ms"] <= 1.0),
        (f"{args.features} features ≤ 10 ms", big["cold_ms"] <= 10.0),
        ("≥ 5x faster than straightforward", big["naive_ms"] / big["cold_ms"] >= 5.0),
        (f"{args.features} features, with place statuses, ≤ 300 ms", big["places_ms"] <= 300.0),
    ]
    for text, ok in verdicts:
        print(f"target {text}: {'met' if ok else 'MISSED'}")


if __name__ == "__main__":
    main()

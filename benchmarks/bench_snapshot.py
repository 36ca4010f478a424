"""Snapshot speed and memory on the built-in data, offline, one run.

    python benchmarks/bench_snapshot.py [--repeat 5] [--frames 100]

Targets: PNG 1920x1080 ≤ 1.5 s, A4 at 300 dpi ≤ 4 s, HTML ≤ 0.5 s, a 100-frame GIF ≤ 60 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.data.catalog import load_dataset  # noqa: E402
from layers.exports.export import animation_bytes, snapshot_bytes  # noqa: E402
from layers.engine.timeline import Timeline  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, float]:
    """Median wall time (tracemalloc off), then one more run under tracemalloc for the peak."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return (statistics.median(times) if times else float("nan")), peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--frames", type=int, default=100)
    args = parser.parse_args()
    timeline = Timeline(load_dataset())
    state = timeline.state_on(date(1994, 4, 28))
    cases = [
        ("PNG 1920x1080 (slide)", lambda: snapshot_bytes(state, "png", size="slide"), 1.5),
        ("PNG A4 300 dpi", lambda: snapshot_bytes(state, "png", size="a4"), 4.0),
        ("PDF A4", lambda: snapshot_bytes(state, "pdf", size="a4"), None),
        ("SVG slide", lambda: snapshot_bytes(state, "svg", size="slide"), None),
        ("HTML with time slider", lambda: snapshot_bytes(state, "html"), 0.5),
        ("GeoJSON", lambda: snapshot_bytes(state, "geojson"), None),
    ]
    for name, fn, target in cases:
        median, peak = timed(fn, args.repeat)
        verdict = "" if target is None else f"  target ≤ {target} s: {'met' if median <= target else 'MISSED'}"
        print(f"{name:24} median {median:6.2f} s   peak {peak:6.0f} MiB{verdict}")
    start = date(1989, 9, 1)
    end = start + timedelta(days=30 * (args.frames - 1))
    begin = time.perf_counter()
    animation_bytes(timeline, start, end, step=30, fmt="gif", size="960x540")
    seconds = time.perf_counter() - begin
    _, peak = timed(lambda: animation_bytes(timeline, start, start + timedelta(days=270), step=30, fmt="gif",
                                            size="960x540"), 0)
    print(f"GIF {args.frames} frames 960x540  {seconds:6.1f} s   peak {peak:6.0f} MiB  "
          f"target ≤ 60 s: {'met' if seconds <= 60 else 'MISSED'}  (peak measured on 10 frames)")


if __name__ == "__main__":
    main()

import json
import subprocess
import sys

import pytest

from layers.__main__ import main

from conftest import ROOT


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


def test_state_json(capsys, tiny_dir):
    code, out, _ = run(capsys, "state", "--date", "1994-03-25", "--data", str(tiny_dir))
    assert code == 0
    assert set(out) >= {"date", "places", "zones", "frontlines", "events"}
    town = next(p for p in out["places"] if p["id"] == "town")
    assert (town["controller"], town["since"]) == ("government", "1994-03-19")
    assert out["events"][0]["id"] == "ev_taken"


@pytest.mark.parametrize("bad, needle", [("1994-13-01", "not a real day"), ("19/04/1994", "YYYY-MM-DD"),
                                         ("2005-01-01", "outside the dataset's time range")])
def test_state_bad_dates(capsys, tiny_dir, bad, needle):
    code, out, err = run(capsys, "state", "--date", bad, "--data", str(tiny_dir))
    assert code == 1 and needle in out["error"] and needle in err


def test_validate_reports_errors_with_exit_1(capsys, tiny_dir):
    (tiny_dir / "places.geojson").write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                                           '"id": "x", "geometry": {"type": "Point", "coordinates": [102.5, 12.5]}, '
                                           '"properties": {"id": "x", "name": "X"}}]}')
    code, out, err = run(capsys, "validate", str(tiny_dir))
    assert code == 1 and not out["ok"]
    assert {(e["file"], e["feature"], e["field"]) for e in out["errors"]} >= {
        ("places.geojson", "x", "kind"), ("places.geojson", "x", "sources")}
    assert "Fix:" in err


def test_events_and_places(capsys, tiny_dir):
    code, events, _ = run(capsys, "events", "--data", str(tiny_dir))
    assert code == 0 and [e["id"] for e in events] == ["ev_fall", "ev_may93", "ev_taken"]
    assert events[1]["precision"] == "month" and events[1]["date_label"] == "May 1993"
    code, places, _ = run(capsys, "places", "--data", str(tiny_dir))
    assert code == 0 and places[0]["id"] == "town" and len(places[0]["control"]) == 3


def test_module_entry_point_never_tracebacks(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("{oops")
    proc = subprocess.run([sys.executable, "-m", "layers", "validate", str(bad)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "not valid JSON" in proc.stderr
    assert json.loads(proc.stdout)["errors"][0]["file"] == "bad.geojson"

"""`python -m layers.cli_import import|export`: every fixture becomes a dataset that passes validate."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from layers.cli_import import main

from conftest import ROOT

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, json.loads(out.out), out.err


@pytest.mark.parametrize("fixture, counts", [
    ("acled_fictional.csv", {"events": 3}),
    ("ucdp_ged_fictional.csv", {"events": 3}),
    ("historian_places.csv", {"events": 6}),
    ("untimed_places.csv", {"places": 3}),
    ("timestamped_popups.geojson", {"events": 5, "routes": 3, "places": 1}),
])
def test_import_each_fixture(capsys, tmp_path, fixture, counts):
    code, out, err = run(capsys, "import", FIXTURES / fixture, "--out", tmp_path / "out")
    assert code == 0, err
    assert out["ok"] and out["validate"]["ok"] and out["counts"] == counts
    code, report, _ = run_validate(tmp_path / "out")
    assert code == 0 and report["ok"]


def run_validate(path: Path):
    proc = subprocess.run([sys.executable, "-m", "layers", "validate", str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_skipped_rows_are_reported_with_file_line_and_field(capsys, tmp_path):
    code, out, err = run(capsys, "import", FIXTURES / "acled_fictional.csv", "--out", tmp_path / "out")
    assert code == 0
    [skipped] = out["skipped"]
    assert (skipped["file"], skipped["feature"], skipped["field"]) == ("acled_fictional.csv", "line 5", "event_date")
    assert "acled_fictional.csv, feature 'line 5', field 'event_date'" in err and "Fix:" in err


def test_mapping_options_override_detection(capsys, tmp_path):
    code, out, _ = run(capsys, "import", FIXTURES / "historian_places.csv", "--out", tmp_path / "out",
                       "--kind", "place", "--timeless", "--name", "place", "--country", "KH",
                       "--place-kind", "town", "--title", "Fictional places")
    assert code == 0 and out["counts"] == {"places": 5}  # the unplaceable row cannot be a place
    assert any(s["feature"] == "line 6" for s in out["skipped"])
    meta = json.loads((tmp_path / "out" / "dataset.json").read_text())
    assert meta["title"] == "Fictional places"


def test_detect_shows_fields_and_suggestions(capsys):
    code, out, _ = run(capsys, "import", FIXTURES / "ucdp_ged_fictional.csv", "--detect")
    assert code == 0
    [layer] = out
    assert layer["suggested"]["convention"] == "ucdp" and layer["suggested"]["date"] == "date_start"
    assert {"name": "side_a", "samples": ["Side A", "Side A", "Side B"]} in layer["fields"]


def test_nothing_to_import_exits_1(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    code, out, err = run(capsys, "import", bad, "--out", tmp_path / "out")
    assert code == 1 and not out["ok"] and "bad.csv" in err


@pytest.mark.parametrize("fmt", ["gpkg", "kml", "csv"])
def test_export_formats_and_import_back(capsys, tmp_path, tiny_dir, fmt):
    target = tmp_path / f"tiny.{fmt}"
    code, out, _ = run(capsys, "export", "--format", fmt, "--out", target, "--data", tiny_dir)
    assert code == 0 and out["bytes"] == target.stat().st_size > 0
    code, out, _ = run(capsys, "import", target, "--out", tmp_path / "back")
    assert code == 0 and out["validate"]["ok"]
    code, out, _ = run(capsys, "export", "--format", fmt, "--out", tmp_path / f"day.{fmt}", "--data", tiny_dir,
                       "--date", "1994-03-25")
    assert code == 0 and out["date"] == "1994-03-25"


def test_module_entry_point(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "layers.cli_import", "import", str(FIXTURES / "untimed_places.csv"),
                           "--out", str(tmp_path / "out"), "--dataset-start", "1990-01-01",
                           "--dataset-end", "1999-12-31"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["start"] == "1990-01-01"


def test_import_speaks_khmer_with_lang_km(tmp_path):
    """Every problem of an import, on stderr in the reader's language; the JSON keeps its English."""
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    proc = subprocess.run([sys.executable, "-m", "layers", "import", str(bad), "--out", str(tmp_path / "out"),
                           "--lang", "km"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "កំហុស៖ bad.csv ធាតុ 'បន្ទាត់ ២' វាល 'geometry'៖ គ្មានទាំងទីតាំង និងកាលបរិច្ឆេទ។ ជួរនេះត្រូវបានរំលង។ របៀបកែ៖ "
        "ផ្ដល់កូអរដោនេ ឬឈ្មោះទីកន្លែងដែលបញ្ជីឈ្មោះទីកន្លែងស្គាល់ ឬកាលបរិច្ឆេទ (ពេលនោះវាជាព្រឹត្តិការណ៍គ្មានទីកន្លែង)។",
        "កំហុស៖ bad.csv៖ មិនបានផ្ដល់ធាតុណាមួយសម្រាប់នាំចូលទេ។ របៀបកែ៖ ពិនិត្យរបាយការណ៍ខាងលើ និងការផ្គូផ្គងវាល "
        "(កាលបរិច្ឆេទ កូអរដោនេ ប្រភេទ)។"]
    skipped = json.loads(proc.stdout)["skipped"]
    assert skipped[0]["message"] == "has neither a location nor a date. The row was skipped."
    assert [s["text"] for s in skipped] == proc.stderr.splitlines()

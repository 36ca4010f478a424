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


# --- problems in the reader's language (issue 13) ---------------------------------------------------

KHMER_LINE = ("កំហុស៖ places.geojson ធាតុ 'town' វាល 'sources'៖ យោងទៅប្រភពដែលមិនស្គាល់ 'nowhere'។ "
              "របៀបកែ៖ ប្រើ id ដែលបានកំណត់ក្នុង sources.json។")
ENGLISH_LINE = ("error: places.geojson, feature 'town', field 'sources': refers to unknown source 'nowhere'. "
                "Fix: use an id defined in sources.json.")


@pytest.fixture
def unknown_source(make_dataset):
    def edit(layers):
        layers["places.geojson"][0]["properties"]["sources"] = ["nowhere"]
    return make_dataset(edit)


def test_validate_speaks_khmer_with_lang_km(capsys, monkeypatch, unknown_source):
    monkeypatch.delenv("PAILIN_ATLAS_LANG", raising=False)
    code, out, err = run(capsys, "validate", "--lang", "km", str(unknown_source))
    assert code == 1 and err.splitlines() == [KHMER_LINE]
    (error,) = out["errors"]  # machine-stable: English message and fix, the line in Khmer beside them
    assert (error["message"], error["fix"]) == ("refers to unknown source 'nowhere'.", "use an id defined in sources.json.")
    assert error["text"] == KHMER_LINE


def test_validate_speaks_khmer_when_the_environment_asks(unknown_source):
    proc = subprocess.run([sys.executable, "-m", "layers", "validate", str(unknown_source)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**__import__("os").environ,
                                                                             "PAILIN_ATLAS_LANG": "km"})
    assert proc.returncode == 1 and proc.stderr.splitlines() == [KHMER_LINE]
    assert json.loads(proc.stdout)["errors"][0]["message"] == "refers to unknown source 'nowhere'."


def test_validate_speaks_english_by_default_and_the_flag_beats_the_environment(capsys, monkeypatch, unknown_source):
    monkeypatch.delenv("PAILIN_ATLAS_LANG", raising=False)
    code, out, err = run(capsys, "validate", str(unknown_source))
    assert code == 1 and err.splitlines() == [ENGLISH_LINE] and out["errors"][0]["text"] == ENGLISH_LINE
    monkeypatch.setenv("PAILIN_ATLAS_LANG", "km")
    assert run(capsys, "validate", "--lang", "en", str(unknown_source))[2].splitlines() == [ENGLISH_LINE]


def test_an_export_refusal_speaks_khmer(capsys, monkeypatch, tiny_dir, tmp_path):
    monkeypatch.delenv("PAILIN_ATLAS_LANG", raising=False)
    code, out, err = run(capsys, "snapshot", "--date", "1994-03-25", "--format", "png", "--out",
                         str(tmp_path / "x.png"), "--size", "50x50", "--data", str(tiny_dir), "--lang", "km")
    assert code == 1 and err == ("កំហុស៖ --size 50x50 នៅក្រៅចន្លោះ៖ ជ្រុងនីមួយៗត្រូវតែពី ១០០ ដល់ ៨០០០ px "
                                 "(សម្រាប់បោះពុម្ព ប្រើ a4៖ ៣០០ dpi)។\n")
    assert out["error"] == ("--size 50x50 is out of range: each side must be 100 to 8000 px (for print, use a4: "
                            "300 dpi).")
    assert not (tmp_path / "x.png").exists()


def test_every_command_that_loads_data_reports_its_problems_in_khmer(capsys, monkeypatch, unknown_source, tiny_dir):
    monkeypatch.setenv("PAILIN_ATLAS_LANG", "km")
    for argv in (["state", "--date", "1994-03-25"], ["events"], ["places"]):
        code, out, err = run(capsys, *argv, "--data", str(unknown_source))
        assert code == 1 and err.splitlines()[0] == KHMER_LINE, argv
        assert err.splitlines()[-1] == "កំហុស៖ មិនអាចប្រើសំណុំទិន្នន័យបានទេ៖ " + KHMER_LINE, argv
        assert out["error"] == "the dataset cannot be used: " + ENGLISH_LINE
    code, out, err = run(capsys, "state", "--date", "1994-13-01", "--data", str(tiny_dir))
    assert code == 1 and err == "កំហុស៖ '1994-13-01' មិនមែនជាថ្ងៃពិតប្រាកដទេ (month must be in 1..12)។\n"
    assert "is not a real day" in out["error"]

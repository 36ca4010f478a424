"""scripts/check_corpus.py sets our verdict beside the corpus MANIFEST's and fails only on a crash or
on a file upstream marks invalid that we load without a word."""

import importlib.util
import json
import sys

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("check_corpus", ROOT / "scripts" / "check_corpus.py")
check_corpus = sys.modules["check_corpus"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_corpus)

_POINT = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}, "properties": {}}]}
_CLOCKWISE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
        [[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}}]}


def _corpus(tmp_path, files, rows):
    for name, doc in files.items():
        (tmp_path / name).write_text(doc if isinstance(doc, str) else json.dumps(doc))
    table = "\n".join(f"| `{name}` | `abc` | {verdict} | read | ACCEPT |" for name, verdict in rows.items())
    (tmp_path / "MANIFEST.md").write_text("| file | sha | upstream verdict | gdal | pydantic |\n|---|---|---|---|---|\n"
                                          + table + "\n")
    return tmp_path


def test_verdicts_side_by_side_and_a_clockwise_ring_is_only_a_disagreement(tmp_path, capsys):
    root = _corpus(tmp_path, {"ring.geojson": _CLOCKWISE, "good.geojson": _POINT, "bad.geojson": "{oops"},
                   {"ring.geojson": "INVALID geometry (RFC 7946)", "good.geojson": "VALID",
                    "bad.geojson": 'error: "Parse error on line 2:"'})
    assert check_corpus.main([str(root)]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[3]: line.split()[:3] for line in out.splitlines() if line.split()[3:4] and
             line.split()[3].endswith(".geojson")}
    assert lines["ring.geojson"] == ["warning", "invalid", "NO"]
    assert lines["good.geojson"] == ["ok", "valid", "yes"]
    assert lines["bad.geojson"] == ["error", "invalid", "yes"]
    assert "disagreements with the upstream verdict: 1" in out


def test_an_invalid_file_loaded_without_a_word_fails_the_check(tmp_path, capsys):
    root = _corpus(tmp_path, {"sneaky.geojson": _POINT}, {"sneaky.geojson": "INVALID structure (RFC 7946)"})
    assert check_corpus.main([str(root)]) == 1
    assert "FAIL: upstream marks sneaky.geojson invalid" in capsys.readouterr().out


def test_manifest_verdicts_are_read_for_the_real_corpus():
    verdicts = check_corpus.upstream_verdicts(ROOT.parent / "shared/testdata/geojson-badinput/MANIFEST.md")
    kinds = {kind for kind, _ in verdicts.values()}
    assert len(verdicts) == 136 and kinds == {"valid", "problematic", "invalid"}

"""Run `python -m layers validate` over the bad-input GeoJSON corpus and set our verdict beside the
upstream one from the corpus's MANIFEST.md.

    python scripts/check_corpus.py ../shared/testdata/geojson-badinput

Our verdict per file: `ok` (loads, no problem), `warning` (loads, with warnings), `error` (rejected
with messages that each name the file and a fix) or `CRASH` (a traceback, another exit status,
output that is not the JSON report, or a message without a file or a fix).

The upstream verdict (MANIFEST's "upstream verdict" column) is one of `valid` ("VALID", geojsonhint
"good"), `problematic` ("valid but PROBLEMATIC", geojsonhint "message:") or `invalid` ("INVALID",
geojsonhint "error:"). We agree when both accept the file (valid or problematic upstream; ok or
warning here) or both reject it (invalid; error). Disagreements are counted and shown, not failed:
some are deliberate (RFC 7946 says parsers should not reject a clockwise ring, so for us it is a
warning; coordinates outside -180..180 / -90..90, which geojsonhint's "good" issue82 has, are an error
for a map).

Exit status 1 on a crash, or on a file upstream marks invalid that we load with no error and no
warning; otherwise 0.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.__main__ import main as layers_main  # noqa: E402

ACCEPTED = {"valid": True, "problematic": True, "invalid": False}
_ROW = re.compile(r"^\|\s*`(?P<path>[^`]+\.geojson)`\s*\|[^|]*\|(?P<verdict>[^|]*)\|")


@dataclass(frozen=True)
class Verdict:
    ours: str      # ok, warning, error, CRASH
    detail: str


def upstream_verdicts(manifest: Path) -> dict[str, tuple[str, str]]:
    """Relative path -> (valid | problematic | invalid, the upstream text), from MANIFEST.md's table."""
    verdicts: dict[str, tuple[str, str]] = {}
    if not manifest.is_file():
        return verdicts
    for line in manifest.read_text(encoding="utf-8").splitlines():
        match = _ROW.match(line)
        if match is None:
            continue
        text = match["verdict"].strip()
        lowered = text.lower()
        if lowered.startswith("valid but problematic") or lowered.startswith("message:") or \
                lowered.startswith("[] (no error"):
            kind = "problematic"
        elif lowered.startswith("invalid") or lowered.startswith("error:"):
            kind = "invalid"
        elif lowered.startswith("valid") or lowered.startswith("(good"):
            kind = "valid"
        else:
            continue
        verdicts[match["path"]] = (kind, text)
    return verdicts


def check(path: Path) -> Verdict:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = layers_main(["validate", str(path)])
    except BaseException as exc:  # the point of the check: nothing may escape
        return Verdict("CRASH", f"{type(exc).__name__}: {exc}")
    try:
        report = json.loads(out.getvalue())
    except json.JSONDecodeError:
        return Verdict("CRASH", "stdout is not the JSON report")
    problems = report.get("errors", []) + report.get("warnings", [])
    for problem in problems:
        if not (problem.get("file") and problem.get("message") and problem.get("fix")):
            return Verdict("CRASH", f"unhelpful message: {problem}")
    if code == 0 and report["ok"]:
        if report["warnings"]:
            first = report["warnings"][0]
            return Verdict("warning", f"{first['field'] or '-'}: {first['message'][:90]}")
        return Verdict("ok", "")
    if code == 1 and report["errors"]:
        first = report["errors"][0]
        return Verdict("error", f"{first['feature'] or '-'} / {first['field'] or '-'}: {first['message'][:90]}")
    return Verdict("CRASH", f"exit {code} with report {report}")


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared/testdata/geojson-badinput"
    files = sorted(p for p in root.rglob("*") if p.suffix in (".geojson", ".json"))
    if not files:
        print(f"no GeoJSON files under {root}")
        return 1
    upstream = upstream_verdicts(root / "MANIFEST.md")
    crashes, disagreements, silent = [], [], []
    tally: dict[str, int] = {}
    print(f"{'ours':8} {'upstream':12} {'agree':6} file  (our first message)")
    for path in files:
        rel = path.relative_to(root).as_posix()
        verdict = check(path)
        theirs, _ = upstream.get(rel, ("?", ""))
        agree = "-" if theirs == "?" or verdict.ours == "CRASH" else (
            "yes" if ACCEPTED[theirs] == (verdict.ours != "error") else "NO")
        tally[verdict.ours] = tally.get(verdict.ours, 0) + 1
        if verdict.ours == "CRASH":
            crashes.append(rel)
        elif agree == "NO":
            disagreements.append(rel)
        if theirs == "invalid" and verdict.ours == "ok":
            silent.append(rel)
        print(f"{verdict.ours:8} {theirs:12} {agree:6} {rel}  {verdict.detail}")
    print(f"\ncorpus: {len(files)} files; ours: {tally.get('ok', 0)} ok, {tally.get('warning', 0)} with warnings, "
          f"{tally.get('error', 0)} rejected with messages, {len(crashes)} crashed; "
          f"{len(files) - sum(1 for f in files if f.relative_to(root).as_posix() in upstream)} not in the MANIFEST")
    print(f"disagreements with the upstream verdict: {len(disagreements)} (shown with NO above)")
    for rel in silent:
        print(f"FAIL: upstream marks {rel} invalid and we load it with no error and no warning")
    for rel in crashes:
        print(f"FAIL: {rel} crashed")
    return 1 if crashes or silent else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

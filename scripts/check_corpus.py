"""Run `python -m layers validate` over a corpus of GeoJSON files: each must load or be explained.

    python scripts/check_corpus.py ../shared/testdata/geojson-badinput

A file "loads" (exit 0, no errors) or is rejected with messages that each name the file, the field and
a fix (exit 1). Anything else — a traceback, another exit status, output that is not the JSON report —
fails the check. Prints one line per file and a summary; exits 1 if any file failed.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layers.__main__ import main as layers_main  # noqa: E402


def check(path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = layers_main(["validate", str(path)])
    except BaseException as exc:  # the point of the check: nothing may escape
        return "CRASH", f"{type(exc).__name__}: {exc}"
    try:
        report = json.loads(out.getvalue())
    except json.JSONDecodeError:
        return "CRASH", "stdout is not the JSON report"
    if code == 0 and report["ok"]:
        return "loads", f"{len(report['warnings'])} warning(s)"
    if code == 1 and report["errors"]:
        for error in report["errors"]:
            if not (error["file"] and error["message"] and error["fix"]):
                return "CRASH", f"unhelpful message: {error}"
        first = report["errors"][0]
        return "rejected", f"{first['feature'] or '-'} / {first['field'] or '-'}: {first['message'][:90]}"
    return "CRASH", f"exit {code} with report {report}"


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "shared/testdata/geojson-badinput"
    files = sorted(p for p in root.rglob("*") if p.suffix in (".geojson", ".json"))
    if not files:
        print(f"no GeoJSON files under {root}")
        return 1
    tally: dict[str, int] = {}
    for path in files:
        verdict, detail = check(path)
        tally[verdict] = tally.get(verdict, 0) + 1
        print(f"{verdict:8} {path.relative_to(root)}  {detail}")
    print(f"corpus: {len(files)} files, {tally.get('loads', 0)} load, {tally.get('rejected', 0)} rejected "
          f"with messages, {tally.get('CRASH', 0)} crashed")
    return 1 if tally.get("CRASH") else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

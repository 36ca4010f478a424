"""Refresh the translation template and the Khmer catalogue from the code (Babel).

    python scripts/i18n_extract.py          # write locale/messages.pot, merge it into locale/km/.../messages.po
    python scripts/i18n_extract.py --check  # exit 1 when a message has no Khmer translation (or a stale one)

The same with Babel's command line:

    pybabel extract -F babel.cfg -k pN_:1c,2 -k nN_:1,2 --sort-by-file -o locale/messages.pot .
    pybabel update -i locale/messages.pot -d locale -l km

Then translate the new entries in locale/km/LC_MESSAGES/messages.po (empty msgstr) and check the
ones marked `#, fuzzy` (Babel's guess from a similar old message; not used until the mark is
removed). The app reads the .po file at run time: there is no compile step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "locale" / "messages.pot"
LANGS = ("km",)
KEYWORDS = {**DEFAULT_KEYWORDS, "pN_": ((1, "c"), 2), "nN_": (1, 2)}


def extract() -> Catalog:
    """Every marked message in app.py, pages/ and layers/ (see babel.cfg), as a template."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    template = Catalog(project="Pailin Atlas", msgid_bugs_address=None, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return template


def catalogue_path(lang: str) -> Path:
    return ROOT / "locale" / lang / "LC_MESSAGES" / "messages.po"


def untranslated(template: Catalog, catalog: Catalog) -> list[str]:
    """Template messages with no usable translation in `catalog` (missing, empty or fuzzy)."""
    missing = []
    for message in template:
        if not message.id:
            continue
        entry = catalog.get(message.id, message.context)
        strings = entry.string if entry is not None else None
        if entry is None or entry.fuzzy or not (all(strings) if isinstance(strings, (tuple, list)) else strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report messages without a Khmer translation")
    args = parser.parse_args(argv)
    template = extract()
    status = 0
    for lang in LANGS:
        path = catalogue_path(lang)
        with path.open("rb") as po:
            catalog = read_po(po, locale=lang)
        if args.check:
            missing = untranslated(template, catalog)
            for msgid in missing:
                print(f"{path.relative_to(ROOT)}: no translation for {msgid!r}", file=sys.stderr)
            status |= bool(missing)
            continue
        catalog.update(template)
        with path.open("wb") as po:
            write_po(po, catalog, width=100, sort_by_file=False, ignore_obsolete=False)
    if not args.check:
        TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
        with TEMPLATE.open("wb") as pot:
            write_po(pot, template, width=100, omit_header=False)
    return status


if __name__ == "__main__":
    sys.exit(main())

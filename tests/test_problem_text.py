"""Every data problem reads in Khmer as well as English (issue 13): the bad datasets and files of the
table-driven validator tests, rendered through the Khmer catalogue. The message's template is found and
translated there, the values (file, feature, field) are kept, and the English is exactly `str(problem)`."""

import copy
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import ROOT, tiny_layers, write_layers
from test_catalog import BAD_DATA, CRASHES
from test_checks import EARLY_CITES, STATED_DAYS, _both, _period, _with_source
from test_geojson_io import BAD_GEOJSON
from layers.data.catalog import validate_path
from layers.data.errors import Message, Problem
from layers.data.geojson_io import read_bytes, read_feature_collection
from layers.text.problems import message_text, problem_rows, problem_text
from layers.text.words import ENGLISH, words_for

KM = words_for("km")
KHMER = re.compile("[\u1780-\u17ff]")
PLACEHOLDERS_ONLY = re.compile(r"\A(?:\{[^{}]*\}|[\s;:,.()])*\Z")  # e.g. "{p0}; {p1}": nothing to translate

DATASET_EDITS = ([(f"catalog {i}", case[0]) for i, case in enumerate(BAD_DATA)]
                 + [(f"crash {name}", edit) for name, edit, *_ in CRASHES]
                 + [(f"early source {i}", _both(_with_source("early", "1989-01-15"), case[0]))
                    for i, case in enumerate(EARLY_CITES)]
                 + [("place against its zone", _period(1, enclave=None))]
                 + [(f"stated day {i}", case[0]) for i, case in enumerate(STATED_DAYS)])


@pytest.fixture(scope="module")
def catalogue() -> dict[str, str]:
    with (ROOT / "locale" / "km" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po, locale="km") if m.id and not m.context and not m.fuzzy}


@pytest.fixture(scope="module")
def problems(tmp_path_factory) -> list[tuple[str, Problem]]:
    """Every problem the bad datasets and files give, with the case that gave it."""
    root = tmp_path_factory.mktemp("bad")
    found = []
    for k, (name, edit) in enumerate(DATASET_EDITS):
        layers = copy.deepcopy(tiny_layers())
        edit(layers)
        found += [(name, p) for p in validate_path(write_layers(root / f"ds{k}", layers)).problems]
    for k, (content, _needle) in enumerate(BAD_GEOJSON):
        path = root / f"layer{k}.geojson"
        path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        found += [(f"geojson {k}", p) for p in read_feature_collection(path, "layer.geojson").problems]
    (root / "latin1.geojson").write_bytes('{"type": "Feature", "name": "Kr\xe9ng"}'.encode("latin-1"))
    found += [("not utf-8", p) for p in read_feature_collection(root / "latin1.geojson", "latin1.geojson").problems]
    found += [("a directory", p) for p in read_bytes(root, "somewhere")[1]]
    found += [("no such path", p) for p in validate_path(root / "nowhere").problems]
    assert len({name for name, _ in found}) == len(DATASET_EDITS) + len(BAD_GEOJSON) + 3, "a case gave no problem"
    return found


def _templates(message: Message):
    yield message.template
    for _name, value in message.params:
        if isinstance(value, Message):
            yield from _templates(value)


def _text_values(message: Message):
    for _name, value in message.params:
        if isinstance(value, Message):
            yield from _text_values(value)
        elif isinstance(value, str):
            yield value


def test_every_problem_reads_in_khmer_and_keeps_its_values(problems, catalogue):
    assert len(problems) > 60
    for case, p in problems:
        english, khmer = problem_text(p, ENGLISH), problem_text(p, KM)
        assert english == str(p), case  # the English line is the one every test and script knows
        for part in (p.message, p.fix):
            template = part.template
            if not PLACEHOLDERS_ONLY.match(template):
                assert catalogue.get(template), (case, template)
                assert catalogue[template] != template, (case, template)
            text = message_text(part, KM)
            assert KHMER.search(text), (case, text)
            for value in _text_values(part):
                assert value in text or repr(value) in text, (case, value, text)
        assert khmer.startswith("កំហុស" if p.severity == "error" else "ការព្រមាន"), (case, khmer)
        assert p.file in khmer, (case, khmer)
        assert p.feature is None or repr(p.feature) in khmer, (case, khmer)
        assert p.field is None or repr(p.field) in khmer, (case, khmer)


def test_every_template_is_a_literal_marked_for_extraction(problems, catalogue):
    """A template built with an f-string, or not marked with N_, is missing from the catalogue (and would
    stay English): each template, nested ones too, must be a msgid there."""
    templates = {t for _case, p in problems for part in (p.message, p.fix) for t in _templates(part)}
    assert len(templates) > 60
    missing = sorted(t for t in templates if t not in catalogue and not PLACEHOLDERS_ONLY.match(t))
    assert not missing, missing


def test_numbers_and_dates_are_written_the_khmer_way(problems):
    early = next(p for case, p in problems if case == "early source 0")
    khmer = message_text(early.message, KM)
    assert "ឆ្នាំ ១៩៨៩" in khmer and "1989" not in khmer  # the publication date in Khmer words and numerals
    place = next(p for case, p in problems if case == "place against its zone")
    assert "(៣១ ថ្ងៃ)" in message_text(place.message, KM)
    assert "'kr_west'" in message_text(place.message, KM)  # an id stays as written


def test_a_table_of_problems_has_khmer_column_titles():
    p = Problem("places.geojson", "town", "sources", Message("refers to unknown source {id!r}.", id="nowhere"),
                "use an id defined in sources.json.")
    (row,) = problem_rows([p], KM)
    assert list(row) == ["ឯកសារ", "ធាតុ", "វាល", "បញ្ហា", "របៀបកែ"]
    assert row["បញ្ហា"] == "យោងទៅប្រភពដែលមិនស្គាល់ 'nowhere'។"
    assert list(problem_rows([p], ENGLISH)[0]) == ["file", "feature", "field", "problem", "how to fix"]


def test_a_message_survives_pickling_with_its_template():
    import pickle

    m = Message("cites {source!r}.", source="ppp")
    copy_ = pickle.loads(pickle.dumps(Problem("f", None, None, m, "fix"))).message
    assert (str(copy_), copy_.template, copy_.params) == ("cites 'ppp'.", "cites {source!r}.", (("source", "ppp"),))

import re

from hypothesis import given
from hypothesis import strategies as st

from layers.text.markdown import md, md_table

PUNCTUATION = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@given(st.text())
def test_text_reads_back_as_written(text):
    assert unescape(md(text)) == " ".join(text.split())


@given(st.text())
def test_no_markup_character_is_left_bare(text):
    out = md(text)
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in PUNCTUATION
            i += 2
            continue
        assert out[i] not in PUNCTUATION, (text, out)
        i += 1


def test_markup_from_data_is_escaped():
    assert md("<img src=x onerror=alert(1)>") == r"\<img src\=x onerror\=alert\(1\)\>"
    assert md("$x$ *y* :red[z]") == r"\$x\$ \*y\* \:red\[z\]"


def test_table_cells_cannot_break_the_table():
    table = md_table(["Place", "km²"], [["A | B", 12], ["C", 3]], right=["km²"])
    lines = table.splitlines()
    assert lines[1] == "|---|---:|"
    assert all(len(re.findall(r"(?<!\\)\|", line)) == 3 for line in lines)
    assert r"A \| B" in lines[2]

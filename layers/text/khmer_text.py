"""Khmer script helpers that no library here provides: digits, and where a line may break.

Khmer writes no spaces between words (spaces separate phrases), so a renderer that breaks lines
only at spaces leaves long overflowing lines, and one that breaks anywhere splits a syllable (a
vowel sign or a subscript consonant lands alone at the start of the next line). Without a word
dictionary the safe compromise, as Khmer typesetting without hyphens does, is: break at spaces
first, and inside a phrase that is longer than the line, between orthographic syllables.
"""

from __future__ import annotations

from typing import Callable

KHMER_DIGITS = "០១២៣៤៥៦៧៨៩"
_TO_KHMER = str.maketrans("0123456789", KHMER_DIGITS)
_TO_LATIN = str.maketrans(KHMER_DIGITS, "0123456789")
COENG = "\u17d2"  # the sign that makes the next consonant a subscript: never break after it


def khmer_digits(text: str) -> str:
    """'1994' -> '១៩៩៤' (every ASCII digit; other characters unchanged)."""
    return text.translate(_TO_KHMER)


def latin_digits(text: str) -> str:
    """'១៩៩៤' -> '1994'."""
    return text.translate(_TO_LATIN)


def is_khmer(char: str) -> bool:
    return "\u1780" <= char <= "\u17ff" or "\u19e0" <= char <= "\u19ff"


def _starts_syllable(char: str) -> bool:
    # Consonants U+1780..U+17A2 and independent vowels U+17A3..U+17B3 begin a syllable; digits
    # U+17E0..U+17E9 are kept together as one number.
    return "\u1780" <= char <= "\u17b3"


def syllable_breaks(text: str) -> list[int]:
    """Indexes i (0 < i < len) where `text` may be broken into text[:i] + text[i:] inside a Khmer run
    without splitting a syllable: before a base consonant or independent vowel that does not follow
    a coeng, and after Khmer punctuation (។ ៕)."""
    out = []
    for i in range(1, len(text)):
        prev, char = text[i - 1], text[i]
        if char.isspace() or prev.isspace():
            continue
        if prev in "\u17d4\u17d5" or (_starts_syllable(char) and prev != COENG and is_khmer(prev)):
            out.append(i)
    return out


def wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of `text` no wider than `width` by `measure`, broken at spaces, and between Khmer
    syllables where a phrase alone is too wide. A line never starts with a space. An unbreakable
    piece wider than the line (a long Latin word) stays whole on its own line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if measure(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            # The word alone: split it between syllables as often as needed.
            while measure(word) > width:
                cut = max((i for i in syllable_breaks(word) if measure(word[:i]) <= width), default=None)
                if cut is None:
                    break
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines

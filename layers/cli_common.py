"""What every `python -m layers` command shares: the language of its messages, and problems on stderr.

Messages for people go to stderr in the chosen language (`--lang km`, or the environment variable
PAILIN_ATLAS_LANG=km; English by default). The JSON on stdout stays machine-stable: each problem keeps its
English `message` and `fix`, and adds `text`, the whole line in the chosen language.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterable

from .data.errors import Problem
from .text.i18n import LANGUAGES, normalise_lang
from .text.problems import problem_text
from .text.words import Words, words_for

LANG_ENV = "PAILIN_ATLAS_LANG"
LANG_HELP = (f"language of the messages on stderr (and of a file's text): {', '.join(LANGUAGES)} "
             f"(default: ${LANG_ENV}, else en)")


def add_lang_option(parser: argparse.ArgumentParser, help: str = LANG_HELP) -> None:
    parser.add_argument("--lang", default=None, choices=LANGUAGES, help=help)


def add_lang_options(sub: argparse._SubParsersAction) -> None:
    """`--lang` on every subcommand that does not define it yet."""
    for parser in dict.fromkeys(sub.choices.values()):
        try:
            add_lang_option(parser)
        except argparse.ArgumentError:
            pass  # the subcommand has its own --lang, with its own help


def chosen_lang(args: argparse.Namespace | None = None) -> str:
    """`--lang`, else $PAILIN_ATLAS_LANG, else English (an unknown value is English too)."""
    lang = getattr(args, "lang", None) if args is not None else None
    return normalise_lang(lang or os.environ.get(LANG_ENV))


def words_of(args: argparse.Namespace | None = None) -> Words:
    return words_for(chosen_lang(args))


def say(line: str) -> None:
    sys.stderr.write(line + "\n")


def report_problems(problems: Iterable[Problem], words: Words, prefix: str = "") -> None:
    for problem in problems:
        say(prefix + problem_text(problem, words))


def problem_dict(problem: Problem, words: Words) -> dict[str, Any]:
    """The problem for JSON: English `message` and `fix` as before, plus `text` in the chosen language."""
    return problem.to_dict() | {"text": problem_text(problem, words)}

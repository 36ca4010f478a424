"""Which datasets the app offers: the built-in one and those the operator names at start.

Visitors choose among these by name; they never type a path (a hosted copy must not read the server's
files). The operator names datasets in the environment, `PAILIN_ATLAS_DATASETS="name=/path;other=/path"`,
or after `--` on the command line: `streamlit run app.py -- --dataset name=/path`.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .catalog import BASE_LAYERS, BUILTIN_DIR, LAYERS

BUILTIN_NAME = "pailin"
ENV_VAR = "PAILIN_ATLAS_DATASETS"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")
DATASET_FILES = ("dataset.json", "factions.json", "sources.json", "story.json",
                 *(f"{layer}.geojson" for layer in LAYERS), *BASE_LAYERS.values())


class RegistryError(ValueError):
    """An operator's dataset list that cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class Registry:
    directories: Mapping[str, Path]

    @property
    def names(self) -> list[str]:
        return list(self.directories)

    def directory(self, name: str) -> Path | None:
        return self.directories.get(name)


def parse_specs(specs: Sequence[str]) -> dict[str, Path]:
    """`name=/path` entries (the environment variable's, split on ';', and the command line's)."""
    out: dict[str, Path] = {}
    for spec in specs:
        spec = spec.strip()
        if not spec:
            continue
        name, sep, path = spec.partition("=")
        name = name.strip().lower()
        if not sep or not name or not set(name) <= _NAME_CHARS or not path.strip():
            raise RegistryError(f"dataset entry {spec!r} is not name=/path (name: lowercase letters, digits, _ or -).")
        if name == BUILTIN_NAME or name in out:
            raise RegistryError(f"dataset name {name!r} is used twice (the built-in dataset is {BUILTIN_NAME!r}).")
        directory = Path(path.strip()).expanduser().resolve()
        if not directory.is_dir():
            raise RegistryError(f"dataset {name!r}: {directory} is not a directory.")
        out[name] = directory
    return out


def command_line_specs(argv: Sequence[str]) -> list[str]:
    """The `--dataset name=/path` values among the script's arguments."""
    specs, args = [], list(argv)
    for i, arg in enumerate(args):
        if arg == "--dataset" and i + 1 < len(args):
            specs.append(args[i + 1])
        elif arg.startswith("--dataset="):
            specs.append(arg.split("=", 1)[1])
    return specs


def operator_registry(environ: Mapping[str, str] = os.environ, argv: Sequence[str] = ()) -> Registry:
    """The built-in dataset first, then the operator's, in the order given."""
    specs = (environ.get(ENV_VAR) or "").split(";") + command_line_specs(argv)
    return Registry({BUILTIN_NAME: BUILTIN_DIR, **parse_specs(specs)})


def fingerprint(directory: Path) -> str:
    """Changes whenever a file the loader reads changes (name, size, modification time): cheap to compute
    on every run, so an edited dataset is reloaded."""
    parts = []
    for name in DATASET_FILES:
        try:
            stat = (directory / name).stat()
        except OSError:
            continue
        parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

"""The dataset catalogue's public names, kept importable from here.

The code lives in `model.py` (the types), `schema.py` (the field rules), `loader.py` (reading and
building a dataset) and `checks.py` (rules across features and files).
"""

from __future__ import annotations

from .loader import BUILTIN_DIR, Report, dump_json, load_dataset, validate_path
from .model import BASE_LAYERS, LAYERS, OPEN_END, Dataset
from .schema import LAYER_SPECS as SPECS

__all__ = ["BASE_LAYERS", "BUILTIN_DIR", "LAYERS", "OPEN_END", "SPECS", "Dataset", "Report", "dump_json",
           "load_dataset", "validate_path"]

"""Sidebar: a visitor brings their own dated layers (layers/imports/uploads.py does the work)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path
from typing import Any

import streamlit as st

from ..data.errors import Problem
from ..text.i18n import N_
from ..text.markdown import md
from ..text.problems import message_text, problem_text
from ..data.registry import Registry
from ..text.words import Words
from .state import DATASET_KEY, UPLOAD_KEY, UPLOAD_OVER, UPLOAD_ALONE, Upload, _load_private

UPLOAD_TYPES = ["csv", "tsv", "geojson", "json", "gpkg", "zip", "kml", "kmz", "gpx", "xlsx"]
FIELD_ROLES = (("date", "Date (or start)"), ("end", "End date"), ("name", "Name or title"),
               ("controller", "Held by / first actor"), ("place", "Place name (looked up offline)"))


def _mapping_form(detected: list[Any], words: Words) -> dict[str, Any] | None:
    """The mapping step: what each detected field means, with the importer's suggestions chosen."""
    from ..imports import LAYER_KINDS, Mapping

    with st.form("upload_mapping"):
        chosen: dict[str, Any] = {}
        for layer in detected:
            st.markdown(f"**{md(layer.key)}** · {md(layer.format)}, {layer.feature_count} " + words("rows or features"))
            for problem in layer.problems:
                st.caption(md(problem_text(problem, words)))
            if not layer.fields:
                continue
            names = [f.name for f in layer.fields]
            samples = {f.name: ", ".join(f.samples) for f in layer.fields}
            kinds = ["(from geometry and date)", *LAYER_KINDS]
            kind = st.selectbox(words("Layer kind"), kinds, key=f"map_kind_{layer.key}",
                                index=kinds.index(layer.suggested.kind) if layer.suggested.kind in kinds else 0)
            values: dict[str, Any] = {"kind": None if kind == kinds[0] else kind}
            for role, label in FIELD_ROLES:
                options = ["(none)", *names]
                suggested = getattr(layer.suggested, role)
                values[role] = st.selectbox(words(label), options, key=f"map_{role}_{layer.key}",
                                            index=options.index(suggested) if suggested in options else 0,
                                            format_func=lambda n: n if n == "(none)" else f"{n}  ({samples[n][:40]})")
                if values[role] == "(none)":
                    values[role] = ""
            chosen[layer.key] = Mapping(**values)
        if st.form_submit_button(words("Import")):
            return chosen
    return None


def upload_panel(registry: Registry, words: Words) -> None:
    """Sidebar: bring your own dated layers. Files go to a private working directory that is deleted
    as soon as they are imported; the result lives in this session only."""
    # A pill, not an expander: a collapsed expander still renders the uploader, and loading its scripts
    # delayed every page's first painted map (benchmarks/bench_first_paint.py). Open while layers are in.
    if UPLOAD_KEY in st.session_state:
        st.session_state["upload_open"] = ["open"]
    label = words("Your own layers")
    if not st.sidebar.pills(label, ["open"], selection_mode="multi", key="upload_open", format_func=lambda _: label,
                            label_visibility="collapsed"):
        return
    # Imported here, not at the top: the import tier costs a new server process about 0.2 s, which only
    # visitors who open the panel should wait for.
    from ..imports.uploads import UploadedFile, detect_uploads, import_uploads, is_dataset_zip, overlay, save

    with st.sidebar.container(border=True):
        files = st.file_uploader(words("CSV, GeoJSON, GeoPackage, zipped Shapefile, KML/KMZ, GPX, or a dataset zip"),
                                 type=UPLOAD_TYPES, accept_multiple_files=True, key="upload_files")
        if files:
            uploaded = [UploadedFile(f.name, f.getvalue()) for f in files]
            digest = hashlib.sha256(b"".join(u.name.encode() + b"\0" + u.data for u in uploaded)).hexdigest()[:16]
            done = st.session_state.get(UPLOAD_KEY)
            if done is None or done.version != digest:
                with tempfile.TemporaryDirectory(prefix="pailin-upload-") as tmp:
                    paths = save(uploaded, Path(tmp) / "in")
                    detected = detect_uploads(paths)
                    mappings = _mapping_form(detected, words) if detected else {}
                    if mappings is not None and (detected or any(is_dataset_zip(p) for p in paths)):
                        imported = import_uploads(paths, mappings, Path(tmp))
                        if imported.directory is None:
                            st.error(words("Nothing could be imported: see the problems below."))
                            _problem_table(imported.problems, words)
                            return
                        base = registry.directory(registry.names[0])
                        alone = _load_private(imported.directory)
                        over = _load_private(overlay(base, imported.directory, Path(tmp) / "over"))
                        st.session_state[UPLOAD_KEY] = Upload(digest, alone, over, imported.zip_bytes,
                                                              imported.counts, imported.problems, imported.note)
                        st.session_state[DATASET_KEY] = UPLOAD_OVER if over.dataset is not None else UPLOAD_ALONE
                        st.rerun()
        upload = st.session_state.get(UPLOAD_KEY)
        if upload is not None:
            counts = ", ".join(f"{n} {layer}" for layer, n in upload.counts.items())
            st.caption(md(words("Imported") + f": {counts}. {message_text(upload.note, words)}"))
            if upload.problems:
                st.caption(md(words("Skipped rows and warnings") + f": {len(upload.problems)}"))
                _problem_table(upload.problems, words)
            if upload.over.dataset is None:
                st.caption(md(words("Your layers cannot be laid over the built-in data") + ": "
                              + "; ".join(problem_text(p, words) for p in upload.over.problems[:3])))
            st.download_button(words("Download your layers (zip)"), upload.zip_bytes, file_name="my-layers.zip",
                               mime="application/zip", key="upload_zip")
            if st.button(words("Remove your layers"), key="upload_remove"):
                del st.session_state[UPLOAD_KEY]
                st.session_state[DATASET_KEY] = registry.names[0]
                st.rerun()


def _problem_table(problems: list[Problem], words: Words) -> None:
    """Each problem on its own line, naming file, row or feature, field, what is wrong and what to do."""
    shown = problems[:50]
    more = words(N_("… {count} more")).format(count=words.number(len(problems) - len(shown)))
    st.markdown("\n".join(f"- {md(problem_text(p, words))}" for p in shown)
                + (f"\n- {md(more)}" if len(problems) > len(shown) else ""))

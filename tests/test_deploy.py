"""The hosted configuration: .streamlit/config.toml as Streamlit reads it, and the Dockerfile's commands run
here (no Docker daemon): the image's files, its CMD serving the app, its HEALTHCHECK passing."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser.conftest import free_port, wait_http_ok  # noqa: E402


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def instruction(name: str) -> list[str]:
    return [args for op, args in dockerfile() if op == name]


def effective_config() -> dict[str, str]:
    """`streamlit config show` from the repository root: the options as Streamlit itself reads them."""
    out = subprocess.run([sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    options, section = {}, ""
    for line in out.splitlines():
        if m := re.fullmatch(r"\[(\w+)\]", line.strip()):
            section = m.group(1)
        elif m := re.fullmatch(r"(\w+) = (.+)", line.strip()):  # set options are printed uncommented
            options[f"{section}.{m.group(1)}"] = m.group(2)
    return options


def test_the_hosted_configuration_is_in_force():
    options = effective_config()
    assert options["client.showErrorDetails"] == '"none"'  # no traceback reaches a browser
    assert options["client.toolbarMode"] == '"viewer"'  # no Deploy, rerun or clear-cache menu
    assert options["server.maxUploadSize"] == "20"
    assert options["server.enableXsrfProtection"] == "true" and options["server.enableCORS"] == "true"
    assert options["server.enableStaticServing"] == "true"


def test_the_image_is_slim_python_run_by_a_user_that_is_not_root():
    ops = [op for op, _ in dockerfile()]
    assert instruction("FROM") == ["python:3.11-slim"]
    user = instruction("USER")
    assert user and user[-1] not in ("root", "0") and ops.index("USER") < ops.index("CMD")
    assert instruction("EXPOSE") == ["8501"]
    assert any(re.fullmatch(r"pip install (--no-cache-dir )?-r requirements\.txt", run) for run in instruction("RUN"))


def _image_files() -> list[Path]:
    """The build context after .dockerignore (its patterns as Docker reads them: last match wins, ! keeps)."""
    rules = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    kept = []
    for path in ROOT.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(ROOT).as_posix()
        ignored = False
        for rule in rules:
            keep, pattern = rule.startswith("!"), rule.lstrip("!").removeprefix("**/")
            parts = rel.split("/")
            hit = any(fnmatch.fnmatch("/".join(parts[:k]), pattern) for k in range(1, len(parts) + 1)) or \
                any(fnmatch.fnmatch(part, pattern) for part in parts) and rule.lstrip("!").startswith("**/")
            if hit:
                ignored = not keep
        if not ignored:
            kept.append(path)
    return kept


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory) -> Path:
    """The files the image gets (COPY . . after .dockerignore), in a directory of their own."""
    tree = tmp_path_factory.mktemp("image") / "app"
    for path in _image_files():
        target = tree / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return tree


def test_the_image_holds_the_app_and_not_the_tests_or_the_repository(image_tree):
    names = {p.relative_to(image_tree).as_posix() for p in image_tree.rglob("*") if p.is_file()}
    for needed in ("app.py", "requirements.txt", ".streamlit/config.toml", "layers/exports/export.py", "geodata/dataset.json"):
        assert needed in names
    assert any(n.startswith("pages/") for n in names)
    assert not any(n == ".git" or n.startswith(("tests/", "node_modules/", ".git/", "benchmarks/")) for n in names)


def test_the_cmd_serves_the_app_and_the_healthcheck_passes(image_tree, tmp_path):
    cmd = json.loads(instruction("CMD")[-1])
    assert cmd[:3] == ["streamlit", "run", "app.py"] and "--server.port=8501" in cmd
    port = free_port()
    # The container's 0.0.0.0:8501 becomes 127.0.0.1 and a free port here; the rest is the CMD as written.
    args = [a.replace("--server.port=8501", f"--server.port={port}").replace("0.0.0.0", "127.0.0.1") for a in cmd]
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", *args], cwd=image_tree, env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
        try:
            assert wait_http_ok(f"http://127.0.0.1:{port}/_stcore/health", 60, server), \
                (tmp_path / "server.log").read_text(errors="replace")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
                assert page.status == 200 and b"<html" in page.read().lower()
            check = json.loads(re.sub(r"^.*?CMD\s+", "", instruction("HEALTHCHECK")[-1]))
            assert check[0] == "python"
            check = [sys.executable] + [a.replace("8501", str(port)) for a in check[1:]]
            assert subprocess.run(check, timeout=30, env=env).returncode == 0
        finally:
            server.terminate()
            server.wait(15)
    # Once the server is gone the health check fails: it does check something.
    assert subprocess.run(check, timeout=30, env=env, capture_output=True).returncode != 0


def test_the_app_runs_from_the_image_files(image_tree):
    """The map page's script, run from the image's files alone (nothing from tests/ or node_modules/)."""
    # The panel follows once the map has painted: the script sends what the browser's bridge sends.
    script = ("import json\n"
              "from streamlit.proto.WidgetStates_pb2 import WidgetState\n"
              "from streamlit.testing.v1 import AppTest\n"
              "at = AppTest.from_file('app.py', default_timeout=120).run()\n"
              "assert not at.exception, at.exception\n"
              "assert any('AtlasTime.attach' in str(getattr(e, 'proto', '')) for e in at.main), 'no map'\n"
              "bridge = next(e for e in at.main if getattr(e, 'type', '') == 'bidi_component')\n"
              "states = at._tree.get_widget_states()\n"
              "states.widgets.append(WidgetState(id=bridge.proto.id, json_value=json.dumps({'painted': True})))\n"
              "at._run(states)\n"
              "assert at.subheader[0].value.startswith('Situation on'), 'no situation panel'\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=image_tree, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(image_tree)})
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_server_prepares_every_dataset_before_its_first_visitor(tmp_path):
    """`streamlit run app.py` loads the operator's datasets and publishes their map data in each language
    before it reports healthy (app.py's start-up): the first visitor waits no longer than the next."""
    from conftest import tiny_layers, write_layers
    from layers.data.catalog import load_dataset
    from layers.engine.timeline import Timeline
    from layers.render.time_store import build_time_store
    from layers.text.i18n import LANGUAGES
    from layers.text.words import words_for
    from layers.ui.map import GENERATED_DIR

    layers = tiny_layers()
    layers["dataset.json"]["title"] = f"Prepared at start-up {uuid.uuid4()}"  # map data no run has published
    directory = write_layers(tmp_path / "tiny", layers)
    timeline = Timeline(load_dataset(directory))
    stores = [GENERATED_DIR / f"atlas-store-{build_time_store(timeline, words_for(lang)).digest}.json"
              for lang in LANGUAGES]
    assert not any(store.exists() for store in stores)
    port = free_port()
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true",
                                   f"--server.port={port}", "--server.fileWatcherType=none"], cwd=ROOT, stdout=log,
                                  stderr=subprocess.STDOUT, env={**os.environ, "PAILIN_ATLAS_DATASETS": f"tiny={directory}"})
        try:
            assert wait_http_ok(f"http://127.0.0.1:{port}/_stcore/health", 60, server), \
                (tmp_path / "server.log").read_text(errors="replace")
            # Healthy, and no visitor yet: the map data is there already.
            assert all(store.is_file() for store in stores), (tmp_path / "server.log").read_text(errors="replace")
        finally:
            server.terminate()
            server.wait(15)
            for store in stores:
                store.unlink(missing_ok=True)


def test_a_failure_while_preparing_is_logged_and_the_server_starts_all_the_same(monkeypatch, capsys):
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from layers.ui import prepare

    def broken() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(prepare, "prepare_server", broken)

    async def start() -> str:
        async with prepare.prepared(None):
            return "serving"

    # A thread of its own: the browser tests' Playwright may hold an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, start()).result() == "serving"
    assert "could not prepare the datasets at start-up: OSError('disk full')" in capsys.readouterr().err

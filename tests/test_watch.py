"""Watch mode: real file changes in a temp folder, bounded waits, never a hang.

The watcher runs in a thread (in process, with a stop event) or as a
subprocess (the command line, stopped with SIGINT); every wait has a
deadline, and the teardown stops the watcher whatever happened.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docx import Document as DocxDocument

pytest.importorskip("watchfiles")

from pipeline.build.plan import make_plan  # noqa: E402
from pipeline.build.watch import Rebuild, Targets, targets_for, watch  # noqa: E402
from pipeline.config.model import load_config  # noqa: E402
from tests.clock import EPOCH

ROOT = Path(__file__).resolve().parent.parent
WAIT = 30.0  # seconds: generous for a loaded 2-core CI machine, still bounded

ARTICLE = """Council approves the housing plan after a long debate

The city council approved the housing plan on Tuesday after a long debate about rents and transport.
The mayor said the plan would be reviewed in the spring, and the opposition asked for more money for schools.

Conclusion
The vote closes a year of work on the plan.
"""

CONFIG = "language: en\nformats: [docx, json]\norganisation: Test desk\n"


class Lines(io.StringIO):
    """A stream the watcher thread writes and the test polls."""

    def wait_for(self, predicate: Callable[[list[str]], bool], what: str) -> list[str]:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            lines = self.getvalue().splitlines()
            if predicate(lines):
                return lines
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; got:\n{self.getvalue()}")


def _count(prefix: str, needle: str = "") -> Callable[[list[str]], int]:
    return lambda lines: sum(1 for line in lines if line.startswith(prefix) and needle in line)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "housing.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "config.yaml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


@pytest.fixture
def running(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Lines, Lines]]:
    """The watcher in a thread over `project`; stopped and joined at teardown."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config_file = project / "config.yaml"
    source = str(project / "articles" / "housing.txt")

    def prepare() -> Rebuild:
        config = load_config(config_file)
        return Rebuild(make_plan(config), [source], project / "dist")

    out, err = Lines(), Lines()
    stop = threading.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            watch(prepare, [source], config_file, out, err, stop_event=stop, debounce_ms=100)
        except BaseException as exc:  # surfaced in the main thread below
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        out.wait_for(_count("watching"), "the watcher to start")
        yield out, err
    finally:
        stop.set()
        thread.join(timeout=WAIT)
    assert not thread.is_alive(), "the watcher did not stop"
    assert not failures, failures


def _brief_json(dist: Path) -> dict[str, object]:
    path = next(p for p in dist.glob("*.json") if p.name != "manifest.json")
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _docx_text(path: Path) -> str:
    return "\n".join(p.text for p in DocxDocument(str(path)).paragraphs)


def test_save_rebuilds_the_brief_and_a_broken_save_keeps_watching(
    project: Path, running: tuple[Lines, Lines]
) -> None:
    out, err = running
    dist = project / "dist"
    first = out.getvalue().splitlines()
    assert sum(1 for line in first if line.startswith("rebuilt ")) == 1
    assert first[0].endswith(" s") and " in " in first[0]
    docx = next(dist.glob("*.docx"))
    brief = _brief_json(dist)
    assert "spring" in _docx_text(docx)

    # A real save: the new sentence reaches the DOCX and the JSON brief.
    article = project / "articles" / "housing.txt"
    article.write_text(
        ARTICLE.replace("about rents and", "about rents, heating and"), encoding="utf-8"
    )
    out.wait_for(lambda lines: _count("rebuilt ")(lines) >= 2, "the rebuild after a save")
    assert "rents, heating and" in _docx_text(docx)
    rebuilt = _brief_json(dist)
    assert rebuilt != brief
    assert "rents, heating and" in json.dumps(rebuilt, ensure_ascii=False)

    # A broken save (empty article): one error line naming the file, the last
    # good output stays, and the watcher goes on.
    article.write_text("", encoding="utf-8")
    err.wait_for(_count("error:", "housing.txt"), "the error line of a broken save")
    line = next(line for line in err.getvalue().splitlines() if line.startswith("error:"))
    assert "empty" in line and line.endswith("(still watching)")
    assert "Traceback" not in err.getvalue()
    assert "rents, heating and" in _docx_text(docx)

    article.write_text(ARTICLE.replace("Tuesday", "Friday"), encoding="utf-8")
    out.wait_for(lambda lines: _count("rebuilt ")(lines) >= 3, "the rebuild after the fix")
    assert "Friday" in _docx_text(docx)


def test_config_change_rebuilds_and_a_broken_config_keeps_watching(
    project: Path, running: tuple[Lines, Lines]
) -> None:
    out, err = running
    config = project / "config.yaml"
    dist = project / "dist"
    assert not list(dist.glob("*.pdf"))

    config.write_text("language: en\nformats: [docx, json\n", encoding="utf-8")
    err.wait_for(_count("error:", "config.yaml"), "the error line of a broken config")
    assert err.getvalue().splitlines()[0].endswith("(still watching)")
    assert "Traceback" not in err.getvalue()

    # Same article, new config: the brief is rebuilt (the config hash changed).
    config.write_text(CONFIG.replace("Test desk", "Night desk"), encoding="utf-8")
    out.wait_for(lambda lines: _count("rebuilt ")(lines) >= 2, "the rebuild after a config save")
    brief = _brief_json(dist)
    assert "Night desk" in json.dumps(brief, ensure_ascii=False)


def test_targets_cover_source_config_and_theme(project: Path) -> None:
    config_file = project / "config.yaml"
    config = load_config(config_file)
    source = str(project / "articles" / "housing.txt")
    plan = Rebuild(make_plan(config, ("docx",)), [source], project / "dist")
    targets: Targets = targets_for([source], config_file, plan)
    assert (project / "articles").resolve() in targets.roots
    assert targets.relevant((project / "articles" / "housing.txt").resolve())
    assert targets.relevant(config_file.resolve())
    assert not targets.relevant((project / "dist" / "x.txt").resolve())
    assert not targets.relevant((project / "articles" / ".housing.txt.swp").resolve())
    theme = next(iter(targets.folders))
    assert (theme / "brief.html.j2").is_file()
    assert targets.relevant(theme / "style.css.j2")
    # Without a readable config, the folders still come from the command line.
    bare = targets_for([source], config_file, None)
    assert (project / "articles").resolve() in bare.roots
    assert project.resolve() in bare.roots


def test_cli_watch_subprocess_rebuilds_on_save_and_stops_on_sigint(project: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "watch", "articles/housing.txt", "-o", "dist"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(proc.stderr.readline, "")) if proc.stderr else None,
        daemon=True,
    )
    reader.start()

    def wait(predicate: Callable[[list[str]], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if predicate(list(lines)):
                return
            if proc.poll() is not None:
                raise AssertionError(f"watch exited early: {lines}")
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; got {lines}")

    try:
        wait(_count("watching"), "the watcher to start")
        assert _count("rebuilt ")(lines) == 1
        (project / "articles" / "housing.txt").write_text(
            ARTICLE.replace("schools", "libraries"), encoding="utf-8"
        )
        wait(lambda seen: _count("rebuilt ")(seen) >= 2, "the rebuild after a save")
        docx = next((project / "dist").glob("*.docx"))
        assert "libraries" in _docx_text(docx)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=WAIT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=WAIT)
        reader.join(timeout=5)


def test_ctrl_c_during_a_rebuild_stops_cleanly(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C that lands while a build runs (not while watchfiles waits) stops
    the watch with exit code 0, as Ctrl-C between saves does."""
    from pipeline.build import watch as watch_module

    def interrupted(self: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(watch_module.Watcher, "rebuild", interrupted)
    out, err = Lines(), Lines()
    config_file = project / "config.yaml"
    source = str(project / "articles" / "housing.txt")

    def prepare() -> Rebuild:
        config = load_config(config_file)
        return Rebuild(make_plan(config, ("docx",)), [source], project / "dist")

    try:
        code = watch(prepare, [source], config_file, out, err)
    except KeyboardInterrupt:  # would stop the whole test session
        pytest.fail("Ctrl-C during a rebuild escaped from watch()")
    assert code == 0
    assert "stopped during a rebuild" in out.getvalue()
    assert err.getvalue() == ""

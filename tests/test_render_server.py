"""The render server (render_server.py): a worker forked at launch that
imports WeasyPrint while the build reads the article, then typesets each PDF
in a fresh fork of itself. Its failure cases are shared with the forked
render in tests/hostile/test_hostile_isolation.py; here: what is particular
to a long-lived server, and that builds through it give the same bytes while
the build process itself never imports WeasyPrint."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from docx import Document as open_docx

from pipeline.build.batch import BatchOptions, run_batch
from pipeline.build.plan import make_plan
from pipeline.build.render_server import RenderServer, RenderService
from pipeline.build.source import build_one
from pipeline.config.model import load_config
from pipeline.errors import RenderError
from tests.clock import EPOCH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"

_STATE: list[str] = []


def remember(value: str) -> None:
    _STATE.append(value)


def report() -> tuple[int, list[str]]:
    return os.getpid(), list(_STATE)


def echo(value: object) -> object:
    return value


def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "awake"


def fail_to_prepare() -> None:
    raise ValueError("no fonts here")


class Unpicklable:
    """Pickles in the build, fails to unpickle in the server."""

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_refuse, ())


def _refuse() -> None:
    raise RuntimeError("cannot be rebuilt")


def test_the_first_job_runs_in_the_server_and_later_ones_in_fresh_forks() -> None:
    with RenderServer(partial(remember, "preloaded")) as server:
        jobs = [
            server.submit(partial(remember, f"job {n}"), report, timeout=20, memory_mb=0).result()
            for n in (1, 2, 3)
        ]
        server_pid = server._pid
    (first_pid, first), (second_pid, second), (third_pid, third) = jobs
    assert first_pid == server_pid
    assert len({server_pid, second_pid, third_pid, os.getpid()}) == 4
    assert first == ["preloaded", "job 1"]
    assert second == ["preloaded", "job 1", "job 2"]  # prepared in the server, seen by the fork
    assert third == ["preloaded", "job 1", "job 2", "job 3"]
    assert _STATE == []  # nothing ran in this process


def test_call_runs_a_function_by_name() -> None:
    with RenderServer(lambda: None) as server:
        assert (
            server.submit(None, partial(os.path.join, "a", "b"), timeout=20, memory_mb=0).result()
            == "a/b"
        )


def test_a_timeout_stops_the_server_and_later_renders_say_so() -> None:
    server = RenderServer(lambda: None)
    with pytest.raises(RenderError, match="longer than 0.3 s"):
        server.submit(None, partial(nap, 30), timeout=0.3, memory_mb=0).result()
    assert not server.alive
    with pytest.raises(RenderError, match="not running"):
        server.submit(None, partial(echo, 1), timeout=5, memory_mb=0).result()
    server.close()  # closing twice is harmless


def test_an_abandoned_job_does_not_answer_the_next_one() -> None:
    with RenderServer(lambda: None) as server:
        pending = server.submit(None, partial(nap, 0.2), timeout=20, memory_mb=0)
        with pytest.raises(RuntimeError, match="collect the previous job"):
            server.submit(None, partial(echo, "too early"), timeout=20, memory_mb=0)
        pending.abandon()
        assert (
            server.submit(None, partial(echo, "mine"), timeout=20, memory_mb=0).result() == "mine"
        )


@pytest.mark.parametrize(
    "prepare",
    [fail_to_prepare, partial(echo, Unpicklable())],
    ids=["prepare-raises", "job-cannot-unpickle"],
)
def test_a_broken_job_fails_alone(prepare) -> None:  # type: ignore[no-untyped-def]
    with RenderServer(lambda: None) as server:
        with pytest.raises(RenderError, match="no fonts here|cannot be rebuilt"):
            server.submit(prepare, partial(echo, 1), timeout=20, memory_mb=0).result()
        assert server.submit(None, partial(echo, 2), timeout=20, memory_mb=0).result() == 2


def test_a_fork_of_the_build_does_not_use_its_server() -> None:
    with RenderServer(lambda: None) as server:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - reports through the pipe
            os.write(write_fd, b"1" if server.alive else b"0")
            os._exit(0)
        os.close(write_fd)
        answer = os.read(read_fd, 1)
        os.close(read_fd)
        os.waitpid(pid, 0)
        assert answer == b"0"
        assert server.alive


@pytest.fixture(scope="module")
def setting(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield load_config(ROOT / "config.yaml")


def test_a_build_through_the_server_gives_the_same_bytes(setting) -> None:  # type: ignore[no-untyped-def]
    formats = ("pdf", "docx", "json")
    plan = make_plan(setting, formats)
    alone = build_one(str(EXAMPLE), plan)
    with RenderService() as renderers:
        server = renderers.for_build(formats)
        assert server is not None
        served = build_one(str(EXAMPLE), plan, server=server)
        assert server.alive
    assert alone.error is None and served.error is None
    assert [a.format for a in served.artifacts] == list(formats)
    assert [a.data for a in served.artifacts] == [a.data for a in alone.artifacts]
    assert served.artifacts[0].pages == alone.artifacts[0].pages


def test_a_dead_server_falls_back_to_forking_from_the_build(setting) -> None:  # type: ignore[no-untyped-def]
    server = RenderServer(lambda: None)
    server.close()
    result = build_one(str(EXAMPLE), make_plan(setting, ("pdf",)), server=server)
    assert result.error is None
    assert result.artifacts[0].data.startswith(b"%PDF-")


def test_a_pooled_batch_stops_the_server(setting, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sources = []
    for index in range(2):
        source = tmp_path / f"a{index}.txt"
        source.write_text(f"Titre {index}\n\nUn paragraphe de texte numéro {index}.\n", "utf-8")
        sources.append(str(source))
    with RenderService() as renderers:
        server = renderers.for_build(("pdf",))
        assert server is not None and server.alive
        plan = make_plan(setting, ("pdf",))
        report = run_batch(plan, sources, tmp_path / "out", BatchOptions(jobs=2), None, renderers)
        assert not server.alive  # the pool renders; an idle server would hold a core
        assert renderers.for_build(("pdf",)) is None
    assert not report.failed
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2


def test_a_docx_build_renders_in_a_server_with_the_same_bytes(setting) -> None:  # type: ignore[no-untyped-def]
    plan = make_plan(setting, ("docx", "json"))
    alone = build_one(str(EXAMPLE), plan)
    with RenderService(("docx", "json")) as renderers:
        assert renderers.for_build(("pdf",)) is None  # started for a build without a PDF only
        server = renderers.for_build(plan.formats)
        assert server is not None and server.alive
        served = build_one(str(EXAMPLE), plan, server=server)
    assert not server.alive
    assert alone.error is None and served.error is None
    assert [a.data for a in served.artifacts] == [a.data for a in alone.artifacts]


def test_a_docx_build_never_imports_python_docx_in_the_build_process(tmp_path: Path) -> None:
    code = (
        "import io, json, sys\n"
        "from pipeline.cli import main\n"
        f"rc = main(['build', {str(EXAMPLE)!r}, '-f', 'docx', '-o', {str(tmp_path)!r}],"
        " io.StringIO(), io.StringIO())\n"
        "print(json.dumps([rc, 'docx' in sys.modules]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, False]
    (docx,) = tmp_path.glob("*.docx")
    assert open_docx(str(docx)).paragraphs[0].text  # the server's DOCX, read back


def test_a_pdf_build_never_imports_weasyprint_in_the_build_process(tmp_path: Path) -> None:
    code = (
        "import io, json, sys\n"
        "from pipeline.cli import main\n"
        f"rc = main(['build', {str(EXAMPLE)!r}, '-f', 'pdf,docx', '-o', {str(tmp_path)!r}],"
        " io.StringIO(), io.StringIO())\n"
        "print(json.dumps([rc, 'weasyprint' in sys.modules, 'fontTools' in sys.modules]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == [0, False, False]
    (pdf,) = tmp_path.glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert list(tmp_path.glob("*.docx"))


def test_the_cli_reports_a_render_timeout_through_the_server(tmp_path: Path) -> None:
    from pipeline.cli import main

    config = tmp_path / "config.yaml"
    config.write_text("limits:\n  render_timeout: 0.001\n", encoding="utf-8")
    err = io.StringIO()
    rc = main(
        ["build", str(EXAMPLE), "-c", str(config), "-f", "pdf", "-o", str(tmp_path / "out")],
        io.StringIO(),
        err,
    )
    assert rc == 1
    assert "longer than 0.001 s" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.pdf"))


def test_a_failed_build_leaves_no_server_behind(tmp_path: Path) -> None:
    from pipeline.cli import main

    config = tmp_path / "config.yaml"
    config.write_text("layout:\n  margins: {top: -3}\n", encoding="utf-8")
    err = io.StringIO()
    rc = main(
        ["build", str(EXAMPLE), "-c", str(config), "-o", str(tmp_path / "out")], io.StringIO(), err
    )
    assert rc == 2, err.getvalue()
    with pytest.raises(ChildProcessError):  # the server was stopped and reaped
        os.waitpid(-1, os.WNOHANG)


def size_of(data: bytes) -> int:
    return len(data)


def test_a_job_larger_than_the_pipe_reaches_the_server() -> None:
    """A brief with large theme files (fonts, logo) makes a job of several MB:
    sending it waits for the server to read, within the job's deadline."""
    payload = os.urandom(3_000_000)
    with RenderServer(partial(nap, 0.3)) as server:  # still "importing" when the job comes
        assert server.submit(
            None, partial(size_of, payload), timeout=30, memory_mb=0
        ).result() == len(payload)

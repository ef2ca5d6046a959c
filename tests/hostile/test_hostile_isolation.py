"""The render worker: a pathological render fails alone with a RenderError
(timeout, memory cap, crash, a BaseException such as WeasyPrint's
FatalURLFetchingError) and the calling process carries on.

Every case runs each way a build renders: a child forked from the build
(isolation.run_isolated), and a job of a render server started earlier
(render_server.RenderServer), which runs its first job itself and forks a
child for each later one."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import pytest

from pipeline.build.isolation import run_isolated as fork_from_here
from pipeline.build.render_server import RenderServer
from pipeline.errors import RenderError, SourceError

Runner = Callable[..., Any]


@pytest.fixture(params=["forked", "server-first-job", "server-later-job"])
def run_isolated(request: pytest.FixtureRequest) -> Iterator[Runner]:
    """run_isolated's signature, through each way of rendering."""
    if request.param == "forked":
        yield fork_from_here
        return
    with RenderServer(lambda: None) as server:
        if request.param == "server-later-job":
            assert server.submit(None, partial(add, 1, 1), timeout=10, memory_mb=0).result() == 2

        def through_server(function: Callable[..., Any], *args: Any, **limits: Any) -> Any:
            return server.submit(None, partial(function, *args), **limits).result()

        yield through_server


def add(a: int, b: int) -> int:
    return a + b


def sleep_forever() -> None:
    time.sleep(60)


def allocate() -> int:
    return len(bytearray(4_000_000_000))


def fatal_fetch() -> None:
    from weasyprint.urls import FatalURLFetchingError

    raise FatalURLFetchingError("stop")


def crash() -> None:
    import faulthandler

    faulthandler.disable()  # pytest's dump would only add noise to the test output
    os.kill(os.getpid(), signal.SIGSEGV)


def exit_quietly() -> None:
    os._exit(3)


def pipeline_error() -> None:
    raise SourceError("bad article", file="a.txt", line=4, hint="fix it")


def big_result() -> bytes:
    return b"x" * 20_000_000  # more than a pipe buffer: the parent must keep reading


def test_result_comes_back(run_isolated: Runner) -> None:
    assert run_isolated(add, 2, 3, timeout=10, memory_mb=1024) == 5


def test_large_result_does_not_deadlock(run_isolated: Runner) -> None:
    assert len(run_isolated(big_result, timeout=20, memory_mb=0)) == 20_000_000


def test_timeout_stops_the_worker(run_isolated: Runner) -> None:
    start = time.monotonic()
    with pytest.raises(RenderError, match="longer than 0.5 s"):
        run_isolated(sleep_forever, timeout=0.5, memory_mb=0)
    assert time.monotonic() - start < 5


def test_memory_cap(run_isolated: Runner) -> None:
    with pytest.raises(RenderError, match="ran out of memory"):
        run_isolated(allocate, timeout=20, memory_mb=1024)


def test_base_exception_is_contained(run_isolated: Runner) -> None:
    with pytest.raises(RenderError, match="FatalURLFetchingError"):
        run_isolated(fatal_fetch, timeout=10, memory_mb=0)


def test_crash_is_contained(run_isolated: Runner) -> None:
    with pytest.raises(RenderError, match="crashed .SIGSEGV"):
        run_isolated(crash, timeout=10, memory_mb=0)


def test_silent_exit_is_contained(run_isolated: Runner) -> None:
    with pytest.raises(RenderError, match="without a result"):
        run_isolated(exit_quietly, timeout=10, memory_mb=0)


def test_pipeline_errors_keep_their_details(run_isolated: Runner) -> None:
    with pytest.raises(SourceError) as caught:
        run_isolated(pipeline_error, timeout=10, memory_mb=0)
    assert (caught.value.file, caught.value.line, caught.value.hint) == ("a.txt", 4, "fix it")


def test_no_zombie_left(run_isolated: Runner) -> None:
    with pytest.raises(RenderError):
        run_isolated(sleep_forever, timeout=0.2, memory_mb=0)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)

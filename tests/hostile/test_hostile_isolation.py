"""The render worker: a pathological render fails alone with a RenderError
(timeout, memory cap, crash, a BaseException such as WeasyPrint's
FatalURLFetchingError) and the calling process carries on."""

from __future__ import annotations

import os
import signal
import time

import pytest

from pipeline.errors import RenderError, SourceError
from pipeline.isolation import run_isolated


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


def test_result_comes_back() -> None:
    assert run_isolated(add, 2, 3, timeout=10, memory_mb=1024) == 5


def test_large_result_does_not_deadlock() -> None:
    assert len(run_isolated(big_result, timeout=20, memory_mb=0)) == 20_000_000


def test_timeout_stops_the_worker() -> None:
    start = time.monotonic()
    with pytest.raises(RenderError, match="longer than 0.5 s"):
        run_isolated(sleep_forever, timeout=0.5, memory_mb=0)
    assert time.monotonic() - start < 5


def test_memory_cap() -> None:
    with pytest.raises(RenderError, match="ran out of memory"):
        run_isolated(allocate, timeout=20, memory_mb=1024)


def test_base_exception_is_contained() -> None:
    with pytest.raises(RenderError, match="FatalURLFetchingError"):
        run_isolated(fatal_fetch, timeout=10, memory_mb=0)


def test_crash_is_contained() -> None:
    with pytest.raises(RenderError, match="crashed .SIGSEGV"):
        run_isolated(crash, timeout=10, memory_mb=0)


def test_silent_exit_is_contained() -> None:
    with pytest.raises(RenderError, match="without a result"):
        run_isolated(exit_quietly, timeout=10, memory_mb=0)


def test_pipeline_errors_keep_their_details() -> None:
    with pytest.raises(SourceError) as caught:
        run_isolated(pipeline_error, timeout=10, memory_mb=0)
    assert (caught.value.file, caught.value.line, caught.value.hint) == ("a.txt", 4, "fix it")


def test_no_zombie_left() -> None:
    with pytest.raises(RenderError):
        run_isolated(sleep_forever, timeout=0.2, memory_mb=0)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)

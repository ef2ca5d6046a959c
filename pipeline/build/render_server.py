"""Render jobs -> results, in a worker forked at launch that imports the renderers early.

A cold `pipeline build` spends ~0.7 s importing WeasyPrint and ~0.5 s loading
the config and turning the article into a Brief; neither needs the other.
`RenderServer` forks as the command starts, and the fork imports the
renderers (`preload`) on another core while this process reads and
structures the article. It then takes render jobs over a pipe and runs each
the way `isolation.run_isolated` does, under the memory cap while this
process keeps the wall-clock timeout: the first job in the server itself
(as fresh as a fork of it, without the fork's cost), every later one in a
fresh fork of the now warm server. A job's crash or memory never reaches
the build: a crash of the first job, or any timeout, stops the server
(a render child dies with it) and later jobs fall back to `run_isolated`.

A job is two picklable calls (module functions with their arguments bound
by `functools.partial`, so pickle sends their names): `prepare()` runs in
the server itself, outside the memory cap, and builds the state every later
fork inherits (font configuration, compiled stylesheet); then `function()`
runs as said above, under the cap. For PDFs they are the calls of
render/server_jobs.py, whose module this process imports without WeasyPrint.

`RenderService` is the server's one owner: it starts it, hands it to the
build that can use it, and stops it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import struct
import time
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Generic, Self, TypeVar

from pipeline.build.isolation import (
    Late,
    decode_result,
    die_with_parent,
    outcome_of,
    read_to_end,
    run_child,
    timed_out,
    wait_ready,
)
from pipeline.errors import RenderError
from pipeline.render.server_jobs import warm_up_renderers, warm_up_typesetter

log = logging.getLogger(__name__)

T = TypeVar("T")

_LENGTH = struct.Struct("!Q")  # a job: its length, then its pickle
_REPLY = struct.Struct("!iQ")  # a reply: the fork's wait status, then what it wrote
_PIPE_SIZE = 1 << 20  # Linux's default /proc/sys/fs/pipe-max-size


class _Gone(Exception):
    """The server closed its end: it died or was killed."""


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, missing = [], size
    while missing:
        wait_ready(fd, deadline)
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise _Gone
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes, deadline: float | None) -> None:
    view = memoryview(data)
    while view:
        wait_ready(fd, deadline, write=True)
        try:
            view = view[os.write(fd, view[: 1 << 16]) :]
        except BrokenPipeError:
            raise _Gone from None


def _serve_one(
    job: bytes, server: int, inherited: tuple[int, ...], in_process: bool
) -> tuple[int, bytes]:
    """One job in the server: prepare here, run here (`in_process`) or in a
    fork; (wait status, what the run wrote)."""
    try:
        prepare, function, memory_mb = pickle.loads(job)
        if prepare is not None:
            prepare()
    except BaseException as exc:  # the job itself is broken: report it as its result
        function, memory_mb = _Raise(exc), 0
    if in_process:
        return 0, outcome_of(function, (), memory_mb)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the render child, reported through the pipe
        os.close(read_fd)
        for fd in inherited:
            os.close(fd)
        run_child(write_fd, memory_mb, function, (), server)
    os.close(write_fd)
    try:
        data = read_to_end(read_fd)
    finally:
        os.close(read_fd)
    _, status = os.waitpid(pid, 0)
    return status, data


class _Raise:
    """Stands in for a job that could not be set up: running it raises its error,
    so it comes back as that job's result like any other failure."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __call__(self) -> None:
        raise self.error


def _serve(jobs: int, results: int, preload: Callable[[], None], parent: int) -> None:
    """The server's life; never returns."""
    status = 0
    try:
        die_with_parent(parent)
        try:
            preload()
        except Exception:  # each job meets the same problem and reports it
            log.debug("render server: preload failed", exc_info=True)
        me = os.getpid()
        served = 0
        while True:
            try:
                (size,) = _LENGTH.unpack(_read_exact(jobs, _LENGTH.size, None))
                job = _read_exact(jobs, size, None)
            except _Gone:
                break  # the build closed the pipe: done
            # The first job runs here: this process is as fresh as a fork of
            # it would be, and skipping the fork saves its copy-on-write
            # faults (~0.05 s); its caches then warm every later fork.
            wait_status, data = _serve_one(job, me, (jobs, results), in_process=served == 0)
            served += 1
            _write_all(results, _REPLY.pack(wait_status, len(data)) + data, None)
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # no atexit handlers or buffers inherited from the build


class _Closing:
    """`with` stops it: `close()` on the way out, whatever happened."""

    def close(self) -> object:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class RenderServer(_Closing):
    """A render worker forked now, used later; see the module docstring.

    Use it as a context manager in the process that started it; forks of
    that process (pool workers) see it as not `alive` and render their own way.
    """

    def __init__(self, preload: Callable[[], None]) -> None:
        self._pid: int | None = None
        self._pending = False
        self._owner = os.getpid()
        if not hasattr(os, "fork"):
            return
        jobs_read, self._jobs = os.pipe()
        self._results, results_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the server, tested through its replies
            os.close(self._jobs)
            os.close(self._results)
            _serve(jobs_read, results_write, preload, self._owner)
        os.close(jobs_read)
        os.close(results_write)
        self._pid = pid
        with contextlib.suppress(ImportError, OSError, AttributeError):
            # Room for a whole job (the HTML, CSS and theme files of a brief),
            # so sending one never waits for the server to finish importing.
            # (F_SETPIPE_SZ is Linux's; elsewhere a large job just waits.)
            import fcntl

            fcntl.fcntl(self._jobs, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)

    @property
    def alive(self) -> bool:
        return self._pid is not None and os.getpid() == self._owner

    def submit(
        self,
        prepare: Callable[[], None] | None,
        function: Callable[[], T],
        *,
        timeout: float,
        memory_mb: int,
        what: str = "the render",
    ) -> Pending[T]:
        """Send a job: `prepare()` in the server, then `function()` under the
        memory cap (see the module docstring), within `timeout` seconds for
        both. Collect it with `result()` before the next `submit`; this
        process is free meanwhile."""
        if not self.alive:
            raise RenderError(f"{what} cannot start: the render server is not running")
        if self._pending:
            raise RuntimeError("collect the previous job before submitting another")
        job = pickle.dumps((prepare, function, memory_mb), protocol=pickle.HIGHEST_PROTOCOL)
        pending: Pending[T] = Pending(self, time.monotonic() + timeout, timeout, memory_mb, what)
        try:
            _write_all(self._jobs, _LENGTH.pack(len(job)) + job, pending.deadline)
        except (Late, _Gone) as stop:
            pending.fail(stop)
        self._pending = True
        return pending

    def _reply(self, deadline: float) -> tuple[int, bytes]:
        status, size = _REPLY.unpack(_read_exact(self._results, _REPLY.size, deadline))
        return status, _read_exact(self._results, size, deadline)

    def close(self) -> int:
        """Stop the server now (it may still be importing; nothing is lost);
        return its wait status (0 when it was not running)."""
        if not self.alive:
            return 0
        assert self._pid is not None
        pid, self._pid = self._pid, None
        self._pending = False
        os.close(self._jobs)
        os.close(self._results)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)  # a server that already died keeps its status
        try:
            return os.waitpid(pid, 0)[1]
        except ChildProcessError:
            return 0


class Pending(Generic[T]):
    """A submitted job; `result()` waits for it (until its deadline)."""

    def __init__(
        self, server: RenderServer, deadline: float, timeout: float, memory_mb: int, what: str
    ) -> None:
        self.server, self.deadline = server, deadline
        self.timeout, self.memory_mb, self.what = timeout, memory_mb, what
        self._stop: Exception | None = None

    def fail(self, stop: Exception) -> None:
        self._stop = stop

    def result(self) -> T:
        server = self.server
        try:
            if self._stop is not None:
                raise self._stop
            if not server.alive:
                raise _Gone
            status, data = server._reply(self.deadline)
            server._pending = False
        except Late:
            server.close()  # the render child dies with the server
            raise timed_out(self.what, self.timeout) from None
        except _Gone:
            # The job ran in the server itself and took it down (a crash, an
            # exit): its wait status says how, as for a render child.
            status, data = server.close(), b""
        value: T = decode_result(data, status, self.what, self.memory_mb)
        return value

    def abandon(self) -> None:
        """Wait for the job and drop its outcome (another step already failed)."""
        with contextlib.suppress(Exception):
            self.result()


class RenderService(_Closing):
    """Owns the render server: started here, stopped here.

    A server for PDFs starts as the command starts, before the config is
    read (`formats` holds "pdf", or is not known yet), so WeasyPrint's import
    (which needs nothing of ours) overlaps everything else. A server for a
    DOCX build without a PDF starts when the build asks for it, once the
    config and the models are loaded: it inherits them, imports python-docx
    while this process reads and structures the article, and renders the
    Brief itself. `for_build` hands the server to a build that can use it and
    stops it at once when the build cannot (a PDF server for a build without
    a PDF, or pool workers render: an idle server would only take a core);
    the `with` block stops it at the end.
    """

    def __init__(self, formats: tuple[str, ...] | None = None) -> None:
        self.pdf = formats is None or "pdf" in formats
        self._later = not self.pdf  # a server for a build without a PDF, when asked
        self._server = RenderServer(partial(warm_up_typesetter)) if self.pdf else None

    def for_build(self, formats: tuple[str, ...], *, pooled: bool = False) -> RenderServer | None:
        """The running server for a build of `formats` in this process; None
        (and the server stopped) when it has no use for one."""
        if self._later and not pooled and "docx" in formats and "pdf" not in formats:
            self._later = False
            import pipeline.brief  # noqa: F401  # the server inherits the models, loaded once

            self._server = RenderServer(partial(warm_up_renderers, formats))
        if self._server is None:
            return None
        if pooled or self.pdf != ("pdf" in formats):
            self.close()
            return None
        return self._server if self._server.alive else None

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

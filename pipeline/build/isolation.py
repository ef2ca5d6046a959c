"""A render step -> the same result, computed in a forked worker with a clock and a memory cap.

A pathological article (or a renderer bug it triggers) must fail alone with
a `RenderError`, not hang CI or exhaust the machine. `run_isolated` forks,
sets `RLIMIT_AS` in the child, runs the function there and sends back the
pickled result (or exception) through a pipe; the parent kills the child
when the wall-clock timeout passes. It is a plain function call with no
shared state, so it can run inside a pool worker too (it uses `os.fork`
directly, which daemonic pool processes are allowed to do).

Where `fork` does not exist the function runs in process, unbounded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import struct
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from pipeline.errors import PipelineError, RenderError

log = logging.getLogger(__name__)

T = TypeVar("T")

_HEADER = struct.Struct("!Q")


def _apply_memory_limit(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    import resource

    limit = memory_mb * 1024 * 1024
    if _address_space() >= limit:
        # Every allocation would fail, and not always as a MemoryError.
        raise MemoryError(f"the worker already uses more than {memory_mb} MB")
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """This process's address space in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker if the build that forked it is killed."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux: an orphaned worker runs to its end, then exits
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def outcome_of(function: Callable[..., Any], args: tuple[Any, ...], memory_mb: int) -> bytes:
    """`function(*args)` under the memory cap, as the bytes a worker sends back:
    a length-prefixed pickle of ("ok", value) or ("error", exception)."""
    try:
        _apply_memory_limit(memory_mb)
        outcome: tuple[str, Any] = ("ok", function(*args))
    except BaseException as exc:  # FatalURLFetchingError and MemoryError included
        # Tracebacks are not pickled: keep the worker's as a note for --debug.
        with contextlib.suppress(BaseException):
            exc.add_note("in the render worker:\n" + "".join(traceback.format_exc()))
        outcome = ("error", exc)
    try:
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:
        error = outcome[1] if outcome[0] == "error" else exc
        payload = pickle.dumps(("error", RenderError(f"{type(error).__name__}: {error}")))
    return _HEADER.pack(len(payload)) + payload


def run_child(
    write_fd: int,
    memory_mb: int,
    function: Callable[..., Any],
    args: tuple[Any, ...],
    parent: int,
) -> None:
    """Runs in the forked worker; never returns."""
    status = 0
    try:
        die_with_parent(parent)
        data = outcome_of(function, args, memory_mb)
        with os.fdopen(write_fd, "wb") as stream:
            stream.write(data)
    except BaseException:
        status = 1
    finally:
        # Skip atexit handlers and buffered output inherited from the parent.
        os._exit(status)


class Late(Exception):
    """A deadline passed while waiting on a worker's pipe."""


def wait_ready(fd: int, deadline: float | None, write: bool = False) -> None:
    """Wait until `fd` can be read (or written); `Late` once `deadline` passes.
    With no deadline, return at once: the next read or write blocks instead."""
    if deadline is None:
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Late
    watched = ([], [fd]) if write else ([fd], [])
    readable, writable, _ = select.select(*watched, [], remaining)
    if not (writable or readable):
        raise Late


def read_to_end(fd: int, deadline: float | None = None) -> bytes:
    """Everything written to `fd` until its writers close it."""
    chunks: list[bytes] = []
    while True:
        wait_ready(fd, deadline)
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def run_isolated(
    function: Callable[..., T],
    *args: Any,
    timeout: float,
    memory_mb: int,
    what: str = "the render",
) -> T:
    """`function(*args)` in a forked worker; `RenderError` on timeout, OOM or crash."""
    if not hasattr(os, "fork"):
        log.debug("no fork on this platform: %s runs without isolation", what)
        return function(*args)
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, reported through the pipe
        os.close(read_fd)
        run_child(write_fd, memory_mb, function, args, parent)
    os.close(write_fd)
    finished = False
    try:
        data = read_to_end(read_fd, time.monotonic() + timeout)
        _, status = os.waitpid(pid, 0)
        finished = True
    except Late:
        raise timed_out(what, timeout) from None
    finally:
        os.close(read_fd)
        if not finished:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
    result: T = decode_result(data, status, what, memory_mb)
    return result


def timed_out(what: str, timeout: float) -> RenderError:
    return RenderError(
        f"{what} took longer than {timeout:g} s and was stopped",
        hint="raise limits.render_timeout in the config if the article is really that long",
    )


def decode_result(data: bytes, status: int, what: str, memory_mb: int) -> Any:
    """What a worker wrote (a length-prefixed pickle) -> its return value, or
    the `RenderError` that explains why there is none (`status`: its wait status)."""
    if len(data) < _HEADER.size:
        raise RenderError(_death(what, status, memory_mb))
    (size,) = _HEADER.unpack_from(data)
    if len(data) != _HEADER.size + size:
        raise RenderError(_death(what, status, memory_mb))
    kind, value = pickle.loads(data[_HEADER.size :])
    if kind == "ok":
        return value
    if isinstance(value, PipelineError):
        raise value
    if isinstance(value, MemoryError):
        raise RenderError(
            f"{what} ran out of memory (limit {memory_mb} MB)",
            hint="raise limits.render_memory_mb in the config, or shorten the article",
        )
    error = RenderError(f"{what} failed: {type(value).__name__}: {value}")
    raise error from value if isinstance(value, BaseException) else None


def _death(what: str, status: int, memory_mb: int) -> str:
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return f"{what} crashed ({name}; memory limit {memory_mb} MB)"
    return f"{what} stopped without a result (exit status {os.waitstatus_to_exitcode(status)})"

"""A path -> the bytes of a regular file, at most a cap: how the config and articles are read.

Opened non-blocking, so a FIFO never holds the build waiting for a writer,
and checked on the open descriptor (no race between the check and the
read), so a device, socket or FIFO is refused and `/dev/zero` is never read
without end. The config loader and the article reader turn the two
refusals into their own errors (a config error, a source error).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class NotRegularFile(Exception):
    """A device, FIFO or socket where a file was expected."""


class FileTooLarge(Exception):
    """Larger than the cap; `size` when the file system says how large."""

    def __init__(self, size: int | None) -> None:
        super().__init__(size)
        self.size = size


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path`, at most `max_bytes` of them.

    Raises NotRegularFile, FileTooLarge (also for a file that grew past the
    cap while it was read), or the OSError of opening or reading it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(str(path))
        if info.st_size > max_bytes:
            raise FileTooLarge(info.st_size)
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(max_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise FileTooLarge(None)
    return data

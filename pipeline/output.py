"""Artifacts -> files in the output folder: the only code that writes them.

Every file is verified, written to a temporary file in the same folder,
fsynced and renamed over the target, so a reader (or a later failed build)
never sees a partial file and an earlier good artifact is never lost.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

MAX_SLUG = 80
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}


def slugify(text: str, fallback: str = "brief") -> str:
    """ASCII, lowercase, hyphenated, at most 80 characters, never empty or reserved."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"['’`]", "", text)
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > MAX_SLUG:
        text = text[:MAX_SLUG].rsplit("-", 1)[0] or text[:MAX_SLUG]
    text = text.strip("-")
    if not text or text in _RESERVED:
        text = (fallback if fallback != text else "brief") or "brief"
    return text


def verify(fmt: str, data: bytes) -> None:
    """Refuse to write an artifact that is not what it claims to be."""
    if fmt == "pdf":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
            raise OutputError("the rendered PDF is incomplete")
    elif fmt == "docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as package:
                bad = package.testzip()
                if bad is not None or "word/document.xml" not in package.namelist():
                    raise OutputError("the rendered DOCX is damaged")
        except zipfile.BadZipFile:
            raise OutputError("the rendered DOCX is not a valid package") from None


@dataclass(frozen=True)
class Written:
    path: Path
    size: int


def write_atomic(folder: Path, filename: str, data: bytes) -> Written:
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / filename).resolve()
    if target.parent != folder.resolve():
        raise OutputError(f"refusing to write outside the output folder: {filename}")
    handle, temp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    try:
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        pass  # not every file system lets a directory be fsynced
    return Written(target, len(data))


def move_atomic(source: Path, folder: Path, filename: str) -> Written:
    """Move a file into `folder` under `filename` in one rename (same file system).

    Used to hand a message from the outbox to sent/: at every instant the file
    is in exactly one of the two folders, whole.
    """
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / filename).resolve()
    if target.parent != folder.resolve():
        raise OutputError(f"refusing to write outside the output folder: {filename}")
    size = source.stat().st_size
    os.replace(source, target)
    for directory_path in {folder, source.parent}:
        try:
            directory = os.open(directory_path, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError:
            pass  # not every file system lets a directory be fsynced
    return Written(target, size)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[bool]:
    """Hold an exclusive lock on `folder` (a `.lock` file in it); yield False if taken.

    Two processes sending the same outbox at once could both send a message;
    the lock makes the second one stand back. Where file locks do not exist
    (Windows), it yields True and does nothing.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield True
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)

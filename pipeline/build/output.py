"""Artifacts -> files in the output folder: the only code that writes them.

Every file is verified, written to a temporary file in the same folder,
fsynced and renamed over the target, so a reader (or a later failed build)
never sees a partial file and an earlier good artifact is never lost.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# File names come from build/naming.py; re-exported for this module's callers.
from pipeline.build.naming import MAX_SLUG as MAX_SLUG
from pipeline.build.naming import slugify as slugify
from pipeline.errors import OutputError, UsageError


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


_TEMP = re.compile(r"^\.tmp-(\d+)-.*\.part$")


def sweep_stale_temps(folder: Path) -> list[Path]:
    """Remove temp files left by a killed build (their writer process is gone)."""
    removed = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            match = _TEMP.match(entry.name)
            if match is None or not entry.is_file(follow_symlinks=False):
                continue
            try:
                os.kill(int(match[1]), 0)
                continue  # its writer is still running (a parallel build)
            except ProcessLookupError:
                pass
            except (PermissionError, OverflowError):
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _write_unnamed(folder: Path, data: bytes) -> str | None:
    """Write and fsync `data` as an unnamed file, then give it a temp name.

    With O_TMPFILE the file has no name while it is written, so a SIGKILL
    at that point leaves nothing behind; the named window is one link plus
    one rename. Returns None where O_TMPFILE is not supported.
    """
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        fd = os.open(folder, flag | os.O_WRONLY, 0o644)
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb", closefd=False) as stream:
            stream.write(data)
            stream.flush()
            os.fsync(fd)
        temp_name = str(folder / f".tmp-{os.getpid()}-{secrets.token_hex(6)}.part")
        try:
            os.link(f"/proc/self/fd/{fd}", temp_name, follow_symlinks=True)
        except OSError:
            return None  # no /proc: fall back on a named temp file
        return temp_name
    finally:
        os.close(fd)


def _target(folder: Path, filename: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / filename).resolve()
    if target.parent != folder.resolve():
        raise OutputError(f"refusing to write outside the output folder: {filename}")
    return target


def write_temp(folder: Path, data: bytes) -> str:
    """`data` written and fsynced under a temp name in `folder`, ready to be renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    sweep_stale_temps(folder)
    temp_name = _write_unnamed(folder, data)
    if temp_name is None:
        handle, temp_name = tempfile.mkstemp(
            prefix=f".tmp-{os.getpid()}-", suffix=".part", dir=folder
        )
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        except BaseException:
            discard_temp(temp_name)
            raise
    try:
        os.chmod(temp_name, 0o644)
    except BaseException:
        discard_temp(temp_name)
        raise
    return temp_name


def discard_temp(temp_name: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp_name)


def write_atomic(folder: Path, filename: str, data: bytes) -> Written:
    target = _target(folder, filename)
    temp_name = write_temp(folder, data)
    try:
        os.replace(temp_name, target)
    except BaseException:
        discard_temp(temp_name)
        raise
    _fsync_directory(folder)
    return Written(target, len(data))


def commit_set(folder: Path, files: list[tuple[str, bytes]]) -> list[Written]:
    """Write several files as one set: every file to a temp name first (a
    full disk or a bad name fails here, before any target is touched), then
    one rename each, back to back."""
    targets = [_target(folder, filename) for filename, _ in files]
    temps: list[str] = []
    try:
        for _, data in files:
            temps.append(write_temp(folder, data))
        for index, (temp_name, target) in enumerate(zip(temps, targets, strict=True)):
            os.replace(temp_name, target)
            temps[index] = ""
    finally:
        for temp_name in temps:
            if temp_name:
                discard_temp(temp_name)
    _fsync_directory(folder)
    return [Written(target, len(data)) for target, (_, data) in zip(targets, files, strict=True)]


def check_writable(folder: Path) -> None:
    """Fail now, before anything is rendered, if `folder` cannot be written:
    a temp file is written there and removed (if it does not exist yet, the
    nearest existing folder above it must be writable; it is created later)."""
    try:
        if folder.is_dir():
            discard_temp(write_temp(folder, b""))
            return
        for parent in folder.parents:
            if parent.exists():
                if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
                    return
                raise OSError(errno.EACCES, f"cannot create a folder in {parent}")
    except OSError as exc:
        raise UsageError(
            f"the output folder cannot be written: {exc.strerror or exc}",
            file=str(folder),
            hint="choose another folder with -o, or fix its permissions",
        ) from None


def write_new(folder: Path, filename: str, data: bytes) -> Written | None:
    """Like `write_atomic`, but never replaces a file: None when `filename` exists."""
    target = _target(folder, filename)
    temp_name = write_temp(folder, data)
    try:
        os.link(temp_name, target)  # fails, atomically, if the name is taken
    except FileExistsError:
        return None
    finally:
        discard_temp(temp_name)
    _fsync_directory(folder)
    return Written(target, len(data))


def _fsync_directory(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    try:
        directory = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    except OSError:
        pass  # not every file system lets a directory be fsynced


def remove_listed(folder: Path, filenames: list[str]) -> list[str]:
    """Delete these files of the output folder (the ones a manifest lists and
    the build no longer produces); never anything outside it. Returns the
    names actually removed."""
    removed = []
    root = folder.resolve()
    for filename in filenames:
        target = (folder / filename).resolve()
        if target.parent != root:
            raise OutputError(f"refusing to remove outside the output folder: {filename}")
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        removed.append(filename)
    return removed


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
        _fsync_directory(directory_path)
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

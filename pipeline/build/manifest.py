"""Build results -> `manifest.json`: what each artifact is and what made it.

The manifest records, for every artifact in the output folder, its media
type, size, sha256 and page count, and for every source the fingerprint of
its inputs (content, effective config, theme files, package version). The
next build reads it back to skip sources whose inputs and artifacts are
unchanged; CI shards each write a part that `merge_manifests` joins.
The bytes are canonical (sorted keys and entries, no wall-clock time unless
no SOURCE_DATE_EPOCH is set), so equal builds give equal manifests.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline import __version__
from pipeline.config.model import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.render.discovery import PACKAGE_DIR, templates_root

if TYPE_CHECKING:
    from pipeline.render import Artifact
    from pipeline.render.theme import Theme

MANIFEST_VERSION = 1
MANIFEST_NAME = "manifest.json"


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ArtifactEntry(_Entry):
    path: str  # relative to the manifest's folder, POSIX separators
    media_type: str
    size: int
    sha256: str
    pages: int | None = None
    source: str
    source_sha256: str
    config_hash: str
    theme: str
    package_version: str
    build_time: str


class SourceEntry(_Entry):
    """The inputs a source was last built from, to decide whether to skip it."""

    source: str
    sha256: str
    config_hash: str
    theme: str
    theme_hash: str
    package_version: str
    formats: tuple[str, ...]
    slug: str  # the title's file name before collisions are resolved
    stem: str
    artifacts: tuple[str, ...]
    build_time: str

    def record(self, path: str, artifact: Artifact) -> ArtifactEntry:
        """The entry of one artifact written for this source, as `path`."""
        return ArtifactEntry(
            path=path,
            media_type=artifact.media_type,
            size=len(artifact.data),
            sha256=sha256_bytes(artifact.data),
            pages=artifact.pages,
            source=self.source,
            source_sha256=self.sha256,
            config_hash=self.config_hash,
            theme=self.theme,
            package_version=self.package_version,
            build_time=self.build_time,
        )


class Manifest(_Entry):
    manifest_version: int = MANIFEST_VERSION
    shard: str | None = None
    sources: tuple[SourceEntry, ...] = ()
    artifacts: tuple[ArtifactEntry, ...] = ()

    def source(self, name: str) -> SourceEntry | None:
        for entry in self.sources:
            if entry.source == name:
                return entry
        return None

    def artifact(self, path: str) -> ArtifactEntry | None:
        for entry in self.artifacts:
            if entry.path == path:
                return entry
        return None

    def to_bytes(self) -> bytes:
        ordered = self.model_copy(
            update={
                "sources": tuple(sorted(self.sources, key=lambda e: e.source)),
                "artifacts": tuple(sorted(self.artifacts, key=lambda e: e.path)),
            }
        )
        text = json.dumps(ordered.model_dump(mode="json"), indent=2, ensure_ascii=False)
        return (text + "\n").encode("utf-8")


def manifest_name(shard: tuple[int, int] | None) -> str:
    """`manifest.json`, or `manifest-K-of-N.json` for one CI shard's part."""
    if shard is None:
        return MANIFEST_NAME
    return f"manifest-{shard[0]}-of-{shard[1]}.json"


# --- fingerprints ---------------------------------------------------------


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, max_bytes: int | None = None) -> str | None:
    """The file's sha256, read as a stream, or None when it is missing,
    unreadable or not a regular file (a FIFO or a device must never block or
    stream forever here; the build itself reports what is wrong with it).
    With `max_bytes`, a longer file is an `InputTooLarge` error."""
    digest = hashlib.sha256()
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            total = 0
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                total += len(chunk)
                if max_bytes is not None and total > max_bytes:
                    raise InputTooLarge(
                        f"the file is larger than {max_bytes:,} bytes, the limit for a file "
                        "the build reads besides the articles",
                        file=str(path),
                        hint="remove it from the theme folder, or make it smaller",
                    )
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


class InputTooLarge(ConfigError):
    """A theme, language or reference file over `MAX_INPUT_FILE_BYTES`."""


def config_hash(config: Config, today: dt.date) -> str:
    """Everything in the config that changes a brief's bytes, plus the build date
    (a brief without a date of its own is dated by it). Which sources, where
    they go and which formats are recorded separately."""
    effective = config.model_dump(mode="json", exclude={"sources", "output_dir", "formats"})
    effective["build_date"] = today.isoformat()
    canonical = json.dumps(effective, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256_bytes(canonical.encode("utf-8"))


# The largest file a theme (or language folder) may hold: templates, CSS and
# images are far smaller; a huge (or sparse) file must not be read whole.
MAX_INPUT_FILE_BYTES = 50_000_000


def theme_hash(theme: Theme, folders: Iterable[Path] = ()) -> str:
    """One hash over every file the build reads besides the articles: the
    theme's folder, its validated logo and fonts, the reference document and
    extra `folders` (the config's languages), so changing any of them rebuilds."""
    digest = hashlib.sha256()
    digest.update(files_hash([theme.folder, *folders], ("*",)).encode("ascii"))
    for path, data in theme.assets:
        digest.update(path.as_posix().encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    if theme.reference_docx is not None:
        reference = sha256_file(theme.reference_docx, MAX_INPUT_FILE_BYTES) or "unreadable"
        digest.update(b"reference\0" + reference.encode("ascii"))
    return digest.hexdigest()


# What in the package shapes a brief's bytes: its code, its language data,
# the templates shared by every theme (a theme's own folder has theme_hash).
_PACKAGE_FILES = ("*.py", "*.yaml", "*.j2", "*.css", "*.json")


def files_hash(folders: Iterable[Path], patterns: Iterable[str] = _PACKAGE_FILES) -> str:
    """One hash over the files matching `patterns` under `folders` (names and bytes)."""
    digest = hashlib.sha256()
    for folder in folders:
        found = {path for pattern in patterns for path in folder.rglob(pattern)}
        for path in sorted(found):
            if "__pycache__" in path.parts:
                continue
            content = sha256_file(path, MAX_INPUT_FILE_BYTES)
            if content is None:
                continue  # a folder, or not a regular file: never read
            digest.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
            digest.update(content.encode("ascii"))
    return digest.hexdigest()


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """The package version plus a hash of its code, language data and shared
    templates, as recorded in the manifest: a checkout or an upgrade that
    changes them rebuilds every brief, even at the same version number."""
    folders = [PACKAGE_DIR]
    shared = templates_root() / "_base"
    if PACKAGE_DIR not in shared.parents and shared.is_dir():
        folders.append(shared)
    return f"{__version__}+{files_hash(folders)[:12]}"


# --- reading, checking, merging -------------------------------------------


@contextlib.contextmanager
def manifest_lock(folder: Path) -> Iterator[None]:
    """Hold the output folder's lock (an exclusive `flock` on the folder
    itself, so no lock file appears beside the artifacts) while a build
    reads, merges and writes its manifest and names and writes its files:
    concurrent builds into one folder (CI jobs, `watch` beside a manual
    build) take turns, each keeping the others' entries. Where `flock` does
    not exist, nothing is locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def load_manifest(path: Path) -> Manifest | None:
    """The manifest at `path`; None when there is none. A damaged one is an
    error: the caller decides whether to rebuild everything."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PipelineError(f"cannot read the manifest: {exc.strerror}", file=str(path)) from None
    try:
        return Manifest.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PipelineError(
            f"not a valid manifest ({where}: {first['msg']})",
            file=str(path),
            hint="delete it to rebuild everything",
        ) from None


def intact(folder: Path, entry: ArtifactEntry) -> bool:
    """The artifact is on disk with the recorded bytes."""
    path = folder / entry.path
    try:
        if path.stat().st_size != entry.size:
            return False
    except OSError:
        return False
    return sha256_file(path) == entry.sha256


def present(folder: Path, entries: Iterable[ArtifactEntry]) -> tuple[ArtifactEntry, ...]:
    """Only the entries whose file exists: a manifest never lists a missing file."""
    return tuple(entry for entry in entries if (folder / entry.path).is_file())


def merge_manifests(parts: list[tuple[str, Manifest]], folder: Path) -> Manifest:
    """Join shard parts into one manifest for `folder`. The same artifact path
    with different bytes, or the same source with different inputs, is an
    error; so is an artifact whose file is not in `folder`."""
    sources: dict[str, SourceEntry] = {}
    artifacts: dict[str, ArtifactEntry] = {}
    for name, part in parts:
        for source in part.sources:
            seen = sources.setdefault(source.source, source)
            if seen != source:
                raise PipelineError(
                    f"source {source.source} is recorded differently in two parts", file=name
                )
        for artifact in part.artifacts:
            known = artifacts.setdefault(artifact.path, artifact)
            if known != artifact:
                raise PipelineError(
                    f"artifact {artifact.path} differs between two parts", file=name
                )
    missing = [path for path in sorted(artifacts) if not intact(folder, artifacts[path])]
    if missing:
        raise PipelineError(
            f"{len(missing)} listed artifact(s) are missing from {folder} or differ, "
            f"first: {missing[0]}",
            hint="download every shard's files into that folder before merging",
        )
    return Manifest(sources=tuple(sources.values()), artifacts=tuple(artifacts.values()))

"""Finished sources -> their files and manifest entries, committed one source at a time.

A batch hands each source to `Committer.add` as soon as it is built, so a
build stopped after 499 of 500 sources (Ctrl-C, SIGTERM, a CI timeout)
keeps 499 briefs and a manifest that lists them, and a re-run goes on
incrementally. Each commit happens under the output folder's lock
(manifest.manifest_lock), so concurrent builds into one folder take turns:

1. the manifest on disk is read again and merged: other builds' sources and
   artifacts are kept, this build's own replace theirs;
2. the source's file stem is chosen: its title's slug, unless a source with
   a smaller path in this build or a source recorded by another build
   holds that name (then naming.shared_stem adds its file name and a short
   hash of its path), so two builds
   with the same title never overwrite each other;
3. if the source had files before, the manifest first stops listing them;
   then every new file is written to a temp name and all are renamed
   together (output.commit_set); then the manifest lists the new set.

At every moment the manifest lists only files whose bytes it records: a
kill between two renames leaves the source unlisted, and the next build
rebuilds it. Sources are committed in path order, so the same sources get
the same names whatever the order they were given or finished in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build.manifest import (
    ArtifactEntry,
    Manifest,
    SourceEntry,
    load_manifest,
    manifest_lock,
    present,
)
from pipeline.build.naming import shared_stem
from pipeline.build.output import Written, commit_set, remove_listed, write_atomic
from pipeline.errors import OutputError, PipelineError

# A source just built -> its manifest entries, given its stem and file names.
Record = Callable[[str, str, list[str]], tuple[SourceEntry, list[ArtifactEntry]]]


@dataclass
class Committer:
    """The output folder's manifest, as this build changes it."""

    out_dir: Path
    manifest: Path
    shard: str | None
    everyone: set[str]  # every source of this build (all shards)
    slugs: dict[str, str] = field(default_factory=dict)  # known titles' slugs, by source
    stems: dict[str, str] = field(default_factory=dict)  # names given in this build
    sources: dict[str, SourceEntry] = field(default_factory=dict)  # this build's entries
    artifacts: dict[str, ArtifactEntry] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)  # sources whose entry this build removed
    removed: set[str] = field(default_factory=set)  # artifacts this build deleted
    written: bool = False  # the manifest file was written
    failed: bool = False  # a source of this build failed

    # --- the manifest on disk, merged ------------------------------------

    def _on_disk(self) -> Manifest:
        try:
            return load_manifest(self.manifest) or Manifest()
        except PipelineError:
            return Manifest()  # damaged: this build's view replaces it

    def _merged(self, disk: Manifest) -> Manifest:
        sources = {e.source: e for e in disk.sources if e.source not in self.dropped}
        sources.update(self.sources)
        artifacts = {e.path: e for e in disk.artifacts if e.path not in self.removed}
        artifacts.update(self.artifacts)
        # An artifact whose source lists it no more (renamed, rebuilt) is kept
        # only if its file is still there (present() below checks that).
        return Manifest(
            shard=self.shard,
            sources=tuple(sources.values()),
            artifacts=present(self.out_dir, artifacts.values()),
        )

    def _write_manifest(self, disk: Manifest) -> None:
        manifest = self._merged(disk)
        data = manifest.to_bytes()
        try:
            unchanged = self.manifest.read_bytes() == data
        except OSError:
            # No manifest yet: a build that failed and produced nothing does
            # not start one, so a failed first build leaves the folder as it
            # was. (An empty shard that did not fail still writes its part.)
            unchanged = not manifest.artifacts and self.failed
        if unchanged:  # an untouched rebuild rewrites nothing, not even this
            return
        try:
            write_atomic(self.out_dir, self.manifest.name, data)
        except OSError as exc:
            raise OutputError(
                f"cannot write the manifest: {exc.strerror}", file=str(self.manifest)
            ) from None
        self.written = True

    # --- names -------------------------------------------------------------

    def _stem(self, source: str, slug: str, disk: Manifest) -> str:
        """The plain slug when no one else holds it, else the slug and a hash."""
        earlier = any(
            other < source and other_slug == slug
            for other, other_slug in self.slugs.items()
            if other != source
        )
        taken_elsewhere = any(
            entry.stem == slug and entry.source not in self.everyone for entry in disk.sources
        )
        return shared_stem(slug, source) if earlier or taken_elsewhere else slug

    # --- committing ----------------------------------------------------------

    def add(
        self,
        source: str,
        slug: str,
        files: list[tuple[str, bytes]],  # (format, bytes)
        record: Record,
    ) -> list[Written]:
        """Name, write and record one built source, all under the folder's lock."""
        self.slugs[source] = slug
        with manifest_lock(self.out_dir):
            disk = self._on_disk()
            stem = self._stem(source, slug, disk)
            names = [f"{stem}.{fmt}" for fmt, _ in files]
            holders = {
                entry.source
                for entry in disk.sources
                if entry.source != source and set(entry.artifacts) & set(names)
            }
            old = disk.source(source)
            if old is not None or holders:
                # The manifest stops listing what is about to be replaced.
                self.dropped.update({source, *holders})
                for gone in (source, *holders):
                    self.sources.pop(gone, None)
                self.artifacts = {p: e for p, e in self.artifacts.items() if p not in names}
                self.removed.update(names)
                self._write_manifest(disk)
            pairs = [(name, data) for name, (_, data) in zip(names, files, strict=True)]
            written = commit_set(self.out_dir, pairs)
            entry, artifacts = record(source, stem, names)
            self.stems[source] = stem
            self.sources[source] = entry
            self.dropped.discard(source)
            for artifact in artifacts:
                self.artifacts[artifact.path] = artifact
                self.removed.discard(artifact.path)
            self._write_manifest(self._on_disk())
        return written

    def keep(self, entry: SourceEntry) -> None:
        """An unchanged source: its recorded name and files stand."""
        self.slugs[entry.source] = entry.slug
        self.stems[entry.source] = entry.stem

    def finish(self, clean: bool, produced: set[str]) -> list[str]:
        """The final manifest (with --clean: without what this build no longer
        produces, whose files are deleted). Returns the deleted names."""
        deleted: list[str] = []
        if not self.out_dir.is_dir() and self.failed and not self.sources:
            return deleted  # a failed first build leaves no folder behind
        with manifest_lock(self.out_dir):
            disk = self._on_disk()
            if clean:
                listed = {e.path for e in disk.artifacts} | set(self.artifacts)
                stale = sorted(listed - produced)
                deleted = remove_listed(self.out_dir, stale)
                self.removed.update(stale)
                for path in stale:
                    self.artifacts.pop(path, None)
                self.dropped.update(e.source for e in disk.sources if e.source not in self.everyone)
            self._write_manifest(disk)
        return deleted

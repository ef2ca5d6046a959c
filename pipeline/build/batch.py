"""Many sources -> an incremental, parallel build recorded in a manifest.

This module owns the batch: which sources need building (the manifest's
fingerprints against the plan's), running `source.build_one` for each in
worker processes and, in the parent only, committing each source as soon
as it is built (commit.py: its name, its files written as one set, the
manifest merged under the folder's lock), then removing stale files under
--clean. Workers never touch the output folder.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.build.commit import Committer
from pipeline.build.isolation import die_with_parent
from pipeline.build.manifest import (
    ArtifactEntry,
    Manifest,
    SourceEntry,
    intact,
    load_manifest,
    manifest_name,
    sha256_bytes,
    sha256_file,
)
from pipeline.build.naming import slugify
from pipeline.build.output import check_writable
from pipeline.build.plan import BuildPlan
from pipeline.build.source import SourceResult, build_one, read_brief
from pipeline.errors import PipelineError, RenderError, UsageError
from pipeline.read.fetch import PAGE_TYPES, Fetcher, is_url
from pipeline.read.ingest import strip_bidi
from pipeline.read.sources import select_shard

if TYPE_CHECKING:
    from concurrent.futures import Future

    from pipeline.build.render_server import RenderService

log = logging.getLogger(__name__)

OnResult = Callable[[SourceResult], None]

# Briefs a process must render before a warm-up render pays for itself.
WARM_RENDER_AFTER = 12


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (what each brief is built with is the plan's)."""

    jobs: int = 1
    force: bool = False
    shard: tuple[int, int] | None = None
    clean: bool = False


@dataclass
class BatchReport:
    results: list[SourceResult]  # the sources of this build (of this shard), in order
    manifest: Path
    manifest_written: bool = False
    removed: list[str] = field(default_factory=list)  # stale files --clean deleted
    notes: list[str] = field(default_factory=list)  # build-level warnings
    recorded: dict[str, tuple[ArtifactEntry, ...]] = field(default_factory=dict)  # unchanged

    @property
    def failed(self) -> list[SourceResult]:
        return [result for result in self.results if result.error is not None]


# --- names ----------------------------------------------------------------


def title_slug(result: SourceResult) -> str:
    assert result.brief is not None
    return slugify(strip_bidi(result.brief.title), fallback=slugify(result.name or "brief"))


# --- deciding what to build -----------------------------------------------


def _unchanged(
    source: str, digest: str | None, previous: Manifest, plan: BuildPlan, folder: Path
) -> SourceEntry | None:
    """The manifest entry of `source` when nothing it depends on changed."""
    entry = previous.source(source)
    if entry is None or digest is None:
        return None
    inputs = plan.fingerprint
    same_inputs = (
        entry.sha256 == digest
        and entry.config_hash == inputs.config_hash
        and entry.theme == inputs.theme
        and entry.theme_hash == inputs.theme_hash
        and entry.package_version == inputs.package
        and entry.formats == inputs.formats
    )
    if not same_inputs:
        return None
    for path in entry.artifacts:
        artifact = previous.artifact(path)
        if artifact is None or not intact(folder, artifact):
            return None
    return entry


def _unchanged_sources(
    chosen: list[str],
    digests: dict[str, str | None],
    previous: Manifest,
    plan: BuildPlan,
    folder: Path,
) -> dict[str, SourceEntry]:
    """Source -> its manifest entry, for the sources that need no build."""
    kept = {}
    for source in chosen:
        entry = _unchanged(source, digests[source], previous, plan, folder)
        if entry is not None:
            kept[source] = entry
    return kept


def _previous(report: BatchReport) -> Manifest:
    """The last build's manifest; a damaged one is noted and everything rebuilt."""
    try:
        return load_manifest(report.manifest) or Manifest()
    except PipelineError as error:
        report.notes.append(f"{error}; rebuilding everything")
        return Manifest()


# --- running --------------------------------------------------------------


def _run(
    todo: list[str],
    plan: BuildPlan,
    jobs: int,
    on_result: OnResult | None,
    renderers: RenderService | None = None,
) -> dict[str, SourceResult]:
    results: dict[str, SourceResult] = {}

    def done(result: SourceResult) -> None:
        results[result.source] = result
        if on_result is not None:
            on_result(result)

    # Standard input belongs to the parent; one source is not worth a pool.
    pooled = [source for source in todo if source != "-"] if jobs > 1 and len(todo) > 1 else []
    # A process rendering many PDFs warms WeasyPrint once (one tiny render,
    # ~0.4 s) so each later forked render is ~0.04 s faster (bench/PROFILE.md).
    serial = [source for source in todo if source not in pooled]
    warm = len(serial) >= WARM_RENDER_AFTER
    # Picklable (a module function and plain data), so pool workers take it too.
    build = partial(build_one, plan=plan)
    server = None
    if renderers is not None:  # pool workers render: the server is stopped (or never started)
        server = renderers.for_build(plan.formats, pooled=not serial)
    for source in serial:
        done(build(source, warm_render=warm, server=server))
    if not pooled:
        return results
    if renderers is not None:
        renderers.for_build(plan.formats, pooled=True)  # stops it: the workers render
    # Only a pooled build pays for multiprocessing's import (~0.03 s).
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Each worker lives for the whole batch, so the font configuration and the
    # compiled stylesheets it caches (render.pdf) serve every brief it renders.
    workers = min(jobs, len(pooled))
    warm = len(pooled) >= WARM_RENDER_AFTER * workers
    # Workers die with this process (a SIGKILL of the build leaves no orphan).
    with ProcessPoolExecutor(
        max_workers=workers, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        futures: dict[Future[SourceResult], str] = {
            pool.submit(build, source, warm_render=warm): source for source in pooled
        }
        for future in as_completed(futures):
            source = futures[future]
            try:
                done(future.result())
            except Exception as exc:  # the worker died (killed, out of memory...)
                failed = SourceResult(source)
                failed.fail(RenderError(f"the worker process failed: {type(exc).__name__}: {exc}"))
                done(failed)
    return results


def _slug_of_other(source: str, plan: BuildPlan) -> str | None:
    """The title slug of a source outside this shard, so names stay the same
    whichever shard builds which source; None when it cannot be read."""
    try:
        prepared = read_brief(source, plan)
    except PipelineError:
        return None
    return slugify(strip_bidi(prepared.brief.title), fallback=slugify(prepared.name))


def run_batch(
    plan: BuildPlan,
    sources: list[str],
    out_dir: Path,
    options: BatchOptions | None = None,
    on_result: OnResult | None = None,
    renderers: RenderService | None = None,
) -> BatchReport:
    """Build what changed among `sources` into `out_dir` and record it in the manifest."""
    if not sources:
        raise UsageError("nothing to build: give a SOURCE or list sources: in the config file")
    options = options or BatchOptions()
    report = BatchReport(results=[], manifest=out_dir / manifest_name(options.shard))
    previous = _previous(report)
    chosen = select_shard(sources, options.shard)
    digests, plan = fingerprint_sources(plan, chosen)
    kept = {} if options.force else _unchanged_sources(chosen, digests, previous, plan, out_dir)
    todo = [source for source in chosen if source not in kept]
    # Checked before anything is rendered: an unwritable folder fails now.
    check_writable(out_dir)
    committer = Committer(
        out_dir,
        report.manifest,
        f"{options.shard[0]}/{options.shard[1]}" if options.shard else None,
        everyone=set(sources),
    )
    for entry in kept.values():
        committer.keep(entry)
    # Names: every source of the whole build takes part, even those of other
    # shards, so a name does not depend on the shard that builds it.
    for source in sources:
        if source not in chosen:
            slug = _slug_of_other(source, plan)
            if slug is not None:
                committer.slugs[source] = slug

    def commit(result: SourceResult) -> None:
        _commit(committer, plan, result, digests[result.source] or "")

    built = _run(todo, plan, options.jobs, _InPathOrder(todo, commit, on_result), renderers)
    # A new source may have taken over the name of a kept one: rebuild that one.
    renamed = [source for source in kept if source in committer.dropped]
    for source in renamed:
        del kept[source]
    built.update(_run(renamed, plan, 1, _InPathOrder(renamed, commit, on_result), renderers))

    produced: set[str] = set()
    for source in chosen:
        if source in kept:
            report.results.append(_keep(report, produced, previous, kept[source], on_result))
            continue
        result = built[source]
        report.results.append(result)
        report.notes.extend(note for note in result.notes if note not in report.notes)
        if result.error is not None:
            old = previous.source(source)
            if old is not None:
                produced.update(old.artifacts)  # a failure keeps the last good files
            continue
        produced.update(written.path.name for written in result.written)
    report.removed = committer.finish(options.clean, produced)
    report.manifest_written = committer.written
    return report


class _InPathOrder:
    """An `on_result` that also commits each source as soon as it and every
    source before it in path order are built (names are given in path
    order, see commit.py)."""

    def __init__(
        self, todo: list[str], commit: Callable[[SourceResult], None], then: OnResult | None
    ) -> None:
        self.order = sorted(todo)
        self.commit = commit
        self.then = then
        self.waiting: dict[str, SourceResult] = {}
        self.position = 0

    def __call__(self, result: SourceResult) -> None:
        if self.then is not None:
            self.then(result)
        self.waiting[result.source] = result
        while self.position < len(self.order) and self.order[self.position] in self.waiting:
            self.commit(self.waiting.pop(self.order[self.position]))
            self.position += 1


def _commit(committer: Committer, plan: BuildPlan, result: SourceResult, digest: str) -> None:
    """Write one built source and record it (commit.py); a failure stays on the result."""
    if result.error is None:

        def record(
            source: str, stem: str, paths: list[str]
        ) -> tuple[SourceEntry, list[ArtifactEntry]]:
            return _entries(plan, result, digest, committer.slugs[source], stem, paths)

        try:
            files = [(artifact.format, artifact.data) for artifact in result.artifacts]
            result.written.extend(committer.add(result.source, title_slug(result), files, record))
        except PipelineError as error:
            result.fail(error)
        except OSError as exc:
            result.fail(PipelineError(f"cannot write to {committer.out_dir}: {exc.strerror}"))
    if result.error is not None:
        committer.failed = True


def _keep(
    report: BatchReport,
    produced: set[str],
    previous: Manifest,
    entry: SourceEntry,
    on_result: OnResult | None,
) -> SourceResult:
    """An unchanged source: its recorded artifacts stand."""
    result = SourceResult(entry.source, skipped=True)
    produced.update(entry.artifacts)
    report.recorded[entry.source] = tuple(
        found for path in entry.artifacts if (found := previous.artifact(path))
    )
    if on_result is not None:
        on_result(result)
    return result


def _entries(
    plan: BuildPlan, result: SourceResult, digest: str, slug: str, stem: str, paths: list[str]
) -> tuple[SourceEntry, list[ArtifactEntry]]:
    """The manifest entries of a source just written."""
    entry = plan.source_entry(result.source, digest, slug, stem, tuple(paths))
    artifacts = [
        entry.record(path, artifact) for artifact, path in zip(result.artifacts, paths, strict=True)
    ]
    return entry, artifacts


def fingerprint_sources(
    plan: BuildPlan, sources: list[str]
) -> tuple[dict[str, str | None], BuildPlan]:
    """Each source's content fingerprint (`source_digest`), and the plan to
    read them with: URL sources were just fetched, so its fetcher reads them
    from the cache (pool workers too)."""
    max_bytes = plan.limits.max_input_bytes
    digests = {source: source_digest(source, plan.fetcher, max_bytes) for source in sources}
    if plan.fetcher is not None:
        plan = dataclasses.replace(plan, fetcher=plan.fetcher.for_workers())
    return digests, plan


def source_digest(source: str, fetcher: Fetcher | None, max_bytes: int) -> str | None:
    """The fingerprint of a source's content: a file's sha256, or for a URL the
    sha256 of what the server sent (fetched now, conditionally); None when it
    cannot be had (the build then reports why)."""
    if source == "-":
        return None
    if not is_url(source):
        return sha256_file(Path(source))
    try:
        fetched = (fetcher or Fetcher()).get(source, PAGE_TYPES, max_bytes)
    except PipelineError:
        return None
    head = f"{fetched.final_url}\n{fetched.media_type}\n{fetched.charset}\n".encode()
    return sha256_bytes(head + fetched.data)

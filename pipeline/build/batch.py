"""Many sources -> an incremental, parallel build recorded in a manifest.

This module owns the batch: which sources need building (the manifest's
fingerprints against the plan's), running `source.build_one` for each in
worker processes, giving every brief a stable file name, and then, in the
parent only, writing the artifacts, removing stale ones under --clean and
writing the manifest, all through `output`. Workers never touch the output
folder.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.build.manifest import (
    ArtifactEntry,
    Manifest,
    SourceEntry,
    intact,
    load_manifest,
    manifest_name,
    present,
    sha256_bytes,
    sha256_file,
)
from pipeline.build.naming import shared_stem, slugify
from pipeline.build.output import remove_listed, write_atomic
from pipeline.build.plan import BuildPlan
from pipeline.build.source import SourceResult, build_one, make_brief
from pipeline.errors import OutputError, PipelineError, RenderError, UsageError
from pipeline.read.fetch import PAGE_TYPES, Fetcher, is_url
from pipeline.read.fetch_page import read_article
from pipeline.read.ingest import strip_bidi
from pipeline.read.sources import select_shard
from pipeline.render import MEDIA_TYPES

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


@dataclass
class _Ledger:
    """The manifest being written: the previous one's entries, updated."""

    sources: dict[str, SourceEntry]
    artifacts: dict[str, ArtifactEntry]
    produced: set[str] = field(default_factory=set)  # artifacts this build stands by


# --- names ----------------------------------------------------------------


def title_slug(result: SourceResult) -> str:
    assert result.brief is not None
    return slugify(strip_bidi(result.brief.title), fallback=slugify(result.name or "brief"))


def plan_stems(slugs: dict[str, str], reserved: set[str]) -> dict[str, str]:
    """Source -> output file stem. Sources sharing a title are ordered by path:
    the first keeps the plain name, the others add their own file name and a
    short hash of their path (naming.shared_stem), so names stay readable and
    depend neither on the order sources were given nor on scheduling."""
    groups: dict[str, list[str]] = {}
    for source, slug in slugs.items():
        groups.setdefault(slug, []).append(source)
    stems: dict[str, str] = {}
    for slug, group in groups.items():
        for index, source in enumerate(sorted(group)):
            if index == 0 and slug not in reserved:
                stems[source] = slug
            else:
                stems[source] = shared_stem(slug, source)
    return stems


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
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future[SourceResult], str] = {
            pool.submit(build, source, warm_render=warm): source for source in pooled
        }
        for future in as_completed(futures):
            source = futures[future]
            try:
                done(future.result())
            except Exception as exc:  # the worker died (killed, out of memory...)
                done(
                    SourceResult(
                        source,
                        error=RenderError(
                            f"the worker process failed: {type(exc).__name__}: {exc}",
                            file=source,
                        ),
                    )
                )
    return results


def _slug_of_other(source: str, plan: BuildPlan) -> str | None:
    """The title slug of a source outside this shard, so names stay the same
    whichever shard builds which source; None when it cannot be read."""
    try:
        document = read_article(
            source, plan.limits.max_input_bytes, plan.input_format, plan.fetcher
        )
        brief = make_brief(document, plan.brief, plan.today, [])
    except PipelineError:
        return None
    return slugify(strip_bidi(brief.title), fallback=slugify(document.name))


def _stems(
    plan: BuildPlan,
    sources: list[str],
    chosen: list[str],
    kept: dict[str, SourceEntry],
    built: dict[str, SourceResult],
    previous: Manifest,
) -> tuple[dict[str, str], dict[str, str]]:
    """(slugs, output file stems) of the sources. Every source of the whole
    build takes part, even those of other shards, and names recorded for
    sources no longer built stay reserved."""
    slugs: dict[str, str] = {s: e.slug for s, e in kept.items()}
    slugs.update({s: title_slug(r) for s, r in built.items() if r.error is None})
    for source in sources:
        if source not in chosen:
            slug = _slug_of_other(source, plan)
            if slug is not None:
                slugs[source] = slug
    everyone = set(sources)
    reserved = {e.stem for e in previous.sources if e.source not in everyone}
    return slugs, plan_stems(slugs, reserved)


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
    digests = {s: source_digest(s, plan.fetcher, plan.limits.max_input_bytes) for s in chosen}
    if plan.fetcher is not None:  # the workers read what was just fetched from the cache
        plan = dataclasses.replace(plan, fetcher=plan.fetcher.for_workers())
    kept = {} if options.force else _unchanged_sources(chosen, digests, previous, plan, out_dir)
    todo = [source for source in chosen if source not in kept]
    built = _run(todo, plan, options.jobs, on_result, renderers)
    slugs, stems = _stems(plan, sources, chosen, kept, built, previous)
    # A new source may take over the plain name of a kept one: rebuild that one.
    renamed = [s for s, e in kept.items() if stems[s] != e.stem]
    for source in renamed:
        del kept[source]
    built.update(_run(renamed, plan, 1, on_result, renderers))

    ledger = _Ledger(
        {e.source: e for e in previous.sources}, {e.path: e for e in previous.artifacts}
    )
    for source in chosen:
        if source in kept:
            report.results.append(_keep(report, ledger, previous, kept[source], on_result))
            continue
        result = built[source]
        report.results.append(result)
        report.notes.extend(note for note in result.notes if note not in report.notes)
        if result.error is not None:
            old = previous.source(source)
            if old is not None:
                ledger.produced.update(old.artifacts)  # a failure keeps the last good files
            continue
        paths = _write(result, stems[source], out_dir)
        if result.error is None:
            _record(
                ledger, plan, result, digests[source] or "", slugs[source], stems[source], paths
            )

    if options.clean:
        report.removed = _clean(ledger, out_dir, set(sources))
    _write_manifest(report, options.shard, ledger, out_dir)
    return report


def _keep(
    report: BatchReport,
    ledger: _Ledger,
    previous: Manifest,
    entry: SourceEntry,
    on_result: OnResult | None,
) -> SourceResult:
    """An unchanged source: its recorded artifacts stand."""
    result = SourceResult(entry.source, skipped=True)
    ledger.produced.update(entry.artifacts)
    report.recorded[entry.source] = tuple(
        found for path in entry.artifacts if (found := previous.artifact(path))
    )
    if on_result is not None:
        on_result(result)
    return result


def _record(
    ledger: _Ledger,
    plan: BuildPlan,
    result: SourceResult,
    digest: str,
    slug: str,
    stem: str,
    paths: list[str],
) -> None:
    """The manifest entries of a source just written."""
    inputs = plan.fingerprint
    for artifact, path in zip(result.artifacts, paths, strict=True):
        ledger.artifacts[path] = ArtifactEntry(
            path=path,
            media_type=MEDIA_TYPES[artifact.format],
            size=len(artifact.data),
            sha256=sha256_bytes(artifact.data),
            pages=artifact.pages,
            source=result.source,
            source_sha256=digest,
            config_hash=inputs.config_hash,
            theme=inputs.theme,
            package_version=inputs.package,
            build_time=plan.stamp,
        )
    ledger.produced.update(paths)
    ledger.sources[result.source] = SourceEntry(
        source=result.source,
        sha256=digest,
        config_hash=inputs.config_hash,
        theme=inputs.theme,
        theme_hash=inputs.theme_hash,
        package_version=inputs.package,
        formats=inputs.formats,
        slug=slug,
        stem=stem,
        artifacts=tuple(paths),
        build_time=plan.stamp,
    )


def _clean(ledger: _Ledger, out_dir: Path, everyone: set[str]) -> list[str]:
    """--clean: remove the listed artifacts this build no longer produces."""
    stale = sorted(set(ledger.artifacts) - ledger.produced)
    removed = remove_listed(out_dir, stale)
    for path in stale:
        del ledger.artifacts[path]
    ledger.sources = {s: e for s, e in ledger.sources.items() if s in everyone}
    return removed


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


def _write(result: SourceResult, stem: str, out_dir: Path) -> list[str]:
    paths = []
    try:
        for artifact in result.artifacts:
            written = write_atomic(out_dir, f"{stem}.{artifact.format}", artifact.data)
            result.written.append(written)
            paths.append(written.path.name)
    except PipelineError as error:
        error.file = error.file or result.source
        result.error = error
    except OSError as exc:
        result.error = PipelineError(
            f"cannot write to {out_dir}: {exc.strerror}", file=result.source
        )
    return paths


def _write_manifest(
    report: BatchReport, shard: tuple[int, int] | None, ledger: _Ledger, out_dir: Path
) -> None:
    listed = present(out_dir, ledger.artifacts.values())
    manifest = Manifest(
        shard=f"{shard[0]}/{shard[1]}" if shard else None,
        sources=tuple(ledger.sources.values()),
        artifacts=listed,
    )
    data = manifest.to_bytes()
    try:
        unchanged = report.manifest.read_bytes() == data
    except OSError:
        # No manifest yet: a build that failed and produced nothing does not
        # start one, so a failed first build leaves the output folder as it
        # was. (An empty shard that did not fail still writes its part.)
        unchanged = not listed and bool(report.failed)
    if not unchanged:  # an untouched rebuild rewrites nothing, not even this
        try:
            write_atomic(out_dir, report.manifest.name, data)
        except OSError as exc:
            raise OutputError(
                f"cannot write the manifest: {exc.strerror}", file=str(report.manifest)
            ) from None
        report.manifest_written = True

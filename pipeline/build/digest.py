"""Many sources -> one digest document (PDF, DOCX, JSON), recorded in the manifest.

Every source is read and structured into a Brief like for `build` (URLs
and feeds included); a source that cannot be read is reported and left out,
the others make the digest. The digest is rendered in a forked worker (the
render limits apply), then written atomically with the other artifacts
left as they were. It is rebuilt only when an article, the config, the
theme or the package changed: one fingerprint over all of them, kept in the
manifest under the source name `digest:<name>`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.build.manifest import (
    MANIFEST_NAME,
    ArtifactEntry,
    Manifest,
    SourceEntry,
    intact,
    load_manifest,
    present,
    sha256_bytes,
)
from pipeline.build.output import Written, verify, write_atomic
from pipeline.build.plan import BuildPlan
from pipeline.build.source import SourceResult, make_brief
from pipeline.config.web import Digest as DigestSettings
from pipeline.errors import OutputError, PipelineError, RenderError, SourceError
from pipeline.render import MEDIA_TYPES, Artifact

if TYPE_CHECKING:
    from pipeline.digest import Digest
    from pipeline.render.theme import Theme


@dataclass
class DigestReport:
    results: list[SourceResult]  # one per source, in order: its brief or its error
    written: list[Written] = field(default_factory=list)
    skipped: bool = False  # nothing changed since the last digest
    manifest: Path | None = None  # written this time
    error: PipelineError | None = None  # the digest itself could not be made
    warnings: list[str] = field(default_factory=list)  # the render's (refused resources...)
    digest: Digest | None = None  # what was (or, up to date, would be) rendered
    paths: list[Path] = field(default_factory=list)  # the digest's files, written or kept

    @property
    def failed(self) -> list[SourceResult]:
        return [result for result in self.results if result.error is not None]


def read_briefs(sources: list[str], plan: BuildPlan) -> list[SourceResult]:
    """Each source read and structured; a failure is kept on its result."""
    from pipeline.read.fetch_page import read_article
    from pipeline.read.limits import check_document

    results = []
    limits = plan.limits
    for source in sources:
        result = SourceResult(source)
        try:
            document = read_article(
                source,
                limits.max_input_bytes,
                plan.input_format,
                plan.fetcher,
                lead_image=plan.theme.layout.images.lead,
            )
            document = check_document(document, limits)
            result.name = document.name
            result.brief = make_brief(document, plan.brief, plan.today, result.warnings)
        except PipelineError as error:
            error.file = error.file or source
            result.error = error
        results.append(result)
    return results


def assemble(results: list[SourceResult], plan: BuildPlan, settings: DigestSettings) -> Digest:
    from pipeline.build.source import resolve_labels
    from pipeline.understand.digest import digest_language, make_digest
    from pipeline.understand.languages import get_language

    briefs = [result.brief for result in results if result.brief is not None]
    code = digest_language(briefs, plan.brief.language)
    language = get_language(code, plan.brief.language_dirs)
    return make_digest(
        briefs,
        language,
        resolve_labels(language, plan.brief),
        plan.today,
        title=settings.title,
        organisation=plan.brief.organisation,
    )


def _render(digest: Digest, theme: Theme, formats: tuple[str, ...]) -> list[Artifact]:
    from pipeline.render.digest import renderer_for_digest

    artifacts = []
    for fmt in formats:
        artifact = renderer_for_digest(fmt)(digest, theme)
        verify(fmt, artifact.data)
        artifacts.append(artifact)
    return artifacts


def _fingerprint(results: list[SourceResult], digests: dict[str, str | None]) -> str:
    """One hash over which sources made it in and what each one's content was."""
    lines = [f"{r.source}\t{digests.get(r.source) or ''}" for r in results if r.error is None]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def run_digest(
    plan: BuildPlan,
    settings: DigestSettings,
    sources: list[str],
    out_dir: Path,
    force: bool = False,
) -> DigestReport:
    """Read every source, and unless nothing changed, render and write the digest."""
    import dataclasses

    from pipeline.build.batch import source_digest
    from pipeline.build.isolation import run_isolated

    max_bytes = plan.limits.max_input_bytes
    digests = {source: source_digest(source, plan.fetcher, max_bytes) for source in sources}
    if plan.fetcher is not None:  # what was just fetched is read from the cache
        plan = dataclasses.replace(plan, fetcher=plan.fetcher.for_workers())
    report = DigestReport(read_briefs(sources, plan))
    if not any(result.brief for result in report.results):
        report.error = SourceError(
            "no source could be read: nothing to put in the digest",
            hint="fix the sources named above",
        )
        return report
    key = f"digest:{settings.name}"
    stamp = plan.fingerprint
    entry = SourceEntry(
        source=key,
        sha256=_fingerprint(report.results, digests),
        config_hash=stamp.config_hash,
        theme=stamp.theme,
        theme_hash=stamp.theme_hash,
        package_version=stamp.package,
        formats=plan.formats,
        slug=settings.name,
        stem=settings.name,
        artifacts=tuple(f"{settings.name}.{fmt}" for fmt in plan.formats),
        build_time=plan.stamp,
    )
    manifest_path = out_dir / MANIFEST_NAME
    try:
        previous = load_manifest(manifest_path) or Manifest()
    except PipelineError:
        previous = Manifest()
    report.digest = digest = assemble(report.results, plan, settings)
    report.paths = [out_dir / name for name in entry.artifacts]
    if not force and _unchanged(previous, entry, out_dir):
        report.skipped = True
        return report
    limits = plan.limits
    try:
        artifacts = run_isolated(
            _render,
            digest,
            plan.theme,
            plan.formats,
            timeout=limits.render_timeout,
            memory_mb=limits.render_memory_mb,
            what="the digest's render",
        )
    except PipelineError as error:
        report.error = error
        return report
    except Exception as exc:  # a bug in a renderer: reported, nothing written
        report.error = RenderError(f"internal error: {type(exc).__name__}: {exc}", file=key)
        return report
    for artifact in artifacts:
        report.warnings.extend(artifact.warnings)
    artifacts_out = {e.path: e for e in previous.artifacts}
    for artifact in artifacts:
        name = f"{settings.name}.{artifact.format}"
        report.written.append(write_atomic(out_dir, name, artifact.data))
        artifacts_out[name] = ArtifactEntry(
            path=name,
            media_type=MEDIA_TYPES[artifact.format],
            size=len(artifact.data),
            sha256=sha256_bytes(artifact.data),
            pages=artifact.pages,
            source=key,
            source_sha256=entry.sha256,
            config_hash=entry.config_hash,
            theme=entry.theme,
            package_version=entry.package_version,
            build_time=entry.build_time,
        )
    sources_out = {e.source: e for e in previous.sources}
    sources_out[key] = entry
    manifest = Manifest(
        shard=previous.shard,
        sources=tuple(sources_out.values()),
        artifacts=present(out_dir, artifacts_out.values()),
    )
    try:
        write_atomic(out_dir, MANIFEST_NAME, manifest.to_bytes())
    except OSError as exc:
        raise OutputError(
            f"cannot write the manifest: {exc.strerror}", file=str(manifest_path)
        ) from None
    report.manifest = manifest_path
    return report


def _unchanged(previous: Manifest, entry: SourceEntry, folder: Path) -> bool:
    old = previous.source(entry.source)
    if old is None:
        return False
    same = old.model_copy(update={"build_time": entry.build_time}) == entry
    return same and all(
        (artifact := previous.artifact(path)) is not None and intact(folder, artifact)
        for path in entry.artifacts
    )

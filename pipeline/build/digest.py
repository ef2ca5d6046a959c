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
    Manifest,
    SourceEntry,
    intact,
    load_manifest,
    present,
)
from pipeline.build.output import Written, verify, write_atomic
from pipeline.build.plan import BuildPlan
from pipeline.build.source import SourceResult, read_brief
from pipeline.config.web import Digest as DigestSettings
from pipeline.errors import OutputError, PipelineError, RenderError, SourceError
from pipeline.render import Artifact

if TYPE_CHECKING:
    from pipeline.brief import Digest
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
    """Each source read and structured (in a bounded child, as for `build`);
    a failure is kept on its result."""
    results = []
    for source in sources:
        result = SourceResult(source)
        try:
            prepared = read_brief(source, plan)
        except PipelineError as error:
            result.fail(error)
        else:
            result.name, result.brief = prepared.name, prepared.brief
            result.warnings.extend([*prepared.warnings, *prepared.notes])
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
    from pipeline.build.batch import fingerprint_sources
    from pipeline.build.isolation import run_isolated

    digests, plan = fingerprint_sources(plan, sources)
    report = DigestReport(read_briefs(sources, plan))
    if not any(result.brief for result in report.results):
        report.error = SourceError(
            "no source could be read: nothing to put in the digest",
            hint="fix the sources named above",
        )
        return report
    key = f"digest:{settings.name}"
    entry = plan.source_entry(
        key,
        _fingerprint(report.results, digests),
        settings.name,
        settings.name,
        tuple(f"{settings.name}.{fmt}" for fmt in plan.formats),
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
        artifacts_out[name] = entry.record(name, artifact)
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

"""One source, after a `BuildPlan`: article file -> Document -> Brief -> artifacts (in memory).

`build_one` reads, structures and renders one source and writes nothing; it
is what batch workers run (batch.py commits each result as it comes).
Also here: the language choice and the label overrides that turn a Document
into a Brief (`make_brief`, from the plan's `BriefSettings`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from pipeline.build.output import Written, verify
from pipeline.build.plan import BriefSettings, BuildPlan
from pipeline.config.model import Limits
from pipeline.errors import PipelineError, RenderError
from pipeline.render import Artifact
from pipeline.render.formats import render_format, renderer_for

# The Brief models, the structure stage and the language data are imported
# where they are used: an up-to-date (no-op) build needs none of them.
if TYPE_CHECKING:
    from pipeline.brief import Brief, Labels
    from pipeline.build.render_server import RenderServer
    from pipeline.read.model import Document
    from pipeline.render.pdfjob import PdfJob
    from pipeline.render.theme import Theme
    from pipeline.understand.languages import Language

log = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"


@dataclass
class SourceResult:
    source: str
    brief: Brief | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # said once per build, whatever the sources
    error: PipelineError | None = None
    name: str = ""  # the document's file stem, the fallback for the output name
    seconds: float = 0.0
    skipped: bool = False  # unchanged since the manifest: nothing rendered or written

    def fail(self, error: PipelineError) -> None:
        """Record why this source failed (the error names the source when it
        names no other file)."""
        error.file = error.file or self.source
        self.error = error


def choose_language(
    document: Document,
    settings: BriefSettings,
    warnings: list[str],
    notes: list[str] | None = None,
) -> Language:
    """The config's `language:`, else the language the source declares when its
    script agrees with the text's, else the detected one, else English (with a
    warning). A language without a data file is noted (in `notes`, said once
    per build; in `warnings` when no list is given)."""
    from pipeline.understand.detect import agrees_with_text, detect_language
    from pipeline.understand.languages import language_for, normalise_tag

    tag = normalise_tag(settings.language) if settings.language != "auto" else None
    meta = document.meta
    declared = normalise_tag(str(meta.get("lang") or meta.get("declared_lang") or ""))
    if tag is None and declared is not None:
        if agrees_with_text(declared, document.text):
            tag = declared
        else:
            warnings.append(f"the source says lang '{declared}', but its text is in another script")
    if tag is None:
        tag = detect_language(document.text)
    if tag is None:
        warnings.append(
            f"could not tell the language; using '{FALLBACK_LANGUAGE}' "
            "(set language: in config.yaml)"
        )
        tag = FALLBACK_LANGUAGE
    language = language_for(tag, settings.language_dirs)
    if not language.has_data:
        (warnings if notes is None else notes).append(
            f"no language data for '{language.code}' ({language.name}): English labels; "
            f"add pipeline/understand/languages/{language.code}.yaml (docs/inputs.md)"
        )
    return language


def resolve_labels(language: Language, settings: BriefSettings) -> Labels:
    overrides = settings.labels.get(language.code)
    if not overrides:
        return language.labels
    return language.labels.model_copy(update=overrides)


def make_brief(
    document: Document,
    settings: BriefSettings,
    today: dt.date,
    warnings: list[str],
    notes: list[str] | None = None,
) -> Brief:
    from pipeline.understand.provenance import with_origin
    from pipeline.understand.structure import build_brief, with_digest

    warnings.extend(document.warnings)
    language = choose_language(document, settings, warnings, notes)
    # `date: today` / `date: last-modified` in the front matter (Quarto) choose,
    # for this article, what `undated:` chooses for every undated one.
    rule = document.meta.get("date_rule") or (
        "last-modified" if settings.undated == "file" else "today"
    )
    if rule == "last-modified" and document.mtime is not None:
        today = dt.datetime.fromtimestamp(document.mtime, dt.UTC).date()
    brief = build_brief(
        document,
        language,
        resolve_labels(language, settings),
        today=today,
        organisation=settings.organisation,
    )
    brief = with_digest(
        brief,
        language,
        key_point_count=settings.key_points,
        entities=settings.entities,
        entity_method=settings.entity_method,
    )
    return with_origin(brief, document.meta, language)


@dataclass(frozen=True)
class Prepared:
    """What the bounded reading child sends back: the brief and, when a PDF is
    wanted, its typesetting job (the theme's templates already filled)."""

    name: str
    brief: Brief
    warnings: list[str]
    notes: list[str]
    job: PdfJob | None = None
    sample: PdfJob | None = None  # the warm-up sample (render.typeset.warm_up), when asked for


def _read(source: str, plan: BuildPlan) -> tuple[Document, Brief, list[str], list[str]]:
    from pipeline.read.fetch_page import read_article
    from pipeline.read.limits import check_document

    limits = plan.limits
    document = read_article(
        source,
        limits.max_input_bytes,
        plan.input_format,
        plan.fetcher,
        lead_image=plan.theme.layout.images.lead,
        figures=plan.theme.layout.images.figures,
        limits=limits,
    )
    document = check_document(document, limits)
    warnings: list[str] = []
    notes: list[str] = []
    brief = make_brief(document, plan.brief, plan.today, warnings, notes)
    return document, brief, warnings, notes


def _prepare(source: str, plan: BuildPlan, sample: bool) -> Prepared:
    """Read, check and structure the source and fill the theme's templates.

    Runs in a forked child (see `build_one`): reading, the structure stage
    and the templates (which are theme code) are bounded like the render.
    """
    from pipeline.build.fidelity import unfaithful  # the self-check: nothing lost

    document, brief, warnings, notes = _read(source, plan)
    warnings.extend(unfaithful(document, brief))
    if {"pdf", "docx"} & set(plan.formats):
        from pipeline.render.fallback import fallback_for

        # Said once here; both renderers use the same fallback fonts.
        warnings.extend(fallback_for(brief, plan.theme.layout.fonts).warnings)
    job = warm = None
    if "pdf" in plan.formats:
        job, warm = _pdf_jobs(brief, plan.theme, sample)
    return Prepared(document.name, brief, warnings, notes, job, warm)


def _brief_only(source: str, plan: BuildPlan) -> Prepared:
    document, brief, warnings, notes = _read(source, plan)
    return Prepared(document.name, brief, warnings, notes)


def read_brief(source: str, plan: BuildPlan) -> Prepared:
    """The brief of a source without rendering it (an e-mail body, another
    shard's title), read and structured in a child bounded like `build_one`'s."""
    from pipeline.build.isolation import run_isolated

    limits = plan.limits
    prepared: Prepared = run_isolated(
        _brief_only,
        source,
        plan,
        timeout=limits.render_timeout,
        memory_mb=limits.render_memory_mb,
        what="preparing the brief",
    )
    return prepared


def _render(
    brief: Brief,
    theme: Theme,
    formats: tuple[str, ...],
    preview: bool = False,
    job: PdfJob | None = None,
    pdf: Artifact | None = None,
) -> list[Artifact]:
    """Each format; the PDF first, as the DOCX's contents take its page
    numbers (render_format), unless `pdf` was typeset elsewhere already."""
    artifacts = []
    for fmt in sorted(formats, key=lambda fmt: fmt != "pdf"):
        if fmt == "pdf" and job is not None:  # the templates were filled already
            from pipeline.render.typeset import typeset

            artifact = typeset(job)
        else:
            artifact = render_format(fmt, brief, theme, pdf)
        verify(fmt, artifact.data)
        if fmt == "pdf":
            pdf = artifact
        artifacts.append(artifact)
    artifacts.sort(key=lambda artifact: formats.index(artifact.format))
    if preview:
        from pipeline.render.preview import render_preview

        artifacts.extend([render_preview(a.data) for a in artifacts if a.format == "pdf"])
    return artifacts


def _render_all(prepared: Prepared, plan: BuildPlan, server: RenderServer | None) -> list[Artifact]:
    """Every format of the plan, each rendered in a forked child within the limits.

    With a running render server the PDF is typeset there (it imported
    WeasyPrint while this process read the article) while the other formats
    render from here at the same time; a build without a PDF renders all its
    formats there (it imported python-docx meanwhile); without a server one
    child forked from here renders them all.
    """
    from pipeline.build.isolation import run_isolated

    brief, job = prepared.brief, prepared.job
    theme, formats, preview = plan.theme, plan.formats, plan.preview
    timeout, memory_mb = plan.limits.render_timeout, plan.limits.render_memory_mb
    if server is None or not server.alive:
        _warm_up_jobs(formats, job, prepared.sample)
        return run_isolated(
            _render, brief, theme, formats, preview, job, timeout=timeout, memory_mb=memory_mb
        )
    if job is None:  # no PDF
        from pipeline.render.server_jobs import render_formats

        call = partial(render_formats, brief, theme, formats)
        served = server.submit(None, call, timeout=timeout, memory_mb=memory_mb).result()
        for artifact in served:
            verify(artifact.format, artifact.data)
        return served
    from pipeline.render.server_jobs import typeset_job, warm_up_typesetter

    # No warm-up sample: the server runs its first job itself, and that job
    # leaves WeasyPrint's caches filled for every later fork.
    pending = server.submit(
        partial(warm_up_typesetter, job),
        partial(typeset_job, job, preview),
        timeout=timeout,
        memory_mb=memory_mb,
    )
    others = tuple(fmt for fmt in formats if fmt != "pdf")
    _warm_up_jobs(others)  # python-docx imported once here, not in every forked child
    # A DOCX with contents waits for the PDF, whose page numbers it shows.
    typeset_first: list[Artifact] | None = None
    if "docx" in others and theme.layout.toc:
        typeset_first = pending.result()
    try:
        local = (
            run_isolated(
                _render,
                brief,
                theme,
                others,
                False,
                None,
                typeset_first[0] if typeset_first else None,
                timeout=timeout,
                memory_mb=memory_mb,
            )
            if others
            else []
        )
    except BaseException:
        if typeset_first is None:
            pending.abandon()  # the server answers this job before any other
        raise
    served = pending.result() if typeset_first is None else typeset_first
    for artifact in served:
        verify(artifact.format, artifact.data)
    order = {fmt: index for index, fmt in enumerate((*formats, "png"))}
    return sorted([*served, *local], key=lambda artifact: order[artifact.format])


def _preload(theme: Theme) -> None:
    from pipeline.render.html import preload

    try:
        preload(theme.folder)
    except Exception:  # the bounded child meets the same error and reports it
        log.debug("templates not preloaded", exc_info=True)


def build_one(
    source: str,
    plan: BuildPlan,
    *,
    warm_render: bool = False,
    server: RenderServer | None = None,
) -> SourceResult:
    """Read, structure and render one source; write nothing. Picklable, so a
    worker process can run it; a failure is recorded on the result, never raised.

    Reading, structuring and filling the templates run in one forked child,
    the render in another, each with the plan's timeout and memory cap
    (isolation.run_isolated), so a pathological article fails alone.
    `warm_render`: this process renders many briefs, so it renders the first
    one once itself and every later forked child starts warm (render.pdf).
    `server`: a render server started at launch (render_server.py) typesets
    the PDF instead, from its own warm state; this process then never
    imports WeasyPrint.
    """
    from pipeline.build.isolation import run_isolated

    started = time.perf_counter()
    result = SourceResult(source)
    if "pdf" in plan.formats:
        _preload(plan.theme)
    try:
        limits = plan.limits
        prepared = run_isolated(
            _prepare,
            source,
            plan,
            warm_render and (server is None or not server.alive),
            timeout=limits.render_timeout,
            memory_mb=limits.render_memory_mb,
            what="preparing the brief",
        )
        result.name = prepared.name
        result.brief = prepared.brief
        result.warnings.extend(prepared.warnings)
        result.notes.extend(prepared.notes)
        result.artifacts = _render_all(prepared, plan, server)
    except PipelineError as error:
        result.fail(error)
    except Exception as exc:  # a bug in a stage: this source fails, others go on
        failure = RenderError(f"internal error: {type(exc).__name__}: {exc}")
        failure.__cause__ = exc
        result.fail(failure)
    for artifact in result.artifacts:
        result.warnings.extend(artifact.warnings)
    if plan.strict and result.warnings and result.error is None:
        result.fail(
            RenderError(
                f"{len(result.warnings)} warning(s) treated as errors (--strict)",
                hint="fix the warnings above, or build without --strict",
            )
        )
        result.artifacts = []
    result.seconds = time.perf_counter() - started
    return result


def warm_up(
    formats: tuple[str, ...],
    brief: Brief | None = None,
    theme: Theme | None = None,
    *,
    render: bool = False,
    limits: Limits | None = None,
) -> None:
    """Import the renderers and build their reusable state in this process, so
    every forked render child inherits them instead of rebuilding them.

    Given the next brief, its stylesheet is compiled here too, and with
    `render` a tiny sample of the same layout is typeset once (see
    render.typeset.warm_up). The templates are theme code: they are filled
    in a child bounded by `limits`, and a failure there only skips the warm-up.
    """
    job = sample = None
    if "pdf" in formats and brief is not None and theme is not None:
        from pipeline.build.isolation import run_isolated

        limits = limits or Limits()
        try:
            job, sample = run_isolated(
                _pdf_jobs,
                brief,
                theme,
                render,
                timeout=limits.render_timeout,
                memory_mb=limits.render_memory_mb,
                what="the warm-up",
            )
        except PipelineError:
            log.debug("PDF warm-up failed", exc_info=True)
    _warm_up_jobs(formats, job, sample)


def _pdf_jobs(brief: Brief, theme: Theme, sample: bool) -> tuple[PdfJob, PdfJob | None]:
    from pipeline.render.pdf import _warm_up_brief, pdf_job

    return pdf_job(brief, theme), pdf_job(_warm_up_brief(brief), theme) if sample else None


def _warm_up_jobs(
    formats: tuple[str, ...], job: PdfJob | None = None, sample: PdfJob | None = None
) -> None:
    for fmt in formats:
        renderer_for(fmt)
    if "pdf" in formats:
        from pipeline.render.typeset import warm_up as warm_typesetter

        warm_typesetter(job, sample)

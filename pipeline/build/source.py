"""One source, after a `BuildPlan`: article file -> Document -> Brief -> artifacts (in memory).

`build_one` reads, structures and renders one source and writes nothing; it
is what batch workers run (batch.py gathers every result, then writes).
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
from pipeline.errors import PipelineError, RenderError
from pipeline.render import Artifact
from pipeline.render.formats import renderer_for

# The Brief models, the structure stage and the language data are imported
# where they are used: an up-to-date (no-op) build needs none of them.
if TYPE_CHECKING:
    from pipeline.brief import Brief, Labels
    from pipeline.build.render_server import RenderServer
    from pipeline.read.model import Document
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


def _render(
    brief: Brief, theme: Theme, formats: tuple[str, ...], preview: bool = False
) -> list[Artifact]:
    artifacts = []
    for fmt in formats:
        artifact = renderer_for(fmt)(brief, theme)
        verify(fmt, artifact.data)
        artifacts.append(artifact)
    if preview:
        from pipeline.render.preview import render_preview

        artifacts.extend([render_preview(a.data) for a in artifacts if a.format == "pdf"])
    return artifacts


def _render_all(
    brief: Brief, plan: BuildPlan, warm: bool, server: RenderServer | None
) -> list[Artifact]:
    """Every format of the plan, each rendered in a forked child within the limits.

    With a running render server the PDF is typeset there (it imported
    WeasyPrint while this process read the article) while the other formats
    render from here at the same time; a build without a PDF renders all its
    formats there (it imported python-docx meanwhile); without a server one
    child forked from here renders them all.
    """
    from pipeline.build.isolation import run_isolated

    theme, formats, preview = plan.theme, plan.formats, plan.preview
    timeout, memory_mb = plan.limits.render_timeout, plan.limits.render_memory_mb
    if server is None or not server.alive:
        warm_up(formats, brief, theme, render=warm)
        return run_isolated(
            _render, brief, theme, formats, preview, timeout=timeout, memory_mb=memory_mb
        )
    if "pdf" not in formats:
        from pipeline.render.server_jobs import render_formats

        call = partial(render_formats, brief, theme, formats)
        served = server.submit(None, call, timeout=timeout, memory_mb=memory_mb).result()
        for artifact in served:
            verify(artifact.format, artifact.data)
        return served
    from pipeline.render.pdf import pdf_job
    from pipeline.render.server_jobs import typeset_job, warm_up_typesetter

    # No warm-up sample (`warm`): the server runs its first job itself, and
    # that job leaves WeasyPrint's caches filled for every later fork.
    try:  # the templates, here: the server imports neither Jinja2 nor the models
        job = pdf_job(brief, theme)
    except PipelineError:
        raise
    except Exception as exc:  # as the same failure in a render child reads
        raise RenderError(f"the render failed: {type(exc).__name__}: {exc}") from exc
    pending = server.submit(
        partial(warm_up_typesetter, job),
        partial(typeset_job, job, preview),
        timeout=timeout,
        memory_mb=memory_mb,
    )
    others = tuple(fmt for fmt in formats if fmt != "pdf")
    warm_up(others)  # python-docx imported once here, not in every forked child
    try:
        local = (
            run_isolated(_render, brief, theme, others, False, timeout=timeout, memory_mb=memory_mb)
            if others
            else []
        )
    except BaseException:
        pending.abandon()  # the server answers this job before any other
        raise
    served = pending.result()
    for artifact in served:
        verify(artifact.format, artifact.data)
    order = {fmt: index for index, fmt in enumerate((*formats, "png"))}
    return sorted([*served, *local], key=lambda artifact: order[artifact.format])


def build_one(
    source: str,
    plan: BuildPlan,
    *,
    warm_render: bool = False,
    server: RenderServer | None = None,
) -> SourceResult:
    """Read, structure and render one source; write nothing. Picklable, so a
    worker process can run it; a failure is recorded on the result, never raised.

    The render runs in a forked child with the plan's timeout and memory
    cap (isolation.run_isolated), so a pathological article fails alone.
    `warm_render`: this process renders many briefs, so it renders the first
    one once itself and every later forked child starts warm (render.pdf).
    `server`: a render server started at launch (render_server.py) typesets
    the PDF instead, from its own warm state; this process then never
    imports WeasyPrint.
    """
    started = time.perf_counter()
    result = SourceResult(source)
    from pipeline.read.fetch_page import read_article
    from pipeline.read.limits import check_document

    try:
        limits = plan.limits
        document = read_article(
            source,
            limits.max_input_bytes,
            plan.input_format,
            plan.fetcher,
            lead_image=plan.theme.layout.images.lead,
        )
        document = check_document(document, limits)
        result.name = document.name
        result.brief = make_brief(document, plan.brief, plan.today, result.warnings, result.notes)
        from pipeline.build.fidelity import unfaithful  # the self-check: nothing lost

        result.warnings.extend(unfaithful(document, result.brief))
        if {"pdf", "docx"} & set(plan.formats):
            from pipeline.render.fallback import fallback_for

            # Said once here; both renderers use the same fallback fonts.
            result.warnings.extend(fallback_for(result.brief, plan.theme.layout.fonts).warnings)
        result.artifacts = _render_all(result.brief, plan, warm_render, server)
    except PipelineError as error:
        if not error.file:
            error.file = source
        result.error = error
        result.artifacts = []
    except Exception as exc:  # a bug in a stage: this source fails, others go on
        failure = RenderError(f"internal error: {type(exc).__name__}: {exc}", file=source)
        failure.__cause__ = exc
        result.error = failure
        result.artifacts = []
    for artifact in result.artifacts:
        result.warnings.extend(artifact.warnings)
    if plan.strict and result.warnings and result.error is None:
        result.error = RenderError(
            f"{len(result.warnings)} warning(s) treated as errors (--strict)",
            file=source,
            hint="fix the warnings above, or build without --strict",
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
) -> None:
    """Import the renderers and build their reusable state in this process, so
    every forked render child inherits them instead of rebuilding them.
    Given the next brief, its stylesheet is compiled here too (see render.pdf)."""
    for fmt in formats:
        renderer_for(fmt)
    if "pdf" in formats:
        from pipeline.render.pdf import warm_up as warm_pdf

        warm_pdf(brief, theme, render=render)

"""One build: sources -> Briefs -> artifacts -> the output folder.

Everything is gathered first (read, structure, render every format of every
source) and written second, so a source that fails leaves no file behind,
and one failing source does not stop the others.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from .brief import Brief, Labels
from .config import Config
from .errors import PipelineError, RenderError, UsageError
from .ingest import Document, read_source, strip_bidi
from .languages import Language, available, detect, get_language
from .output import Written, slugify, verify, write_atomic
from .render import Artifact, renderer_for
from .render.theme import Theme, load_theme
from .structure import build_brief

log = logging.getLogger(__name__)

FALLBACK_LANGUAGE = "en"


@dataclass
class SourceResult:
    source: str
    brief: Brief | None = None
    artifacts: list[Artifact] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: PipelineError | None = None


def build_date() -> dt.date:
    """SOURCE_DATE_EPOCH when set (reproducible builds), else today."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970"
            ) from None
    return dt.date.today()


def choose_language(document: Document, config: Config, warnings: list[str]) -> Language:
    code = document.meta.get("lang") or (None if config.language == "auto" else config.language)
    if code is None:
        code = detect(document.text, available())
        if code is None:
            warnings.append(
                f"could not tell the language; using '{FALLBACK_LANGUAGE}' "
                "(set language: in config.yaml)"
            )
            code = FALLBACK_LANGUAGE
    return get_language(str(code))


def resolve_labels(language: Language, config: Config) -> Labels:
    overrides = config.labels.get(language.code)
    if overrides is None:
        return language.labels
    given = {k: v for k, v in overrides.model_dump().items() if v is not None}
    return language.labels.model_copy(update=given)


def make_brief(document: Document, config: Config, today: dt.date, warnings: list[str]) -> Brief:
    language = choose_language(document, config, warnings)
    return build_brief(
        document,
        language,
        resolve_labels(language, config),
        today=today,
        organisation=config.organisation or None,
    )


def theme_search_path(config: Config) -> tuple[Path, ...]:
    """User theme folders, relative to the config file, searched before the shipped ones."""
    return tuple(config.base_dir / folder for folder in config.theme_dirs)


def _render(brief: Brief, theme: Theme, formats: tuple[str, ...]) -> list[Artifact]:
    artifacts = []
    for fmt in formats:
        artifact = renderer_for(fmt)(brief, theme)
        verify(fmt, artifact.data)
        artifacts.append(artifact)
    return artifacts


def _unique_stem(brief: Brief, document_name: str, taken: set[str]) -> str:
    stem = slugify(strip_bidi(brief.title), fallback=slugify(document_name))
    candidate, number = stem, 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate = stem[: 80 - len(suffix)] + suffix
        number += 1
    taken.add(candidate)
    return candidate


def run_build(
    config: Config,
    sources: list[str],
    formats: tuple[str, ...],
    out_dir: Path,
    *,
    preview: bool = False,
) -> list[SourceResult]:
    if not sources:
        raise UsageError("nothing to build: give a SOURCE or list sources: in the config file")
    today = build_date()
    theme = load_theme(
        config.theme,
        config.layout,
        search=theme_search_path(config),
        reference_docx=config.reference_docx,
    )
    results: list[SourceResult] = []
    stems: dict[int, str] = {}
    taken: set[str] = set()
    for index, source in enumerate(sources):
        result = SourceResult(source)
        results.append(result)
        try:
            document = read_source(source)
            result.brief = make_brief(document, config, today, result.warnings)
            stems[index] = _unique_stem(result.brief, document.name, taken)
            result.artifacts = _render(result.brief, theme, formats)
            if preview:
                from .render.preview import render_preview

                pdfs = [a for a in result.artifacts if a.format == "pdf"]
                result.artifacts.extend(render_preview(a.data) for a in pdfs)
        except PipelineError as error:
            if not error.file:
                error.file = source
            result.error = error
            result.artifacts = []
        except Exception as exc:  # a bug in a stage: this source fails, others go on
            error = RenderError(f"internal error: {type(exc).__name__}: {exc}", file=source)
            error.__cause__ = exc
            result.error = error
            result.artifacts = []
        for artifact in result.artifacts:
            result.warnings.extend(artifact.warnings)

    for index, result in enumerate(results):
        if result.error is not None:
            continue
        try:
            for artifact in result.artifacts:
                result.written.append(
                    write_atomic(out_dir, f"{stems[index]}.{artifact.format}", artifact.data)
                )
        except PipelineError as error:
            error.file = error.file or result.source
            result.error = error
        except OSError as exc:
            result.error = PipelineError(
                f"cannot write to {out_dir}: {exc.strerror}", file=result.source
            )
    return results

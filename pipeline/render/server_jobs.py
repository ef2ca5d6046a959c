"""Render jobs -> the calls a render server runs for them (build/render_server.py).

A build sends these functions to the server by reference (pickle names the
function): this module is light, so the build process can name them
without importing a renderer, and each imports its renderer (WeasyPrint,
python-docx) only where it runs, in the server. A PDF goes as a `PdfJob`
(plain data: the server needs neither Jinja2 nor the models); a build
without a PDF sends the Brief and the theme themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.brief import Brief
    from pipeline.render import Artifact
    from pipeline.render.pdfjob import PdfJob
    from pipeline.render.theme import Theme


def warm_up_typesetter(job: PdfJob | None = None) -> None:
    """Import WeasyPrint and build its font configuration in this process and,
    given the job about to be typeset, compile its stylesheet (typeset.warm_up)."""
    from pipeline.render.typeset import warm_up

    warm_up(job)


def typeset_job(job: PdfJob, preview: bool = False) -> list[Artifact]:
    """The PDF of one job, and its first page as a PNG when `preview` is asked."""
    from pipeline.render.typeset import typeset

    artifact = typeset(job)
    if not preview:
        return [artifact]
    from pipeline.render.preview import render_preview

    return [artifact, render_preview(artifact.data)]


def warm_up_renderers(formats: tuple[str, ...]) -> None:
    """Import the renderers of `formats` (and the models they read) in this process."""
    from pipeline.render.formats import renderer_for

    for fmt in formats:
        renderer_for(fmt)


def render_formats(brief: Brief, theme: Theme, formats: tuple[str, ...]) -> list[Artifact]:
    """Each format of a build without a PDF, rendered here."""
    from pipeline.render.formats import renderer_for

    return [renderer_for(fmt)(brief, theme) for fmt in formats]

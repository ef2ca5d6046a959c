"""A `PdfJob` -> the calls a render server runs for it (build/render_server.py).

A build sends these functions to the server by reference (pickle names the
function): this module is light, so the build process can name them
without importing the typesetter, and each imports the typesetter, and
with it WeasyPrint, only where it runs, in the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.render import Artifact
    from pipeline.render.pdfjob import PdfJob


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

"""Digest + theme -> bytes: the digest's PDF (the theme's templates and
WeasyPrint, like a brief), its DOCX (render/docx/digest.py) and its JSON.

The layout's own cover and per-brief contents do not apply inside a digest
(it has one title block and one contents for all its articles); everything
else of the theme does, so a digest looks like its briefs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pipeline.brief import Digest
from pipeline.render import Artifact
from pipeline.render.theme import Theme, reading_order


def digest_theme(theme: Theme) -> Theme:
    layout = theme.layout.model_copy(update={"cover": False, "toc": False})
    return dataclasses.replace(theme, layout=layout)


def render_digest_html(digest: Digest, theme: Theme) -> tuple[str, str]:
    from pipeline.render.html import environment, template_context

    theme = digest_theme(theme)
    env = environment(theme.folder)
    context = {
        **template_context(digest.cover(), theme),
        "digest": digest,
        # Each article's own parts (a short one with a lede shows no key points).
        "parts_of": lambda brief: reading_order(theme.layout, brief),
    }
    css = env.get_template("style.css.j2").render(context)
    css += env.get_template("_base/digest.css.j2").render(context)
    html = env.select_template(["digest.html.j2", "_base/digest.html.j2"]).render(context)
    return html, css


def render_digest_pdf(digest: Digest, theme: Theme) -> Artifact:
    from pipeline.render.pdf import job_for
    from pipeline.render.typeset import typeset

    html, css = render_digest_html(digest, theme)
    return typeset(job_for(html, css, digest.cover(), theme, digest.to_json()))


def render_digest_docx(digest: Digest, theme: Theme) -> Artifact:
    from pipeline.render.docx.digest import compose_digest

    return compose_digest(digest, digest_theme(theme))


def render_digest_json(digest: Digest, theme: Theme) -> Artifact:
    return Artifact("json", digest.to_json().encode("utf-8"))


DigestRenderer = Callable[[Digest, Theme], Artifact]


def renderer_for_digest(fmt: str) -> DigestRenderer:
    renderers: dict[str, DigestRenderer] = {
        "pdf": render_digest_pdf,
        "docx": render_digest_docx,
        "json": render_digest_json,
    }
    return renderers[fmt]

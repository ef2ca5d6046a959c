"""Brief -> PDF bytes: the HTML and CSS from the theme's templates, typeset by WeasyPrint.

This half turns the Brief and the theme into a `PdfJob` (Jinja2 templates,
metadata, the JSON attachment) and imports no WeasyPrint for that;
render/typeset.py does the WeasyPrint part.
"""

from __future__ import annotations

from pipeline.brief import Brief
from pipeline.render import Artifact
from pipeline.render.fontconfig import missing_font_warnings
from pipeline.render.html import render_html
from pipeline.render.metadata import metadata_for
from pipeline.render.pdfjob import ACCESSIBLE_VARIANTS, ATTACHMENT_NAME, WEASYPRINT_VARIANTS, PdfJob
from pipeline.render.theme import Theme

__all__ = [
    "ACCESSIBLE_VARIANTS",
    "ATTACHMENT_NAME",
    "WEASYPRINT_VARIANTS",
    "pdf_job",
    "render_pdf",
]


def pdf_job(brief: Brief, theme: Theme) -> PdfJob:
    html_text, css_text = render_html(brief, theme)
    return job_for(html_text, css_text, brief, theme, brief.to_json())


def job_for(html_text: str, css_text: str, brief: Brief, theme: Theme, json_text: str) -> PdfJob:
    """The typesetting job of a document whose metadata `brief` gives (a digest:
    its title block), with `json_text` as the PDF/A-3 attachment."""
    weasy_variant, _ = WEASYPRINT_VARIANTS[theme.pdf.variant]
    archival = weasy_variant is not None and weasy_variant.startswith("pdf/a-3")
    return PdfJob(
        html=html_text,
        css=css_text,
        base_url=theme.folder.as_uri() + "/",
        asset_roots=theme.asset_roots,
        assets=theme.assets,
        meta=metadata_for(brief),
        variant=theme.pdf.variant,
        date=brief.date,
        attachment=json_text.encode("utf-8") if archival and theme.pdf.attach_json else None,
        warnings=tuple(missing_font_warnings(theme.layout)),
    )


def render_pdf(brief: Brief, theme: Theme) -> Artifact:
    from pipeline.render.typeset import typeset

    return typeset(pdf_job(brief, theme))


def _warm_up_brief(brief: Brief) -> Brief:
    """A tiny brief of the same layout with none of the article's text, to
    typeset once in a long-lived process (render.typeset.warm_up)."""
    from pipeline.brief import Paragraph, Run, Section

    words = " ".join(brief.labels.model_dump().values())
    paragraph = Paragraph(runs=(Run(text=words),))
    return brief.model_copy(
        update={
            "title": brief.labels.key_points,
            "subtitle": None,
            "authors": (),
            "lede": (paragraph,),
            "intro": (),
            "sections": (Section(heading=brief.labels.sources, blocks=(paragraph,)),),
            "sources": (),
            "key_points": (words,),
            "tags": (),
            "entities": (),
            "keywords": (),
        }
    )

"""What the PDF typesetter takes: one brief's HTML, CSS, files and metadata as plain data.

Shared by render/pdf.py (which makes a `PdfJob` from the Brief and the
theme) and render/typeset.py (which gives it to WeasyPrint), and light on
purpose: making a job imports no WeasyPrint, and typesetting one imports
neither Jinja2 nor the pydantic models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipeline.render.metadata import DocumentMetadata

# Our variant name -> (WeasyPrint's variant, whether to add the PDF/UA-1 claim).
# WeasyPrint writes one conformance claim; for "pdf/a-3b+ua-1" it writes the
# PDF/A-3b one and we add the PDF/UA-1 identification to the same XMP packet.
WEASYPRINT_VARIANTS: dict[str, tuple[str | None, bool]] = {
    "none": (None, False),
    "pdf/a-3b": ("pdf/a-3b", False),
    "pdf/a-3a": ("pdf/a-3a", False),
    "pdf/ua-1": ("pdf/ua-1", False),
    "pdf/a-3b+ua-1": ("pdf/a-3b", True),
}

ATTACHMENT_NAME = "brief.json"

# Variants whose claim a screen reader relies on: an image without alt text
# breaks it, so it is an error there and a warning elsewhere.
ACCESSIBLE_VARIANTS = ("pdf/ua-1", "pdf/a-3a", "pdf/a-3b+ua-1")


@dataclass(frozen=True)
class PdfJob:
    """Everything WeasyPrint needs for one brief, as plain data."""

    html: str
    css: str
    base_url: str  # the theme folder, as a file: URL ending in "/"
    asset_roots: tuple[Path, ...]  # folders the fetcher may serve files from
    assets: tuple[tuple[Path, bytes], ...]  # validated theme files, served from memory
    meta: DocumentMetadata
    variant: str  # one of WEASYPRINT_VARIANTS
    date: dt.date | None  # the brief's date: stamps the subset fonts
    attachment: bytes | None = None  # the Brief JSON, for PDF/A-3
    warnings: tuple[str, ...] = ()  # found while making the job (a font not installed)

"""Brief -> DOCX bytes: the composer (compose.py) on a small OOXML helper layer."""

from __future__ import annotations

from pipeline.render.docx.compose import render_docx

__all__ = ["render_docx"]

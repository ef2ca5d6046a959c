"""Brief -> PDF bytes through WeasyPrint, inside the resource sandbox."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import logging
import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from ..brief import Brief
from . import Artifact
from .fetcher import SandboxFetcher
from .html import render_html
from .theme import Theme

# Notices about the machine, not about the brief: kept out of the build report.
_NOT_ACTIONABLE = ("Using fontTools instead of HarfBuzz-Subset",)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(_NOT_ACTIONABLE):
            self.messages.append(message)


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


@lru_cache(maxsize=16)
def _stylesheet(
    css_text: str, base_url: str, roots: tuple[Path, ...]
) -> tuple[CSS, tuple[str, ...]]:
    """Compiled CSS, reused across the briefs of a batch: it depends only on the
    layout and the header/footer values, which most briefs of one build share."""
    fetcher = SandboxFetcher(roots)
    stylesheet = CSS(
        string=css_text, base_url=base_url, url_fetcher=fetcher, font_config=_font_config()
    )
    return stylesheet, tuple(fetcher.refused)


@contextlib.contextmanager
def _font_timestamps(date: dt.date | None) -> Iterator[None]:
    """fontTools stamps each subset font's `head.modified` with the clock unless
    SOURCE_DATE_EPOCH is set (the reproducible-builds convention it follows);
    when the user did not set it, the brief's date stands in during the write."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    day = date or dt.date(2000, 1, 1)
    os.environ["SOURCE_DATE_EPOCH"] = str(calendar.timegm(day.timetuple()))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def render_pdf(brief: Brief, theme: Theme) -> Artifact:
    html_text, css_text = render_html(brief, theme)
    fetcher = SandboxFetcher(theme.asset_roots)
    base_url = theme.folder.as_uri() + "/"
    font_config = _font_config()
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        stylesheet, css_refused = _stylesheet(css_text, base_url, theme.asset_roots)
        document = HTML(string=html_text, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[stylesheet], font_config=font_config, pdf_tags=True, custom_metadata=True
        )
        # Reproducible bytes: the dates come from the brief, never the clock,
        # and the file identifier from the content, never a random value.
        document.metadata.modified = document.metadata.created
        identifier = hashlib.sha256((html_text + "\0" + css_text).encode("utf-8")).hexdigest()
        with _font_timestamps(brief.date):
            data = document.write_pdf(
                pdf_identifier=identifier[:32].encode("ascii"), pdf_tags=True, custom_metadata=True
            )
    finally:
        logger.removeHandler(collector)
    warnings = tuple(dict.fromkeys((*css_refused, *fetcher.refused, *collector.messages)))
    return Artifact("pdf", data, warnings, pages=len(document.pages))

"""Brief -> PDF bytes through WeasyPrint, inside the resource sandbox."""

from __future__ import annotations

import logging
from functools import lru_cache

from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from ..brief import Brief
from ..errors import RenderError
from . import Artifact
from .fetcher import SandboxFetcher, make_css, make_html
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


def render_pdf(brief: Brief, theme: Theme) -> Artifact:
    html_text, css_text = render_html(brief, theme)
    fetcher = SandboxFetcher(theme.asset_roots)
    base_url = theme.folder.as_uri() + "/"
    font_config = _font_config()
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        stylesheet = make_css(css_text, fetcher, base_url, font_config)
        document = make_html(html_text, fetcher, base_url)
        data = document.write_pdf(
            stylesheets=[stylesheet],
            font_config=font_config,
            pdf_tags=True,
            custom_metadata=True,
        )
    except FatalURLFetchingError as exc:
        # A BaseException: it would pass through every `except Exception`.
        raise RenderError(f"a resource stopped the rendering: {exc}") from None
    finally:
        logger.removeHandler(collector)
    warnings = tuple(dict.fromkeys((*fetcher.refused, *collector.messages)))
    return Artifact("pdf", data, warnings)

"""HTML + CSS + metadata -> PDF bytes through WeasyPrint, inside the resource sandbox.

The typesetting half of the PDF renderer (render/pdf.py makes its input
from the Brief and the theme). It sees only strings, bytes and plain
metadata, never the Brief, the config or the templates, so a render server
(render_server.py) can import it, and WeasyPrint, without Jinja2 or the
pydantic models, while the build is still reading the article.

Also owns what makes the PDF acceptable to archives and screen readers: the
variant (PDF/A-3, PDF/UA-1), tags, metadata in Info and XMP, the Brief JSON
attached to PDF/A-3 files, and headers/footers marked as artifacts.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pydyf
from weasyprint import Attachment
from weasyprint.document import Document as WeasyDocument
from weasyprint.pdf.metadata import NS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from pipeline.errors import RenderError
from pipeline.render import Artifact
from pipeline.render.fetcher import SandboxFetcher, make_css, make_html
from pipeline.render.metadata import DocumentMetadata
from pipeline.render.pdfjob import ACCESSIBLE_VARIANTS, ATTACHMENT_NAME, WEASYPRINT_VARIANTS, PdfJob

log = logging.getLogger(__name__)

# Notices about the machine, not about the brief: kept out of the build report.
_NOT_ACTIONABLE = ("Using fontTools instead of HarfBuzz-Subset",)

_MISSING_ALT = re.compile(r'^Image "(.*)" has no required alt description')
# WeasyPrint says this once per character; the build report says it once.
_NO_GLYPH = re.compile(r'^\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)"')

_XMP_HEADER = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">'
)
_XMP_FOOTER = b'</x:xmpmeta>\n<?xpacket end="r"?>'


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(_NOT_ACTIONABLE):
            self.messages.append(message)


# A job larger than this is not compiled or typeset by warm_up, which runs in
# the unbounded build process (the templates are theme code).
WARM_UP_MAX_CHARS = 2_000_000

# Whether this process has rendered a warm-up document (see warm_up).
_WARMED: list[bool] = []


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


def _set_metadata(document: WeasyDocument, meta: DocumentMetadata) -> None:
    """The same values as the DOCX core properties, whatever the template says."""
    target = document.metadata
    target.title = meta.title
    target.authors = [meta.author] if meta.author else []
    target.description = meta.subject or None
    target.keywords = list(meta.keywords)
    target.lang = meta.language
    target.created = target.modified = meta.created_w3c
    target.generator = "pipeline"


def _reachable(pdf: pydyf.PDF, root: Any) -> set[int]:
    """Numbers of the structure elements reachable from the StructTreeRoot."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        kids = node.get("K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pydyf.Array) else [kids]:
            if isinstance(kid, bytes | str) and str(_decode(kid)).endswith(" 0 R"):
                number = int(_decode(kid).split()[0])
                if number not in seen:
                    seen.add(number)
                    stack.append(pdf.objects[number])
    return seen


def _decode(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _mark_margin_boxes_as_artifacts(pdf: pydyf.PDF) -> int:
    """Turn header/footer text into /Pagination artifacts; return how many.

    WeasyPrint 70 tags margin-box text as structure elements that it then
    leaves out of the structure tree (its tags.py says an Artifact there is
    only allowed in PDF 2.0). Content that is neither in the tree nor an
    artifact is an error for PDF/UA checkers, so the marked-content sequences
    of those orphan elements become artifacts, as a page number should be.
    """
    if "StructTreeRoot" not in pdf.catalog:
        return 0
    root = pdf.objects[int(_decode(pdf.catalog["StructTreeRoot"]).split()[0])]
    reachable = _reachable(pdf, root)
    parent_tree = pdf.objects[int(_decode(root["ParentTree"]).split()[0])]
    nums = parent_tree["Nums"]
    page_numbers = [int(number) for number in pdf.pages["Kids"][::3]]
    changed = 0
    for index in range(0, len(nums), 2):
        key, refs = nums[index], nums[index + 1]
        if not isinstance(refs, pydyf.Array) or key >= len(page_numbers):
            continue  # annotation entries map to one element, not to MCIDs
        orphans = {
            mcid for mcid, ref in enumerate(refs) if int(_decode(ref).split()[0]) not in reachable
        }
        if not orphans:
            continue
        page = pdf.objects[page_numbers[key]]
        stream = pdf.objects[int(_decode(page["Contents"]).split()[0])]
        commands = stream.stream
        for position, command in enumerate(commands):
            if (
                isinstance(command, pydyf.Dictionary)
                and command.get("MCID") in orphans
                and position + 1 < len(commands)
                and commands[position + 1] == b"BDC"
            ):
                commands[position - 1] = "/Artifact"
                commands[position] = pydyf.Dictionary({"Type": "/Pagination"})
                refs[command["MCID"]] = "null"
                changed += 1
    return changed


def _add_ua_claim(document: WeasyDocument, pdf: pydyf.PDF, variant: str) -> None:
    """Rewrite the XMP packet with the PDF/A part and the PDF/UA-1 part together."""
    version = int(variant[len("pdf/a-")])
    conformance = variant[-1].upper()
    rdf = ElementTree.fromstring(document.metadata.generate_rdf_metadata("a", version, conformance))
    rdf[0].set(f"{{{NS['pdfuaid']}}}part", "1")
    stream = pdf.objects[int(_decode(pdf.catalog["Metadata"]).split()[0])]
    stream.stream = [
        b"\n".join((_XMP_HEADER, ElementTree.tostring(rdf, encoding="utf-8"), _XMP_FOOTER))
    ]


def _finisher(variant: str) -> Any:
    weasy_variant, ua_claim = WEASYPRINT_VARIANTS[variant]

    def finish(document: WeasyDocument, pdf: pydyf.PDF) -> None:
        _mark_margin_boxes_as_artifacts(pdf)
        if "AF" in pdf.catalog:
            # WeasyPrint 70 lists each attachment twice (from the name tree
            # and from the file specification); once is what PDF/A-3 asks.
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        if "Metadata" not in pdf.catalog:
            # With no variant WeasyPrint writes no XMP packet; archives and
            # search tools read XMP first, so write the same fields there.
            document.metadata.include_in_pdf(pdf, "ua", None, None, compress=False)
        elif ua_claim and weasy_variant is not None:
            _add_ua_claim(document, pdf, weasy_variant)

    return finish


@lru_cache(maxsize=16)
def _stylesheet(
    css_text: str,
    base_url: str,
    roots: tuple[Path, ...],
    assets: tuple[tuple[Path, bytes], ...],
) -> tuple[Any, tuple[str, ...]]:
    """Compiled CSS, reused across the briefs of a batch: it depends only on the
    layout and the header/footer values, which most briefs of one build share."""
    fetcher = SandboxFetcher(roots, dict(assets))
    stylesheet = make_css(css_text, fetcher, base_url, _font_config())
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


def _glyphs_once(messages: list[str]) -> list[str]:
    """WeasyPrint's missing-glyph messages (one per character) as one line."""
    missing = [found[1] for message in messages if (found := _NO_GLYPH.match(message))]
    others = [message for message in messages if not _NO_GLYPH.match(message)]
    if not missing:
        return others
    shown = "".join(dict.fromkeys(missing))
    sample = shown[:12] + ("…" if len(shown) > 12 else "")
    return [
        *others,
        f"{len(set(missing))} character(s) have no glyph in the installed fonts and print as "
        f"empty boxes in the PDF: {sample}; install a font that has them (docs/layout.md, "
        '"Fonts for every script")',
    ]


def typeset(job: PdfJob) -> Artifact:
    fetcher = SandboxFetcher(job.asset_roots, dict(job.assets))
    font_config = _font_config()
    weasy_variant, _ = WEASYPRINT_VARIANTS[job.variant]
    attachments = []
    if job.attachment is not None:
        # Bytes, not a URL: the attachment never goes through a file path.
        stamp = job.meta.created.replace(tzinfo=None)
        attachments.append(
            Attachment(
                string=job.attachment,
                url_fetcher=fetcher,
                name=ATTACHMENT_NAME,
                relationship="Data",
                created=stamp,
                modified=stamp,
            )
        )
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        stylesheet, css_refused = _stylesheet(job.css, job.base_url, job.asset_roots, job.assets)
        html = make_html(job.html, fetcher, job.base_url)
        document = html.render(stylesheets=[stylesheet], font_config=font_config, pdf_tags=True)
        _set_metadata(document, job.meta)
        # Reproducible bytes: the dates come from the brief, never the clock,
        # and the file identifier from the content, never a random value.
        identifier = hashlib.sha256((job.html + "\0" + job.css).encode("utf-8")).hexdigest()
        with _font_timestamps(job.date):
            data = document.write_pdf(
                pdf_identifier=identifier[:32].encode("ascii"),
                pdf_variant=weasy_variant,
                pdf_tags=True,
                custom_metadata=True,
                attachments=attachments or None,
                finisher=_finisher(job.variant),
            )
    except FatalURLFetchingError as exc:
        # A BaseException: it would pass through every `except Exception`.
        raise RenderError(f"a resource stopped the rendering: {exc}") from None
    finally:
        logger.removeHandler(collector)
    if job.variant in ACCESSIBLE_VARIANTS:
        for message in collector.messages:
            missing = _MISSING_ALT.match(message)
            if missing and missing[1].startswith("data:"):
                # Configured images (the logo) are inlined as data: URLs.
                raise RenderError(
                    f"the logo has no alt text, which {job.variant} requires",
                    hint="set layout.logo.alt (or organisation) in the config, or build "
                    "with --pdf-variant none",
                )
            if missing:
                raise RenderError(
                    f"image {missing[1][:120]} has no alt text, which {job.variant} requires",
                    hint="give the <img> an alt attribute in the theme, or build with "
                    "--pdf-variant none",
                )
    warnings = tuple(
        dict.fromkeys(
            (*job.warnings, *css_refused, *fetcher.refused, *_glyphs_once(collector.messages))
        )
    )
    anchor_pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, 1):
        for name in page.anchors:
            anchor_pages.setdefault(name, number)
    return Artifact("pdf", data, warnings, pages=len(document.pages), anchor_pages=anchor_pages)


def warm_up(job: PdfJob | None = None, sample: PdfJob | None = None) -> None:
    """Build the font configuration now, in the process that forks the renders.

    Given the job about to be typeset, also compile its stylesheet here, so
    the forked render child finds it cached and the next briefs of this
    process (same layout, same header/footer) reuse it. Given `sample` (a
    tiny document of the same layout, with none of the article's text), lay
    it out and write it once too: WeasyPrint and Pango fill lazy caches on
    their first document (~0.1 s per render saved in every later forked
    child), which a long-lived process (watch mode) pays once.
    """
    _font_config()
    if job is None or len(job.css) + len(job.html) > WARM_UP_MAX_CHARS:
        return  # the theme made something huge: let only the bounded child meet it
    try:
        _stylesheet(job.css, job.base_url, job.asset_roots, job.assets)
        if sample is not None and not _WARMED:
            typeset(sample)
            _WARMED.append(True)  # once per process (and its forks)
    except (Exception, FatalURLFetchingError):
        # Only a head start: the isolated render meets the same problem again
        # and reports it with its limits, so nothing is raised from here.
        log.debug("PDF warm-up failed", exc_info=True)

"""A rendered PDF + DOCX (+ their Brief) -> the list of ways they disagree.

The parity check reads both artifacts back: the DOCX's body paragraphs and
section geometry (python-docx), and the PDF's characters inside the text
block, in content-stream order (pdfplumber), so running headers and footers
never interrupt a paragraph and two-column text reads column by column.
Text is compared after normalisation (case, whitespace, no-break spaces,
hyphens from hyphenation, bullets), every Brief heading and paragraph must
appear in both, in order (the subtitle with them), key points and source
names in both or neither (the layout may leave them out), every DOCX
paragraph must appear in the PDF, and no text of the PDF's text block may be
left over once they are found. The font families each draws with are
compared too (build/fontparity.py).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.build.fontparity import font_problems
from pipeline.errors import SourceError

if TYPE_CHECKING:
    from pipeline.brief import Brief

# Characters that differ between renderings of the same text: spaces of every
# kind, hyphens (hyphenation adds some), soft hyphens, list bullets, leaders.
_IGNORED = re.compile(r"[\s\u00a0\u202f\u2009\u200b\u00ad\-\u2010\u2011\u2012\u2013•·◦▪]+")

MARGIN_TOLERANCE_PT = 3.0  # glyph side bearings, rounding
BOTTOM_SLACK_PT = 60.0  # the last line of a page seldom touches the bottom margin
PDF_ONLY_MIN_LETTERS = 4  # fewer letters left over are marks (a "?", an "N°"), not text
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def normalise(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Geometry:
    """Page size and text block, in points."""

    width: float
    height: float
    top: float
    right: float
    bottom: float
    left: float

    @property
    def orientation(self) -> str:
        return "landscape" if self.width > self.height else "portrait"


@dataclass
class DocxText:
    paragraphs: list[str]
    geometry: Geometry
    columns: int


@dataclass
class PdfText:
    stream: str  # normalised characters of the text block, in drawing order
    pages: list[int]  # page number (1-based) of each character of `stream`
    lines: list[float]  # the baseline height of each character's line
    size: tuple[float, float]
    measured: dict[str, float] = field(default_factory=dict)
    overflowing: list[str] = field(default_factory=list)


def read_docx(data: bytes) -> DocxText:
    from docx import Document
    from docx.oxml.ns import qn

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:
        raise SourceError(f"not a readable DOCX: {exc}") from None
    paragraphs: list[str] = []
    for element in doc.element.body.iter(qn("w:p")):
        # A tab in the text parts what the PDF may draw apart (a contents
        # entry and its page number, with a dotted leader between them).
        parts = [""]
        for node in element.iter(qn("w:t"), qn("w:tab")):
            if node.tag == qn("w:t"):
                parts[-1] += node.text or ""
            elif node.getparent().tag == qn("w:r"):
                parts.append("")
        paragraphs.extend(part for part in parts if normalise(part))
    first = doc.sections[0]

    def pt(length: Any) -> float:
        return float(length.pt) if length is not None else 0.0

    geometry = Geometry(
        width=pt(first.page_width),
        height=pt(first.page_height),
        top=pt(first.top_margin),
        right=pt(first.right_margin),
        bottom=pt(first.bottom_margin),
        left=pt(first.left_margin),
    )
    # The body's columns: the most any section has (a one-column section may
    # hold the title block, or end the document so the columns balance).
    counts = [
        int(cols.get(qn("w:num"), "1"))
        for section in doc.sections
        if (cols := section._sectPr.find(qn("w:cols"))) is not None
    ]
    columns = max(counts, default=1)
    return DocxText(paragraphs, geometry, columns)


def _opens_on_picture(page: Any, y0: float, y1: float) -> bool:
    """Whether the page's text block opens on a picture (above all its text)."""
    pictures = [image["top"] for image in page.images if y0 <= image["top"] <= y1]
    if not pictures:
        return False
    texts = [char["top"] for char in page.chars if y0 <= char["top"] <= y1 and char["text"].strip()]
    return bool(min(pictures) <= min(texts, default=y1))


def read_pdf(data: bytes, block: Geometry) -> PdfText:
    """The text of the PDF inside the text block `block` (header/footer left out)."""
    import pdfplumber

    chars: list[str] = []
    pages: list[int] = []
    line_tops: list[float] = []
    lefts: list[float] = []
    rights: list[float] = []
    tops: list[float] = []
    bottoms: dict[int, float] = {}  # the lowest text of each page but the last
    overflowing: list[str] = []
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        raise SourceError(f"not a readable PDF: {exc}") from None
    with pdf:
        size = (float(pdf.pages[0].width), float(pdf.pages[0].height))
        for number, page in enumerate(pdf.pages, 1):
            width, height = float(page.width), float(page.height)
            y0, y1 = block.top - 1, height - block.bottom + 1
            x0, x1 = block.left - MARGIN_TOLERANCE_PT, width - block.right + MARGIN_TOLERANCE_PT
            for char in page.chars:
                middle = (char["top"] + char["bottom"]) / 2
                if not y0 <= middle <= y1 or not char["text"].strip():
                    continue
                if char["x0"] < x0 or char["x1"] > x1:
                    overflowing.append(f"page {number}: {char['text']!r} at x={char['x0']:.0f}")
                text = normalise(char["text"])
                chars.append(text)
                pages.extend([number] * len(text))
                line_tops.extend([round(char["bottom"], 0)] * len(text))
                lefts.append(char["x0"])
                rights.append(width - char["x1"])
                tops.append(char["top"])
                if number < len(pdf.pages):  # the last page may end anywhere
                    low = height - char["bottom"]
                    bottoms[number] = min(bottoms.get(number, low), low)
            if _opens_on_picture(page, y0, y1):
                # A figure too tall for the rest of the page before moved on whole.
                bottoms.pop(number - 1, None)
    measured = {"left": min(lefts), "right": min(rights), "top": min(tops)} if lefts else {}
    if bottoms:
        measured["bottom"] = min(bottoms.values())
    return PdfText("".join(chars), pages, line_tops, size, measured, overflowing)


def _in_order(items: list[str], stream: str) -> tuple[list[tuple[int, int]], list[str]]:
    """Find each item in `stream` after the previous one; (spans found, missing items)."""
    position = 0
    spans: list[tuple[int, int]] = []
    missing: list[str] = []
    for item in items:
        needle = normalise(item)
        if not needle:
            continue
        found = stream.find(needle, position)
        if found < 0:
            missing.append(item)
            continue
        position = found + len(needle)
        spans.append((found, position))
    return spans, missing


def _uncovered(stream: str, spans: list[tuple[int, int]]) -> list[str]:
    """The stretches of `stream` that no span covers and that hold words, not
    only marks, numbers or leaders (a PDF table of contents has dotted leaders
    and page numbers that the DOCX's, filled in by Word, does not have yet):
    what only the PDF says."""
    gaps, position = [], 0
    for start, end in [*spans, (len(stream), len(stream))]:
        gap = stream[position:start]
        if len(_NOT_LETTERS.sub("", gap)) >= PDF_ONLY_MIN_LETTERS:
            gaps.append(gap)
        position = max(position, end)
    return gaps


def _short(text: str) -> str:
    return text if len(text) <= 70 else text[:67] + "..."


def _placed_texts(brief: Brief) -> list[str]:
    """The Brief's texts outside the body's flow: key points, sources."""
    texts = list(brief.key_points)
    texts.extend(source.name for source in brief.sources)
    return [text for text in texts if text]


def compare(pdf_data: bytes, docx_data: bytes, brief: Brief | None = None) -> list[str]:
    """Every disagreement between the PDF, the DOCX and the Brief; empty when they agree."""
    docx = read_docx(docx_data)
    pdf = read_pdf(pdf_data, docx.geometry)
    problems: list[str] = []

    geometry = docx.geometry
    width, height = pdf.size
    if abs(width - geometry.width) > 1 or abs(height - geometry.height) > 1:
        problems.append(
            f"page size: PDF {width:.0f}x{height:.0f}pt, "
            f"DOCX {geometry.width:.0f}x{geometry.height:.0f}pt"
        )
    if ("landscape" if width > height else "portrait") != geometry.orientation:
        problems.append("orientation differs")
    measured = pdf.measured
    if measured:
        for side in ("left", "right", "top"):
            expected = getattr(geometry, side)
            # Text starts at the margin; the glyph box may sit a little inside.
            if (
                not -1
                <= measured[side] - expected
                <= MARGIN_TOLERANCE_PT + (8 if side == "top" else 0)
            ):
                problems.append(
                    f"{side} margin: PDF text is {measured[side]:.1f}pt from the edge, "
                    f"DOCX margin is {expected:.1f}pt"
                )
        if (
            "bottom" in measured
            and not -1 <= measured["bottom"] - geometry.bottom <= BOTTOM_SLACK_PT
        ):
            problems.append(
                f"bottom margin: PDF text ends {measured['bottom']:.1f}pt above the edge, "
                f"DOCX margin is {geometry.bottom:.1f}pt"
            )
    for line in pdf.overflowing[:5]:
        problems.append(f"PDF line overflows the text block: {line}")
    problems.extend(font_problems(pdf_data, docx_data))

    spans, missing = _in_order(docx.paragraphs, pdf.stream)
    for text in missing[:10]:
        problems.append(f"DOCX paragraph not found in the PDF (in order): {_short(text)}")
    for text in _uncovered(pdf.stream, spans)[:10]:
        problems.append(f"PDF text not in the DOCX (normalised): {_short(text)}")
    if brief is not None:
        expected = brief.body_texts()
        for name, stream in (
            ("PDF", pdf.stream),
            ("DOCX", "".join(normalise(p) for p in docx.paragraphs)),
        ):
            _, missing = _in_order(expected, stream)
            for text in missing[:10]:
                problems.append(f"{name} lacks (in order) the Brief's text: {_short(text)}")
        # Placed by the layout (which may leave them out): in both or neither.
        docx_stream = "".join(normalise(p) for p in docx.paragraphs)
        for text in _placed_texts(brief):
            in_pdf, in_docx = normalise(text) in pdf.stream, normalise(text) in docx_stream
            if in_pdf != in_docx:
                only = "PDF" if in_pdf else "DOCX"
                problems.append(f"only the {only} shows the Brief's text: {_short(text)}")
    return problems


def _located(items: list[str], stream: str) -> list[tuple[str, int, int]]:
    """(item, start, end) of each item found in `stream`, in order."""
    found: list[tuple[str, int, int]] = []
    position = 0
    for item in items:
        needle = normalise(item)
        start = stream.find(needle, position) if needle else -1
        if start >= 0:
            position = start + len(needle)
            found.append((item, start, position))
    return found


def stranded_headings(pdf_data: bytes, docx_data: bytes, brief: Brief) -> list[str]:
    """Headings that end a page (their first line of text is on the next page)."""
    docx = read_docx(docx_data)
    pdf = read_pdf(pdf_data, docx.geometry)
    headings = {section.heading for section in brief.sections}
    return [
        f"page {pdf.pages[end - 1]}: {_short(item)}"
        for item, _start, end in _located(brief.body_texts(), pdf.stream)
        if item in headings and end < len(pdf.pages) and pdf.pages[end] != pdf.pages[end - 1]
    ]


def widows_and_orphans(pdf_data: bytes, docx_data: bytes, brief: Brief) -> list[str]:
    """Paragraphs split across pages or columns with a single line on one side."""
    from pipeline.brief import Paragraph, Quote

    docx = read_docx(docx_data)
    pdf = read_pdf(pdf_data, docx.geometry)
    paragraphs = {
        block.text
        for section in brief.sections
        for block in (*section.blocks, *brief.intro)
        if isinstance(block, Paragraph | Quote)
    }
    found: list[str] = []
    for item, start, end in _located(brief.body_texts(), pdf.stream):
        if item not in paragraphs:
            continue
        # Fragments: a new one starts on a new page or when the text goes back
        # up (the next column).
        fragments: list[set[float]] = [set()]
        for index in range(start, end):
            if index > start and (
                pdf.pages[index] != pdf.pages[index - 1] or pdf.lines[index] < pdf.lines[index - 1]
            ):
                fragments.append(set())
            fragments[-1].add(pdf.lines[index])
        if len(fragments) > 1 and min(len(lines) for lines in fragments) < 2:
            found.append(f"page {pdf.pages[start]}: {_short(item)}")
    return found


def availability() -> str | None:
    """None when the check can run, else what to install."""
    try:
        import pdfplumber  # noqa: F401
    except ImportError:
        return "the parity check needs pdfplumber: pip install pdfplumber"
    return None


def brief_from_json(data: bytes) -> Brief:
    from pipeline.brief import Brief

    try:
        return Brief.model_validate_json(data)
    except Exception as exc:
        raise SourceError(f"not a Brief JSON export: {str(exc).splitlines()[0]}") from None

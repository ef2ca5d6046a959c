"""PDF pages -> the figures a designer checks when judging how pages break:
page count, empty share at each page end, characters per line, runs of
hyphenated lines, and which boxes a page break splits.

Works on our PDFs and on LibreOffice's PDF of our DOCX alike (pdfplumber).
`python -m tests.page_economy FILE.pdf [TOP BOTTOM]` prints the figures
(margins in pt; default the config's 22 mm).
"""

from __future__ import annotations

import io
import re
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import normalise

MM = 72 / 25.4
# Segments of one baseline further apart than this belong to different
# columns or table cells (a justified word gap stays well below it).
COLUMN_GAP = 12.0
_HYPHEN_END = re.compile(r"\w[-\u2010\u00ad]$")


@dataclass
class Segment:
    """One line of one column: words on one baseline, without a wide gap."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    size: float
    text: str

    @property
    def hyphenated(self) -> bool:
        return bool(_HYPHEN_END.search(self.text))


@dataclass
class Page:
    number: int
    width: float
    height: float
    segments: list[Segment] = field(default_factory=list)  # in reading order
    ink_bottom: float = 0.0  # lowest text or drawing inside the text block
    ink_top: float = 0.0
    fills: list[tuple[float, float]] = field(default_factory=list)  # (top, bottom) of tinted areas

    def text(self) -> str:
        return normalise(" ".join(segment.text for segment in self.segments))


@dataclass
class Figures:
    pages: list[Page]
    top: float
    bottom: float

    @property
    def count(self) -> int:
        return len(self.pages)

    @property
    def block_height(self) -> float:
        return self.pages[0].height - self.top - self.bottom

    def empty_shares(self) -> list[float]:
        """For each page but the last, the share of the text block left empty below its last line."""
        shares = []
        for page in self.pages[:-1]:
            limit = page.height - self.bottom
            shares.append(max(0.0, (limit - page.ink_bottom) / self.block_height))
        return shares

    def first_block_height(self, index: int) -> float:
        """How tall the first unbreakable thing on page `index` is, as a share of
        the text block: a tinted box or table that starts the page, else the
        first three lines (a heading kept with two lines, or two widow lines
        and the next)."""
        page = self.pages[index]
        # A tinted box or table at the head of the page (maybe below the
        # heading kept with it), with the tinted areas that touch it.
        reach = None
        for top, bottom in page.fills:
            if top - self.top < 15 * MM:
                reach = bottom if reach is None else max(reach, bottom)
            elif reach is not None and top <= reach + 1:
                reach = max(reach, bottom)
        if reach is not None:
            return (reach - self.top) / self.block_height
        lines = [segment for segment in page.segments if segment.top >= self.top - 1]
        lines.sort(key=lambda segment: segment.top)
        if not lines:
            return 0.0
        third = lines[min(2, len(lines) - 1)]
        return (third.bottom - self.top) / self.block_height

    def body_size(self) -> float:
        sizes = Counter(round(segment.size, 1) for page in self.pages for segment in page.segments)
        weighted = Counter({size: 0 for size in sizes})
        for page in self.pages:
            for segment in page.segments:
                weighted[round(segment.size, 1)] += len(segment.text)
        return weighted.most_common(1)[0][0]

    def body_lines(self) -> list[Segment]:
        size = self.body_size()
        return [
            segment
            for page in self.pages
            for segment in page.segments
            if abs(segment.size - size) < 0.3
        ]

    def chars_per_line(self) -> list[int]:
        """Lengths of the full body lines (those at least 90% as wide as the
        widest body line of their column width), the measure a reader sees."""
        lines = self.body_lines()
        if not lines:
            return []
        widest = max(segment.x1 - segment.x0 for segment in lines)
        full = [s for s in lines if s.x1 - s.x0 >= 0.9 * widest]
        return [len(segment.text) for segment in full]

    def measure(self) -> int:
        lengths = self.chars_per_line()
        return int(statistics.median(lengths)) if lengths else 0

    def hyphen_runs(self) -> list[int]:
        """Lengths of the runs of consecutive hyphenated lines, in reading order."""
        runs: list[int] = []
        current = 0
        previous: Segment | None = None
        for page in self.pages:
            for segment in page.segments:
                follows = (
                    previous is not None
                    and previous.page == segment.page
                    and 0 < segment.top - previous.top < 2.2 * segment.size
                    and abs(segment.x0 - previous.x0) < 30
                )
                if segment.hyphenated and (follows or current == 0):
                    current = current + 1 if follows else 1
                else:
                    if current:
                        runs.append(current)
                    current = 1 if segment.hyphenated else 0
                previous = segment
        if current:
            runs.append(current)
        return runs

    def hyphenated_lines(self) -> int:
        return sum(self.hyphen_runs())

    def pages_holding(self, text: str) -> list[int]:
        """The pages (1-based) that hold `text` whole; [] when a break splits it."""
        key = normalise(text).casefold()
        return [page.number for page in self.pages if key in page.text().casefold()]

    def column_fills(self, index: int = -1) -> tuple[float, float]:
        """How far down the text block the left and the right column of a
        two-column page reach (shares of its height); full-width lines count
        for neither."""
        page = self.pages[index]
        xs = [s.x0 for s in page.segments] + [s.x1 for s in page.segments]
        middle = (min(xs) + max(xs)) / 2
        left = [s.bottom for s in page.segments if s.x1 <= middle + 1]
        right = [s.bottom for s in page.segments if s.x0 >= middle - 1]
        return (
            (max(left, default=self.top) - self.top) / self.block_height,
            (max(right, default=self.top) - self.top) / self.block_height,
        )

    def last_page_fill(self) -> float:
        """How much of the last page's text block is used."""
        page = self.pages[-1]
        return (page.ink_bottom - self.top) / self.block_height

    def summary(self) -> str:
        shares = ", ".join(f"{share:.0%}" for share in self.empty_shares())
        runs = self.hyphen_runs()
        lengths = self.chars_per_line()
        return (
            f"{self.count} pages (last {self.last_page_fill():.0%} full); "
            f"empty at page ends: [{shares}]; "
            f"{self.hyphenated_lines()} hyphenated lines, longest run {max(runs, default=0)}; "
            f"measure {self.measure()} chars (range {min(lengths, default=0)}-"
            f"{max(lengths, default=0)})"
        )


def _segments(words: list[dict[str, object]], number: int) -> list[Segment]:
    rows: list[list[dict[str, object]]] = []
    for word in sorted(words, key=lambda w: (float(w["bottom"]), float(w["x0"]))):  # type: ignore[arg-type]
        if rows and abs(float(rows[-1][-1]["bottom"]) - float(word["bottom"])) < 1.5:  # type: ignore[arg-type]
            rows[-1].append(word)
        else:
            rows.append([word])
    segments: list[Segment] = []
    for row in rows:
        row.sort(key=lambda w: float(w["x0"]))  # type: ignore[arg-type]
        group: list[dict[str, object]] = []
        for word in [*row, None]:
            if word is None or (group and float(word["x0"]) - float(group[-1]["x1"]) > COLUMN_GAP):  # type: ignore[arg-type]
                if group:
                    segments.append(
                        Segment(
                            page=number,
                            top=min(float(w["top"]) for w in group),  # type: ignore[arg-type]
                            bottom=max(float(w["bottom"]) for w in group),  # type: ignore[arg-type]
                            x0=float(group[0]["x0"]),  # type: ignore[arg-type]
                            x1=float(group[-1]["x1"]),  # type: ignore[arg-type]
                            size=statistics.median(float(w["size"]) for w in group),  # type: ignore[arg-type]
                            text=" ".join(str(w["text"]) for w in group),
                        )
                    )
                group = []
            if word is not None:
                group.append(word)
    return segments


def _reading_order(segments: list[Segment], left: float, right: float) -> list[Segment]:
    """Full-width lines top to bottom; a run of side-by-side lines (columns,
    table cells) is read left column first, then the right one."""
    middle = (left + right) / 2
    ordered: list[Segment] = []
    region: list[Segment] = []

    def flush() -> None:
        region.sort(key=lambda s: (s.x0 >= middle - 1, s.top))
        ordered.extend(region)
        region.clear()

    for segment in sorted(segments, key=lambda s: (s.top, s.x0)):
        narrow = segment.x1 <= middle + 1 or segment.x0 >= middle - 1
        side_by_side = narrow and any(
            other is not segment
            and abs(other.top - segment.top) < 3
            and (other.x1 <= middle + 1 or other.x0 >= middle - 1)
            for other in segments
        )
        if side_by_side or (narrow and region):
            region.append(segment)
        else:
            flush()
            ordered.append(segment)
    flush()
    return ordered


def measure(pdf: bytes, top: float = 22 * MM, bottom: float = 22 * MM) -> Figures:
    """The figures of a PDF whose text block has these top and bottom margins (pt)."""
    import pdfplumber

    pages: list[Page] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, plumber in enumerate(document.pages, start=1):
            width, height = float(plumber.width), float(plumber.height)
            inside = plumber.within_bbox((0, top - 2, width, height - bottom + 2))
            words = inside.extract_words(extra_attrs=["size"], keep_blank_chars=False)
            segments = _segments(words, number)
            xs = [s.x0 for s in segments] + [s.x1 for s in segments]
            ordered = _reading_order(segments, min(xs, default=0), max(xs, default=width))
            page = Page(number, width, height, ordered)
            bottoms = [s.bottom for s in segments]
            tops = [s.top for s in segments]
            for shape in [*inside.rects, *inside.lines]:
                if float(shape["height"]) < height * 0.95:
                    bottoms.append(float(shape["bottom"]))
                    tops.append(float(shape["top"]))
            for rect in inside.rects:
                if rect.get("fill") and float(rect["height"]) > 3 * MM:
                    page.fills.append((float(rect["top"]), float(rect["bottom"])))
            page.fills.sort()
            page.ink_bottom = max(bottoms, default=top)
            page.ink_top = min(tops, default=top)
            pages.append(page)
    return Figures(pages, top, bottom)


if __name__ == "__main__":
    path = Path(sys.argv[1])
    margins = [float(value) for value in sys.argv[2:4]] or [22 * MM, 22 * MM]
    print(measure(path.read_bytes(), *margins).summary())

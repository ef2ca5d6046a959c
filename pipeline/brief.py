"""The Brief and the Digest: the typed, immutable models every renderer reads.

They are pure data (no I/O, no config, no rendering). Everything a renderer
shows is already here: labels resolved for the language and typography
applied, so the PDF and the DOCX cannot disagree about content. A Digest
holds many Briefs, whole, plus its own title block and summary table.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.labels import Labels as Labels  # declared there, part of the Brief

SCHEMA_VERSION = 1

SectionKind = Literal["narrative", "question", "pros_cons", "conclusion", "notes"]
Mark = Literal["em", "strong", "code"]

# A note marker in the text is a run whose href is "#note-N": it refers to
# the N-th item of the brief's notes section (the section of kind "notes").
NOTE_ANCHOR = "note-{number}"


def note_anchor(number: int) -> str:
    """The anchor (HTML id, DOCX bookmark) of the brief's N-th note, 1-based."""
    return NOTE_ANCHOR.format(number=number)


def note_number(href: str | None) -> int | None:
    """N when `href` is "#note-N" (a note marker's link), else None."""
    prefix = "#" + NOTE_ANCHOR.format(number="")
    if href and href.startswith(prefix) and href[len(prefix) :].isdigit():
        return int(href[len(prefix) :])
    return None


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Run(_Frozen):
    """A stretch of inline text with the same marks (and link target)."""

    text: str
    marks: tuple[Mark, ...] = ()
    href: str | None = None


def plain(runs: tuple[Run, ...]) -> str:
    """The text of a sequence of runs, marks dropped."""
    return "".join(run.text for run in runs)


class Paragraph(_Frozen):
    type: Literal["paragraph"] = "paragraph"
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return plain(self.runs)


class Quote(_Frozen):
    type: Literal["quote"] = "quote"
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return plain(self.runs)


class ListBlock(_Frozen):
    type: Literal["list"] = "list"
    ordered: bool = False
    items: tuple[tuple[Run, ...], ...]

    @property
    def text(self) -> str:
        return "\n".join(plain(item) for item in self.items)


ImageType = Literal["image/png", "image/jpeg", "image/gif"]


class Image(_Frozen):
    """A picture from the article's own folder, carried as data (base64)."""

    type: Literal["image"] = "image"
    name: str  # the file name, for reference
    media_type: ImageType
    data: str  # base64 of the file's bytes
    width: int  # pixels
    height: int
    alt: str = ""  # shown as the caption

    @property
    def text(self) -> str:
        return self.alt


class Table(_Frozen):
    """A table of the article: rows of cell texts, the first `header_rows`
    of them headings. Only tables that fit the text width are kept as tables
    (see `structure`); the others become one paragraph per row."""

    type: Literal["table"] = "table"
    rows: tuple[tuple[str, ...], ...]
    header_rows: int = 0

    @property
    def text(self) -> str:
        return "\n".join(" · ".join(row) for row in self.rows)


class Figure(_Frozen):
    """A picture with its caption and credit: a web page's lead image."""

    image: Image  # its alt text is the picture's description
    caption: str | None = None
    credit: str | None = None


class FigureBlock(_Frozen):
    """A figure of a web page's body, in its place among the paragraphs
    (`layout.images.figures`): the checked picture, its caption and credit."""

    type: Literal["figure"] = "figure"
    image: Image  # its alt text is the picture's description
    caption: str | None = None
    credit: str | None = None
    src: str  # where the picture was read from (resolved against the page)

    @property
    def text(self) -> str:
        """The caption line as both formats show it (caption, then credit)."""
        return " ".join(part for part in (self.caption, self.credit) if part)


class PageBreak(_Frozen):
    """A form feed (\\x0c) in the article: what follows starts a new page."""

    type: Literal["page_break"] = "page_break"

    @property
    def text(self) -> str:
        return ""


Block = Annotated[
    Paragraph | Quote | ListBlock | Image | FigureBlock | Table | PageBreak,
    Field(discriminator="type"),
]


def block_texts(
    block: Paragraph | Quote | ListBlock | Image | FigureBlock | Table | PageBreak,
) -> list[str]:
    """The visible lines of a block: one per paragraph, list item or table cell."""
    if isinstance(block, PageBreak):
        return []
    if isinstance(block, Table):
        return [cell for row in block.rows for cell in row if cell]
    if isinstance(block, ListBlock):
        return [plain(item) for item in block.items]
    if isinstance(block, Image):
        return [block.alt] if block.alt else []
    if isinstance(block, FigureBlock):
        return [block.text] if block.text else []
    return [block.text]


class Section(_Frozen):
    heading: str
    kind: SectionKind = "narrative"
    blocks: tuple[Block, ...] = ()
    pros: tuple[Block, ...] = ()
    cons: tuple[Block, ...] = ()


class SourceRef(_Frozen):
    name: str
    url: str | None = None


EntityKind = Literal["person", "place", "organisation", "other"]


class Entity(_Frozen):
    """A person, place or organisation the article names, as it writes it."""

    text: str
    kind: EntityKind = "other"


class Brief(_Frozen):
    schema_version: int = SCHEMA_VERSION
    title: str
    subtitle: str | None = None
    language: str  # BCP 47 tag: "fr", "pt-BR", "zh-Hant"
    direction: Literal["ltr", "rtl"] = "ltr"  # the script's (Arabic, Hebrew: rtl)
    date: dt.date | None = None
    date_text: str | None = None  # the date as the language writes it
    authors: tuple[str, ...] = ()
    organisation: str | None = None
    lede: tuple[Block, ...] = ()
    intro: tuple[Block, ...] = ()
    sections: tuple[Section, ...] = ()
    sources: tuple[SourceRef, ...] = ()
    key_points: tuple[str, ...] = ()  # sentences of the body, verbatim
    tags: tuple[str, ...] = ()
    entities: tuple[Entity, ...] = ()
    keywords: tuple[str, ...] = ()  # document metadata (PDF Keywords, DOCX keywords)
    # The article's own one-line description (front matter), document metadata
    # (PDF Subject, DOCX subject); left out of the JSON when there is none.
    description: str | None = Field(None, exclude_if=lambda value: value is None)
    word_count: int = 0
    reading_minutes: int = 0
    reading_text: str = ""  # "4 min de lecture · 792 mots", for the title block
    labels: Labels
    source_url: str | None = None  # the page the article was fetched from (after redirects)
    retrieved: dt.date | None = None  # the day it was downloaded
    provenance: str | None = None  # "Source: URL, retrieved DATE", in the brief's language
    lead_image: Figure | None = None  # a web page's lead image (og:image or first figure)

    def body_texts(self) -> list[str]:
        """Every heading and paragraph line, in reading order (title and subtitle first).

        Tests and the parity check compare rendered artifacts against this.
        """
        out = [self.title, *([self.subtitle] if self.subtitle else [])]
        for block in (*self.lede, *self.intro):
            out.extend(block_texts(block))
        for section in self.sections:
            out.append(section.heading)
            for block in (*section.blocks, *section.pros, *section.cons):
                out.extend(block_texts(block))
        return out

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


# --- the digest: many Briefs as one document ---------------------------------

DIGEST_SCHEMA_VERSION = 1


class DigestRow(_Frozen):
    """One article in the digest's summary table and contents."""

    anchor: str  # "article-1": the chapter's id, for links and page references
    title: str
    outlet: str | None = None  # the site an article was fetched from, or its organisation
    date_text: str | None = None
    key_point: str | None = None  # the article's first key point


class Digest(_Frozen):
    schema_version: int = DIGEST_SCHEMA_VERSION
    kind: Literal["digest"] = "digest"
    title: str
    language: str
    date: dt.date
    date_text: str
    organisation: str | None = None
    count_text: str = ""  # "3 articles", for the title block
    labels: Labels
    rows: tuple[DigestRow, ...]
    briefs: tuple[Brief, ...]

    def cover(self) -> Brief:
        """The digest's own title block as a Brief without body: what the page
        headers, the footers and the document metadata read."""
        keywords = tuple(dict.fromkeys(k for brief in self.briefs for k in brief.keywords))
        return Brief(
            title=self.title,
            language=self.language,
            date=self.date,
            date_text=self.date_text,
            organisation=self.organisation,
            reading_text=self.count_text,
            keywords=keywords[:20],
            labels=self.labels,
        )

    def body_texts(self) -> list[str]:
        """The digest's title, then every article's text in reading order."""
        out = [self.title]
        for brief in self.briefs:
            out.extend(brief.body_texts())
        return out

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"

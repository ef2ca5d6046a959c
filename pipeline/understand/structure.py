"""`Document` (blocks) -> `Brief`: what each block means in a brief.

The first heading is the title; paragraphs before it are the lede and those
between it and the next heading the intro. Each later heading opens a
section whose kind (question, pros and cons, conclusion, narrative) comes
from the language's heading rules. A closing line naming sources becomes
`sources`, not body text. Typography is applied here, once, for every
renderer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence

from pipeline.brief import (
    Block,
    Brief,
    FigureBlock,
    Image,
    Labels,
    ListBlock,
    PageBreak,
    Paragraph,
    Quote,
    Run,
    Section,
    SectionKind,
    SourceRef,
    Table,
    note_number,
)
from pipeline.read.ingest import strip_bidi
from pipeline.read.model import Document, RawBlock
from pipeline.understand.languages import Language
from pipeline.understand.typography import apply as typeset

WORDS_PER_MINUTE = 230
MAX_TITLE_CHARS = 110
_URL = re.compile(r"(?:https?://|www\.)[^\s,;]+[^\s,;.)]")
_TRAILING = ' .;:!?…»"”)'


def _normalise(heading: str) -> str:
    return " ".join(heading.lower().strip(_TRAILING + "\u00a0\u202f").split())


def section_kind(heading: str, language: Language) -> SectionKind:
    key = _normalise(heading)
    if key in (_normalise(h) for h in language.headings.pros_cons):
        return "pros_cons"
    if key in (_normalise(h) for h in language.headings.conclusion):
        return "conclusion"
    if heading.rstrip().endswith("?"):
        return "question"
    return "narrative"


def _starts_with(text: str, prefixes: Iterable[str]) -> bool:
    lowered = text.lower().lstrip(' «"“')
    return any(lowered.startswith(prefix.lower()) for prefix in prefixes)


def parse_sources(runs: Sequence[Run] | str, language: Language) -> tuple[SourceRef, ...] | None:
    """The sources named by a closing line, or None when it is not such a line.

    A name's URL is the target of a link on it ("[Lazard analysis](https://…)"),
    else an address written in it.
    """
    if isinstance(runs, str):
        runs = (Run(text=runs),)
    text = "".join(run.text for run in runs)
    targets = [run.href for run in runs for _ in run.text]
    rules = language.sources
    if not _starts_with(text, rules.lead_in):
        return None
    lowered = text.lower()
    cut = -1
    for verb in rules.verbs:
        for match in re.finditer(rf"\b{re.escape(verb.lower())}\b", lowered):
            cut = max(cut, match.end())
    if cut < 0:
        colon = text.find(":")
        if colon < 0:
            return None
        cut = colon + 1
    names_text = text[cut:].strip().rstrip(_TRAILING)
    parts = [names_text]
    for separator in rules.separators:
        parts = [piece for part in parts for piece in part.split(separator)]
    refs = []
    position = cut
    for part in parts:
        name = part.strip().strip(_TRAILING)
        if not name:
            continue
        start = text.find(name, position)
        position = start + len(name) if start >= 0 else position
        linked = (
            next((href for href in targets[start : start + len(name)] if href), None)
            if start >= 0
            else None
        )
        url_match = _URL.search(name)
        url = linked or (url_match.group(0) if url_match else None)
        if url and not url.startswith(("http", "mailto:")):
            url = "https://" + url
        refs.append(SourceRef(name=name, url=url))
    return tuple(refs) or None


def _group(blocks: Sequence[RawBlock]) -> list[Block]:
    """Raw blocks -> model blocks; consecutive list items become one list."""
    out: list[Block] = []
    for raw in blocks:
        if raw.kind == "list_item":
            last = out[-1] if out else None
            if isinstance(last, ListBlock) and last.ordered == raw.ordered:
                out[-1] = ListBlock(ordered=last.ordered, items=(*last.items, raw.runs))
            else:
                out.append(ListBlock(ordered=raw.ordered, items=(raw.runs,)))
        elif raw.kind == "quote":
            out.append(Quote(runs=raw.runs))
        elif raw.kind == "image" and raw.image is not None:
            out.append(raw.image)
        elif raw.kind == "figure" and raw.figure is not None:
            out.append(raw.figure)
        elif raw.kind == "page_break":
            out.append(PageBreak())
        elif raw.kind == "table":
            out.extend(_table(raw))
        else:
            out.append(Paragraph(runs=raw.runs))
    return out


# A table is kept as a table when its widest cells, side by side, fit a line
# of the text column (in characters at the table's smaller type, with a
# little padding per cell); otherwise each row becomes a paragraph that names
# its columns ("Region: North · Q1: 310 · ..."), readable at any width.
TABLE_LINE_CHARS = 110
TABLE_CELL_PADDING = 3
MAX_TABLE_CELL_CHARS = 40  # a longer cell wraps: counted at this width


def table_fits(rows: Sequence[Sequence[str]]) -> bool:
    columns = max((len(row) for row in rows), default=0)
    widths = [
        min(MAX_TABLE_CELL_CHARS, max((len(row[i]) for row in rows if i < len(row)), default=0))
        for i in range(columns)
    ]
    return sum(widths) + TABLE_CELL_PADDING * columns <= TABLE_LINE_CHARS


def _table(raw: RawBlock) -> list[Block]:
    rows = [row for row in raw.cells if any(cell.strip() for cell in row)]
    if not rows:
        return []
    width = max(len(row) for row in rows)
    rows = [(*row, *("",) * (width - len(row))) for row in rows]
    if table_fits(rows):
        return [Table(rows=tuple(rows), header_rows=min(raw.header_rows, len(rows)))]
    header = rows[0] if raw.header_rows else None
    body = rows[raw.header_rows :] if raw.header_rows else rows
    out: list[Block] = []
    for row in body:
        cells = [
            f"{header[i]}: {cell}" if header is not None and header[i] else cell
            for i, cell in enumerate(row)
            if cell
        ]
        out.append(Paragraph(runs=(Run(text=" · ".join(cells)),)))
    return out


def _split_pros_cons(blocks: list[Block], language: Language) -> tuple[list[Block], list[Block]]:
    for index, block in enumerate(blocks):
        markers = language.pros_cons.cons_markers
        if index and isinstance(block, Paragraph) and _starts_with(block.text, markers):
            return blocks[:index], blocks[index:]
    if len(blocks) == 2:
        return blocks[:1], blocks[1:]
    return [], []


def _shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    text = " ".join(text.split())
    first = re.split(r"(?<=[.!?…])\s", text, maxsplit=1)[0].rstrip(".")
    if len(first) <= limit:
        return first
    cut = first[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


_TITLE_COLON = re.compile(r"\s*:\s+")


def split_title(title: str) -> tuple[str, str | None]:
    """'Main point : what follows' -> ('Main point', 'What follows'): a long
    two-part title reads as a title and a subtitle. Only one colon, with at
    least three words before it and two after."""
    parts = _TITLE_COLON.split(title)
    if len(parts) != 2:
        return title, None
    head, tail = (part.strip() for part in parts)
    if len(head.split()) < 3 or len(tail.split()) < 2:
        return title, None
    return head, tail[:1].upper() + tail[1:]


def _typeset_runs(runs: tuple[Run, ...], language: Language) -> tuple[Run, ...]:
    return tuple(
        run
        if "code" in run.marks
        else run.model_copy(update={"text": typeset(run.text, language.typography)})
        for run in runs
    )


def _typeset_block(block: Block, language: Language) -> Block:
    if isinstance(block, PageBreak):
        return block
    if isinstance(block, Image):
        return block.model_copy(update={"alt": typeset(block.alt, language.typography)})
    if isinstance(block, FigureBlock):
        shown = {"caption": block.caption, "credit": block.credit}
        return block.model_copy(
            update={key: typeset(text, language.typography) for key, text in shown.items() if text}
        )
    if isinstance(block, Table):
        rows = tuple(tuple(typeset(c, language.typography) for c in row) for row in block.rows)
        return block.model_copy(update={"rows": rows})
    if isinstance(block, ListBlock):
        return block.model_copy(
            update={"items": tuple(_typeset_runs(item, language) for item in block.items)}
        )
    return block.model_copy(update={"runs": _typeset_runs(block.runs, language)})


def _word_count(texts: Iterable[str]) -> int:
    return sum(len(re.findall(r"\w+(?:[’'-]\w+)*", text)) for text in texts)


LONG_PARAGRAPH_CHARS = 1500
CHUNK_CHARS = 700


def _split_long(raw: RawBlock, code: str) -> list[RawBlock]:
    """A very long plain paragraph -> several, cut between sentences.

    Only unformatted paragraphs are cut (formatted runs would have to be
    split across pieces); the text is kept whole and in order.
    """
    if raw.kind != "paragraph" or len(raw.text) <= LONG_PARAGRAPH_CHARS or len(raw.runs) != 1:
        return [raw]
    if raw.runs[0].marks or raw.runs[0].href:
        return [raw]
    from pipeline.understand.sentences import split_sentences

    text = raw.text
    pieces: list[str] = []
    position = 0
    current_start = 0
    for sentence in split_sentences(text, code):
        found = text.find(sentence, position)
        if found < 0:
            return [raw]
        position = found + len(sentence)
        if position - current_start >= CHUNK_CHARS and len(text) - position > CHUNK_CHARS // 2:
            pieces.append(text[current_start:position].strip())
            current_start = position
    pieces.append(text[current_start:].strip())
    pieces = [piece for piece in pieces if piece]
    if len(pieces) < 2:
        return [raw]
    return [RawBlock("paragraph", (Run(text=piece),), raw.line) for piece in pieces]


def tidy_blocks(blocks: Sequence[RawBlock], language: Language) -> list[RawBlock]:
    """Shape fixes so no section comes out empty and no paragraph is a wall.

    A heading directly followed by another heading is joined to it ("Part —
    Detail"); a heading on the last line is text, not a section; a very
    long plain paragraph is cut between sentences.
    """
    out: list[RawBlock] = []
    for raw in blocks:
        out.extend(_split_long(raw, language.sentences))
    merged: list[RawBlock] = []
    for raw in out:
        last = merged[-1] if merged else None
        joinable = last is not None and last.kind == "heading" and len(merged) > 1
        if raw.kind == "heading" and last is not None and joinable:
            runs = (*last.runs, Run(text=" — "), *raw.runs)
            merged[-1] = RawBlock("heading", runs, last.line, level=raw.level)
        else:
            merged.append(raw)
    if len(merged) > 1 and merged[-1].kind == "heading":
        last = merged[-1]
        merged[-1] = RawBlock("paragraph", last.runs, last.line)
    return merged


def _closing_sources(
    blocks: list[RawBlock], language: Language
) -> tuple[list[RawBlock], tuple[SourceRef, ...]]:
    """A closing line that names sources is metadata, not body text."""
    if blocks and blocks[-1].kind == "paragraph":
        found = parse_sources(blocks[-1].runs, language)
        if found:
            return blocks[:-1], found
    return blocks, ()


def _opening(
    blocks: list[RawBlock], meta_title: str | None, fallback: str, abstract: bool = False
) -> tuple[str, list[Block], list[Block], list[RawBlock]]:
    """(title, lede, intro, the rest from the first section heading on).

    The first heading is the title, unless the metadata names another title:
    then that heading opens the first section (a heading is never dropped).
    With an `abstract` in the metadata, no body paragraph is taken for the
    lede: the abstract is it, unless the text has paragraphs before its title.
    """
    first = next((i for i, b in enumerate(blocks) if b.kind == "heading"), None)
    if (
        first is not None
        and meta_title
        and _normalise(blocks[first].text) != _normalise(meta_title)
    ):
        lede, intro = _group(blocks[:first]), []
        if not lede and first:
            lede = []
        if len(lede) > 1:
            lede, intro = lede[:1], lede[1:]
        return meta_title, lede, intro, blocks[first:]
    if first is None:
        body = _group(blocks)
        title = _shorten(body[0].text.split("\n")[0]) if body else fallback
        if abstract and meta_title:
            return meta_title, [], body, []
        return meta_title or title, body[:1], body[1:], []
    lede = _group(blocks[:first])
    after = next(
        (i for i in range(first + 1, len(blocks)) if blocks[i].kind == "heading"), len(blocks)
    )
    intro = _group(blocks[first + 1 : after])
    if not lede and intro and not abstract:
        # An article that opens on its headline: its first paragraph is the lede.
        lede, intro = intro[:1], intro[1:]
    return meta_title or blocks[first].text, lede, intro, blocks[after:]


def _sections(
    rest: list[RawBlock], title: str, language: Language
) -> tuple[list[Section], list[Block]]:
    """The sections, and body text to add to the intro (see below)."""
    sections: list[Section] = []
    to_intro: list[Block] = []
    title_key = _normalise(title)
    index = 0
    while index < len(rest):
        heading = rest[index]
        end = next((i for i in range(index + 1, len(rest)) if rest[i].kind == "heading"), len(rest))
        body = [_typeset_block(b, language) for b in _group(rest[index + 1 : end])]
        index = end
        if _normalise(heading.text) == title_key:
            # The headline repeated as a heading: its text goes on under the
            # previous part instead of opening a second section named alike.
            if sections:
                previous = sections[-1]
                sections[-1] = previous.model_copy(update={"blocks": (*previous.blocks, *body)})
            else:
                to_intro.extend(body)
            continue
        kind = section_kind(heading.text, language)
        pros: list[Block] = []
        cons: list[Block] = []
        if kind == "pros_cons":
            pros, cons = _split_pros_cons(body, language)
            if pros or cons:
                body = []
        sections.append(
            Section(
                heading=typeset(heading.text, language.typography),
                kind=kind,
                blocks=tuple(body),
                pros=tuple(pros),
                cons=tuple(cons),
            )
        )
    return sections, to_intro


def _notes_section(notes: Sequence[tuple[str, str]], labels: Labels, language: Language) -> Section:
    """The page's footnotes, in a closing section (numbered when they are 1..n)."""
    numbered = [marker for marker, _ in notes] == [str(n) for n in range(1, len(notes) + 1)]
    items = tuple(
        (Run(text=typeset(text if numbered else f"{marker} {text}", language.typography)),)
        for marker, text in notes
    )
    return Section(
        heading=labels.notes, kind="notes", blocks=(ListBlock(ordered=numbered, items=items),)
    )


def _note_links_checked(blocks: Sequence[RawBlock], count: int) -> list[RawBlock]:
    """The blocks with a "#note-N" link kept only when the brief has an N-th
    note (a Markdown author's own "#note-9" link points nowhere here)."""

    def checked(run: Run) -> Run:
        number = note_number(run.href)
        return run if number is None or number <= count else run.model_copy(update={"href": None})

    return [
        dataclasses.replace(block, runs=tuple(checked(run) for run in block.runs))
        for block in blocks
    ]


def _with_reading_figures(brief: Brief, language: Language, labels: Labels) -> Brief:
    words = _word_count(brief.body_texts())
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE))
    reading = " · ".join(
        (labels.reading_time.format(minutes=minutes), labels.words.format(count=words))
    )
    date = brief.date
    return brief.model_copy(
        update={
            "word_count": words,
            "reading_minutes": minutes,
            "reading_text": reading,
            "date_text": language.format_date(date) if date else None,
        }
    )


def build_brief(
    document: Document,
    language: Language,
    labels: Labels,
    *,
    today: dt.date,
    organisation: str | None = None,
) -> Brief:
    meta = document.meta
    raw = _note_links_checked(document.blocks, len(meta.get("notes", ())))
    blocks, sources = _closing_sources(tidy_blocks(raw, language), language)
    abstract = meta.get("abstract", ())  # front matter: the lede when the text has none
    title, lede_blocks, intro_blocks, rest = _opening(
        blocks, meta.get("title"), document.name, bool(abstract)
    )
    sections, more_intro = _sections(rest, title, language)
    if meta.get("notes"):
        sections.append(_notes_section(meta["notes"], labels, language))
    title = strip_bidi(title).strip() or document.name
    subtitle = meta.get("subtitle")
    if not subtitle:
        title, subtitle = split_title(title)
    title = typeset(title, language.typography)
    brief = Brief(
        title=title,
        subtitle=typeset(strip_bidi(subtitle), language.typography) if subtitle else None,
        language=language.bcp47,
        direction=language.direction,
        date=meta.get("date") or today,
        authors=tuple(strip_bidi(a) for a in meta.get("authors", ())),
        tags=tuple(meta.get("tags", ())),
        keywords=tuple(meta.get("keywords", ())),
        description=strip_bidi(meta["description"]) if meta.get("description") else None,
        organisation=meta.get("organisation") or organisation or None,
        lede=tuple(_typeset_block(b, language) for b in lede_blocks)
        or tuple(
            Paragraph(runs=(Run(text=typeset(strip_bidi(text), language.typography)),))
            for text in abstract
        ),
        intro=(*(_typeset_block(b, language) for b in intro_blocks), *more_intro),
        sections=tuple(sections),
        sources=tuple(
            SourceRef(name=typeset(s.name, language.typography), url=s.url) for s in sources
        ),
        labels=labels,
    )
    return _with_reading_figures(brief, language, labels)


def with_digest(
    brief: Brief,
    language: Language,
    *,
    key_point_count: int,
    entities: bool,
    entity_method: str = "builtin",
) -> Brief:
    """The brief with its key points, entities and keywords filled in."""
    update: dict[str, object] = {}
    if key_point_count:
        from pipeline.understand.keypoints import key_points

        update["key_points"] = key_points(brief, language, key_point_count)
    if entities:
        from pipeline.understand.entities import find_entities, find_keywords

        if entity_method == "spacy":
            from pipeline.understand.ner import find_entities_spacy

            found = find_entities_spacy(brief, language)
        else:
            found = find_entities(brief, language)
        update["entities"] = found
        if not brief.keywords:  # the author's own keywords (front matter) stand
            update["keywords"] = find_keywords(brief, language, found)
    return brief.model_copy(update=update) if update else brief

"""Article file -> `Document`: decoded, cleaned text cut into blocks by its format's reader.

This stage knows about bytes, encodings and input formats; it says nothing
about what a block means in a brief (that is `structure`'s job). Each
format has its reader (text.py, markdown.py, html.py), imported when an
article of that format is read, so a build pays only for the readers it uses.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pipeline.errors import SourceError
from pipeline.files import FileTooLarge, NotRegularFile, read_capped
from pipeline.read.model import Document, RawBlock

if TYPE_CHECKING:
    from pipeline.config.model import Limits

MAX_SOURCE_BYTES = 20_000_000


# --- decoding -------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def decode(data: bytes, path: str) -> str:
    """Bytes -> str: BOMs honoured, UTF-8 first, then a detected legacy charset."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Mostly valid UTF-8 with a few broken bytes (a truncated copy, a bad
    # paste): keep the good text and mark the damage with U+FFFD rather than
    # letting a charset guess turn every accent into mojibake.
    replaced = data.decode("utf-8", errors="replace")
    damaged = replaced.count("\ufffd")
    multibyte = sum(1 for char in replaced if char > "\x7f" and char != "\ufffd")
    if multibyte and multibyte >= damaged:
        return replaced
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise SourceError(
            "cannot tell the text encoding (is it a binary file?)",
            file=path,
            hint="save the article as UTF-8 text",
        )
    return str(best)


# --- text hygiene ---------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]|[\ud800-\udfff]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Normalise newlines and replace characters no renderer can carry.

    CRLF, lone CR, NEL and U+2028 become LF, U+2029 a blank line (a paragraph
    break); a vertical tab ends the line, a form feed
    stands on a line of its own (a page break in plain text); other C0
    controls, lone surrogates and non-characters become U+FFFD.
    Text is NFC-normalised so the same word always has the same code points.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed becomes a line of its own that the text reader turns into
    # a page break (other readers see a blank line).
    text = text.replace("\x0b", "\n").replace("\x0c", "\n\x0c\n")
    # Unicode's own line and paragraph separators (and NEL): hard breaks for
    # Pango, invisible in Word. Left in, the PDF broke a line where the DOCX
    # did not, stranding a hyphenated word's end ("labora-" / "toires,").
    text = text.replace("\u2028", "\n").replace("\x85", "\n").replace("\u2029", "\n\n")
    text = text.replace("\t", " ")
    text = _CONTROL.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def strip_bidi(text: str) -> str:
    """Remove bidi overrides/isolates (used for titles and file names)."""
    return _BIDI.sub("", text)


def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Front matter and page metadata get the same hygiene as the text: a
    control character in a title, an author or a tag (from YAML escapes or
    HTML entities) would break the DOCX and reach the terminal. Each value
    is one line."""

    def one_line(value: str) -> str:
        return " ".join(clean_text(value).split())

    cleaned: dict[str, Any] = {}
    for key, value in meta.items():
        if isinstance(value, str):
            value = one_line(value)
        elif isinstance(value, tuple) and all(isinstance(item, str) for item in value):
            value = tuple(dict.fromkeys(item for item in map(one_line, value) if item))
        if value or not isinstance(value, str | tuple):
            cleaned[key] = value
    return cleaned


# --- entry point ----------------------------------------------------------

InputFormat = Literal["text", "markdown", "html"]
INPUT_FORMATS: tuple[InputFormat, ...] = ("text", "markdown", "html")
READERS: dict[str, InputFormat] = {
    ".txt": "text",
    ".text": "text",
    "": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}


def _read_file(path: Path, path_arg: str, max_bytes: int) -> bytes:
    """At most max_bytes bytes of a regular file (never a FIFO, device or socket)."""
    try:
        return read_capped(path, max_bytes)
    except NotRegularFile:
        raise SourceError(
            "not a regular file (a device, FIFO or socket)", file=path_arg, hint="give a .txt file"
        ) from None
    except FileTooLarge as big:
        size = f"the file is {big.size:,} bytes" if big.size else "the file is larger"
        raise SourceError(
            f"{size}; the limit is {max_bytes:,}",
            file=path_arg,
            hint="raise limits.max_input_bytes in the config if this is intended",
        ) from None


def _parse(
    text: str,
    input_format: InputFormat,
    path_arg: str,
    warnings: list[str],
    base_url: str | None = None,
) -> tuple[dict[str, Any], str, tuple[RawBlock, ...]]:
    """(metadata, body text, blocks) for one input format.

    Only plain text turns a form feed into a page break; for Markdown and HTML
    it is dropped (their own syntax has no page breaks).
    """
    # Each reader is imported only for an article of its format (markdown-it,
    # trafilatura and the Brief models cost import time a no-op build skips).
    if input_format != "text":
        text = text.replace("\x0c", "")
    if input_format == "markdown":
        from pipeline.read.frontmatter import split_front_matter
        from pipeline.read.images import ImageLoader
        from pipeline.read.markdown import parse_markdown

        meta, body, offset = split_front_matter(text, path_arg)
        # Images are read only from the article's own folder (not for stdin).
        folder = None if path_arg == "-" or base_url else Path(path_arg).resolve().parent
        loader = ImageLoader(folder, warnings, fetched=bool(base_url))
        blocks = parse_markdown(body, offset, loader)
        meta = clean_meta(meta)
        if loader.remote:
            from pipeline.read.figures import web_pictures

            meta["figures"] = web_pictures(blocks, loader.remote)
        return meta, body, blocks
    if input_format == "html":
        from pipeline.read.html import extract_article

        meta, blocks = extract_article(text, path_arg, base_url=base_url)
        return clean_meta(meta), "\n".join(block.text for block in blocks), blocks
    from pipeline.read.text import parse_text

    return {}, text.replace("\x0c", ""), parse_text(text)


def read_source(
    path_arg: str,
    max_bytes: int = MAX_SOURCE_BYTES,
    input_format: InputFormat | None = None,
    limits: Limits | None = None,
) -> Document:
    """Read one article (a path, or "-" for standard input) into a Document.

    The format comes from the file extension unless `input_format` is given
    (standard input is plain text unless told otherwise). URLs: fetch_page.read_article.
    With `limits`, the text is checked against them before its reader parses
    it (read/limits.py).
    """
    if path_arg == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
        name, mtime = "stdin", None
        chosen: InputFormat = input_format or "text"
    else:
        path = Path(path_arg)
        try:
            if path.is_dir():
                raise SourceError("is a directory, not an article file", file=path_arg)
            if input_format is None and path.suffix.lower() not in READERS:
                raise SourceError(
                    f"unsupported file type '{path.suffix}'",
                    file=path_arg,
                    hint="give a .txt, .md or .html file, or choose with --input-format",
                )
            data = _read_file(path, path_arg, max_bytes)
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            raise SourceError("no such file", file=path_arg, hint="check the path") from None
        except PermissionError:
            raise SourceError(
                "permission denied", file=path_arg, hint="make the file readable"
            ) from None
        except OSError as exc:
            raise SourceError(f"cannot read the file: {exc.strerror}", file=path_arg) from None
        name = path.stem
        chosen = input_format or READERS[path.suffix.lower()]
    if len(data) > max_bytes:
        raise SourceError(
            f"the input is larger than {max_bytes:,} bytes",
            file=path_arg,
            hint="raise limits.max_input_bytes in the config if this is intended",
        )
    text = clean_text(decode(data, path_arg))
    if not text.strip():
        raise SourceError("the article is empty", file=path_arg, hint="give a file with text")
    return parse_document(text, chosen, path_arg, name, mtime, limits=limits)


def parse_document(
    text: str,
    input_format: InputFormat,
    path_arg: str,
    name: str,
    mtime: float | None,
    base_url: str | None = None,
    limits: Limits | None = None,
) -> Document:
    """Decoded, cleaned text -> Document. `base_url`: the page's address, for
    relative links (and no local folder to read images from). With `limits`,
    the text is checked before its reader parses it (read/limits.py)."""
    if limits is not None:
        from pipeline.read.limits import check_text

        check_text(text, input_format, limits, path_arg)
    warnings: list[str] = []
    meta, body, blocks = _parse(text, input_format, path_arg, warnings, base_url)
    if not blocks:
        raise SourceError("the article has no text", file=path_arg, hint="give a file with text")
    return Document(
        path=path_arg,
        name=name,
        text=body,
        blocks=blocks,
        meta=meta,
        mtime=mtime,
        warnings=tuple(warnings),
    )

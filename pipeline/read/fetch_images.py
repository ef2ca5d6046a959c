"""A page's lead image -> a checked `Figure` (picture, caption, credit, alt text).

Where it is: the page's `og:image` (or `twitter:image`), else the first
`<figure>` with a picture; its caption and credit come from that figure's
`<figcaption>` (a credit is an element whose class says credit, copyright
or source, or a trailing "Photo: …" / "© …"). How it is read: a remote
picture through the fetcher (fetch.py: same address, redirect, robots,
size and type rules as a page); for a saved page on disk only when
`fetch.images: true`, so a local file causes no network traffic by default;
a relative picture of a saved page from the page's own folder. Every
picture is decoded by Pillow within pixel limits (no decompression bomb)
and re-encoded (PNG, or JPEG for photographs), so what reaches the
renderers is checked bytes, never the server's file.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import io
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from pipeline.errors import SourceError
from pipeline.read.fetch import IMAGE_TYPES, Fetcher, is_url
from pipeline.read.images import MAX_IMAGE_BYTES, MAX_PIXELS

if TYPE_CHECKING:
    from pipeline.brief import Figure, Image, ImageType
    from pipeline.read.model import Document

_CREDIT_CLASS = re.compile(r"credit|copyright|source|byline|author", re.IGNORECASE)
_CREDIT_TEXT = re.compile(
    r"\s*(?:[-–—|(]\s*)?((?:photo(?:graph)?|image|picture|credit|crédit|illustration)s?\s*:"
    r"\s*[^)]+|©\s*[^)]+)\)?\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ImageRef:
    """Where a page's lead image is, and what the page says about it."""

    src: str
    alt: str = ""
    caption: str | None = None
    credit: str | None = None


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


# Where pages that load pictures lazily keep the real address (`src` then
# holds a placeholder, or nothing).
_LAZY = ("data-src", "data-lazy-src", "data-original")
WIDEST_CANDIDATE = 1600  # of a srcset: the widest up to this many pixels


def _from_srcset(value: str) -> str:
    """The candidate of a srcset ("a.jpg 480w, b.jpg 1200w") to read: the
    widest up to WIDEST_CANDIDATE pixels (else the narrowest)."""
    candidates: list[tuple[float, str]] = []
    for item in value.split(","):
        parts = item.split()
        if not parts:
            continue
        width = parts[1][:-1] if len(parts) > 1 and parts[1].endswith("w") else ""
        candidates.append((float(width) if width.isdigit() else 0.0, parts[0]))
    fitting = [c for c in candidates if c[0] <= WIDEST_CANDIDATE]
    chosen = max(fitting) if fitting else min(candidates, default=(0.0, ""))
    return chosen[1]


_ADDRESS = re.compile(r"[^\s\"'<>{}|\\^`]+")


def picture_src(image: Any) -> str:
    """The address of an `<img>`'s picture: a lazy-loading attribute's when
    the page has one (its `src` is a placeholder then), else `src`; "" when
    none is an address (a script's JSON, a `data:` placeholder)."""
    lazy = [(image.get(name) or "").strip() for name in _LAZY]
    candidates = [*lazy, _from_srcset(image.get("data-srcset") or "")]
    src = (image.get("src") or "").strip()
    candidates += [
        src if not src.startswith("data:") else "",
        _from_srcset(image.get("srcset") or ""),
    ]
    return next((c for c in candidates if c and _ADDRESS.fullmatch(c)), "")


def figure_ref(figure: Any, space: str = "") -> ImageRef | None:
    """The picture of a `<figure>` with its alt text, caption and credit
    (`space`: the reader's stand-in for a space, turned back into one)."""
    image = next(iter(figure.iter("img")), None)
    src = picture_src(image) if image is not None else ""
    if image is None or not src:
        return None
    caption_element = next(iter(figure.iter("figcaption")), None)
    caption = credit = None
    if caption_element is not None:
        caption_element = copy.deepcopy(caption_element)  # the page's tree stays whole
        if space:
            for element in caption_element.iter():
                element.text = element.text and element.text.replace(space, " ")
                element.tail = element.tail and element.tail.replace(space, " ")
        marked = [e for e in caption_element.iter() if _CREDIT_CLASS.search(e.get("class") or "")]
        if marked:
            credit = _text(marked[0]) or None
            for element in marked:
                element.drop_tree()
        caption = _text(caption_element) or None
        if credit is None and caption:
            found = _CREDIT_TEXT.search(caption)
            if found and found.start() > 0:
                credit, caption = found[1].strip(), caption[: found.start()].strip(" -–—|")
    return ImageRef(
        src,
        " ".join((image.get("alt") or "").split()),
        caption,
        credit,
    )


def lead_image_ref(html: str) -> ImageRef | None:
    """The page's lead image: og:image (with its figure's caption when the page
    shows it), else the first figure of the article (or of the page)."""
    from lxml.html import HTMLParser, document_fromstring

    try:
        parser = HTMLParser(no_network=True, remove_comments=True, huge_tree=False)
        tree = document_fromstring(html, parser=parser)
    except Exception:  # an unparsable page has no lead image; the text reader reports it
        return None
    meta: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key and key not in meta:
            meta[key] = " ".join((element.get("content") or "").split())
    scope = next((e for tag in ("article", "main") for e in tree.iter(tag)), tree)
    figures = [ref for figure in scope.iter("figure") if (ref := figure_ref(figure))]
    declared = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image")
    if declared:
        name = PurePosixPath(urlsplit(declared).path).name
        same = next((f for f in figures if PurePosixPath(urlsplit(f.src).path).name == name), None)
        alt = meta.get("og:image:alt") or meta.get("twitter:image:alt") or ""
        if same is not None:
            return dataclasses.replace(same, src=declared, alt=same.alt or alt)
        return ImageRef(declared, alt)
    return figures[0] if figures else None


MAX_SIDE = 2000  # pixels: about 300 dpi across an A4 text column; more only weighs


def reencode(data: bytes) -> tuple[ImageType, bytes, int, int] | None:
    """(media type, new bytes, width, height) of a valid picture within the
    limits, re-encoded without its metadata and scaled down to `MAX_SIDE`
    pixels on its longer side; a photograph (JPEG, or WebP without
    transparency) as JPEG, anything else as PNG; None for anything else."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if picture.format not in ("PNG", "JPEG", "GIF", "WEBP"):
                return None
            if not width or not height or width * height > MAX_PIXELS:
                return None  # checked before decoding: a bomb is never expanded
            picture.seek(0)
            clear = "A" not in picture.getbands() and "transparency" not in picture.info
            photo = picture.format == "JPEG" or (picture.format == "WEBP" and clear)
            frame = picture.convert("RGB" if photo else "RGBA")
        if max(width, height) > MAX_SIDE:
            frame.thumbnail((MAX_SIDE, MAX_SIDE), PILImage.Resampling.LANCZOS)
            width, height = frame.size
        out = io.BytesIO()
        if photo:
            frame.save(out, format="JPEG", quality=88, optimize=True)
        else:
            frame.save(out, format="PNG", optimize=True)
    except Exception:  # Pillow raises many kinds for broken files; all mean "no"
        return None
    return ("image/jpeg" if photo else "image/png"), out.getvalue(), width, height


def read_picture(
    src: str, document: Document, fetcher: Fetcher | None, name: str
) -> Image | str | None:
    """The picture at `src` (resolved against the page), read under the rules
    above and checked: an `Image` (alt text empty), or why it cannot be used,
    or None when it is not to be read at all (a remote picture of a saved page
    without `fetch.images`)."""
    from pipeline.brief import Image

    base = document.meta.get("source_url")
    fetcher = fetcher or Fetcher()
    target = resolved(src, document)
    if is_url(target):
        if not base and not fetcher.settings.images:
            return None  # a saved page on disk: no network unless fetch.images
        try:
            data = fetcher.get(target, IMAGE_TYPES, MAX_IMAGE_BYTES).data
        except SourceError as error:
            return error.message
    elif not base and document.path != "-" and not urlsplit(target).scheme:
        folder = Path(document.path).resolve().parent
        path = (folder / unquote(urlsplit(target).path)).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            return "not a file in the page's folder"
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return f"larger than {MAX_IMAGE_BYTES:,} bytes"
        data = path.read_bytes()
    else:
        return None
    checked = reencode(data)
    if checked is None:
        return f"not a PNG, JPEG, GIF or WebP image within {MAX_PIXELS:,} pixels"
    media_type, encoded, width, height = checked
    file_name = PurePosixPath(urlsplit(target).path).name or name
    return Image(
        name=file_name[:100],
        media_type=media_type,
        data=base64.b64encode(encoded).decode("ascii"),
        width=width,
        height=height,
    )


def same_picture(one: Image, other: Image) -> bool:
    """Whether two pictures read show the same (one may be a scaled copy of
    the other): the same shape, and alike once both are shrunk to 16 x 16
    grey pixels."""
    from PIL import Image as PILImage
    from PIL import ImageChops, ImageStat

    if abs(one.width * other.height - other.width * one.height) > 0.02 * one.width * other.height:
        return False
    small = []
    for picture in (one, other):
        with PILImage.open(io.BytesIO(base64.b64decode(picture.data))) as opened:
            small.append(opened.convert("L").resize((16, 16), PILImage.Resampling.BOX))
    difference = ImageStat.Stat(ImageChops.difference(small[0], small[1])).mean[0]
    return difference < 8


def resolved(src: str, document: Document) -> str:
    """A picture's address resolved against the page's (its own for a saved
    page, where a protocol-relative "//host/x.jpg" is on the web, over https:
    it is no file in the page's folder)."""
    base = document.meta.get("source_url")
    if base:
        return urljoin(str(base), src)
    return "https:" + src if src.startswith("//") else src


def load_lead_image(
    document: Document, fetcher: Fetcher | None, warnings: list[str]
) -> Figure | None:
    """The document's lead image, read under the rules above, or None (with a
    warning when there was one but it could not be used)."""
    from pipeline.brief import Figure

    ref = document.meta.get("lead_image")
    if not isinstance(ref, ImageRef):
        return None
    picture = read_picture(ref.src, document, fetcher, "lead-image")
    if isinstance(picture, str):
        warnings.append(f"lead image {resolved(ref.src, document)[:120]} left out: {picture}")
        return None
    if picture is None:
        return None
    # The picture the page chose to stand for the article: without alt text or
    # caption, the headline describes it (a tagged PDF needs a description).
    alt = ref.alt or ref.caption or _headline(document)
    return Figure(
        image=picture.model_copy(update={"alt": alt}), caption=ref.caption, credit=ref.credit
    )


def _headline(document: Document) -> str:
    title = document.meta.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    return next((block.text for block in document.blocks if block.kind == "heading"), "")

"""A Markdown image reference -> an `Image` block, when it is safe to carry.

Only files inside the article's own folder are read (after symlinks are
resolved), never URLs; only PNG, JPEG and GIF, checked by Pillow rather than
by the extension, within size and pixel limits, so a hostile reference
cannot make the build read /etc/passwd or decode a pixel bomb. Anything
refused becomes a warning and the alt text stays in the brief as text.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.brief import Image, ImageType

MAX_IMAGE_BYTES = 5_000_000
MAX_TOTAL_BYTES = 20_000_000
MAX_PIXELS = 40_000_000
_FORMATS: dict[str, ImageType] = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif"}


# Why a picture on the web is not read here; figures.py reads it when asked
# (and takes this warning back).
WEB_PICTURE = (
    "a picture on the web is read only with layout.images.figures "
    "(and, for a file on disk, fetch.images)"
)


def refusal(src: str, reason: str) -> str:
    """The warning for a picture left out."""
    return f"image {src[:80]!r} left out: {reason}"


class ImageLoader:
    """Loads the images of one article; records why any was left out, and
    which were pictures on the web (`remote`: line, address, alt text of each
    image alone in its paragraph) that figures.py may fetch instead."""

    def __init__(self, folder: Path | None, warnings: list[str], fetched: bool = False) -> None:
        self.folder = folder
        self.warnings = warnings
        self.fetched = fetched  # the article came from a URL: its relative pictures are too
        self.total = 0
        self.remote: list[tuple[int, str, str]] = []

    def _refuse(self, src: str, reason: str) -> None:
        self.warnings.append(refusal(src, reason))

    def on_web(self, src: str) -> bool:
        """Whether `src` is a picture on the web: an http(s) address, a
        protocol-relative one ("//host/x.png", over https for a file on
        disk), or any relative one of an article read from a URL."""
        parts = urlsplit(src)
        if parts.scheme:
            return parts.scheme in ("http", "https")
        return self.fetched or bool(parts.netloc)

    def load(self, src: str, alt: str) -> Image | None:
        parts = urlsplit(src)
        if not alt.strip():
            # A tagged PDF (PDF/UA) needs a description of every picture; the
            # alt text is also the caption.
            self._refuse(src, f"no alt text to describe it (write ![description]({src[:60]}))")
            return None
        if self.on_web(src):
            self._refuse(src, WEB_PICTURE)
            return None
        if parts.scheme or parts.netloc:
            self._refuse(src, "only files next to the article are used, not URLs")
            return None
        if self.folder is None:
            self._refuse(src, "an article read from standard input has no folder")
            return None
        path = (self.folder / unquote(parts.path)).resolve()
        if not path.is_relative_to(self.folder):
            self._refuse(src, "outside the article's folder")
            return None
        if not path.is_file():
            self._refuse(src, "no such file")
            return None
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES or self.total + size > MAX_TOTAL_BYTES:
            self._refuse(src, f"larger than {MAX_IMAGE_BYTES // 1_000_000} MB")
            return None
        data = path.read_bytes()
        checked = _check(data)
        if checked is None:
            self._refuse(src, "not a readable PNG, JPEG or GIF image")
            return None
        media_type, width, height = checked
        self.total += size
        return Image(
            name=path.name,
            media_type=media_type,
            data=base64.b64encode(data).decode("ascii"),
            width=width,
            height=height,
            alt=alt,
        )


def _check(data: bytes) -> tuple[ImageType, int, int] | None:
    """(media type, width, height) of a valid image within limits, else None."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            media_type = _FORMATS.get(picture.format or "")
            width, height = picture.size
            if media_type is None or width * height > MAX_PIXELS or not width or not height:
                return None
            picture.verify()
    except Exception:  # Pillow raises many kinds for broken files; all mean "no"
        return None
    return media_type, width, height

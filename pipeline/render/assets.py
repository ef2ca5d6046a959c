"""Asset paths from the config (logo, fonts) -> validated bytes, checked once.

A path names an asset only if it is a regular file inside the project folder
after every symlink is resolved (so no `/dev/zero`, no FIFO, no link to
`/etc/passwd`) and is not larger than a cap. Images are decoded with Pillow,
decompression-bomb warnings turned into errors and a pixel cap enforced, then
re-encoded once as PNG: both renderers receive the same, clean bytes, and the
fetcher serves those bytes rather than reopening the file.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from pathlib import Path

from pipeline.errors import ConfigError

MAX_ASSET_BYTES = 5_000_000
MAX_IMAGE_PIXELS = 25_000_000  # 5000 x 5000: far beyond any logo
FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"wOFF", b"wOF2", b"ttcf")


class AssetError(ConfigError):
    """A logo or font that cannot be used (exit code 2, like any config problem)."""


def read_asset(path: Path | str, project_root: Path, max_bytes: int = MAX_ASSET_BYTES) -> bytes:
    """The bytes of a regular file inside `project_root`, at most `max_bytes` long."""
    given = str(path)
    root = Path(project_root).resolve()
    candidate = Path(path) if Path(path).is_absolute() else root / path
    resolved = candidate.resolve()
    if not resolved.is_relative_to(root):
        raise AssetError(
            "the file is outside the project folder (or a link pointing out of it)",
            file=given,
            hint=f"copy it under {root}",
        )
    # O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW: the
    # resolved path must itself be the file, not a link swapped in since.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(resolved, flags)
    except FileNotFoundError:
        raise AssetError("no such file", file=given, hint="check the path") from None
    except OSError as exc:
        raise AssetError(f"cannot open the file: {exc.strerror}", file=given) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise AssetError("not a regular file", file=given, hint="give an image or font file")
        if info.st_size > max_bytes:
            raise AssetError(
                f"the file is {info.st_size:,} bytes; the limit is {max_bytes:,}", file=given
            )
        chunks, total = [], 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # it grew while we read it
        raise AssetError(f"the file is larger than {max_bytes:,} bytes", file=given)
    return data


def validate_image(
    path: Path | str,
    project_root: Path,
    *,
    max_bytes: int = MAX_ASSET_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> bytes:
    """A logo as clean PNG bytes, or an `AssetError` saying why not."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    data = read_asset(path, project_root, max_bytes)
    given = str(path)
    # Importing WeasyPrint sets this process-wide flag to True; a logo cut
    # short must be an error here, not a half-grey image.
    truncated_ok = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise AssetError(
                        f"the image is {width}x{height} pixels; the limit is {max_pixels:,} pixels",
                        file=given,
                        hint="use a smaller logo",
                    )
                image.load()
                converted = image.convert("RGBA")
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise AssetError(
            "the image declares an enormous size (a decompression bomb?)",
            file=given,
            hint="use a smaller logo",
        ) from None
    except UnidentifiedImageError:
        raise AssetError(
            "not an image Pillow can read", file=given, hint="use PNG or JPEG"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise AssetError(f"the image is damaged: {exc}", file=given) from None
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok
    out = io.BytesIO()
    converted.save(out, format="PNG")
    return out.getvalue()


def validate_font(path: Path | str, project_root: Path, max_bytes: int = MAX_ASSET_BYTES) -> bytes:
    """A font file's bytes, once it is known to be a TrueType/OpenType/WOFF file."""
    data = read_asset(path, project_root, max_bytes)
    if not data.startswith(FONT_MAGIC):
        raise AssetError(
            "not a TrueType, OpenType or WOFF font", file=str(path), hint="give a .ttf or .otf"
        )
    return data

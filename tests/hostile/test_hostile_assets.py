"""Logo and font paths from the config: only regular files inside the project,
size-capped; images decoded by Pillow with decompression bombs as errors,
re-encoded once as PNG."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest
from PIL import Image

from pipeline.errors import EXIT_USAGE
from pipeline.render.assets import AssetError, read_asset, validate_font, validate_image


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    return root


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, format="PNG")
    return out.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous image (the IDAT stays small)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def test_a_valid_logo_is_reencoded_as_png(project: Path) -> None:
    (project / "logo.jpg").write_bytes(b"")
    image = Image.new("RGB", (40, 20), "blue")
    image.save(project / "logo.jpg", format="JPEG")
    data = validate_image("logo.jpg", project)
    with Image.open(io.BytesIO(data)) as decoded:
        assert decoded.format == "PNG" and decoded.size == (40, 20)


@pytest.mark.parametrize("size", [(100_000, 100_000), (6_000, 6_000)])
def test_decompression_bomb_is_an_error(project: Path, size: tuple[int, int]) -> None:
    (project / "bomb.png").write_bytes(bomb_png(*size))
    with pytest.raises(AssetError) as caught:
        validate_image("bomb.png", project)
    assert caught.value.exit_code == EXIT_USAGE
    assert "bomb" in str(caught.value) or "pixels" in str(caught.value)


def test_logo_symlinked_to_etc_passwd(project: Path) -> None:
    (project / "logo.png").symlink_to("/etc/passwd")
    with pytest.raises(AssetError, match="outside the project"):
        validate_image("logo.png", project)


def test_absolute_path_outside_the_project(project: Path) -> None:
    with pytest.raises(AssetError, match="outside the project"):
        read_asset("/etc/hostname", project)


def test_dotdot_path_outside_the_project(project: Path) -> None:
    (project.parent / "outside.png").write_bytes(png(2, 2))
    with pytest.raises(AssetError, match="outside the project"):
        validate_image("../outside.png", project)


def test_dev_zero_through_a_link(project: Path) -> None:
    (project / "zero.png").symlink_to("/dev/zero")
    with pytest.raises(AssetError):
        read_asset("zero.png", project)


def test_a_fifo_does_not_block(project: Path) -> None:
    os.mkfifo(project / "logo.png")
    result: list[BaseException] = []

    def attempt() -> None:
        try:
            read_asset("logo.png", project)
        except AssetError as exc:
            result.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(5)
    assert not thread.is_alive(), "opening a FIFO blocked"
    assert result and "regular file" in str(result[0])


def test_a_directory_is_not_an_asset(project: Path) -> None:
    (project / "logo.png").mkdir()
    with pytest.raises(AssetError, match="regular file"):
        read_asset("logo.png", project)


def test_size_cap(project: Path) -> None:
    (project / "big.png").write_bytes(b"\x00" * 2_000)
    with pytest.raises(AssetError, match="limit"):
        read_asset("big.png", project, max_bytes=1_000)


def test_not_an_image(project: Path) -> None:
    (project / "logo.png").write_bytes(b"<svg onload=alert(1)>")
    with pytest.raises(AssetError, match="not an image"):
        validate_image("logo.png", project)


def test_truncated_image(project: Path) -> None:
    import weasyprint  # noqa: F401 - it relaxes Pillow's truncated-image check globally

    (project / "logo.png").write_bytes(png(50, 50)[:60])
    with pytest.raises(AssetError):
        validate_image("logo.png", project)


def test_a_font_must_be_a_font(project: Path) -> None:
    (project / "font.ttf").write_bytes(b"#!/bin/sh\n")
    with pytest.raises(AssetError, match="font"):
        validate_font("font.ttf", project)
    (project / "ok.ttf").write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 100)
    assert validate_font("ok.ttf", project).startswith(b"\x00\x01")


def test_missing_asset(project: Path) -> None:
    with pytest.raises(AssetError, match="no such file"):
        read_asset("nope.png", project)

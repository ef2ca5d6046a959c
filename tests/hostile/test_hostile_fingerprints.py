"""Every file the build reads is in the incremental fingerprint (issue 21 §11),
and the files it hashes are read as a stream with a size cap (§1)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from hostile_support import assert_one_line_errors, run_cli
from PIL import Image

from pipeline.render.discovery import templates_root

BODY = "Titre\n\nLe gouvernement a présenté mardi un projet de loi sur la sécurité des données.\n"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")


def build(tmp_path: Path, config: str, fmt: str = "json,docx") -> tuple[int, str]:
    (tmp_path / "config.yaml").write_text("language: fr\n" + config, encoding="utf-8")
    source = tmp_path / "a.txt"
    if not source.exists():
        source.write_text(BODY, encoding="utf-8")
    argv = ["build", str(source), "-o", str(tmp_path / "out"), "-f", fmt]
    run = run_cli([*argv, "-c", str(tmp_path / "config.yaml")])
    assert run.code == 0, run.err
    return run.code, run.out + run.err


def logo(path: Path, colour: str) -> None:
    Image.new("RGB", (20, 20), colour).save(path)


def reference(path: Path, font: str) -> None:
    document = docx.Document()
    document.styles["Normal"].font.name = font
    document.save(str(path))


def font_file(path: Path, extra: bytes) -> None:
    path.write_bytes(FONT.read_bytes() + extra)


def language_file(folder: Path, word: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "README.txt").write_text(word, encoding="utf-8")


CASES: list[tuple[str, str, Callable[[Path], None], Callable[[Path], None]]] = [
    (
        "logo",
        "layout:\n  logo: {path: logo.png}\n",
        lambda t: logo(t / "logo.png", "red"),
        lambda t: logo(t / "logo.png", "blue"),
    ),
    (
        "reference_docx",
        "reference_docx: ref.docx\n",
        lambda t: reference(t / "ref.docx", "Arial"),
        lambda t: reference(t / "ref.docx", "Georgia"),
    ),
    (
        "font file",
        "layout:\n  fonts:\n    files: [{family: Mine, path: mine.ttf}]\n",
        lambda t: font_file(t / "mine.ttf", b""),
        lambda t: font_file(t / "mine.ttf", b"\0" * 4),
    ),
    (
        "languages_dir",
        "languages_dir: langs\n",
        lambda t: language_file(t / "langs", "one"),
        lambda t: language_file(t / "langs", "two"),
    ),
]


@pytest.mark.parametrize(("name", "config", "first", "second"), CASES, ids=[c[0] for c in CASES])
def test_changing_a_file_the_build_reads_rebuilds(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    config: str,
    first: Callable[[Path], None],
    second: Callable[[Path], None],
) -> None:
    if name == "font file" and not FONT.is_file():
        pytest.skip("no DejaVu font on this machine")
    monkeypatch.chdir(tmp_path)
    first(tmp_path)
    build(tmp_path, config)
    _, again = build(tmp_path, config)
    assert "1 unchanged" in again
    second(tmp_path)
    _, changed = build(tmp_path, config)
    assert "unchanged" not in changed and "wrote" in changed
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["sources"]) == 1


def test_a_huge_theme_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    theme = tmp_path / "themes" / "big"
    shutil.copytree(templates_root() / "note", theme)
    with (theme / "huge.bin").open("wb") as handle:  # sparse: 3 GB on paper, nothing on disk
        handle.truncate(3 * 1024**3)
    (tmp_path / "config.yaml").write_text(
        "language: fr\ntheme: big\ntheme_dirs: [themes]\n", encoding="utf-8"
    )
    source = tmp_path / "a.txt"
    source.write_text(BODY, encoding="utf-8")
    argv = ["build", str(source), "-o", str(tmp_path / "out"), "-f", "json"]
    run = run_cli([*argv, "-c", str(tmp_path / "config.yaml")])
    assert run.code == 2
    assert_one_line_errors(run.err)
    assert "huge.bin" in run.err and "larger than 50,000,000 bytes" in run.err
    assert not (tmp_path / "out").exists()


def test_hashing_reads_in_bounded_chunks(tmp_path: Path) -> None:
    """Counted, not timed: a 20 MB file is read in 1 MB pieces."""
    from pipeline.build import manifest

    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(1024) * 20 * 1024)
    reads: list[int] = []
    real = os.fdopen

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        handle = real(*args, **kwargs)
        original = handle.read

        def read(size: int = -1) -> bytes:
            reads.append(size)
            return original(size)

        handle.read = read
        return handle

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest.os, "fdopen", spy)
        assert manifest.sha256_file(path) is not None
    assert reads and all(0 < size <= 1 << 20 for size in reads)

"""The smaller defects of issue 21 §12: front matter cleaned like the text,
exit 2 for bad config values and deep YAML, `check` bounded on bombs."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from hostile_support import assert_one_line_errors, is_manifest, run_cli

BODY = "Le gouvernement a présenté mardi un projet de loi sur la sécurité des données.\n"


def test_front_matter_gets_the_text_hygiene(tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text(
        "---\n"
        'title: "Mauvais\\0 \\e[31mtitre\\uFFFE"\n'
        'author: ["Anne\\e[2J", "Bruno\\nLigne"]\n'
        'tags: "x\\u0007, y"\n'
        "---\n\n" + BODY,
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text("language: fr\n", encoding="utf-8")
    out = tmp_path / "out"
    run = run_cli(["build", str(source), "-o", str(out), "-f", "json,docx", "-c", str(config)])
    assert run.code == 0, run.err
    assert "\x1b" not in run.err + run.out
    (brief_file,) = [p for p in out.glob("*.json") if not is_manifest(p)]
    brief = json.loads(brief_file.read_text(encoding="utf-8"))
    texts = [brief["title"], *brief["authors"], *brief["tags"]]
    assert not any(ch < " " or ch == "\x7f" or ch in "\ufffe\uffff" for t in texts for ch in t)
    assert brief["authors"] == ["Anne\ufffd[2J", "Bruno Ligne"]
    (docx_file,) = out.glob("*.docx")
    assert "titre" in docx.Document(str(docx_file)).core_properties.title


@pytest.mark.parametrize(
    ("config", "says"),
    [
        ("organisation: 2026-99-99\n", "'2026-99-99' is not a valid date"),
        ("layout: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested more than 50 levels"),
        ("layout:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)), "nested more"),
    ],
)
def test_bad_config_values_exit_2(tmp_path: Path, config: str, says: str) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(config, encoding="utf-8")
    source = tmp_path / "a.txt"
    source.write_text("Titre\n\n" + BODY, encoding="utf-8")
    run = run_cli(["build", str(source), "-o", str(tmp_path / "out"), "-c", str(path)])
    assert run.code == 2, run.err
    assert_one_line_errors(run.err)
    # libyaml, when PyYAML has it, stops deep nesting itself, in its own words.
    assert says in run.err or (says.startswith("nested") and "nesting depth" in run.err)
    assert "internal error" not in run.err


def deflate_bomb(path: Path, inflated: int) -> None:
    """A real DOCX whose document.xml inflates to `inflated` bytes of empty
    paragraphs (each one an XML element once parsed): a few hundred kB on disk."""
    plain = io.BytesIO()
    docx.Document().save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, source.read(info.filename))
        with bomb.open("word/document.xml", "w", force_zip64=True) as stream:
            stream.write(b'<?xml version="1.0"?><w:document xmlns:w="')
            stream.write(b'http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>')
            chunk = b"<w:p/>" * (1 << 17)
            for _ in range(inflated // len(chunk)):
                stream.write(chunk)
            stream.write(b"</w:body></w:document>")


def test_check_is_bounded_on_a_deflate_bomb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.cli

    # 300 MB of <w:p/> (50 million elements) would take gigabytes to parse.
    monkeypatch.setattr(pipeline.cli, "CHECK_MEMORY_MB", 512)
    bomb = tmp_path / "bomb.docx"
    deflate_bomb(bomb, 300_000_000)
    assert bomb.stat().st_size < 2_000_000
    pdf = tmp_path / "bomb.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%%EOF\n")
    run = run_cli(["check", str(pdf), str(bomb)])
    assert run.code == 1
    assert "Traceback" not in run.err
    assert len([line for line in run.err.splitlines() if line.startswith("error: ")]) == 1
    # Under the cap, the allocation fails either inside the DOCX reader (which
    # says the file is unreadable) or outside it (the child runs out).
    assert (
        "the check ran out of memory (limit 512 MB)" in run.err and "exhaust memory" in run.err
    ) or "not a readable DOCX" in run.err


def test_an_absurdly_long_word_is_broken_not_hyphenated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: the words WeasyPrint hands the hyphenator stay short
    (a 2,000-letter word used to be tried at every one of its break points)."""
    import datetime as dt

    import pyphen

    from pipeline.build.plan import load_theme_for
    from pipeline.config.model import Config
    from pipeline.render.html import LONG_WORD_PIECE, break_long_words
    from pipeline.render.pdf import render_pdf
    from pipeline.understand.languages import get_language
    from pipeline.understand.structure import build_brief

    assert break_long_words("<p>" + "a" * 45 + "</p>") == (
        "<p>" + "a" * 20 + "\u200b" + "a" * 20 + "\u200b" + "aaaaa</p>"
    )
    assert (
        break_long_words('<a href="' + "b" * 60 + '">x</a>') == '<a href="' + "b" * 60 + '">x</a>'
    )
    syllables = ("ka", "to", "ri", "mu", "se", "la", "po", "ne", "vi", "ra")
    word = "".join(syllables[(i * 7) % 10] for i in range(1_000))
    seen: list[int] = []
    real = pyphen.Pyphen.iterate

    def counting(self: pyphen.Pyphen, text: str):  # type: ignore[no-untyped-def]
        seen.append(len(text))
        return real(self, text)

    monkeypatch.setattr(pyphen.Pyphen, "iterate", counting)
    config = Config.model_validate({"language": "fr", "layout": {"justify": True}})
    from pipeline.read.model import Document
    from pipeline.read.text import parse_text

    text = f"Titre\n\nUn texte ordinaire puis {word} et la fin du paragraphe.\n"
    document = Document(path="a.txt", name="a", text=text, blocks=parse_text(text))
    language = get_language("fr")
    brief = build_brief(document, language, language.labels, today=dt.date(2026, 11, 24))
    artifact = render_pdf(brief, load_theme_for(config))
    assert artifact.data.startswith(b"%PDF-")
    assert seen and max(seen) <= LONG_WORD_PIECE + 2

"""Note markers linked to their notes (issue 16, defect 4): a page's footnote
links become "#note-N" runs in the Brief, an internal link to the N-th note
in the PDF (a named destination on the note) and in the DOCX (a hyperlink to
the note's bookmark); text that only looks like a marker stays plain. Read
back with pypdf and python-docx, in both shipped themes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import docx
import pypdf
import pytest

from pipeline.cli import main
from pipeline.read import html as read_html

PAGE = Path(__file__).parent / "fixtures" / "pages" / "notes.html"
THEMES = ("note", "dossier")
pytestmark = pytest.mark.skipif(not read_html.available(), reason="[html] extra not installed")


@pytest.fixture(scope="module", params=THEMES)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp(f"notes-{request.param}")
    err = io.StringIO()
    args = ["build", "--strict", "--theme", request.param, "-f", "json,pdf,docx", "-o", str(out)]
    code = main([*args, str(PAGE)], io.StringIO(), err)
    # --strict: the self-check (each text once, in order, in both formats) is quiet.
    assert code == 0, err.getvalue()
    assert "warning" not in err.getvalue().lower()
    return out


def _artifact(out: Path, suffix: str) -> Path:
    (found,) = [p for p in out.glob(f"*{suffix}") if p.name != "manifest.json"]
    return found


def _brief(out: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(_artifact(out, ".json").read_text(encoding="utf-8"))
    return data


def _paragraphs(brief: dict[str, Any]) -> list[list[dict[str, Any]]]:
    blocks = [*brief["lede"], *brief["intro"]]
    for section in brief["sections"]:
        blocks.extend(section["blocks"])
    return [block["runs"] for block in blocks if block["type"] == "paragraph"]


def _markers(brief: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["text"], r["href"]) for runs in _paragraphs(brief) for r in runs if r["href"]]


def _notes(brief: dict[str, Any]) -> list[str]:
    section = brief["sections"][-1]
    assert section["kind"] == "notes" and section["heading"] == brief["labels"]["notes"]
    (listing,) = section["blocks"]
    return ["".join(run["text"] for run in item) for item in listing["items"]]


def test_markers_link_to_their_notes_in_the_brief(built: Path) -> None:
    brief = _brief(built)
    # In page order; the second reference to note 1 links to it too.
    assert _markers(brief) == [
        ("1", "#note-1"),
        ("2", "#note-2"),
        ("1", "#note-1"),
        ("[3]", "#note-3"),
    ]
    notes = _notes(brief)
    assert [n.split(",")[0] for n in notes] == [
        "Port authority annual report",
        "The northern substation was rebuilt in 2009 for the new ferry terminal.",
        "Council budget votes of 2004 to 2024",
    ]
    # "In 1990": a digit before the marker is not the marker.
    first = _paragraphs(brief)[0]
    assert first[0]["text"].startswith("In 1990 the harbour") and first[0]["href"] is None
    # "[3]" written in the text, not a link on the page, stays plain text.
    plain = next(runs for runs in _paragraphs(brief) if "minutes [3]" in runs[0]["text"])
    assert len(plain) == 1 and plain[0]["href"] is None
    # Each note's text is there once: in the notes, not in the body as well.
    body = " ".join(r["text"] for runs in _paragraphs(brief) for r in runs)
    assert all(note[:30] not in body for note in notes)


def test_pdf_markers_are_internal_links_to_the_notes(built: Path) -> None:
    brief = _brief(built)
    reader = pypdf.PdfReader(_artifact(built, ".pdf"))
    dests: list[str] = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation["/Subtype"] == "/Link" and str(annotation.get("/Dest", "")).startswith(
                "note-"
            ):
                assert "/A" not in annotation  # internal: nothing to fetch or open
                assert "/StructParent" in annotation  # tagged (PDF/UA)
                assert annotation["/Contents"]  # an alternate description
                dests.append(str(annotation["/Dest"]))
    assert dests == [href.lstrip("#") for _, href in _markers(brief)]
    named = reader.named_destinations
    for number, note in enumerate(_notes(brief), 1):
        destination = named[f"note-{number}"]
        page = reader.pages[reader.get_destination_page_number(destination)]
        assert " ".join(note.split()[:6]) in " ".join(page.extract_text().split())


def _bookmarks(paragraph: Any) -> list[str]:
    return [str(name) for name in paragraph._p.xpath("./w:bookmarkStart/@w:name")]


def test_docx_markers_are_hyperlinks_to_bookmarked_notes(built: Path) -> None:
    brief = _brief(built)
    document = docx.Document(str(_artifact(built, ".docx")))
    links = [
        (link.text, link.fragment)
        for paragraph in document.paragraphs
        for link in paragraph.hyperlinks
        if not link.address
    ]
    assert links == [(text, href.lstrip("#").replace("-", "_")) for text, href in _markers(brief)]
    raised = [
        run.font.superscript
        for paragraph in document.paragraphs
        for link in paragraph.hyperlinks
        for run in link.runs
        if not link.address
    ]
    assert raised and all(raised)
    targets = {
        name: paragraph.text for paragraph in document.paragraphs for name in _bookmarks(paragraph)
    }
    notes = _notes(brief)
    assert targets == {f"note_{number}": note for number, note in enumerate(notes, 1)}


def test_a_note_link_without_its_note_is_plain_text(tmp_path: Path) -> None:
    source = tmp_path / "own-links.md"
    text = "Ports grow slowly [as shown](#note-1) and [elsewhere](#harbour) too, year after year."
    source.write_text(f"# Quiet ports\n\n{text}\n", encoding="utf-8")
    code = main(["build", "-f", "json", "-o", str(tmp_path / "out"), str(source)], io.StringIO())
    assert code == 0
    brief = _brief(tmp_path / "out")
    # No notes section: "#note-1" points nowhere and is dropped; other links stay.
    assert all(section["kind"] != "notes" for section in brief["sections"])
    assert _markers(brief) == [("elsewhere", "#harbour")]


def test_digest_links_each_article_to_its_own_notes(tmp_path: Path) -> None:
    second = tmp_path / "second.html"
    page = PAGE.read_text(encoding="utf-8")
    second.write_text(page.replace("Harbour cranes", "Dock cranes"), encoding="utf-8")
    out = tmp_path / "out"
    args = ["digest", "-f", "pdf,docx", "-o", str(out), str(PAGE), str(second)]
    err = io.StringIO()
    assert main(args, io.StringIO(), err) == 0, err.getvalue()
    reader = pypdf.PdfReader(_artifact(out, ".pdf"))
    dests = [
        str(annotation.get_object()["/Dest"])
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if "note-" in str(annotation.get_object().get("/Dest", ""))
    ]
    named = [name for name in reader.named_destinations if "note-" in name]
    # Each article's markers go to its own notes: 4 markers, 3 notes each.
    assert len(dests) == 8 and len(set(dests[:4]) | set(dests[4:])) == 6
    assert set(dests) == set(named) and len(named) == 6
    document = docx.Document(str(_artifact(out, ".docx")))
    fragments = [
        link.fragment for p in document.paragraphs for link in p.hyperlinks if not link.address
    ]
    names = [name for p in document.paragraphs for name in _bookmarks(p)]
    ids = [str(i) for p in document.paragraphs for i in p._p.xpath("./w:bookmarkStart/@w:id")]
    assert len(fragments) == 8 and set(fragments) == set(names)
    assert len(set(names)) == len(names) == 6 and len(set(ids)) == 6
    assert set(fragments[:4]).isdisjoint(fragments[4:])

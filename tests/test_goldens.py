"""Golden Briefs: each fixture's Brief JSON equals the committed golden file.

Refresh with `python tests/update_goldens.py` (never done by the tests).
"""

from __future__ import annotations

import json

import pytest

from pipeline.brief import Brief
from pipeline.read.html import available as html_available
from tests.update_goldens import CASES, FIXTURES, GOLDEN, golden_json


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_brief_matches_golden(fixture: str) -> None:
    if fixture.endswith(".html") and not html_available():
        pytest.skip("the [html] extra (trafilatura) is not installed")
    expected = (GOLDEN / f"{CASES[fixture]}.json").read_text(encoding="utf-8")
    assert golden_json(fixture) == expected, "run python tests/update_goldens.py and review"


@pytest.mark.parametrize("name", sorted(CASES.values()))
def test_golden_is_a_valid_faithful_brief(name: str) -> None:
    brief = Brief.model_validate_json((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    body = "\n".join(brief.body_texts())
    # Key points are sentences of the body, verbatim; there are 3 to 5.
    assert 3 <= len(brief.key_points) <= 5
    for point in brief.key_points:
        assert point in body
    # No empty section.
    for section in brief.sections:
        assert section.blocks or section.pros or section.cons
    assert brief.word_count > 50 and brief.reading_minutes >= 1


def test_fixture_encodings_are_what_they_claim() -> None:
    raw = (FIXTURES / "cp1252-crlf.txt").read_bytes()
    assert b"\r\n" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    brief = json.loads((GOLDEN / "cp1252-crlf.json").read_text(encoding="utf-8"))
    text = json.dumps(brief, ensure_ascii=False)
    assert "élèves" in text and "€" in text and "\r" not in text


def test_goldens_carry_the_expected_metadata() -> None:
    md = json.loads((GOLDEN / "english-front-matter.json").read_text(encoding="utf-8"))
    assert md["title"] == "Four-day weeks: what the pilots found"
    assert md["subtitle"] == "A year of trials in forty small firms"
    assert md["authors"] == ["Jane Doe", "Sam Patel"]
    assert md["date"] == "2026-09-14" and md["date_text"] == "14 September 2026"
    assert md["tags"] == ["work", "productivity"] and md["organisation"] == "Policy Watch"
    assert md["keywords"][:2] == ["work", "productivity"]  # the author's tags lead
    fr = json.loads((GOLDEN / "fr-example.json").read_text(encoding="utf-8"))
    names = {entity["text"] for entity in fr["entities"]}
    for expected in ("Vladimir Poutine", "Pezeshkian", "Russie", "Iran", "Syrie", "Caucase",
                     "Moyen-Orient", "États-Unis", "Foreign Policy", "The Guardian"):  # fmt: skip
        assert expected in names
    kinds = {entity["text"]: entity["kind"] for entity in fr["entities"]}
    assert kinds["Vladimir Poutine"] == "person" and kinds["Syrie"] == "place"
    assert kinds["The Guardian"] == "organisation"
    nh = json.loads((GOLDEN / "no-headings.json").read_text(encoding="utf-8"))
    assert nh["sections"] == [] and nh["title"].startswith("The town council voted")

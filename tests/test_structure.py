"""structure: the example article becomes the Brief the foundation issue describes."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.brief import Brief, Paragraph
from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import Config
from pipeline.read.ingest import read_source
from pipeline.read.text import parse_text
from pipeline.understand.languages import get_language
from pipeline.understand.structure import build_brief, parse_sources
from pipeline.understand.typography import apply as typeset
from tests.clock import BUILD_DATE

from .conftest import EXAMPLE

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.fixture(scope="module")
def brief() -> Brief:
    return make_brief(read_source(str(EXAMPLE)), BriefSettings.of(Config()), BUILD_DATE, [])


def test_title_is_the_first_heading(brief: Brief) -> None:
    # "Title : what follows" reads as a title and a subtitle.
    assert brief.title == "Poutine et l’Iran renforcent les liens diplomatiques"
    assert brief.subtitle == "Nouveaux développements et implications"
    assert brief.language == "fr"


def test_lede_is_the_four_opening_paragraphs_and_intro_follows_headline(brief: Brief) -> None:
    assert len(brief.lede) == 4
    assert brief.lede[0].text.startswith("Lors d’une rencontre diplomatique significative")
    assert brief.lede[3].text.startswith("Les analystes suggèrent")
    assert len(brief.intro) == 1
    assert brief.intro[0].text.startswith("À la suite d’une réunion importante")


def test_sections_and_their_kinds(brief: Brief) -> None:
    kinds = [(s.heading.replace(NNBSP, " "), s.kind) for s in brief.sections]
    assert kinds == [
        ("Quels sont les principaux domaines de coopération ?", "question"),
        ("Quelles sont les motivations stratégiques derrière leur alliance ?", "question"),
        ("Défis clés et controverses", "narrative"),
        ("Avantages et inconvénients", "pros_cons"),
        ("Conclusion", "conclusion"),
    ]
    assert [len(s.blocks) for s in brief.sections] == [1, 1, 2, 0, 1]


def test_pros_and_cons(brief: Brief) -> None:
    section = brief.sections[3]
    assert [b.text[:40] for b in section.pros] == ["Les avantages de ce renforcement des rel"]
    assert [b.text[:26] for b in section.cons] == ["Du côté des inconvénients,"]


def test_closing_line_becomes_sources_not_body(brief: Brief) -> None:
    assert [s.name for s in brief.sources] == ["Foreign Policy", "The Guardian"]
    assert all(s.url is None for s in brief.sources)
    assert not any("Pour des analyses plus complètes" in t for t in brief.body_texts())


def test_every_paragraph_of_the_article_is_in_the_brief_once(brief: Brief) -> None:
    """Each source line, with the language's typography applied as the model
    applies it (no-break spaces, curly quotes), is one block of the brief, once."""
    french = get_language("fr")
    lines = [line for line in EXAMPLE.read_text(encoding="utf-8").split("\n") if line.strip()]
    body = brief.body_texts()
    # The title line "X : Y" is the title X and the subtitle Y.
    assert brief.subtitle
    title_line = lines.index(f"{brief.title} : {brief.subtitle}")
    lines[title_line : title_line + 1] = [brief.title, brief.subtitle]
    for line in lines[:-1]:  # the last line is the sources line
        expected = typeset(line, french.typography)
        assert body.count(expected) == 1, line[:60]


def test_french_typography_applied_once(brief: Brief) -> None:
    heading = brief.sections[0].heading
    assert heading.endswith(f"coopération{NNBSP}?")
    again = make_brief(read_source(str(EXAMPLE)), BriefSettings.of(Config()), BUILD_DATE, [])
    assert again == brief


def test_source_line_with_url_and_english_rules() -> None:
    english = get_language("en")
    refs = parse_sources("For more, visit Reuters or https://example.org/report.", english)
    assert refs is not None
    assert [(r.name, r.url) for r in refs] == [
        ("Reuters", None),
        ("https://example.org/report", "https://example.org/report"),
    ]
    assert parse_sources("The market rose for more than a week.", english) is None


def test_article_without_headings_still_gives_a_titled_brief() -> None:
    from pipeline.read.model import Document

    text = (
        "The council approved the budget on Monday after a long debate. It takes effect in May.\n"
        "Critics said the plan cuts too deep into local services.\n"
    )
    doc = Document(path="x.txt", name="x", text=text, blocks=parse_text(text))
    english = get_language("en")
    brief = build_brief(doc, english, english.labels, today=dt.date(2026, 1, 2))
    assert brief.title == "The council approved the budget on Monday after a long debate"
    assert brief.sections == ()
    assert isinstance(brief.lede[0], Paragraph)
    assert brief.date_text == "2 January 2026"

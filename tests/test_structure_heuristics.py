"""Structure heuristics on awkward articles, and the property that every
sentence of the input appears exactly once in the Brief's body."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.brief import Brief, block_texts
from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import Config
from pipeline.read.ingest import read_source
from tests.clock import BUILD_DATE

TODAY = BUILD_DATE


def _brief(tmp_path: Path, text: str, name: str = "article.txt", **config: object) -> Brief:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return make_brief(read_source(str(path)), BriefSettings.of(Config(**config)), TODAY, [])


def _body_lines(brief: Brief) -> list[str]:
    """Every body line except the title (which may repeat the first sentence)."""
    lines = []
    for block in (*brief.lede, *brief.intro):
        lines.extend(block_texts(block))
    for section in brief.sections:
        lines.append(section.heading)
        for block in (*section.blocks, *section.pros, *section.cons):
            lines.extend(block_texts(block))
    return lines


PARA = "This is a plain sentence that ends properly and says something useful."


def test_no_headings_title_from_first_sentence(tmp_path: Path) -> None:
    brief = _brief(tmp_path, f"{PARA} Another one follows it.\n{PARA.replace('plain', 'second')}\n")
    assert brief.title == PARA.rstrip(".")
    assert brief.sections == () and brief.lede


def test_long_first_sentence_title_is_cut_at_a_word(tmp_path: Path) -> None:
    long = " ".join(f"word{i}" for i in range(60)) + "."
    brief = _brief(tmp_path, long + "\n")
    assert brief.title.endswith("…") and len(brief.title) <= 111
    assert brief.title[:-1] in long and long.startswith(brief.title[:-1])


def test_heading_as_last_line_is_text_not_an_empty_section(tmp_path: Path) -> None:
    text = f"Main title\n{PARA}\nA section\n{PARA}\nThe end of it all\n"
    brief = _brief(tmp_path, text)
    assert all(section.blocks for section in brief.sections)
    assert "The end of it all" in _body_lines(brief)


def test_consecutive_headings_are_joined(tmp_path: Path) -> None:
    text = f"Main title\n{PARA}\nPart one\nThe detail\n{PARA}\n"
    brief = _brief(tmp_path, text)
    assert [s.heading for s in brief.sections] == ["Part one — The detail"]


def test_heading_repeating_the_title_is_not_a_second_section(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Budget vote\n---\n\n# Budget vote\n\n"
        f"{PARA}\n\n## Budget vote\n\nMore text here, in a full sentence.\n\n## Next\n\n{PARA}\n"
    )
    brief = _brief(tmp_path, text, name="a.md")
    assert [s.heading for s in brief.sections] == ["Next"]
    assert "More text here, in a full sentence." in _body_lines(brief)


def test_repeated_section_headings_keep_their_own_text(tmp_path: Path) -> None:
    text = f"Main title\n{PARA}\nAnalysis\nFirst analysis text.\nAnalysis\nSecond analysis text.\n"
    brief = _brief(tmp_path, text)
    assert [s.heading for s in brief.sections] == ["Analysis", "Analysis"]
    assert all(section.blocks for section in brief.sections)


def test_very_long_paragraph_is_cut_between_sentences(tmp_path: Path) -> None:
    sentences = [f"Sentence number {i} goes on for a little while, as they do." for i in range(60)]
    brief = _brief(tmp_path, "Title\n" + " ".join(sentences) + "\n")
    paragraphs = [b.text for b in (*brief.lede, *brief.intro)]
    assert len(paragraphs) > 2
    assert " ".join(paragraphs) == " ".join(sentences)


def test_key_points_count_and_off(tmp_path: Path) -> None:
    text = "Title\n" + "\n".join(
        f"The {w} committee met on day {i} and agreed on several useful measures." for i, w in
        enumerate(["budget", "housing", "transport", "health", "school", "water", "energy"])
    ) + "\n"  # fmt: skip
    three = _brief(tmp_path, text, key_points={"count": 3})
    assert len(three.key_points) == 3
    body = "\n".join(_body_lines(three))
    assert all(point in body for point in three.key_points)
    off = _brief(tmp_path, text, key_points={"enabled": False})
    assert off.key_points == ()


# --- property: every sentence of the input exactly once in the body -------------

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=9)
_SENTENCE = st.lists(_WORD, min_size=3, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    paragraphs=st.lists(st.lists(_SENTENCE, min_size=1, max_size=6), min_size=1, max_size=8),
    markdown=st.booleans(),
    headings=st.lists(st.booleans(), min_size=8, max_size=8),
)
def test_every_sentence_exactly_once(
    tmp_path: Path, paragraphs: list[list[str]], markdown: bool, headings: list[bool]
) -> None:
    # Number the sentences so each is unique, and tag the first word so no
    # sentence looks like a sources line.
    numbered = [
        [f"S{p}x{i} {sentence}" for i, sentence in enumerate(sentences)]
        for p, sentences in enumerate(paragraphs)
    ]
    separator = "\n\n" if markdown else "\n"
    parts = []
    for index, sentences in enumerate(numbered):
        if headings[index]:  # a heading line before this paragraph
            parts.append(("## " if markdown else "") + f"Heading number {index}")
        parts.append(" ".join(sentences))
    text = separator.join(parts) + "\n"
    brief = _brief(tmp_path, text, name="a.md" if markdown else "a.txt", language="en")
    body = "\n".join(_body_lines(brief))
    for sentences in numbered:
        for sentence in sentences:
            assert body.count(sentence) == 1, sentence


def test_date_from_front_matter_then_file_then_build(tmp_path: Path) -> None:
    import os

    dated = _brief(tmp_path, f"---\ndate: 2025-03-02\n---\n\n{PARA}\n", name="d.md")
    assert dated.date == dt.date(2025, 3, 2) and dated.date_text == "2 March 2025"
    path = tmp_path / "old.txt"
    path.write_text(PARA + "\n", encoding="utf-8")
    stamp = dt.datetime(2024, 7, 14, 12, 0, tzinfo=dt.UTC).timestamp()
    os.utime(path, (stamp, stamp))
    document = read_source(str(path))
    from_file = make_brief(document, BriefSettings.of(Config(undated="file")), TODAY, [])
    assert from_file.date == dt.date(2024, 7, 14)
    assert make_brief(document, BriefSettings.of(Config()), TODAY, []).date == TODAY
    french = make_brief(
        document, BriefSettings.of(Config(undated="file", language="fr")), TODAY, []
    )
    assert french.date_text == "14 juillet 2024"

"""Any text in: reading and structuring never crash, whatever the bytes.

Arbitrary Unicode (and arbitrary bytes) through the text and Markdown
readers and `make_brief`: the only failure allowed is a `SourceError`
(one clear line), and every word of a plain-text article reaches the Brief.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import Config
from pipeline.errors import SourceError
from pipeline.read.ingest import read_source
from tests.clock import BUILD_DATE

TODAY = BUILD_DATE
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_MARKUP = st.sampled_from(
    ["# ", "## ", "> ", "- ", "1. ", "*", "**", "`", "[", "](", ")", "---\n", "\n", "\n\n",
     "<b>", "http://x.org", " : ", "?", "!", '"', "'", "...", "«", "»"]
)  # fmt: skip
_TEXT = st.lists(st.one_of(st.text(min_size=1, max_size=12), _MARKUP), max_size=40).map("".join)


def _build(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    try:
        document = read_source(str(path))
    except SourceError:
        return
    brief = make_brief(document, BriefSettings.of(Config(language="en")), TODAY, [])
    assert brief.title.strip()
    for section in brief.sections:
        assert section.blocks or section.pros or section.cons


@SETTINGS
@given(text=_TEXT, markdown=st.booleans())
def test_any_text_builds_or_fails_cleanly(tmp_path: Path, text: str, markdown: bool) -> None:
    _build(tmp_path, "a.md" if markdown else "a.txt", text.encode("utf-8", "surrogatepass"))


@SETTINGS
@given(data=st.binary(max_size=300))
def test_any_bytes_build_or_fail_cleanly(tmp_path: Path, data: bytes) -> None:
    _build(tmp_path, "a.txt", data)


_WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéàç", min_size=1, max_size=8), min_size=1
)


@SETTINGS
@given(lines=st.lists(_WORDS.map(" ".join), min_size=1, max_size=8))
def test_every_word_of_a_text_article_reaches_the_brief(tmp_path: Path, lines: list[str]) -> None:
    # Lines end with "." so they are paragraphs; numbered so each is unique.
    text = "\n".join(f"L{i} {line}." for i, line in enumerate(lines)) + "\n"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    brief = make_brief(read_source(str(path)), BriefSettings.of(Config(language="en")), TODAY, [])
    body = " ".join(brief.body_texts()[1:])  # the title may repeat the first line
    assert re.findall(r"\w+", body) == re.findall(r"\w+", text)

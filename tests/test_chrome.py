"""Chrome around an article is left out of the brief (issue 16, precision):
boxes of links to other pages, calls to follow the site or take its
newsletter, copyright lines; article text that merely names a network, and
lists of the article's own, stay. Read back from the Brief JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.read import html as read_html
from pipeline.read.htmlblocks import is_chrome

PAGE = Path(__file__).parent / "fixtures" / "pages" / "chrome.html"


@pytest.mark.skipif(not read_html.available(), reason="[html] extra not installed")
def test_chrome_boxes_and_lines_are_left_out(tmp_path: Path) -> None:
    err = io.StringIO()
    code = main(["build", "-f", "json", "-o", str(tmp_path), str(PAGE)], io.StringIO(), err)
    assert code == 0, err.getvalue()
    (found,) = [p for p in tmp_path.glob("*.json") if p.name != "manifest.json"]
    brief = json.loads(found.read_text(encoding="utf-8"))
    text = "\n".join(_texts(brief))
    for chrome in ("newsletter", "Estuary Gazette", "Ferry timetable", "Harbour master", "©"):
        assert chrome not in text
    for kept in (
        "Two tide mills that ground flour",
        "follow the work on Twitter",  # one network named in a sentence: article text
        "The north mill drives a 40 kW generator",  # a list of the article's own
        "The south mill keeps its stones",
        "Engineers expect the two wheels",
    ):
        assert kept in text


def _texts(brief: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "text" in node and isinstance(node["text"], str):
                out.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk({k: brief[k] for k in ("subtitle", "lede", "intro", "sections")})
    out.extend(str(s["heading"]) for s in brief["sections"])
    return out


@pytest.mark.parametrize(
    ("line", "chrome"),
    [
        ("Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.", True),
        ("Email Ann Lee at ann@example.org or follow her @annlee and on Twitter.", True),
        ("Sign up for The Daily today to get the free newsletter delivered to your inbox.", True),
        ("Copyright 2019 The Gazette. All rights reserved.", True),
        ("© 2019 Associated Press.", True),
        ("The minister said she would follow the debate on Twitter.", False),
        ("Its newsletter reached 40,000 readers by 1990, twice the paper's sales.", False),
        ("Copyrighted maps were the first thing the court looked at.", False),
    ],
)
def test_promotion_lines(line: str, chrome: bool) -> None:
    assert is_chrome(line) is chrome

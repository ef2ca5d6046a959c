"""Front matter as Pandoc and Quarto write it: BCP 47 `lang`, author lists of
names or {name, affiliation, email}, `date: today` / `last-modified`,
`subtitle`, `abstract` (the lede when the text has none), `keywords` and
`description`; other tools' keys ignored and never misread. Each case is
built and read back from the JSON, the PDF's metadata and the DOCX."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.errors import SourceError
from pipeline.read.ingest import read_source

from .conftest import EPOCH

QUARTO = """\
---
title: "Four-day weeks: what the pilots found"
subtitle: A year of trials in forty small firms
author:
  - name: Jane Doe
    affiliation: Policy Watch
    email: jane@example.org
    orcid: 0000-0002-1825-0097
  - name: {given: Sam, family: Patel}
  - Doe, John
date: today
lang: en-GB
abstract: |
  Forty firms tried a four-day week for a year.

  Output held; sick days fell by a third.
keywords: [work, productivity, trials]
description: What a year of four-day weeks did to forty small firms
format:
  html: {toc: true}
  pdf: default
bibliography: refs.bib
execute: {echo: false}
title-block-banner: true
categories: [economics]
draft: true
---

# Four-day weeks: what the pilots found

The pilots began in January with forty firms of fewer than fifty people.

## What changed

Managers reported fewer meetings and shorter ones.
"""


def build(tmp_path: Path, text: str, *argv: str) -> tuple[int, dict, str, Path]:
    article = tmp_path / "article.md"
    article.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    folder = tmp_path / "out"
    code = main(["build", str(article), "-o", str(folder), "--force", *argv], out, err)
    found = [p for p in folder.glob("*.json") if p.name != "manifest.json"]
    data = json.loads(found[0].read_text(encoding="utf-8")) if found else {}
    return code, data, err.getvalue(), folder


def test_quarto_front_matter_is_read_and_other_tools_keys_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docx import Document
    from pypdf import PdfReader

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    code, data, err, folder = build(tmp_path, QUARTO, "-f", "pdf,docx,json")
    assert code == 0, err
    assert data["language"].split("-")[0] == "en"
    assert data["authors"] == ["Jane Doe", "Sam Patel", "Doe, John"]  # a string is one author
    assert data["date"] == dt.datetime.fromtimestamp(int(EPOCH), dt.UTC).date().isoformat()
    assert data["subtitle"] == "A year of trials in forty small firms"
    assert data["keywords"] == ["work", "productivity", "trials"]
    assert data["description"] == "What a year of four-day weeks did to forty small firms"
    lede = [" ".join(run["text"] for run in block["runs"]) for block in data["lede"]]
    assert lede == [
        "Forty firms tried a four-day week for a year.",
        "Output held; sick days fell by a third.",
    ]
    # The text's first paragraph is not taken for the lede: the abstract is it.
    intro = [" ".join(run["text"] for run in block["runs"]) for block in data["intro"]]
    assert intro[0].startswith("The pilots began in January")
    (pdf,) = folder.glob("*.pdf")
    info = PdfReader(pdf).metadata
    assert info is not None
    assert info["/Subject"] == data["description"]
    assert info["/Keywords"] == "work, productivity, trials"
    assert info["/Author"] == "Jane Doe, Sam Patel, Doe, John"
    (docx,) = folder.glob("*.docx")
    document = Document(str(docx))
    assert document.core_properties.subject == data["description"]
    texts = [p.text for p in document.paragraphs]
    assert "Output held; sick days fell by a third." in texts


def test_date_last_modified_is_the_files_day(tmp_path: Path) -> None:
    text = QUARTO.replace("date: today", "date: last-modified")
    article = tmp_path / "article.md"
    article.write_text(text, encoding="utf-8")
    when = dt.datetime(2024, 2, 29, 12, 0, tzinfo=dt.UTC).timestamp()
    os.utime(article, (when, when))
    out, err = io.StringIO(), io.StringIO()
    code = main(["build", str(article), "-f", "json", "-o", "-"], out, err)
    assert code == 0, err.getvalue()
    assert json.loads(out.getvalue())["date"] == "2024-02-29"


@pytest.mark.parametrize("value", ["fr-FR", "fr_CA", "FR", "fr-Latn-CA"])
def test_lang_takes_bcp47_tags(value: str, tmp_path: Path) -> None:
    article = tmp_path / "a.md"
    article.write_text(
        f"---\nlang: {value}\n---\n\n# Un titre\n\nUn texte assez long pour un brief.\n",
        encoding="utf-8",
    )
    assert read_source(str(article)).meta["lang"] == value  # kept as written
    out, err = io.StringIO(), io.StringIO()
    assert main(["build", str(article), "-f", "json", "-o", "-"], out, err) == 0, err.getvalue()
    assert json.loads(out.getvalue())["language"].split("-")[0] == "fr"


@pytest.mark.parametrize(
    ("yaml", "line", "words"),
    [
        ("date: next tuesday", 3, "write the date as YYYY-MM-DD (or today, last-modified)"),
        ("author: [{affiliation: Nowhere}]", 3, "a mapping with name:"),
        ("lang: français", 3, "front matter: lang: has a value that is not allowed"),
        ("keywords: {a: 1}", 3, "expected a list such as [work, productivity]"),
    ],
)
def test_values_that_cannot_be_read_are_errors_never_guesses(
    yaml: str, line: int, words: str, tmp_path: Path
) -> None:
    article = tmp_path / "bad.md"
    article.write_text(f"---\ntitle: Fine\n{yaml}\n---\n\nBody text here.\n", encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        read_source(str(article))
    assert caught.value.line == line and words in str(caught.value), str(caught.value)

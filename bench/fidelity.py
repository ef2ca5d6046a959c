"""Benchmark: how faithfully a saved web page becomes a brief's body text.

    python bench/fidelity.py [CORPUS] [--half all|a|b] [--worst 10]

CORPUS (default: ../shared/corpus/article-extraction beside the repository)
holds `html/<id>.html.gz` pages and `ground-truth.json` with the reference
article body of each (the public article-extraction benchmark's format).
Every page is read and structured into a Brief in this process (the renderers
add no text: the parity check proves PDF and DOCX carry the Brief), and the
Brief's body (subtitle, lede, intro, section headings and text, sources; not
the title nor the key points) is scored against the reference the way that
benchmark scores extractors: `\\w+` tokens, multisets of 4-token shingles,
precision and recall per page averaged over the pages, F1 from the two
averages. Plain `trafilatura.extract` (default options) is scored on the same
pages in the same run, for comparison.

`--half a` / `--half b` score one half of the pages (split by a hash of the
page id, so stable), to tune on one half and report the other. Skips (exit 0
with a note) when the corpus is absent.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpus/article-extraction beside the repository (or beside a parent
# folder, for a git worktree kept one level deeper).
DEFAULT_CORPUS = next(
    (
        folder / "shared" / "corpus" / "article-extraction"
        for folder in ROOT.parents
        if (folder / "shared" / "corpus" / "article-extraction").is_dir()
    ),
    ROOT.parent / "shared" / "corpus" / "article-extraction",
)
sys.path.insert(0, str(ROOT))

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter[str]:
    tokens = _TOKEN.findall(text or "")
    return Counter(" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))


def score(reference: str, prediction: str) -> tuple[float, float]:
    """(precision, recall) of one page, on 4-token shingles."""
    true, pred = shingles(reference), shingles(prediction)
    tp = sum((true & pred).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    precision = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def half_of(page_id: str) -> str:
    return "a" if hashlib.sha256(page_id.encode()).digest()[0] % 2 == 0 else "b"


def brief_body(html: str, name: str) -> str:
    """The body text of the Brief that the pipeline builds from one saved page."""
    import datetime as dt

    from pipeline.build.plan import BriefSettings
    from pipeline.build.source import make_brief
    from pipeline.config.model import parse_config
    from pipeline.read.ingest import read_source

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        document = read_source(str(path))
    config = parse_config({"key_points": {"enabled": False}, "entities": {"enabled": False}})
    brief = make_brief(document, BriefSettings.of(config), dt.date(2026, 1, 1), [])
    texts = brief.body_texts()[1:]  # the subtitle first
    texts.extend(source.name for source in brief.sources)
    return "\n".join(texts)


def plain_trafilatura(html: str, name: str) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


@dataclass
class Row:
    page: str
    precision: float
    recall: float
    error: str = ""

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def run(
    extractor: Callable[[str, str], str], pages: dict[str, tuple[str, str]]
) -> tuple[list[Row], float]:
    rows = []
    started = time.perf_counter()
    for page, (html, reference) in pages.items():
        error = ""
        try:
            text = extractor(html, page)
        except Exception as exc:  # a failed page scores zero, and says why
            text, error = "", f"{type(exc).__name__}: {exc}".splitlines()[0][:80]
        precision, recall = score(reference, text)
        rows.append(Row(page, precision, recall, error))
    return rows, time.perf_counter() - started


def summary(rows: list[Row]) -> tuple[float, float, float]:
    precision = sum(row.precision for row in rows) / len(rows)
    recall = sum(row.recall for row in rows) / len(rows)
    return precision, recall, f1(precision, recall)


def load(corpus: Path, half: str) -> dict[str, tuple[str, str]]:
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {}
    for page in sorted(truth):
        if half != "all" and half_of(page) != half:
            continue
        path = corpus / "html" / f"{page}.html.gz"
        if path.exists():
            html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
            pages[page] = (html, truth[page].get("articleBody") or "")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--half", choices=("all", "a", "b"), default="all")
    parser.add_argument("--worst", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write every page's scores here")
    args = parser.parse_args(argv)
    if not (args.corpus / "ground-truth.json").is_file():
        print(f"skipped: no corpus at {args.corpus} (ground-truth.json missing)")
        return 0
    logging.disable(logging.WARNING)  # trafilatura and htmldate are chatty
    pages = load(args.corpus, args.half)
    ours, ours_seconds = run(brief_body, pages)
    theirs, theirs_seconds = run(plain_trafilatura, pages)
    print(f"{len(pages)} pages ({args.half}), {args.corpus}")
    print(f"{'extractor':<22}{'precision':>10}{'recall':>10}{'F1':>10}{'seconds':>10}")
    for label, rows, seconds in (
        ("pipeline brief", ours, ours_seconds),
        ("plain trafilatura", theirs, theirs_seconds),
    ):
        precision, recall, f = summary(rows)
        print(f"{label:<22}{precision:>10.4f}{recall:>10.4f}{f:>10.4f}{seconds:>10.1f}")
    print(f"\n{args.worst} worst pages (pipeline F1; plain trafilatura F1):")
    plain = {row.page: row for row in theirs}
    for row in sorted(ours, key=lambda r: r.f1)[: args.worst]:
        note = f"  {row.error}" if row.error else ""
        print(
            f"  {row.page}  F1 {row.f1:.3f}  P {row.precision:.3f}  R {row.recall:.3f}"
            f"  (trafilatura {plain[row.page].f1:.3f}){note}"
        )
    if args.json:
        data = {row.page: {"p": row.precision, "r": row.recall, "error": row.error} for row in ours}
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

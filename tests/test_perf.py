"""The speed work of issue 9, checked for what it must not change.

Lazy imports (a DOCX-only build of a text article imports no PDF, Markdown
or HTML library; language detection's own checks are in test_detect.py), and the PDF
warm-up (the stylesheet compiled before the fork is the one the render
uses; the warm-up brief carries none of the article's text).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.build.clock import build_date
from pipeline.build.plan import BriefSettings, load_theme_for
from pipeline.build.source import make_brief, warm_up
from pipeline.config.model import load_config
from pipeline.read.ingest import read_source
from tests.clock import EPOCH

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"

HEAVY = (
    "weasyprint",
    "pdfplumber",
    "pypdfium2",
    "markdown_it",
    "trafilatura",
    "nh3",
    "jinja2",
    "cairosvg",
    "css_inline",
    "fontTools",
)


def test_docx_only_text_build_imports_nothing_heavy(tmp_path: Path) -> None:
    code = (
        "import io, json, sys\n"
        "from pipeline.cli import main\n"
        f"rc = main(['build', {str(EXAMPLE)!r}, '-f', 'docx', '-o', {str(tmp_path)!r}],"
        " io.StringIO(), io.StringIO())\n"
        f"print(json.dumps([rc, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    rc, imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert rc == 0
    assert imported == []
    assert list(tmp_path.glob("*.docx"))


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", EPOCH)
        config = load_config(ROOT / "config.yaml")
        theme = load_theme_for(config)
        brief = make_brief(read_source(str(EXAMPLE)), BriefSettings.of(config), build_date(), [])
        yield config, theme, brief


def test_stylesheet_compiled_before_the_fork_is_the_one_rendered(example) -> None:  # type: ignore[no-untyped-def]
    from pipeline.render import pdf, typeset

    _config, theme, brief = example
    typeset._stylesheet.cache_clear()
    warm_up(("pdf",), brief, theme)
    assert typeset._stylesheet.cache_info().currsize == 1
    artifact = pdf.render_pdf(brief, theme)
    info = typeset._stylesheet.cache_info()
    assert (info.hits, info.currsize) == (1, 1)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(artifact.data)).pages)
    assert brief.title.split()[0] in text


def test_warm_up_brief_holds_no_article_text(example) -> None:  # type: ignore[no-untyped-def]
    from pipeline.render.pdf import _warm_up_brief

    _config, _theme, brief = example
    warm = _warm_up_brief(brief)
    article = set(brief.body_texts()) | set(brief.key_points)
    assert not (set(warm.body_texts()) & article)
    assert (warm.language, warm.labels, warm.date_text) == (
        brief.language,
        brief.labels,
        brief.date_text,
    )


def test_bench_tree_memory_sampler_sees_this_process() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    if not Path(f"/proc/{os.getpid()}/smaps_rollup").exists():
        pytest.skip("no /proc smaps_rollup on this system")
    assert bench.tree_pss_mb(os.getpid()) > 5


def test_an_up_to_date_rebuild_imports_no_models_and_no_renderer(tmp_path: Path) -> None:
    """The no-op path (everything unchanged) reads the config and the manifest
    only: no Brief models, no structure stage, no WeasyPrint or python-docx."""
    out = tmp_path / "out"
    argv = ["build", str(EXAMPLE), "-o", str(out), "-f", "pdf,docx"]
    code = (
        "import sys; from pipeline.cli import main; "
        f"rc = main({argv!r}); "
        "heavy = [m for m in ('pipeline.brief', 'pipeline.understand.structure', 'weasyprint', 'docx') "
        "if m in sys.modules]; "
        "print('HEAVY=' + ','.join(heavy)); sys.exit(rc)"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stderr
    assert "HEAVY=\n" in again.stdout  # nothing heavy was imported
    assert "HEAVY=pipeline.brief" in first.stdout  # (the first build did need them)


def _bench(tmp_path: Path, *options: str) -> tuple[str, dict[str, float]]:
    output = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), *options, "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, json.loads(output.read_text(encoding="utf-8"))


def test_the_benchmark_smoke_run_prints_the_cold_ratios(tmp_path: Path) -> None:
    """`python bench/run.py --smoke`: the two cold-build ratios, once each
    (a few seconds), so the benchmark cannot rot between full runs."""
    stdout, figures = _bench(tmp_path, "--smoke")
    for row in ("cold PDF+DOCX build / raw baseline", "cold DOCX-only build / `import docx`"):
        assert row in stdout, row
    for key in ("cold_build_s", "baseline_s", "docx_cold_s", "python_docx_import_s"):
        assert figures[key] > 0, key


@pytest.mark.bench
def test_the_benchmark_runs_and_prints_every_ratio(tmp_path: Path) -> None:
    """`python bench/run.py` from this checkout, as small as it goes: every
    row of the issue's targets is printed and the figures are written
    (about 45 s: run with `pytest -m bench`)."""
    stdout, figures = _bench(tmp_path, "--repeat", "1", "--batch", "2", "--batch-repeat", "1")
    for row in (
        "cold PDF+DOCX build / raw baseline",
        "untagged: --pdf-variant none / plain",
        "cold DOCX-only build / pandoc",
        "warm per-brief PDF / first, in process",
        "warm per-brief / first, forked",
        "batch of 2: -j 1 / -j 2",
        "cores kept busy",
        "no-op rebuild of 2",
        "peak RSS, one PDF+DOCX build",
    ):
        assert row in stdout, row
    for key in ("cold_build_s", "baseline_s", "docx_cold_s", "warm_render_s", "batch_j2_s"):
        assert figures[key] > 0, key
    assert figures["noop_rebuild_s"] < figures["batch_j1_s"]
    assert 0 < figures["cold_rss_mb"] < 1000

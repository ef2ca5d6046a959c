"""A user theme is not trusted with code (issue 21 §1).

Its templates run in Jinja's sandbox, inside the forked child that has the
render timeout and the memory cap: a template cannot reach `os`, an endless
loop is stopped, a huge string fails on the cap. Theme files are hashed as a
stream with a size cap.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hostile_support import CliRun, assert_no_partial, assert_one_line_errors, run_cli

from pipeline.render.discovery import templates_root

BODY = (
    "Le gouvernement a présenté mardi un projet de loi sur la sécurité des données. "
    "Les députés examineront le texte au cours des prochaines semaines.\n"
)


def build_with_theme(tmp_path: Path, payload: str, limits: str = "", fmt: str = "pdf") -> CliRun:
    theme = tmp_path / "themes" / "evil"
    shutil.copytree(templates_root() / "note", theme)
    (theme / "brief.html.j2").write_text(
        "<!doctype html><html><body><p>" + payload + "</p></body></html>",
        encoding="utf-8",
    )
    config = tmp_path / "config.yaml"
    config.write_text(
        f"language: fr\ntheme: evil\ntheme_dirs: [themes]\n{limits}", encoding="utf-8"
    )
    source = tmp_path / "a.txt"
    source.write_text("Titre\n\n" + BODY, encoding="utf-8")
    return run_cli(
        ["build", str(source), "-o", str(tmp_path / "out"), "-f", fmt, "-c", str(config)]
    )


def built(tmp_path: Path) -> list[str]:
    out = tmp_path / "out"
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


@pytest.mark.parametrize(
    "payload",
    [
        "{{ cycler.__init__.__globals__.os.popen('touch {marker}').read() }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ brief.__class__.__init__.__globals__ }}",
        "{{ slot.__globals__ }}",
        "{{ lipsum.__globals__['os'].system('touch {marker}') }}",
    ],
)
def test_a_theme_cannot_reach_python(tmp_path: Path, payload: str) -> None:
    marker = tmp_path / "ran"
    run = build_with_theme(tmp_path, payload.replace("{marker}", str(marker)))
    assert run.code == 1, run.err
    assert_one_line_errors(run.err)
    assert "unsafe" in run.err
    assert not marker.exists()
    assert built(tmp_path) == []
    assert_no_partial(tmp_path / "out")


def test_a_huge_range_is_refused(tmp_path: Path) -> None:
    run = build_with_theme(tmp_path, "{% for i in range(10**12) %}x{% endfor %}")
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert "range too big" in run.err.lower()


def test_a_huge_repetition_is_refused(tmp_path: Path) -> None:
    run = build_with_theme(tmp_path, "{{ 'x' * 3000000000 }}")
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert "repeated value" in run.err


def test_an_endless_template_meets_the_render_timeout(tmp_path: Path) -> None:
    # 10^10 iterations, each allowed by the sandbox: only the clock stops it.
    loop = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    run = build_with_theme(tmp_path, loop, "limits: {render_timeout: 2}\n", fmt="json,pdf")
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert "took longer than 2 s and was stopped" in run.err
    assert built(tmp_path) == []


def test_a_huge_string_meets_the_memory_cap(tmp_path: Path) -> None:
    run = build_with_theme(
        tmp_path, "{{ '{:>3000000000}'.format('x') }}", "limits: {render_memory_mb: 1024}\n"
    )
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert "ran out of memory (limit 1024 MB)" in run.err
    assert built(tmp_path) == []


def test_the_shipped_themes_render_in_the_sandbox(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Titre\n\n" + BODY, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text("language: fr\n", encoding="utf-8")
    for theme in ("note", "dossier"):
        out = tmp_path / theme
        argv = ["build", str(source), "-o", str(out), "-f", "pdf", "--theme", theme]
        run = run_cli([*argv, "-c", str(config)])
        assert run.code == 0, run.err
        assert (out / "titre.pdf").read_bytes().startswith(b"%PDF-")

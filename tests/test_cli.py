"""cli: help, exit codes, one clear error line, output names, atomic output."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .conftest import ROOT, run_cli


def test_help_explains_every_build_option() -> None:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        run_cli("build", "--help")
    text = out.getvalue()
    for option in ("--config", "--out", "--format", "SOURCE", "exit codes"):
        assert option in text


def test_no_command_prints_help_and_exits_2() -> None:
    result = run_cli()
    assert result.code == 2 and "build" in result.out


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("build", str(ROOT / "examples" / "poutine-iran.txt"), "-f", "pdf,odt")
    assert result.code == 2
    assert "unknown format 'odt'" in result.err and "Traceback" not in result.err


def test_missing_and_empty_sources_fail_with_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text(" \n\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "build", "-q", str(tmp_path / "nope.txt"), str(empty), "-o", str(out), "-f", "json"
    )
    assert result.code == 1 and result.out == ""
    # Printed as each source fails: in the order the workers finish.
    lines = sorted(result.err.strip().splitlines())
    assert lines == sorted(
        [
            f"error: {tmp_path / 'nope.txt'}: no such file (check the path)",
            f"error: {empty}: the article is empty (give a file with text)",
        ]
    )
    assert not out.exists() or not any(out.iterdir())  # not even a manifest


def test_a_failing_source_does_not_stop_the_others(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("A short title\nThe body of the article, with a sentence.\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(
        "build", str(tmp_path / "missing.txt"), str(good), "-o", str(out), "-f", "docx,json"
    )
    assert result.code == 1
    assert sorted(p.name for p in out.iterdir() if p.name != "manifest.json") == [
        "a-short-title.docx",
        "a-short-title.json",
    ]


def test_docx_only_build_never_imports_weasyprint(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pipeline.cli import main; "
        f"rc = main(['build', {str(ROOT / 'examples' / 'poutine-iran.txt')!r}, '-o', {str(tmp_path)!r}, '-f', 'docx']); "
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'; sys.exit(rc)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert len(list(tmp_path.glob("*.docx"))) == 1


def test_rebuild_replaces_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("First title\nSome body text for the brief.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", str(source), "-o", str(out), "-f", "json").code == 0
    target = out / "first-title.json"
    before = target.read_bytes()
    inode = os.stat(target).st_ino
    source.write_text("First title\nOther body text, changed.\n", encoding="utf-8")
    assert run_cli("build", str(source), "-o", str(out), "-f", "json").code == 0
    assert target.read_bytes() != before
    assert os.stat(target).st_ino != inode  # a new file renamed over the old one
    assert sorted(p.name for p in out.iterdir() if p.name != "manifest.json") == [
        "first-title.json"
    ]


def test_failed_build_keeps_the_earlier_artifact(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_text("Kept title\nThe body text.\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", str(source), "-o", str(out), "-f", "json").code == 0
    kept = (out / "kept-title.json").read_bytes()
    source.write_bytes(b"")
    assert run_cli("build", str(source), "-o", str(out), "-f", "json").code == 1
    assert (out / "kept-title.json").read_bytes() == kept


def test_same_title_twice_gets_distinct_stable_names(tmp_path: Path) -> None:
    import re

    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(f"Same title\nBody of {name}.\n", encoding="utf-8")
    names = []
    for order in (("a.txt", "b.txt"), ("b.txt", "a.txt")):
        out = tmp_path / f"out-{order[0]}"
        sources = [str(tmp_path / n) for n in order]
        assert run_cli("build", *sources, "-o", str(out), "-f", "json").code == 0
        names.append(sorted(p.name for p in out.iterdir() if p.name != "manifest.json"))
    assert names[0] == names[1]  # the same names whatever the argument order
    first, second = names[0]
    assert re.fullmatch(r"same-title-b-[0-9a-f]{6}\.json", first) and second == "same-title.json"


def test_schema_command_prints_json_schema() -> None:
    import json

    result = run_cli("schema")
    schema = json.loads(result.out)
    assert "layout" in schema["properties"] and "base_dir" not in schema["properties"]
    brief = json.loads(run_cli("schema", "--brief").out)
    assert "sections" in brief["properties"]


def test_an_undated_article_is_dated_today_as_the_code_counts_days(
    tmp_path: Path, real_clock: object
) -> None:
    """Without SOURCE_DATE_EPOCH, an article with no date of its own takes the
    build's day: `real_clock` computes it with the code's reader, so the test
    holds on any day and in any time zone (see .ci/calendar-check)."""
    import json

    source = tmp_path / "undated.txt"
    source.write_text("A title\n\nThe council met on a day nobody wrote down.\n", "utf-8")
    result = run_cli("build", str(source), "-f", "json", "-o", str(tmp_path / "out"))
    assert result.code == 0, result.err
    produced = tmp_path / "out" / "a-title.json"
    assert json.loads(produced.read_text("utf-8"))["date"] == str(real_clock)


def test_o_file_writes_that_one_file_as_pandoc_does(tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = ROOT / "examples" / "poutine-iran.txt"
    for name in ("brief.json", "brief.docx", "brief.pdf"):
        result = run_cli("build", str(source), "-o", str(tmp_path / "one" / name))
        assert result.code == 0, result.err
        assert result.out == "" and f"wrote {tmp_path / 'one' / name}" in result.err
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "brief.docx",
        "brief.json",
        "brief.pdf",
    ]  # no manifest, no folder named brief.pdf/
    assert json.loads((tmp_path / "one" / "brief.json").read_text())["title"]
    assert len(PdfReader(tmp_path / "one" / "brief.pdf").pages) >= 1
    two = run_cli("build", str(source), str(source.with_name("fr-example.md")), "-o", "x.pdf")
    assert two.code == 2 and "writes one brief" in two.err
    clash = run_cli("build", str(source), "-f", "docx", "-o", str(tmp_path / "x.pdf"))
    assert clash.code == 2 and "is a PDF file, but -f asks for docx" in clash.err
    # An existing folder named like a file is still a folder.
    folder = tmp_path / "looks.pdf"
    folder.mkdir()
    assert run_cli("build", str(source), "-f", "json", "-o", str(folder)).code == 0
    assert (folder / "manifest.json").is_file()


def test_o_dash_streams_one_artifact_to_stdout_and_nothing_else(tmp_path: Path) -> None:
    import io

    from pipeline.cli import main

    source = str(ROOT / "examples" / "poutine-iran.txt")
    result = run_cli("build", source, "-f", "json", "-o", "-")
    assert result.code == 0, result.err
    assert json.loads(result.out)["title"] and "wrote" not in result.err
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8")
    assert main(["build", source, "-f", "docx", "-o", "-"], stdout, io.StringIO()) == 0
    stdout.flush()
    assert raw.getvalue().startswith(b"PK")
    several = run_cli("build", source, "-f", "pdf,docx", "-o", "-")
    assert several.code == 2 and "choose one with -f" in several.err


def test_help_names_the_program_as_invoked() -> None:
    import io

    from pipeline.cli import main
    from pipeline.cli_parser import invoked_as

    assert invoked_as("/usr/local/bin/pipeline-brief") == "pipeline-brief"
    assert invoked_as("/x/pipeline/__main__.py") == "python -m pipeline"
    out = io.StringIO()
    assert main([], out, io.StringIO(), prog="pipeline-brief") == 2
    assert out.getvalue().startswith("usage: pipeline-brief ")

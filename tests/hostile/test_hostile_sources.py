"""Source arguments under attack (issue 21 §6, §12): links out of a source
folder are refused with a warning, an existing file beats a pattern, and a
file name cannot forge an error line."""

from __future__ import annotations

import os
from pathlib import Path

from hostile_support import Secret, assert_no_secret, assert_one_line_errors, is_manifest, run_cli

from pipeline.read.sources import expand_sources

BODY = "Le gouvernement a présenté mardi un projet de loi sur la sécurité des données.\n"


def config(tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text("language: fr\n", encoding="utf-8")
    return str(path)


def articles(tmp_path: Path, secret: Secret) -> Path:
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "bon.txt").write_text("Bon titre\n\n" + BODY, encoding="utf-8")
    (folder / "env.txt").symlink_to("/proc/self/environ")
    (folder / "sub" / "secret.txt").symlink_to(secret.path)
    (folder / "alias.txt").symlink_to(folder / "bon.txt")  # inside: kept
    return folder


def test_a_directory_source_refuses_links_that_leave_it(
    tmp_path: Path, secret: Secret, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIPELINE_SMTP_PASSWORD", secret.token.decode())
    folder = articles(tmp_path, secret)
    out = tmp_path / "out"
    run = run_cli(["build", str(folder), "-o", str(out), "-f", "json,docx", "-c", config(tmp_path)])
    assert run.code == 0, run.err
    assert "Traceback" not in run.err and "error:" not in run.err
    warned = [line for line in run.err.splitlines() if "a link leading out of" in line]
    assert all(line.startswith("warning: ") for line in warned)
    assert len(warned) == 2
    assert any("env.txt" in line for line in warned)
    assert any("sub/secret.txt" in line for line in warned)
    written = [p for p in out.iterdir() if not is_manifest(p)]
    assert_no_secret(written, secret)
    assert {p.suffix for p in written} == {".json", ".docx"}


def test_a_glob_refuses_links_that_leave_its_folder(tmp_path: Path, secret: Secret) -> None:
    folder = articles(tmp_path, secret)
    refused: list[str] = []
    found = expand_sources([f"{folder}/**/*.txt"], refused)
    assert sorted(Path(p).name for p in found) == ["alias.txt", "bon.txt"]
    assert len(refused) == 2


def test_a_source_swapped_for_a_link_is_refused_at_the_next_expansion(tmp_path: Path) -> None:
    """What `watch` sees: it expands its sources again on every change."""
    folder = tmp_path / "articles"
    folder.mkdir()
    article, other = folder / "a.txt", folder / "b.txt"
    article.write_text("Titre\n\n" + BODY, encoding="utf-8")
    other.write_text("Autre\n\n" + BODY, encoding="utf-8")
    assert expand_sources([str(folder)]) == [article.as_posix(), other.as_posix()]
    article.unlink()
    article.symlink_to("/proc/self/environ")
    refused: list[str] = []
    assert expand_sources([str(folder)], refused) == [other.as_posix()]
    assert refused and "a.txt" in refused[0]


def test_an_existing_file_wins_over_a_pattern(tmp_path: Path) -> None:
    odd = tmp_path / "rapport [v2].txt"
    odd.write_text("Rapport\n\n" + BODY, encoding="utf-8")
    (tmp_path / "rapport v.txt").write_text("Autre\n\n" + BODY, encoding="utf-8")
    assert expand_sources([str(odd)]) == [odd.as_posix()]
    out = tmp_path / "out"
    run = run_cli(["build", str(odd), "-o", str(out), "-f", "json", "-c", config(tmp_path)])
    assert run.code == 0, run.err
    assert (out / "rapport.json").is_file()


def test_a_file_name_cannot_forge_an_error_line(tmp_path: Path) -> None:
    name = "a\nerror: everything is fine\x1b[31m.txt"
    (tmp_path / name).write_bytes(b"")
    run = run_cli(["build", str(tmp_path / name), "-o", str(tmp_path / "out"), "-f", "json"])
    assert run.code == 1
    assert_one_line_errors(run.err)
    assert len(run.err.splitlines()) == 1
    assert "\x1b" not in run.err and "\\x0aerror: everything" in run.err and "\\x1b" in run.err


def test_escape_codes_in_warnings_are_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "arts\x1b[2J"
    folder.mkdir()
    (folder / "bon.txt").write_text("Bon\n\n" + BODY, encoding="utf-8")
    os.symlink("/etc/hostname", folder / "out.txt")
    run = run_cli(["build", str(folder), "-o", str(tmp_path / "o"), "-f", "json"])
    assert run.code == 0, run.err
    assert "\x1b" not in run.err and "a link leading out of" in run.err

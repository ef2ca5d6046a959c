"""The docs stay true: every shell block (```sh) of README.md and docs/*.md
runs, offline, in a scratch project, and exits 0.

A block that cannot run here says so just above it, with the reason:
`<!-- docs-test: skip, REASON -->` (an install, a mail server, a command that
runs until Ctrl-C). Every other block runs, one bash process per block
(`set -e`, so each command must succeed), with `python` meaning this
interpreter and the repository's package on the path. The scratch project is
a git repository holding the shipped config.yaml and examples/, plus the
files the docs name as placeholders (article.md, articles/, page.html…).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import EPOCH, ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGUAGES = ("sh", "bash", "shell", "console")
_BLOCK = re.compile(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
# The reason may span lines but never crosses the end of a comment.
_SKIP = re.compile(r"<!--\s*docs-test:\s*skip,\s*((?:(?!-->).)+?)\s*-->\s*\Z", re.S)


@dataclass(frozen=True)
class Block:
    where: str  # file:line
    script: str
    skip: str | None  # the reason given in the doc


def shell_blocks() -> list[Block]:
    blocks = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            if match.group(1) not in SHELL_LANGUAGES:
                continue
            before = text[: match.start()].rstrip() + "\n"
            skip = _SKIP.search(before.rstrip())
            line = text[: match.start()].count("\n") + 1
            blocks.append(
                Block(
                    f"{doc.relative_to(ROOT)}:{line}",
                    match.group(2),
                    skip.group(1) if skip else None,
                )
            )
    return blocks


BLOCKS = shell_blocks()

# The placeholders the docs' examples name, made from the test fixtures.
FIXTURES = ROOT / "tests" / "fixtures"
PLACEHOLDERS = {
    "article.md": FIXTURES / "english-front-matter.md",
    "article.txt": ROOT / "examples" / "poutine-iran.txt",
    "notes.txt": FIXTURES / "front-title.md",
    "note.md": FIXTURES / "english-front-matter.md",
    "page.html": FIXTURES / "saved-page.html",
    "extra.txt": FIXTURES / "no-headings.txt",
    "articles/a.txt": FIXTURES / "fr-example.txt",
    "articles/b.md": FIXTURES / "english-front-matter.md",
    "more/2026/c.txt": FIXTURES / "cp1252-crlf.txt",
}


def scratch_project(folder: Path) -> dict[str, str]:
    """A project to run the docs' commands in; returns their environment."""
    shutil.copy(ROOT / "config.yaml", folder / "config.yaml")
    shutil.copytree(ROOT / "examples", folder / "examples")
    for name, source in PLACEHOLDERS.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, folder / name)
    (folder / "tweaks.css").write_text("h2 { letter-spacing: 0.05em; }\n", encoding="utf-8")
    (folder / "other.yaml").write_text("theme: dossier\n", encoding="utf-8")
    tools = folder / ".bin"
    tools.mkdir()
    # A wrapper, not a link: a venv's interpreter finds its packages from its own path.
    wrapper = tools / "python"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{tools}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "SOURCE_DATE_EPOCH": EPOCH,
        "GIT_AUTHOR_NAME": "docs",
        "GIT_AUTHOR_EMAIL": "docs@example.org",
        "GIT_COMMITTER_NAME": "docs",
        "GIT_COMMITTER_EMAIL": "docs@example.org",
    }
    for command in (["git", "init", "-q"], ["git", "commit", "-q", "--allow-empty", "-m", "d"]):
        subprocess.run(command, cwd=folder, env=env, check=True, capture_output=True)
    return env


def test_the_docs_have_shell_blocks_and_every_skip_says_why() -> None:
    assert len(BLOCKS) >= 10
    run = [block for block in BLOCKS if block.skip is None]
    assert len(run) > len(BLOCKS) // 2, [block.where for block in BLOCKS if block.skip]
    assert all(len(block.skip or "long enough") > 8 for block in BLOCKS)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize("block", BLOCKS, ids=[block.where for block in BLOCKS])
def test_shell_block_runs(block: Block, tmp_path: Path) -> None:
    if block.skip is not None:
        pytest.skip(block.skip)
    env = scratch_project(tmp_path)
    done = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block.script],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{block.where}:\n{block.script}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr

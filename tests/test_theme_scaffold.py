"""themes new: a shipped theme copied under the project's themes/, with a
theme.yaml that explains every setting and reads back as the same style."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.render.theme import DocxStyle, find_themes, read_theme_file

from .conftest import EXAMPLE, run_cli


def test_themes_new_copies_the_theme_with_a_commented_theme_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "config.yaml").write_text("formats: [json]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("themes", "new", "house", "--from", "dossier")
    assert result.code == 0, result.err
    folder = tmp_path / "themes" / "house"
    shipped = dict(find_themes())["dossier"]
    assert (folder / "style.css.j2").read_bytes() == (shipped / "style.css.j2").read_bytes()
    text = (folder / "theme.yaml").read_text(encoding="utf-8")
    for key in DocxStyle.model_fields:
        before = text.split(f"\n  {key}:")[0].rsplit("\n", 1)[-1]
        assert before.startswith("  # "), f"no comment above {key}"
    assert read_theme_file(folder).docx == read_theme_file(shipped).docx
    assert "house\tthemes/house" in run_cli("themes").out
    assert run_cli("build", "-q", str(EXAMPLE), "--set", "theme=house").code == 0
    again = run_cli("themes", "new", "house")
    assert again.code == 2 and "already exists" in again.err
    assert run_cli("themes", "new", "Bad Name").code == 2


def test_docs_list_every_variable_the_templates_receive() -> None:
    import inspect
    import re

    from pipeline.render import html

    given = set(re.findall(r'^\s+"(\w+)":', inspect.getsource(html.template_context), re.M))
    docs = (Path(__file__).resolve().parent.parent / "docs" / "themes.md").read_text()
    table = docs.split("## What the templates receive")[1].split("\n## ")[0]
    listed = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    assert given and listed == given

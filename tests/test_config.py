"""config: one parse into typed objects; every problem reported at once with
file, line, dotted key and a hint; exit code 2 and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config.model import Config, load_config, points
from pipeline.errors import ConfigError, ConfigErrors

from .conftest import ROOT, run_cli


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_and_matches_defaults_where_documented() -> None:
    config = load_config(ROOT / "config.yaml")
    assert config.sources == ("examples/poutine-iran.txt",)
    assert config.layout == Config().layout
    assert points("25.4mm") == pytest.approx(72)


def test_all_errors_at_once_with_lines_and_hints(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "theme: note\n"
        "layout:\n"
        "  page:\n"
        "    size: A3\n"
        "    margins:\n"
        "      top: -5mm\n"
        "  colours:\n"
        "    accent: red\n"
        "formats: [pdf, odt]\n",
    )
    with pytest.raises(ConfigErrors) as caught:
        load_config(path)
    messages = [str(e) for e in caught.value.errors]
    assert any("line 4: layout.page.size: must be one of" in m for m in messages), messages
    assert any("line 6: layout.page.margins.top" in m and "20mm" in m for m in messages)
    assert any(
        "line 7: layout.colours: unknown key (did you mean 'colors'?)" in m for m in messages
    )
    assert any("line 9: formats.1: must be one of 'pdf', 'docx' or 'json'" in m for m in messages)
    assert all(m.startswith(str(path)) for m in messages)


def test_unquoted_hex_colour_gets_a_yaml_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "layout:\n  colors:\n    accent: #fff\n")
    with pytest.raises(ConfigErrors) as caught:
        load_config(path)
    (error,) = caught.value.errors
    assert error.line == 3
    assert "must be quoted" in str(error)


def test_css_injection_through_a_colour_or_font_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'layout:\n  colors:\n    accent: "#fff; } body { background: url(http://x)"\n'
        '  fonts:\n    body: {family: "x; src: url(file:///etc/passwd)", size: 10pt}\n',
    )
    with pytest.raises(ConfigErrors) as caught:
        load_config(path)
    assert {e.line for e in caught.value.errors} == {3, 5}


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "layout:\n  page:\n    size: [A4\n  fonts: {}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.line is not None and "invalid YAML" in str(caught.value)


def test_aliases_and_python_tags_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="aliases"):
        load_config(write(tmp_path, "a: &x [1]\nb: *x\n"))
    with pytest.raises(ConfigError, match="unsupported YAML tag"):
        load_config(write(tmp_path, "theme: !!python/object/apply:os.system [ls]\n"))


def test_custom_page_needs_dimensions(tmp_path: Path) -> None:
    with pytest.raises(ConfigErrors, match="needs both width and height"):
        load_config(write(tmp_path, "layout:\n  page:\n    size: custom\n"))
    config = load_config(
        write(
            tmp_path,
            "layout:\n  page: {size: custom, width: 100mm, height: 5in, orientation: landscape}\n",
        )
    )
    width, height = config.layout.page.dimensions_pt()
    assert (round(width), round(height)) == (360, 283)


def test_cli_reports_config_errors_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "layot: {}\nformats: [pdf]\ntheme: nope\n")
    result = run_cli("build", "-c", str(path), "-o", str(tmp_path / "out"))
    assert result.code == 2
    assert "Traceback" not in result.err
    assert f"error: {path}: line 1: layot: unknown key (did you mean 'layout'?)" in result.err
    assert not (tmp_path / "out").exists()


def test_unknown_theme_is_a_config_error(tmp_path: Path) -> None:
    path = write(tmp_path, "theme: nope\n")
    source = tmp_path / "a.txt"
    source.write_text("Title\nSome text here.\n", encoding="utf-8")
    result = run_cli("build", str(source), "-c", str(path), "-o", str(tmp_path / "out"))
    assert result.code == 2
    assert "line 1: theme: unknown theme 'nope'" in result.err
    assert "available: dossier, note" in result.err

"""config.effective and the `config` command: the nearest config.yaml up to
the repository root, --set overrides validated like the file, another tool's
config.yaml refused, the effective config printed as YAML that loads back."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.config.effective import find_config, load_effective
from pipeline.config.model import Config, load_config
from pipeline.errors import ConfigError, ConfigErrors, UsageError

from .conftest import EXAMPLE, run_cli


def project(tmp_path: Path, config: str = "theme: dossier\n") -> Path:
    """A repository with a config.yaml at its root and a nested folder."""
    (tmp_path / ".git").mkdir(parents=True)
    (tmp_path / "config.yaml").write_text(config, encoding="utf-8")
    nested = tmp_path / "notes" / "2026"
    nested.mkdir(parents=True)
    return nested


def test_the_nearest_config_upward_is_found_and_the_repository_root_stops_the_search(
    tmp_path: Path,
) -> None:
    nested = project(tmp_path / "repo")
    assert find_config(nested) == (tmp_path / "repo" / "config.yaml").resolve()
    (nested.parent / "config.yaml").write_text("theme: note\n", encoding="utf-8")
    assert find_config(nested) == (nested.parent / "config.yaml").resolve()
    # A config.yaml above the repository root is not this repository's.
    (tmp_path / "config.yaml").write_text("theme: dossier\n", encoding="utf-8")
    (tmp_path / "other" / ".git").mkdir(parents=True)
    assert find_config(tmp_path / "other") is None


def test_build_from_a_subfolder_uses_the_project_config_and_says_so_with_verbose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = project(tmp_path, "theme: dossier\nformats: [json]\noutput_dir: out\n")
    monkeypatch.chdir(nested)
    result = run_cli("build", "-v", str(EXAMPLE))
    assert result.code == 0, result.err
    assert f"config: {tmp_path.resolve() / 'config.yaml'}" in result.err
    assert "theme: dossier" in result.err
    assert [p.suffix for p in (tmp_path / "out").glob("*.json") if p.name != "manifest.json"] == [
        ".json"
    ]
    quiet = run_cli("build", "-q", "--force", str(EXAMPLE))
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""


def test_another_tools_config_yaml_is_refused_with_a_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nested = project(tmp_path, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n")
    monkeypatch.chdir(nested)
    result = run_cli("build", str(EXAMPLE))
    assert result.code == 2
    (line,) = result.err.splitlines()
    assert "none of this file's keys (apiVersion, kind, metadata)" in line
    assert "another tool's config.yaml" in line and "-c" in line


def test_set_overrides_one_key_and_is_validated_like_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("theme: note\nlayout:\n  page: {size: A4}\n", encoding="utf-8")
    config, used = load_effective(
        str(path),
        [
            ("theme", "dossier"),
            ("layout.page.size", "Letter"),
            ("layout.justify", "false"),
            ("formats", "[pdf]"),
            ("layout.colors.accent", "#a00"),
        ],
    )
    assert used == path
    assert config.theme == "dossier" and config.layout.page.size == "Letter"
    assert config.layout.justify is False and config.formats == ("pdf",)
    assert config.layout.colors.accent == "#a00"
    with pytest.raises(ConfigErrors) as caught:
        load_effective(str(path), [("layout.page.size", "A3"), ("layuot.justify", "false")])
    messages = [str(error) for error in caught.value.errors]
    assert messages[0].startswith("--set: layout.page.size: must be one of 'A4'")
    assert messages[1] == "--set: layuot: unknown key (did you mean 'layout'?)"
    with pytest.raises(UsageError, match="theme is not a mapping"):
        load_effective(str(path), [("theme.name", "x")])
    assert run_cli("build", "--set", "nokey", str(EXAMPLE)).code == 2


def test_config_errors_are_sorted_by_line_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "formats: pdf\nlayout:\n  justify: maybe\n  fonts:\n    line_height: x\n"
        "key_points: {count: 50}\nlabels:\n  fr: {sumary: Résumé}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigErrors) as caught:
        load_config(path)
    assert [(error.line, error.message) for error in caught.value.errors] == [
        (1, "formats: expected a list such as [pdf, docx]"),
        (3, "layout.justify: expected true or false"),
        (5, "layout.fonts.line_height: expected a number"),
        (6, "key_points.count: must be at most 10"),
        (8, "labels.fr: unknown label 'sumary'; did you mean 'summary'?"),
    ]


def test_font_sizes_and_families_are_optional_and_labels_take_every_brief_label(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(
        "layout:\n  fonts:\n    body: {family: Liberation Serif}\n    title: {size: 24pt}\n"
        "labels:\n  fr: {summary: En bref, attached: 'Joint : {files}', lede: Chapeau}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    defaults = Config().layout.fonts
    assert config.layout.fonts.body.family == "Liberation Serif"
    assert config.layout.fonts.body.size == defaults.body.size
    assert config.layout.fonts.title.family == defaults.title.family
    assert config.layout.fonts.title.size == "24pt"
    assert config.labels["fr"]["summary"] == "En bref"


def test_config_command_prints_yaml_that_loads_back(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(b"")
    path = tmp_path / "config.yaml"
    path.write_text("theme: dossier\norganisation: Service\n", encoding="utf-8")
    result = run_cli("config", "-c", str(path), "--set", "layout.page.size=Letter")
    assert result.code == 0, result.err
    data = yaml.safe_load(result.out)
    assert data["theme"] == "dossier" and data["layout"]["page"]["size"] == "Letter"
    assert "base_dir" not in data
    saved = tmp_path / "effective.yaml"
    saved.write_text(result.out, encoding="utf-8")
    assert (
        load_config(saved).model_dump()
        == load_effective(str(path), [("layout.page.size", "Letter")])[0].model_dump()
    )
    defaults = run_cli("config", "--default")
    assert yaml.safe_load(defaults.out) == yaml.safe_load(
        yaml.safe_dump(Config().model_dump(mode="json", exclude={"base_dir"}))
    )


def test_a_missing_config_file_given_with_c_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_effective(str(tmp_path / "nope.yaml"))

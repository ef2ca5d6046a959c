"""Where the settings come from -> the effective `Config`, and back to YAML.

The config file is the one given with -c, else the nearest `config.yaml` in
the working folder or above it, stopping at the repository root (as git and
Quarto find theirs), else none: the built-in defaults. `--set KEY=VALUE`
overrides are merged into the file's data before validation, so they are
checked like the file and their errors name the `--set`. `config_yaml` turns
a Config back into YAML that loads again (`python -m pipeline config`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.config.model import Config, Origin, parse_config, read_config_file
from pipeline.config.yamlfile import load_yaml
from pipeline.errors import ConfigError, UsageError

CONFIG_NAME = "config.yaml"
# Keys whose values are paths that load_config resolves to absolute ones.
_PATH_KEYS = (("reference_docx",), ("layout", "logo", "path"), ("layout", "extra_css"))


def find_config(start: Path) -> Path | None:
    """The nearest config.yaml at or above `start`, not above the repository root."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def parse_setting(key: str, text: str) -> Any:
    """A --set value read as YAML (`false`, `12`, `[pdf, docx]`), else kept as text."""
    if not text.strip():
        return text
    document = load_yaml(text, f"--set {key}")
    value = document.data
    if value is None and text.strip() not in ("null", "~"):
        return text  # `#fff` is a YAML comment; the user meant the text
    if value == {} and text.strip() != "{}":
        return text
    return value


def apply_settings(
    data: dict[str, Any], settings: Sequence[tuple[str, str]]
) -> tuple[dict[str, Any], frozenset[tuple[str, ...]]]:
    """The raw config data with each dotted KEY set to VALUE (later ones win),
    and the key paths the settings wrote or created (their errors name --set)."""
    merged: dict[str, Any] = _copy(data)
    written: set[tuple[str, ...]] = set()
    for key, text in settings:
        parts = key.split(".")
        if any(not part for part in parts):
            raise UsageError(f"--set {key}={text}: the key has an empty part")
        node = merged
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
                written.add(tuple(parts[: depth + 1]))
            if not isinstance(child, dict):
                where = ".".join(parts[: depth + 1])
                raise UsageError(f"--set {key}={text}: {where} is not a mapping of keys")
            node = child
        node[parts[-1]] = parse_setting(key, text)
        written.add(tuple(parts))
    return merged, frozenset(written)


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_copy(value) for value in data]
    return data


def check_ours(data: dict[str, Any], filename: str) -> None:
    """Refuse a file with none of our keys (a Kubernetes or CI file named config.yaml)."""
    known = {name for name in Config.model_fields if name != "base_dir"}
    if data and not known & set(data):
        shown = ", ".join(list(map(str, data))[:4])
        raise ConfigError(
            f"none of this file's keys ({shown}) is a setting of this tool: "
            "it looks like another tool's config.yaml",
            file=filename,
            hint="point -c at the briefs' config file, e.g. build -c briefs/config.yaml; "
            "'python -m pipeline config --default' shows the keys",
        )


def load_effective(
    config_file: str | None, settings: Sequence[tuple[str, str]] = (), cwd: Path | None = None
) -> tuple[Config, Path | None]:
    """The Config a command uses, and the file it was read from (None: built-in defaults)."""
    path = Path(config_file) if config_file else find_config(cwd or Path.cwd())
    if path is None:
        data: dict[str, Any] = {}
        origin = Origin("<defaults>")
        base_dir = Path(".")
    else:
        data, origin = read_config_file(path)
        check_ours(data, str(path))
        base_dir = path.resolve().parent
    if settings:
        data, written = apply_settings(data, settings)
        origin = Origin(origin.filename, origin.line_of, written)
    if path is None and not settings:
        return Config(), None
    return parse_config(data, origin=origin, base_dir=base_dir), path


def config_yaml(config: Config) -> str:
    """The config as YAML that loads back with -c (paths relative to its folder again)."""
    import yaml

    data = config.model_dump(mode="json", exclude={"base_dir"})
    for index, font in enumerate(data["layout"]["fonts"]["files"]):
        data["layout"]["fonts"]["files"][index]["path"] = _relative(font["path"], config)
    for key in _PATH_KEYS:
        node = data
        for part in key[:-1]:
            node = node.get(part) or {}
        if isinstance(node.get(key[-1]), str):
            node[key[-1]] = _relative(node[key[-1]], config)
    text: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return text


def _relative(path: str, config: Config) -> str:
    base = config.base_dir.resolve()
    if not os.path.isabs(path) or not Path(path).is_relative_to(base):
        return path
    return Path(path).relative_to(base).as_posix()

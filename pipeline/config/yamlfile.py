"""YAML text -> plain Python data plus the line of every key.

PyYAML composes a node tree that keeps the position of every node; we
construct the data ourselves from that tree so each dotted key path can be
mapped back to its line for error messages. Aliases are refused (alias
bombs), and only the safe tags are constructed (no python/ tags).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from pipeline.errors import ConfigError

MAX_YAML_BYTES = 1_000_000
# libyaml's parser when PyYAML was built with it (about 15 times faster: every
# build reads config.yaml, a language file and theme.yaml); the same events,
# nodes and marks as the pure-Python one, which stands in otherwise.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Deeper nesting is no layout (the config's deepest key is 4 levels down);
# refusing it while parsing keeps the recursive composer from overflowing.
MAX_YAML_DEPTH = 50
# A `!!python/...` tag on a list or mapping is not caught by the scalar constructor.
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

Path = tuple[str | int, ...]

_KINDS = {
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:int": "number",
    "tag:yaml.org,2002:float": "number",
}


@dataclass
class YamlDocument:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int | None:
        """The line of the deepest known prefix of `path` (1-based)."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def load_yaml(text: str, filename: str) -> YamlDocument:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        raise ConfigError(
            f"the file is larger than {MAX_YAML_BYTES // 1000} kB; a layout file is much smaller",
            file=filename,
        )
    try:
        depth = 0
        for event in yaml.parse(text, Loader=_LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_YAML_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise ConfigError(
                        f"the YAML is nested more than {MAX_YAML_DEPTH} levels deep",
                        file=filename,
                        line=line,
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise ConfigError(
                    "YAML aliases (*name) are not allowed; write the value out",
                    file=filename,
                    line=line,
                )
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else int(getattr(mark, "line", 0)) + 1
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(
            f"invalid YAML: {problem}; check indentation and quoting",
            file=filename,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=filename) from None
    doc = YamlDocument(data=None)
    if root is None:
        doc.data = {}
        return doc
    constructor = yaml.SafeLoader("")
    doc.data = _build(root, (), doc, constructor, filename)
    return doc


def _build(
    node: yaml.Node, path: Path, doc: YamlDocument, constructor: yaml.SafeLoader, filename: str
) -> Any:
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _COLLECTION_TAGS:
        raise ConfigError(
            f"unsupported YAML tag {node.tag!r}; only plain values are allowed",
            file=filename,
            line=node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, constructor, filename)
            if not isinstance(key, (str, int)):
                raise ConfigError(
                    "mapping keys must be plain words",
                    file=filename,
                    line=key_node.start_mark.line + 1,
                )
            key = str(key)
            if key in result:
                raise ConfigError(
                    f"key '{'.'.join(map(str, (*path, key)))}' is given twice",
                    file=filename,
                    line=key_node.start_mark.line + 1,
                )
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _build(value_node, (*path, key), doc, constructor, filename)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), doc, constructor, filename)
            for index, item in enumerate(node.value)
        ]
    return _scalar(node, constructor, filename)


def _scalar(node: yaml.Node, constructor: yaml.SafeLoader, filename: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ConfigError(
            "a mapping or list cannot be used as a key",
            file=filename,
            line=node.start_mark.line + 1,
        )
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError):
        # A value shaped like a date or a number that is none (2026-99-99).
        raise ConfigError(
            f"{node.value!r} is not a valid {_KINDS.get(node.tag, 'value')}",
            file=filename,
            line=node.start_mark.line + 1,
            hint="quote it if it is meant as text",
        ) from None
    except yaml.constructor.ConstructorError:
        raise ConfigError(
            f"unsupported YAML tag {node.tag!r}; only plain values are allowed",
            file=filename,
            line=node.start_mark.line + 1,
        ) from None

"""Source arguments -> the sorted list of article files a build covers.

The command line and `sources:` in the config may name files, directories
(searched recursively for articles) and glob patterns; this module expands
them into one stable list, and cuts that list into shards for CI matrices.
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import UsageError
from pipeline.read.fetch import is_url
from pipeline.read.ingest import READERS

_GLOB_CHARS = frozenset("*?[")


def _leaves(path: Path, root: Path) -> bool:
    """Whether `path`, found under `root`, resolves outside it (through a link)."""
    try:
        return not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop of links, an unreadable name
        return True


def _keep_inside(found: Iterable[Path], root: Path, refused: list[str] | None) -> list[Path]:
    """`found` without the links that lead out of `root`: in a folder of
    articles from contributors, `env.txt -> /proc/self/environ` would put the
    build's environment into the brief."""
    resolved_root = root.resolve()
    kept = []
    for path in found:
        if _leaves(path, resolved_root):
            if refused is not None:
                refused.append(
                    f"{path.as_posix()}: a link leading out of {root.as_posix()}; skipped"
                )
            continue
        kept.append(path)
    return kept


def _articles_in(folder: Path, refused: list[str] | None = None) -> list[str]:
    found = [
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix
        and path.suffix.lower() in READERS
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]
    return sorted(path.as_posix() for path in _keep_inside(found, folder, refused))


def _glob_root(pattern: str) -> Path:
    """The folder a pattern searches: its path up to the first wildcard."""
    fixed: list[str] = []
    for part in Path(pattern).parts:
        if _GLOB_CHARS & set(part):
            break
        fixed.append(part)
    return Path(*fixed) if fixed else Path(".")


def _is_dir(argument: str) -> bool:
    """Like Path.is_dir, but an unusable name (too long, ...) is simply not a
    directory: the build then reports it as an unreadable source."""
    try:
        return Path(argument).is_dir()
    except OSError:
        return False


def _is_file(argument: str) -> bool:
    try:
        return Path(argument).is_file()
    except OSError:
        return False


def expand_sources(arguments: Iterable[str], refused: list[str] | None = None) -> list[str]:
    """Files and URLs stay as given (a missing file fails later, as its own
    source);
    directories and globs expand to the articles they hold, sorted, without
    the links that lead out of their folder (each one is described in
    `refused`, for a warning). An existing file whose name holds `[`, `*`
    or `?` is that file, not a pattern."""
    expanded: list[str] = []
    for argument in arguments:
        if argument == "-" or is_url(argument):
            expanded.append(argument)
        elif _is_dir(argument):
            articles = _articles_in(Path(argument), refused)
            if not articles:
                raise UsageError(
                    "the directory holds no article (.txt, .md or .html) file", file=argument
                )
            expanded.extend(articles)
        elif _GLOB_CHARS & set(argument) and not _is_file(argument):
            found = [Path(m) for m in glob.glob(argument, recursive=True) if Path(m).is_file()]
            matches = sorted(
                p.as_posix() for p in _keep_inside(found, _glob_root(argument), refused)
            )
            if not matches:
                raise UsageError(f"{argument}: the pattern matches no file")
            expanded.extend(matches)
        else:
            expanded.append(Path(argument).as_posix())  # "./a.txt" and "a.txt" are one source
    return list(dict.fromkeys(expanded))  # the same file named twice is built once


def parse_shard(text: str) -> tuple[int, int]:
    """'2/3' -> (2, 3); K counts from 1."""
    try:
        k_text, n_text = text.split("/")
        k, n = int(k_text), int(n_text)
    except ValueError:
        raise UsageError(f"--shard {text!r}: expected K/N, for example 1/3") from None
    if n < 1 or not 1 <= k <= n:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N")
    return k, n


def shard_of(source: str, count: int) -> int:
    """The shard (1..count) a source belongs to: a hash of its path, so the
    partition does not depend on which other sources exist or their order."""
    digest = hashlib.sha256(Path(source).as_posix().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def select_shard(sources: list[str], shard: tuple[int, int] | None) -> list[str]:
    if shard is None:
        return sources
    k, n = shard
    return [source for source in sources if shard_of(source, n) == k]

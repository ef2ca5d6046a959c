"""File changes -> incremental rebuilds, in one warm process (`pipeline watch`).

The process imports the renderers once, keeps WeasyPrint's font
configuration and compiled stylesheets (render.pdf caches them in this
process; each render still runs in a forked, limited child that inherits
them), and on every save runs the same incremental batch build as
`pipeline build`: the manifest's source, config and theme digests decide
what is rebuilt, so a saved article rebuilds that brief alone and a saved
config or theme rebuilds them all. A broken save prints one error line and
the watch goes on with the last good output left in place.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from pipeline.errors import ConfigErrors, PipelineError, UsageError, printable

if TYPE_CHECKING:
    from pipeline.build.plan import BuildPlan
    from pipeline.build.source import SourceResult

log = logging.getLogger(__name__)

# Editors save in bursts (write, rename, touch); one rebuild per burst.
DEBOUNCE_MS = 200


class StopEvent(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Rebuild:
    """What one rebuild covers, re-read on every change (the config may have changed)."""

    plan: BuildPlan
    sources: list[str]
    out_dir: Path
    theme_dirs: tuple[Path, ...] = ()  # user theme folders: a new theme there may be chosen


Prepare = Callable[[], Rebuild]


@dataclass(frozen=True)
class Targets:
    """The files whose change triggers a rebuild, and the folders to watch for them."""

    roots: frozenset[Path]
    config_file: Path | None
    folders: frozenset[Path]  # any change inside (theme, languages, source folders)
    out_dir: Path | None

    def accepts(self, _change: object, path: str) -> bool:
        """watchfiles' filter signature."""
        return self.relevant(Path(path))

    def relevant(self, path: Path) -> bool:
        from pipeline.read.ingest import READERS

        if self.out_dir is not None and path.is_relative_to(self.out_dir):
            return False  # our own writes
        if any(part.startswith(".") for part in path.parts[-1:]):
            return False  # editor swap and lock files
        if path == self.config_file:
            return True
        if any(path.is_relative_to(folder) for folder in self.folders):
            return True
        return path.suffix.lower() in READERS


def _existing_folder(path: Path) -> Path:
    """The nearest existing folder at or above `path` (a glob or a missing file)."""
    for candidate in (path, *path.parents):
        if candidate.is_dir():
            return candidate
    return Path.cwd()


def targets_for(
    arguments: Iterable[str], config_file: Path | None, plan: Rebuild | None
) -> Targets:
    """Folders to watch: those of the sources, the config file, the theme and
    the extra language data. Known from the command line alone when the
    config cannot be read yet, so a broken config can still be fixed live."""
    roots: set[Path] = set()
    folders: set[Path] = set()
    config_path = config_file.resolve() if config_file is not None else None
    if config_path is not None:
        roots.add(_existing_folder(config_path.parent))
    sources = list(arguments) or (plan.sources if plan is not None else [])
    for source in sources:
        if source == "-":
            continue
        path = Path(source).resolve()
        if "*" in source or "?" in source or "[" in source:
            path = Path(source.split("*")[0].split("?")[0].split("[")[0] or ".").resolve()
        folder = path if path.is_dir() else _existing_folder(path.parent)
        roots.add(folder)
    out_dir = None
    if plan is not None:
        out_dir = plan.out_dir.resolve()
        extra = [*plan.theme_dirs, *plan.plan.brief.language_dirs]
        for folder in [plan.plan.theme.folder, *extra]:
            if folder.is_dir():
                roots.add(folder.resolve())
                folders.add(folder.resolve())
    return Targets(frozenset(roots), config_path, frozenset(folders), out_dir)


def _error_lines(error: BaseException) -> list[str]:
    if isinstance(error, ConfigErrors):
        return [f"error: {item}" for item in error.errors]
    return [f"error: {error}"]


class Watcher:
    """Runs the rebuilds and reports them, one line each."""

    def __init__(self, prepare: Prepare, out: TextIO, err: TextIO) -> None:
        self.prepare = prepare
        self.out = out
        self.err = err
        self.plan: Rebuild | None = None
        self.warm = False

    def rebuild(self) -> int:
        """One incremental build; returns how many briefs it rebuilt or failed."""
        from pipeline.build.batch import run_batch

        started = time.perf_counter()
        try:
            plan = self.prepare()
            report = run_batch(plan.plan, plan.sources, plan.out_dir)
        except PipelineError as error:
            for line in _error_lines(error):
                print(f"{line} (still watching)", file=self.err, flush=True)
            return 1
        self.plan = plan
        count = 0
        for result in report.results:
            if result.skipped:
                continue
            count += 1
            for warning in result.warnings:
                print(
                    f"warning: {printable(f'{result.source}: {warning}')}",
                    file=self.err,
                    flush=True,
                )
            if result.error is not None:
                for line in _error_lines(result.error):
                    print(f"{line} (still watching)", file=self.err, flush=True)
                continue
            names = ", ".join(written.path.name for written in result.written)
            print(
                f"rebuilt {result.source} -> {names} in {result.seconds:.2f} s",
                file=self.out,
                flush=True,
            )
        if count > 1:
            print(
                f"{count} briefs in {time.perf_counter() - started:.2f} s",
                file=self.out,
                flush=True,
            )
        if not self.warm:
            self._warm_up(report.results)
        return count

    def _warm_up(self, results: list[SourceResult]) -> None:
        """Render one brief in this process once, so later forked renders
        start from WeasyPrint's filled caches (render.typeset.warm_up)."""
        from pipeline.build.source import warm_up

        if self.plan is None or "pdf" not in self.plan.plan.formats:
            self.warm = True
            return
        plan = self.plan.plan
        for result in results:
            if result.brief is not None:
                warm_up(plan.formats, result.brief, plan.theme, render=True, limits=plan.limits)
                self.warm = True
                return


def watch(
    prepare: Prepare,
    arguments: Iterable[str],
    config_file: Path | None,
    out: TextIO,
    err: TextIO,
    *,
    stop_event: StopEvent | None = None,
    debounce_ms: int = DEBOUNCE_MS,
    force_polling: bool | None = None,
) -> int:
    """Build once, then rebuild on every relevant change until stopped
    (Ctrl-C or `stop_event`). Returns the exit code (0)."""
    import importlib.util

    if importlib.util.find_spec("watchfiles") is None:
        raise UsageError(
            "watch needs the watchfiles package", hint="pip install 'watchfiles>=0.21'"
        )

    arguments = list(arguments)
    watcher = Watcher(prepare, out, err)
    try:
        _watch_loop(watcher, arguments, config_file, out, stop_event, debounce_ms, force_polling)
    except KeyboardInterrupt:
        # Ctrl-C while a build runs (watchfiles handles it while waiting): the
        # build's files are written atomically, so stopping now leaves the last
        # good ones in place, as stopping between saves does.
        print("stopped during a rebuild; the last good files are kept", file=out, flush=True)
    return 0


def _watch_loop(
    watcher: Watcher,
    arguments: list[str],
    config_file: Path | None,
    out: TextIO,
    stop_event: StopEvent | None,
    debounce_ms: int,
    force_polling: bool | None,
) -> None:
    import watchfiles

    watcher.rebuild()
    while stop_event is None or not stop_event.is_set():
        targets = targets_for(arguments, config_file, watcher.plan)
        shown = ", ".join(sorted(_relative(root) for root in targets.roots))
        announced = False
        restart = False
        for changes in watchfiles.watch(
            *targets.roots,
            watch_filter=targets.accepts,
            debounce=debounce_ms,
            stop_event=stop_event,
            raise_interrupt=False,
            force_polling=force_polling,
            yield_on_timeout=True,
            rust_timeout=500,
        ):
            if not announced:
                # watchfiles' first answer (a change, or none within the
                # timeout) means its watches are in place: a save from now on
                # is seen, so "watching" is only said then.
                print(f"watching {shown} (Ctrl-C to stop)", file=out, flush=True)
                announced = True
            if not changes:
                continue
            log.debug("changed: %s", changes)
            watcher.rebuild()
            # A new theme or config location moves what must be watched.
            if targets_for(arguments, config_file, watcher.plan) != targets:
                restart = True
                break
        if not restart:
            break


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd())) or "."
    except ValueError:
        return str(path)

"""Batch results -> what the user sees: a progress bar (rich) on a terminal,
plain log lines otherwise, and the summary table at the end.

Only the CLI calls this; library code hands it `SourceResult`s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TextIO

from pipeline.build.manifest import ArtifactEntry
from pipeline.build.source import SourceResult

COLUMNS = ("source", "formats", "pages", "status", "time")


def status_of(result: SourceResult) -> str:
    if result.error is not None:
        return "failed"
    return "unchanged" if result.skipped else "built"


def row_of(
    result: SourceResult, recorded: Sequence[ArtifactEntry] = ()
) -> tuple[str, str, str, str, str]:
    """A summary row; an unchanged source shows what its manifest entry records."""
    if result.skipped:
        pages = [str(a.pages) for a in recorded if a.pages is not None]
        formats = ",".join(a.path.rsplit(".", 1)[-1] for a in recorded) or "-"
    else:
        pages = [str(a.pages) for a in result.artifacts if a.pages is not None]
        formats = ",".join(a.format for a in result.artifacts) or "-"
    seconds = "-" if result.skipped else f"{result.seconds:.1f} s"
    return (result.source, formats, ",".join(pages) or "-", status_of(result), seconds)


class Progress:
    """One tick per finished source; a live bar on a terminal."""

    def __init__(self, total: int, stream: TextIO, live: bool) -> None:
        self.total = total
        self.stream = stream
        self.count = 0
        self._bar: Any = None
        self._task: Any = None
        if live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("building"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=Console(file=stream),
                transient=True,
            )

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
            self._task = self._bar.add_task("", total=self.total)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def say(self, text: str, stream: TextIO) -> None:
        """Print `text` now (an error as it happens), above the live bar if there is one."""
        if self._bar is not None:
            self._bar.console.print(text.rstrip("\n"), markup=False, highlight=False)
        else:
            print(text, end="", file=stream, flush=True)

    def advance(self, result: SourceResult) -> None:
        self.count += 1
        if self.total < 2:
            return  # one source: its "wrote" or "error" line says it all
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=result.source)
            return
        width = len(str(self.total))
        seconds = "" if result.skipped else f" ({result.seconds:.1f} s)"
        print(
            f"[{self.count:>{width}}/{self.total}] {status_of(result):9} {result.source}{seconds}",
            file=self.stream,
            flush=True,
        )


def print_summary(
    results: list[SourceResult],
    stream: TextIO,
    rich_table: bool,
    recorded: Mapping[str, Sequence[ArtifactEntry]] | None = None,
) -> None:
    rows = [row_of(result, (recorded or {}).get(result.source, ())) for result in results]
    if rich_table:
        from rich.console import Console
        from rich.table import Table

        table = Table(*COLUMNS)
        for row in rows:
            table.add_row(*row, style="red" if row[3] == "failed" else None)
        Console(file=stream).print(table)
    else:
        widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
        for row in (COLUMNS, *rows):
            print(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(),
                file=stream,
            )
    counts = {name: 0 for name in ("built", "unchanged", "failed")}
    for row in rows:
        counts[row[3]] += 1
    print(", ".join(f"{n} {name}" for name, n in counts.items()), file=stream)

"""Inline runs -> the fewest runs that say the same: shared by the Markdown and HTML readers."""

from __future__ import annotations

from pipeline.brief import Run


def merge_runs(runs: list[Run]) -> tuple[Run, ...]:
    """Adjacent runs with the same marks and link become one run."""
    out: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if out and out[-1].marks == run.marks and out[-1].href == run.href:
            out[-1] = Run(text=out[-1].text + run.text, marks=run.marks, href=run.href)
        else:
            out.append(run)
    # Leading and trailing spaces of a block carry no meaning.
    if out:
        out[0] = out[0].model_copy(update={"text": out[0].text.lstrip()})
        out[-1] = out[-1].model_copy(update={"text": out[-1].text.rstrip()})
    return tuple(run for run in out if run.text)

"""Digest -> one e-mail message: the digest's files attached, its summary in the body.

`email --digest` builds (or reuses) the digest through build/digest.py and
composes one message with mail.compose, from a body-only Brief: the digest's
title block, one key point per article ("Title (outlet): its key point") and
the articles' titles as the contents. A source that could not be read is
reported as its own failed item; the message still goes out without it.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.brief import Brief, Digest, Section
from pipeline.build.plan import BuildPlan
from pipeline.config.model import Config
from pipeline.deliver.mail import (
    Attachment,
    PreparedMessage,
    Recipients,
    attachment_name,
    compose,
    within_budget,
)
from pipeline.errors import PipelineError, RenderError


def message_brief(digest: Digest) -> Brief:
    """What the message body shows of a digest, as the Brief the mail templates read."""
    points = []
    for row in digest.rows:
        head = f"{row.title} ({row.outlet})" if row.outlet else row.title
        points.append(f"{head}: {row.key_point}" if row.key_point else head)
    contents = tuple(Section(heading=row.title) for row in digest.rows)
    return digest.cover().model_copy(update={"key_points": tuple(points), "sections": contents})


def prepare_digest_message(
    config: Config, plan: BuildPlan, sources: list[str], out_dir: Path, recipients: Recipients
) -> list[PreparedMessage]:
    """One failed item per unreadable source, then the digest's message."""
    from pipeline.build.digest import run_digest

    report = run_digest(plan, config.digest, sources, out_dir)
    prepared = [
        PreparedMessage(result.source, stem="", warnings=list(result.warnings), error=result.error)
        for result in report.results
        if result.error is not None
    ]
    key = f"digest:{config.digest.name}"
    item = PreparedMessage(key, stem=config.digest.name, warnings=list(report.warnings))
    for result in report.results:
        if result.error is None:
            item.warnings.extend(f"{result.source}: {warning}" for warning in result.warnings)
    prepared.append(item)
    if report.error is not None or report.digest is None:
        item.error = report.error or RenderError("the digest was not built", file=key)
        return prepared
    formats = tuple(dict.fromkeys(config.email.attach)) or ("pdf",)
    by_format = {path.suffix.lstrip("."): path for path in report.paths}
    title = report.digest.title
    try:
        attachments = [
            Attachment(
                fmt, attachment_name(title, fmt), by_format[fmt].read_bytes(), by_format[fmt]
            )
            for fmt in formats
        ]
        attachments, notes = within_budget(attachments, config.email)
        item.warnings.extend(notes)
        item.data = compose(
            message_brief(report.digest),
            attachments,
            config.email,
            recipients,
            config.layout.colors,
        )
    except PipelineError as error:
        error.file = error.file or key
        item.error = error
    except (OSError, KeyError) as exc:
        item.error = RenderError(f"cannot read the digest's files: {exc}", file=key)
    return prepared

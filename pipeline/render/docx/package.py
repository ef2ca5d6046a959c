"""A composed python-docx Document -> reproducible DOCX bytes: core properties
from the Brief's metadata (the PDF's values) and a zip with fixed entry times."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.document import Document

from pipeline.brief import Brief
from pipeline.render.metadata import metadata_for


def set_core_properties(doc: Document, brief: Brief) -> None:
    meta = metadata_for(brief)  # the same values as the PDF's Info and XMP
    props = doc.core_properties
    props.title = meta.title
    props.subject = meta.subject
    props.keywords = ", ".join(meta.keywords)
    props.language = meta.language
    props.author = meta.author
    props.last_modified_by = ""
    props.comments = ""
    props.revision = 1
    stamp = meta.created.replace(tzinfo=None)  # python-docx writes naive times as UTC
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp


def reproducible_zip(data: bytes, when: dt.date | None) -> bytes:
    """Rewrite the package with fixed entry times, so equal input gives equal bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0) if when else (1980, 1, 1, 0, 0, 0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def package(doc: Document, brief: Brief) -> bytes:
    """The finished document as DOCX bytes, equal for equal input."""
    set_core_properties(doc, brief)
    buffer = io.BytesIO()
    doc.save(buffer)
    return reproducible_zip(buffer.getvalue(), brief.date)

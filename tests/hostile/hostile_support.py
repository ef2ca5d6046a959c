"""Helpers of the hostile-input corpus: an in-process CLI runner and the checks
every case makes on what it produced (no secret in any artifact part, one
line per error, no partial file)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.cli import main


@dataclass
class Secret:
    path: Path
    token: bytes

    @property
    def url(self) -> str:
        return self.path.as_uri()


@dataclass
class Server:
    port: int
    requests: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class CliRun:
    code: int
    out: str
    err: str


def run_cli(argv: list[str]) -> CliRun:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out, err)
    return CliRun(code, out.getvalue(), err.getvalue())


def pdf_payloads(data: bytes) -> list[bytes]:
    """The raw file, every stream decompressed, and every attachment."""
    from pypdf import PdfReader
    from pypdf.generic import IndirectObject, StreamObject

    reader = PdfReader(io.BytesIO(data))
    payloads = [data]
    numbers = {(n, g) for g, ids in reader.xref.items() for n in ids}
    numbers |= {(n, 0) for n in reader.xref_objStm}
    for number, generation in sorted(numbers):
        obj = reader.get_object(IndirectObject(number, generation, reader))
        if isinstance(obj, StreamObject):
            payloads.append(obj.get_data())
    for contents in reader.attachments.values():
        payloads.extend(contents)
    return payloads


def docx_payloads(data: bytes) -> list[bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return [data, *(package.read(name) for name in package.namelist())]


def artifact_payloads(path: Path) -> list[bytes]:
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return pdf_payloads(data)
    if path.suffix == ".docx":
        return docx_payloads(data)
    return [data]


def assert_no_secret(paths: list[Path], secret: Secret) -> None:
    for path in paths:
        for payload in artifact_payloads(path):
            assert secret.token not in payload, f"the secret leaked into {path.name}"


# Status lines share stderr with the warnings and errors (stdout is for data).
STATUS = re.compile(r"^(wrote |removed |queued |check: |note: |\[ *\d+/\d+\] )")


def assert_one_line_errors(err: str) -> None:
    assert "Traceback" not in err
    for line in err.splitlines():
        assert line.startswith(("error: ", "warning: ")) or STATUS.match(line), line


def assert_no_partial(folder: Path) -> None:
    if folder.exists():
        leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".tmp-")]
        assert not leftovers, leftovers


def is_manifest(path: Path) -> bool:
    """The build's manifest (issue 7) sits beside the artifacts; the corpus
    checks look at the artifacts."""
    return path.name == "manifest.json" or (
        path.name.startswith("manifest-") and path.suffix == ".json"
    )

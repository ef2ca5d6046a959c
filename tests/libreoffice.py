"""LibreOffice for the tests that open a DOCX the way a reader would: found
or not (those tests skip cleanly without it), and one conversion to PDF."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

BINARY = shutil.which("libreoffice") or shutil.which("soffice")

needs_libreoffice = pytest.mark.skipif(BINARY is None, reason="LibreOffice is not installed")


def convert_to_pdf(docx: Path, out_dir: Path) -> Path:
    """`docx` converted by LibreOffice, headless, with a throwaway profile in `out_dir`."""
    assert BINARY is not None
    subprocess.run(
        [
            BINARY,
            "--headless",
            f"-env:UserInstallation=file://{out_dir}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out_dir / (docx.stem + ".pdf")

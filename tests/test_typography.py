"""typography: French and English rules, idempotent, never inside URLs or times."""

from __future__ import annotations

import pytest

from pipeline.understand.languages import get_language
from pipeline.understand.typography import apply

FR = get_language("fr").typography
EN = get_language("en").typography


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Quoi ?", "Quoi\u202f?"),
        ("Quoi?", "Quoi\u202f?"),
        ("Attention : danger", "Attention\u00a0: danger"),
        ('Il a dit "bonjour" hier', "Il a dit «\u00a0bonjour\u00a0» hier"),
        ("l'Iran", "l’Iran"),
        ("Et puis...", "Et puis…"),
        (
            "Rendez-vous à 10:30 sur https://ex.org/a?b=c",
            "Rendez-vous à 10:30 sur https://ex.org/a?b=c",
        ),
        ("Écrire à a.b@ex.org !", "Écrire à a.b@ex.org !"),
    ],
)
def test_french(raw: str, expected: str) -> None:
    assert apply(raw, FR) == expected
    assert apply(apply(raw, FR), FR) == expected


def test_english_quotes_and_apostrophes() -> None:
    text = apply('She said "it\'s fine" today', EN)
    assert text == "She said “it’s fine” today"
    assert apply(text, EN) == text

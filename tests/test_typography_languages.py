"""Typography of the languages beyond French and English: German, Spanish,
Italian, Portuguese and Dutch quotes and apostrophes, the basic rules of a
language without a data file; idempotent, and URLs, e-mail addresses and
times untouched."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.understand.languages import language_for
from pipeline.understand.typography import apply


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("de", 'Er sagte "ja" und ging...', "Er sagte „ja“ und ging…"),
        ("de", "Geht's? Wie geht's dir?", "Geht’s? Wie geht’s dir?"),
        ("es", 'Dijo "sí" y se fue', "Dijo «sí» y se fue"),
        ("es", '¿"Quién"? ¡Ya!', "¿«Quién»? ¡Ya!"),
        ("it", "Disse \"sì\" all'uomo, un po' stanco", "Disse «sì» all’uomo, un po’ stanco"),
        ("pt", 'Ele disse "sim" e copo-d\'água', "Ele disse “sim” e copo-d’água"),
        ("nl", "'s Avonds zijn de auto's op 't plein", "’s Avonds zijn de auto’s op ’t plein"),
        ("nl", 'Hij zei "ja" en ging', "Hij zei “ja” en ging"),
        # No data file: ellipsis and apostrophes, straight quotes kept.
        ("ru", 'Он сказал "да"... O\'Brien', 'Он сказал "да"… O’Brien'),
    ],
)
def test_language_rules(code: str, raw: str, expected: str) -> None:
    assert apply(raw, language_for(code).typography) == expected


@pytest.mark.parametrize("code", ["de", "es", "it", "pt", "nl", "ru"])
def test_protected_tokens(code: str) -> None:
    rules = language_for(code).typography
    text = "see https://example.org/a'b\"c... or mail o'neil@example.org at 10:30 's"
    out = apply(text, rules)
    assert "https://example.org/a'b\"c..." in out
    assert "o'neil@example.org" in out
    assert "10:30" in out


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(["de", "es", "it", "pt", "nl", "ru"]),
    st.text(alphabet=st.sampled_from(list("ab 's\"'.…¿¡?!:,-“”„«»’")), max_size=40),
)
def test_idempotent(code: str, text: str) -> None:
    rules = language_for(code).typography
    once = apply(text, rules)
    assert apply(once, rules) == once

"""Typography per language: the rules, idempotence, protected tokens, and
that the model (not the renderers) carries the result."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.brief import Run
from pipeline.understand.languages import get_language
from pipeline.understand.typography import apply

FR = get_language("fr").typography
EN = get_language("en").typography
NNBSP, NBSP = "\u202f", "\u00a0"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Vraiment ? Oui !", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
        ("Il a dit : non ; voilà", f"Il a dit{NBSP}: non{NNBSP}; voilà"),
        ('Il a dit "bonjour" hier', f"Il a dit «{NBSP}bonjour{NBSP}» hier"),
        ("« Bonjour »", f"«{NBSP}Bonjour{NBSP}»"),
        ("l'Iran et d'abord...", "l’Iran et d’abord…"),
        ("hausse de 8 % pour 3,20 €", f"hausse de 8{NNBSP}% pour 3,20{NBSP}€"),
    ],
)
def test_french_rules(raw: str, expected: str) -> None:
    assert apply(raw, FR) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('He said "yes" and left', "He said “yes” and left"),
        ("It's John's...", "It’s John’s…"),
        ("Really? Yes!", "Really? Yes!"),
    ],
)
def test_english_rules(raw: str, expected: str) -> None:
    assert apply(raw, EN) == expected


@pytest.mark.parametrize(
    "token",
    [
        "https://example.org/a?b=c:d;e!f",
        "www.example.fr/x?y=1",
        "jean.dupont@example.fr",
        "10:30",
        "09:15:45",
    ],
)
@pytest.mark.parametrize("rules", [FR, EN], ids=["fr", "en"])
def test_protected_tokens_untouched(token: str, rules: object) -> None:
    result = apply(f"Voir {token} maintenant", rules)  # type: ignore[arg-type]
    assert token in result


_TEXT = st.text(
    alphabet=st.sampled_from(list("abc XYZ'\".,;:!?…«»“”-()10") + [NBSP, NNBSP, "\n"]),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_idempotent_fr(text: str) -> None:
    once = apply(text, FR)
    assert apply(once, FR) == once


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_idempotent_en(text: str) -> None:
    once = apply(text, EN)
    assert apply(once, EN) == once


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_only_spacing_and_marks_change(text: str) -> None:
    """Typography never adds or removes letters or digits."""
    letters = [c for c in text if c.isalnum()]
    assert [c for c in apply(text, FR) if c.isalnum()] == letters


def test_code_runs_are_not_typeset() -> None:
    from pipeline.understand.structure import _typeset_runs

    runs = (Run(text='say "hi" : now'), Run(text='x = "a" ; y', marks=("code",)))
    out = _typeset_runs(runs, get_language("fr"))
    assert out[1].text == 'x = "a" ; y'
    assert out[0].text != runs[0].text

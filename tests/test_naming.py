"""build.naming: titles become readable ASCII file names (letters
transliterated, not dropped), and many briefs of one title stay readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build.naming import MAX_SLUG, shared_stem, slugify

from .conftest import run_cli


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Straße der Einheit", "strasse-der-einheit"),
        ("Øresund: la région transfrontalière", "oresund-la-region-transfrontaliere"),
        ("Cœur de l’État", "coeur-de-letat"),
        ("Сергей Лавров в Тегеране", "sergei-lavrov-v-tegerane"),
        ("CON", "brief"),
        ("???", "brief"),
    ],
)
def test_titles_are_transliterated(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_long_titles_are_cut_at_a_word() -> None:
    slug = slugify("Poutine et l’Iran renforcent les liens diplomatiques " * 4)
    assert len(slug) <= MAX_SLUG and not slug.endswith("-")
    assert slug.startswith("poutine-et-liran-renforcent-les-liens-diplomatiques-poutine")


def test_many_articles_of_one_title_get_short_readable_distinct_names(tmp_path: Path) -> None:
    title = "Conseil des ministres franco-allemand et annonces de la journée à Berlin"
    sources = tmp_path / "src"
    sources.mkdir()
    for day in range(1, 21):
        (sources / f"2026-03-{day:02d}.txt").write_text(
            f"{title}\nLe compte rendu du jour {day}, avec une phrase de plus.\n", encoding="utf-8"
        )
    out = tmp_path / "out"
    result = run_cli("build", "-q", str(sources), "-f", "json", "-o", str(out))
    assert result.code == 0, result.err
    names = sorted(p.stem for p in out.glob("*.json") if p.name != "manifest.json")
    assert len(names) == 20 == len(set(names))
    plain = slugify(title)
    assert plain in names  # the first (by path) keeps the plain name
    for name in names:
        assert len(name) <= MAX_SLUG
        if name != plain:
            assert len(name) <= 72  # 48 of the title, the file's name, the hash
            # the title's opening words, then the source's own name, then a short hash
            assert name.startswith("conseil-des-ministres-franco-allemand-")
            assert any(f"-2026-03-{day:02d}-" in name for day in range(1, 21)), name
    assert shared_stem(plain, "a/x.txt") != shared_stem(plain, "b/x.txt")

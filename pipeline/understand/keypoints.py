"""Brief body -> key points: a few of the article's own sentences, verbatim.

A TextRank-style ranking: sentences are nodes, edges weigh the content
words two sentences share (stopwords from the language file ignored), and
a PageRank walk whose restart vector favours the opening sentences, since
news puts what matters first. The best sentences are returned in article
order. Nothing is rewritten: each key point is a substring of the body.
A key point must stand alone: never a sentence that opens on a word leaning
on the previous one (the language file's `key_points.dependent_openers`:
"Second,", "However", "This"), nor a title-like line ("Revue Esprit : Quand
le langage travaille.").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from pipeline.brief import Brief, Paragraph, Quote
from pipeline.understand.languages import Language
from pipeline.understand.sentences import split_sentences

_WORD = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")
MIN_WORDS = 6
MAX_WORDS = 60
DAMPING = 0.85
ITERATIONS = 60
# Ranking is quadratic; past this many sentences the lead bias decides anyway.
MAX_CANDIDATES = 400


def candidate_sentences(brief: Brief, code: str, limit: int = 100_000) -> list[str]:
    """The body's prose sentences in reading order (lists and headings left out).

    Sentence splitting is the slow part on huge articles, so it stops once
    `limit` sentences are found.
    """
    blocks = [*brief.lede, *brief.intro]
    for section in brief.sections:
        blocks.extend((*section.blocks, *section.pros, *section.cons))
    out: list[str] = []
    for block in blocks:
        if len(out) >= limit:
            break
        if isinstance(block, Paragraph | Quote):
            out.extend(split_sentences(block.text, code))
    return out[:limit]


def _content_words(sentence: str, stopwords: frozenset[str]) -> set[str]:
    words = (word.lower() for word in _WORD.findall(sentence))
    return {word for word in words if len(word) > 2 and word not in stopwords}


def rank(sentences: Sequence[str], stopwords: frozenset[str]) -> list[float]:
    """A score per sentence: PageRank over shared words, biased to the lead."""
    count = len(sentences)
    if count == 0:
        return []
    words = [_content_words(s, stopwords) for s in sentences]
    weights = [[0.0] * count for _ in range(count)]
    for i in range(count):
        for j in range(i + 1, count):
            shared = len(words[i] & words[j])
            if shared and len(words[i]) > 1 and len(words[j]) > 1:
                weight = shared / (math.log(len(words[i])) + math.log(len(words[j])))
                weights[i][j] = weights[j][i] = weight
    totals = [sum(row) for row in weights]
    bias = [1.0 / math.sqrt(1 + i) for i in range(count)]
    norm = sum(bias)
    restart = [b / norm for b in bias]
    incoming = [
        [(j, weights[j][i] / totals[j]) for j in range(count) if weights[j][i]]
        for i in range(count)
    ]
    scores = restart[:]
    for _ in range(ITERATIONS):
        scores = [
            (1 - DAMPING) * restart[i] + DAMPING * sum(scores[j] * w for j, w in incoming[i])
            for i in range(count)
        ]
    # The restart bias again, so ties and isolated sentences favour the lead.
    return [score * (1 + restart[i]) for i, score in enumerate(scores)]


# "Revue Esprit : Quand le langage travaille." - a short label before a colon:
# the title of a reference, a caption or a credit, not a statement.
_TITLE_LIKE = re.compile(r"^[^:]{1,60}\s?:\s")
TITLE_HEAD_WORDS = 5
TITLE_WORDS = 15


def stands_alone(sentence: str, language: Language) -> bool:
    """False for a sentence that leans on the one before ("Second, ...",
    "This means ...") or that is a title rather than a statement."""
    lowered = sentence.lower().lstrip(" «\"“‘'(")
    for opener in language.key_points.dependent_openers:
        if lowered.startswith(opener) and not lowered[len(opener) : len(opener) + 1].isalnum():
            return False
    head = _TITLE_LIKE.match(sentence)
    return not (
        head
        and len(head.group(0).split()) <= TITLE_HEAD_WORDS
        and len(sentence.split()) <= TITLE_WORDS
    )


def key_points(brief: Brief, language: Language, count: int) -> tuple[str, ...]:
    """The `count` best sentences of the brief's body, in article order."""
    found = candidate_sentences(brief, language.sentences, MAX_CANDIDATES * 2)
    sentences = list(dict.fromkeys(found))[:MAX_CANDIDATES]
    eligible = [
        index
        for index, sentence in enumerate(sentences)
        if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS
        and not sentence.endswith("?")
        and stands_alone(sentence, language)
    ]
    if not eligible:
        return ()
    # Sentences the lede box already shows are not repeated, when the rest
    # of the article has enough to choose from.
    lede = {
        sentence
        for block in brief.lede
        if isinstance(block, Paragraph | Quote)
        for sentence in split_sentences(block.text, language.sentences)
    }
    fresh = [index for index in eligible if sentences[index] not in lede]
    if len(fresh) >= count:
        eligible = fresh
    scores = rank(sentences, language.stopwords)
    best = sorted(eligible, key=lambda i: (-scores[i], i))[:count]
    return tuple(sentences[i] for i in sorted(best))

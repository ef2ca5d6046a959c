"""Brief body -> entities (people, places, organisations) and keywords.

The built-in method is light and needs no model: a run of capitalised
words is a name when it appears somewhere other than at the start of a
sentence; the words just before each mention (cues listed in the language
file: "président", "in", "la"...) vote for its kind. A one-word name that
is the last word of a longer one ("Poutine" in "Vladimir Poutine") counts
as that longer name. Keywords are the most frequent content words, with
the main names first. Both are ordered by frequency, ties by first mention.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from pipeline.brief import Brief, Entity, EntityKind
from pipeline.understand.keypoints import candidate_sentences
from pipeline.understand.languages import Language

# An elided article ("l’", "d’") is its own token, so "l’Iran" yields "Iran".
_TOKEN = re.compile(
    r"(?:[cdjlmnst]|qu)[’'](?=[^\W\d_])|[^\W\d_]+(?:[’'-][^\W\d_]+)*\.?|[^\w\s]",
    re.IGNORECASE,
)
MAX_ENTITIES = 12
# Names that matter show up early; a huge article is not scanned to the end.
MAX_SENTENCES = 5_000
MAX_KEYWORDS = 8
MIN_KEYWORD_CHARS = 4


@dataclass
class _Found:
    text: str
    first: int
    count: int = 0
    votes: Counter[str] = field(default_factory=Counter)


def _is_name_word(token: str) -> bool:
    bare = token.rstrip(".").replace("’", "").replace("'", "").replace("-", "")
    return token[:1].isupper() and bare.isalpha()


def _mentions(sentence: str, language: Language) -> list[tuple[str, bool, list[str]]]:
    """(name, at sentence start, up to two lower-case words before it)."""
    rules = language.entities
    connectors = {c.lower() for c in rules.connectors}
    tokens = _TOKEN.findall(sentence)
    out = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if not _is_name_word(token):
            index += 1
            continue
        start = index
        end = index + 1
        while end < len(tokens):
            if _is_name_word(tokens[end]):
                end += 1
            elif (
                tokens[end].lower() in connectors
                and end + 1 < len(tokens)
                and _is_name_word(tokens[end + 1])
            ):
                end += 2
            else:
                break
        # A final full stop ends the sentence, except after an initial ("J.").
        words = [t.rstrip(".") if len(t) > 2 else t for t in tokens[start:end]]
        at_start = start == 0 or tokens[start - 1] in (":", "«", "“", '"', "—", "–", "(")
        before = [t.lower().rstrip(".’'") for t in tokens[max(0, start - 2) : start]]
        out.append((" ".join(words), at_start, before))
        index = end
    return out


def _kind(votes: Counter[str]) -> EntityKind:
    # A name made of institution words is an organisation even after "by".
    for kind in ("organisation", "person", "place"):
        if votes[kind]:
            return kind
    return "other"


@dataclass(frozen=True)
class _Cues:
    """The language's words that vote for an entity's kind, lower-cased."""

    person: frozenset[str]
    place: frozenset[str]
    organisation: frozenset[str]

    @classmethod
    def of(cls, language: Language) -> _Cues:
        rules = language.entities
        return cls(
            person=frozenset(c.lower() for c in rules.person_cues),
            place=frozenset(c.lower() for c in rules.place_cues),
            organisation=frozenset(w.lower() for w in rules.organisation_words),
        )


def _vote(entry: _Found, name: str, before: list[str], cues: _Cues) -> None:
    """One mention: its count, and what the words before it (and its own) say of its kind."""
    entry.count += 1
    if any(word in cues.person for word in before):
        entry.votes["person"] += 1
    elif before and before[-1] in cues.place:
        entry.votes["place"] += 1
    if cues.organisation & {w.lower() for w in name.split()} or (name.isupper() and len(name) > 1):
        entry.votes["organisation"] += 1


def _collect(texts: list[str], language: Language, cues: _Cues) -> tuple[dict[str, _Found], int]:
    """Every name mentioned in `texts` (by first mention), and how many mentions there were."""
    found: dict[str, _Found] = {}
    starts: dict[str, _Found] = {}
    position = 0
    for sentence in texts:
        for name, at_start, before in _mentions(sentence, language):
            position += 1
            words = name.split()
            # A capitalised title ("Dr", "President") is a cue, not part of the name.
            while len(words) > 1 and words[0].lower().rstrip(".") in cues.person:
                before = [*before, words.pop(0).lower().rstrip(".")]
                at_start = False
            name = " ".join(words)
            if name.lower() in language.stopwords:
                continue
            # A name seen only at the start of sentences may be an ordinary word.
            target = starts if at_start else found
            _vote(target.setdefault(name, _Found(name, position)), name, before, cues)
    for name, entry in starts.items():
        if name in found:
            found[name].count += entry.count
    return found, position


def _merge_last_names(found: dict[str, _Found]) -> None:
    """A one-word name that ends exactly one longer name is that entity."""
    for name in list(found):
        if " " in name or name not in found:
            continue
        longer = [n for n in found if n != name and n.split()[-1] == name]
        if len(longer) == 1:
            whole = found[longer[0]]
            whole.count += found[name].count
            whole.votes.update(found[name].votes)
            whole.first = min(whole.first, found[name].first)
            del found[name]


def find_entities(brief: Brief, language: Language) -> tuple[Entity, ...]:
    sentences = candidate_sentences(brief, language.sentences, MAX_SENTENCES)
    texts = [*(s.heading for s in brief.sections), *sentences]
    found, position = _collect(texts, language, _Cues.of(language))
    for source in brief.sources:
        entry = found.setdefault(source.name, _Found(source.name, position + 1))
        entry.count += 1
        entry.votes["organisation"] += 1
    _merge_last_names(found)
    # A lone capitalised word with no cue is too weak a guess to show.
    kept = [e for e in found.values() if e.count > 1 or e.votes or " " in e.text]
    ranked = sorted(kept, key=lambda e: (-e.count, e.first))[:MAX_ENTITIES]
    return tuple(Entity(text=e.text, kind=_kind(e.votes)) for e in ranked)


def find_keywords(
    brief: Brief, language: Language, entities: tuple[Entity, ...]
) -> tuple[str, ...]:
    """Up to MAX_KEYWORDS words for the document metadata (tags first)."""
    names = [e.text for e in entities[:3]]
    taken = {w.lower() for name in names for w in name.split()}
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for index, text in enumerate(brief.body_texts()):
        for word in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower()):
            if len(word) >= MIN_KEYWORD_CHARS and word not in language.stopwords:
                counts[word] += 1
                first.setdefault(word, index)
    words = sorted(
        (w for w in counts if counts[w] > 1 and w not in taken),
        key=lambda w: (-counts[w], first[w], w),
    )
    # The author's own tags come first; then the main names and frequent words.
    chosen: dict[str, str] = {}
    for word in (*brief.tags, *names, *words):
        chosen.setdefault(word.lower(), word)
    return tuple(list(chosen.values())[:MAX_KEYWORDS])

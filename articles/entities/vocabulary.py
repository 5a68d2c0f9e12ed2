"""Matching a curated vocabulary of entity names and aliases in article text.

Pure Python (no Django): a `Vocabulary` is built from (name, kind, aliases)
triples and finds every word-bounded occurrence of any surface form in one pass
of an Aho-Corasick automaton over the text.

Matching rules:
- Acronym-like forms (all capitals, dots allowed: "US", "U.S.", "WHO") match
  only with exactly that case, so "who" and "us" are never entities.
- Other forms match regardless of case but the text must start with a capital
  ("Turkey", not "turkey"; "the Kremlin" is found as "Kremlin").
- Matches are word-bounded; where matches overlap, the longest wins, so
  "Bank of England" does not also count "England".
"""

from collections import Counter
from dataclasses import dataclass

import ahocorasick


@dataclass(frozen=True)
class VocabularyEntry:
    name: str
    kind: str


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: VocabularyEntry


def is_acronym(form):
    letters = [c for c in form if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and " " not in form.strip()


def fold(text):
    """Lower-case `text` without changing its length (offsets must stay aligned)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _is_word_char(char):
    return char.isalnum()


class Vocabulary:
    """Surface forms (names and aliases) mapped to canonical entities."""

    def __init__(self, entries=()):
        """`entries`: iterable of (canonical name, kind, aliases)."""
        self._automaton = ahocorasick.Automaton()
        self._forms = {}  # folded form -> list of (exact form, acronym?, entry)
        self.size = 0
        for name, kind, aliases in entries:
            self.add(name, kind, aliases)
        self._finalised = False

    def add(self, name, kind, aliases=()):
        entry = VocabularyEntry(name, kind)
        for form in (name, *aliases):
            form = " ".join(form.split())
            if not form:
                continue
            key = fold(form)
            candidates = self._forms.setdefault(key, [])
            if not any(c[0] == form and c[2] == entry for c in candidates):
                candidates.append((form, is_acronym(form), entry))
        self.size += 1
        self._finalised = False

    def _finalise(self):
        if self._finalised:
            return
        self._automaton = ahocorasick.Automaton()
        for key, candidates in self._forms.items():
            self._automaton.add_word(key, (len(key), tuple(candidates)))
        if self._forms:
            self._automaton.make_automaton()
        self._finalised = True

    def __len__(self):
        return self.size

    def find(self, text):
        """Non-overlapping matches in `text`, in order, longest first where they overlap."""
        self._finalise()
        if not self._forms or not text:
            return []
        folded = fold(text)
        found = []
        for end, (length, candidates) in self._automaton.iter(folded):
            start = end - length + 1
            if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
                continue
            if end + 1 < len(text) and _is_word_char(text[end]) and _is_word_char(text[end + 1]):
                continue
            surface = text[start : end + 1]
            entry = _choose(surface, candidates)
            if entry is not None:
                found.append(Match(start, end + 1, entry))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        chosen = []
        last_end = -1
        for match in found:
            if match.start >= last_end:
                chosen.append(match)
                last_end = match.end
        return chosen

    def count(self, text):
        """Counter of VocabularyEntry -> occurrences in `text`."""
        return Counter(match.entry for match in self.find(text))


def _choose(surface, candidates):
    """The entry a surface string refers to, honouring the case rules."""
    first = next((c for c in surface if c.isalpha()), "")
    for form, acronym, entry in candidates:
        if acronym:
            if surface == form:
                return entry
        elif first.isupper() or not first:
            return entry
    return None

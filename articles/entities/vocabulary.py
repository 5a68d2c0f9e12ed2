"""Matching a curated vocabulary of entity names and aliases in article text.

Pure Python (no Django): a `Vocabulary` is built from (name, kind, aliases)
triples and finds every word-bounded occurrence of any surface form in one pass
of an Aho-Corasick automaton over the text.

Matching rules:
- Acronym-like forms (all capitals, dots allowed: "US", "U.S.", "WHO") match
  only with exactly that case, so "who" and "us" are never entities.
- Other forms match regardless of case but the text must start with a capital
  ("Turkey", not "turkey"; "the Kremlin" is found as "Kremlin"). Punctuation
  inside a form is loose: "O’Brien" also matches "O'Brien", "Inter-American"
  also matches "Inter American". A match never spans a line break.
- Matches are word-bounded; where matches overlap, the longest wins, so
  "Bank of England" does not also count "England".
- A form several entities share ("Amazon": the company and the river) gives a
  match with several `candidates`; the extractor picks one from the context.
  They come in one order whatever the order the entries were added in
  (`candidate_order`): a vocabulary is a set, so ties between equally good
  readings never depend on which entity was stored first (in an ingest, that is
  which article or which worker came first).

Word boundaries cost nothing at match time: the text and the keys are both
mapped to lower case with every non-word character turned into a space, and
each key is padded with a space on both sides, so the automaton only ever
reports whole-word occurrences ("us" is never found inside "business").
"""

import re
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick


@dataclass(frozen=True)
class VocabularyEntry:
    name: str
    kind: str


class Match(NamedTuple):  # a tuple, not a dataclass: an article yields dozens, and they are made faster
    start: int
    end: int
    candidates: tuple  # VocabularyEntry, one or more

    @property
    def entry(self):
        """The first candidate: the only one unless the surface form is ambiguous."""
        return self.candidates[0]

    @property
    def ambiguous(self):
        return len(self.candidates) > 1


_SPACES = re.compile(r"\s+")
WORD_RE = re.compile(r"[^\W_]+")


def is_acronym(form):
    letters = [c for c in form if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters) and " " not in form.strip()


def fold(text):
    """Lower-case `text` without changing its length (offsets must stay aligned)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# ASCII bytes as the key has them: letters lower-cased, every other non-word byte (and "?", which
# stands for every non-ASCII character below) a space.
_ASCII_KEY = bytes(ord(chr(b).lower()) if chr(b).isalnum() else 32 for b in range(128)) + bytes(128)
_CAPITAL_SIGMA = "\u03a3"  # lower-cased by its place in a word ("Σ" ends one as "ς"): the one such letter


def match_key(text):
    """`text` as the automaton sees it: folded, non-word characters as spaces (same length).

    The same as replacing every match of `[\\W_]` in `fold(text)` with a space, several times
    faster: the ASCII characters are mapped by `bytes.translate`, and only the few others one
    by one (encoding with "replace" keeps one "?" per character, so offsets stay put; a real
    "?" is a space either way).
    """
    encoded = text.encode("ascii", "replace")
    key = encoded.translate(_ASCII_KEY).decode("ascii")
    if text.isascii():
        return key
    if _CAPITAL_SIGMA in text:
        return _match_key_folded(text)
    pieces, last = [], 0
    at = encoded.find(b"?")
    while at != -1:
        character = text[at]
        if character > "\x7f":
            lowered = character.lower()  # as `fold` lowers it: one character, or left as it is
            if len(lowered) == 1:
                character = lowered
            if character.isalnum():
                pieces.append(key[last:at])
                pieces.append(character)
                last = at + 1
        at = encoded.find(b"?", at + 1)
    if not pieces:
        return key
    pieces.append(key[last:])
    return "".join(pieces)


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _match_key_folded(text):
    """`match_key` for a text `fold` lowers as a whole, a final "Σ" becoming "ς"."""
    return translate_words(fold(text), _ASCII_KEY)


def translate_words(text, ascii_table):
    """`text` with its ASCII characters mapped by `ascii_table` (`bytes.translate`) and every
    other character kept where it is alphanumeric, a space where not: the same length.

    Encoding with "replace" turns each non-ASCII character into one "?", so offsets stay
    put; only those few characters are then looked at one by one.
    """
    key = text.encode("ascii", "replace").translate(ascii_table).decode("ascii")
    if text.isascii():
        return key
    pieces, last = [], 0
    for match in _NON_ASCII.finditer(text):
        start = match.start()
        character = text[start]
        pieces.append(key[last:start])
        pieces.append(character if character.isalnum() else " ")
        last = start + 1
    pieces.append(key[last:])
    return "".join(pieces)


def normal_form(form):
    """A form with its whitespace collapsed; "" for a form with no word characters."""
    form = _SPACES.sub(" ", form).strip()
    return form if WORD_RE.search(form) else ""


def rejection_key(name):
    """A rejected name as compared with what extraction finds: spacing and case do not count."""
    return normal_form(name).lower()


def form_identity(form):
    """What decides which text a name or alias matches: two forms with one identity match the same.

    An acronym-like form ("NATO") matches only as written, and so does one written like
    "eBay" (or capitalised); any other matches whatever its case ("Amazon River" and
    "Amazon river" are one). So "Nato" is no repeat of "NATO", nor "BoJ" of "BOJ": British
    outlets write them so, and removing one stops those spellings linking.
    """
    form = normal_form(form)
    if is_acronym(form) or (form[:1].islower() and " " not in form and not form.islower()):
        return ("as written", form)
    return ("any case", match_key(form).strip())


class Vocabulary:
    """Surface forms (names and aliases) mapped to canonical entities."""

    def __init__(self, entries=(), *, rejected=()):
        """`entries`: iterable of (canonical name, kind, aliases); `rejected`: names editors
        rejected, which extraction never makes entities (`is_rejected`)."""
        self._rejected = {rejection_key(name) for name in rejected}
        self._forms = {}  # padded key -> list of (form, acronym?, entry)
        self._words = {}  # entry -> set of folded words in its name and aliases
        self._entries = {}  # entry -> tuple of its forms
        self._automaton = None
        self._joint = {}  # ids of other vocabularies -> (them, their versions, one automaton for all)
        self._version = 0  # changes with every add: an automaton built with this vocabulary is stale
        self._chosen = {}  # surface -> the entries it can refer to: surfaces recur, article after article
        for name, kind, aliases in entries:
            self.add(name, kind, aliases)

    def add(self, name, kind, aliases=()):
        entry = VocabularyEntry(normal_form(name), kind)
        if not entry.name:
            return
        forms = list(self._entries.get(entry, ()))
        for form in (name, *(aliases or ())):
            form = normal_form(form)
            if not form or form in forms:
                continue
            forms.append(form)
            key = f" {match_key(form)} "
            candidates = self._forms.setdefault(key, [])
            candidates.append((form, is_acronym(form), entry))
            candidates.sort(key=_candidate_key)
            self._words.setdefault(entry, set()).update(WORD_RE.findall(fold(form)))
        self._entries[entry] = tuple(forms)
        self._automaton = None
        self._joint = {}
        self._version += 1
        self._chosen = {}

    def __len__(self):
        return len(self._entries)

    def __contains__(self, entry):
        return entry in self._entries

    def entries(self):
        return list(self._entries)

    def forms(self, entry):
        """The surface forms (name first, then aliases) of `entry`."""
        return self._entries.get(entry, ())

    def words(self, entry):
        """Folded words of the entry's name and aliases: its signature for telling namesakes apart."""
        return self._words.get(entry, set())

    def is_rejected(self, name):
        """Whether editors rejected `name` (whatever its case and spacing) and no entry of the
        vocabulary is named so: an entity of the name wins."""
        if not self._rejected:
            return False
        key = rejection_key(name)
        return key in self._rejected and not any(rejection_key(e.name) == key for e in self.lookup(name))

    def lookup(self, surface):
        """Entries `surface` refers to on its own (same rules as in running text), or ()."""
        surface = normal_form(surface)
        candidates = self._forms.get(f" {match_key(surface)} ", ())
        return _choose(surface, candidates)

    def _build(self, vocabularies):
        """One automaton for the forms of all `vocabularies`; a key's value says which have it, with what."""
        keys = {}
        for index, vocabulary in enumerate(vocabularies):
            for key, candidates in vocabulary._forms.items():
                keys.setdefault(key, []).append((index, tuple(candidates)))
        automaton = ahocorasick.Automaton()
        for key, owners in keys.items():
            automaton.add_word(key, (len(key), tuple(owners)))
        if keys:
            automaton.make_automaton()
        return automaton

    def find(self, text, *, key=None):
        """Non-overlapping matches in `text`, in order, the longest where they overlap.

        `key`, if given, is `match_key(text)`: callers matching one text against
        several vocabularies compute it once.
        """
        if not self._forms or not text:
            return []
        if self._automaton is None:
            self._automaton = self._build((self,))
        return self._find(self._automaton, (self,), text, key)[0]

    def find_with(self, others, text, *, key=None):
        """`[self.find(text), *(other.find(text) for other in others)]`, in one automaton pass over the text."""
        others = tuple(others)
        vocabularies = (self, *others)
        if not text:
            return [[] for _ in vocabularies]
        ids, versions = tuple(map(id, others)), tuple(other._version for other in others)
        joint = self._joint.get(ids)
        # Vocabularies compare by identity: the cached automaton is for these very objects, as they are now.
        if joint is None or joint[0] != others or joint[1] != versions:
            joint = self._joint[ids] = (others, versions, self._build(vocabularies))
        return self._find(joint[2], vocabularies, text, key)

    @staticmethod
    def _find(automaton, vocabularies, text, key):
        found = [[] for _ in vocabularies]
        key = match_key(text) if key is None else key
        if automaton.kind == ahocorasick.EMPTY:  # no forms at all
            return found
        for end, (length, owners) in automaton.iter(f" {key} "):
            # The key's padding spaces sit just outside the form: text[start:stop] is the form.
            start, stop = end - length + 1, end - 1
            surface = text[start:stop]
            for index, candidates in owners:
                # The surface decides its candidates (they are the forms with its key), hence the choice.
                chosen_for = vocabularies[index]._chosen
                entries = chosen_for.get(surface)
                if entries is None:
                    if len(chosen_for) > 100_000:  # only hostile text spells forms so many ways
                        chosen_for.clear()
                    entries = chosen_for[surface] = () if "\n" in surface else _choose(surface, candidates)
                if entries:
                    # Sorted as plain tuples, by start then longest first: no two share both (one key, one place).
                    found[index].append((start, -stop, entries))
        chosen = []
        for matches in found:
            matches.sort()
            chosen.append([])
            last_end = -1
            for start, minus_stop, entries in matches:
                if start >= last_end:
                    chosen[-1].append(Match(start, -minus_stop, entries))
                    last_end = -minus_stop
        return chosen

    def count(self, text):
        """Counter of VocabularyEntry -> occurrences in `text` (ambiguous forms count for their first reading)."""
        return Counter(match.entry for match in self.find(text))


# Where a form's readings are equally good, organisations come first, then places, then people: the
# order the extractor's kind vote breaks its own ties in.
_KIND_ORDER = {"ORG": 0, "PLACE": 1, "PERSON": 2}


def candidate_order(entry):
    """Where `entry` stands among the entries that share a surface form: by kind, then by name."""
    return (_KIND_ORDER.get(entry.kind, len(_KIND_ORDER)), fold(entry.name), entry.name, entry.kind)


def _candidate_key(candidate):
    form, _, entry = candidate
    return (candidate_order(entry), form)


def _choose(surface, candidates):
    """The entries a surface string can refer to, honouring the case rules."""
    first = next((c for c in surface if c.isalpha()), "")
    chosen = []
    for form, acronym, entry in candidates:
        if acronym:
            ok = surface == form
        elif form[:1].islower() and " " not in form and not form.islower():
            # "eBay", "easyJet": as written, or capitalised to open a sentence
            ok = surface in (form, form[:1].upper() + form[1:])
        else:
            ok = first.isupper() or not first
        if ok and entry not in chosen:
            chosen.append(entry)
    return tuple(chosen)

"""Entity extraction: which people, places and organisations an article mentions.

One entry point, `extract_entities(document, vocabulary)`, returns canonical
names with kinds and mention counts. This first version links the curated
vocabulary (every `Entity` and its aliases, see `vocabulary.py`), adds the
byline's author as a person, and maps a surname used alone to the full name
mentioned earlier in the same article ("Putin" after "Vladimir Putin").
"""

import re
from collections import Counter
from dataclasses import dataclass

from .vocabulary import Vocabulary, VocabularyEntry

__all__ = ["FoundEntity", "Vocabulary", "extract_entities", "article_text"]

PERSON = "PERSON"


@dataclass(frozen=True)
class FoundEntity:
    name: str
    kind: str
    count: int


def article_text(document):
    """The text extraction reads: headline, dek, body and bio (not the byline)."""
    parts = [document.headline, document.dek, document.body, getattr(document, "bio", "")]
    return "\n\n".join(part for part in parts if part)


def extract_entities(document, vocabulary):
    """Entities in `document` (anything with headline, dek, body, author, bio).

    Returns FoundEntity items, most mentioned first, then by name.
    """
    text = article_text(document)
    matches = vocabulary.find(text)
    counts = Counter(match.entry for match in matches)

    author = " ".join((document.author or "").split())
    if author:
        counts[VocabularyEntry(author, PERSON)] += 1

    _count_surnames(text, matches, counts)
    found = [FoundEntity(entry.name, entry.kind, count) for entry, count in counts.items()]
    found.sort(key=lambda e: (-e.count, e.name))
    return found


def _count_surnames(text, matches, counts):
    """Add surname-only mentions of people already named in full in this article."""
    covered = [(m.start, m.end) for m in matches]
    people = [entry for entry in counts if entry.kind == PERSON and " " in entry.name]
    surnames = {}
    for entry in people:
        surname = entry.name.split()[-1]
        # A surname two people share stays ambiguous: count it for neither.
        surnames[surname] = None if surname in surnames else entry
    for surname, entry in surnames.items():
        if entry is None:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(surname)}(?!\w)", text):
            if not any(start <= match.start() < end for start, end in covered):
                counts[entry] += 1

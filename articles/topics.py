"""Tags for articles whose seed file has no `Tags:` line.

The rule (documented in the README): each topic below has a few trigger words.
A topic's score is how often its triggers occur in the body, plus three for each
occurrence in the headline or dek. Topics scoring at least 2 become tags, best
first, at most three. When no topic qualifies, the most-mentioned place becomes
the only tag, so every article can be browsed by at least one tag.
"""

from collections import Counter

import ahocorasick

from .entities.vocabulary import translate_words

MAX_DERIVED_TAGS = 3
MIN_SCORE = 2

TOPICS = {
    "politics": ["election", "elections", "parliament", "minister", "government", "president", "vote", "voters"],
    "diplomacy": ["diplomat", "diplomatic", "summit", "treaty", "talks", "ambassador", "bilateral", "foreign minister"],
    "conflict": ["war", "troops", "military", "invasion", "missile", "ceasefire", "army", "drills"],
    "sanctions": ["sanction", "sanctions", "embargo"],
    "economy": ["economy", "economic", "inflation", "gdp", "recession", "growth", "unemployment", "markets"],
    "central banks": ["central bank", "interest rate", "interest rates", "monetary policy", "rate cut", "rate rise"],
    "trade": ["trade", "tariff", "tariffs", "exports", "imports"],
    "energy": ["energy", "gas", "oil", "electricity", "grid", "pipeline", "power plant"],
    "climate": ["climate", "emissions", "carbon", "warming", "renewable", "drought", "heatwave"],
    "technology": [
        "technology",
        "software",
        "artificial intelligence",
        "ai",
        "chip",
        "chips",
        "semiconductor",
        "data centre",
        "data center",
    ],
    "health": ["health", "hospital", "vaccine", "virus", "disease", "outbreak", "patients", "pandemic"],
    "science": ["scientists", "research", "researchers", "study", "telescope", "laboratory"],
    "sport": [
        "league",
        "tournament",
        "championship",
        "coach",
        "olympic",
        "football",
        "marathon",
        "athletics",
        "cycling",
        "tennis",
        "cricket",
        "rugby",
    ],
    "culture": ["museum", "festival", "film", "music", "exhibition", "novel", "theatre", "art"],
    "courts": ["court", "judge", "trial", "verdict", "lawsuit", "prosecutors", "ruling"],
    "migration": ["migrants", "migration", "refugees", "asylum"],
}

# ASCII bytes that are not word characters (\w: letters, digits, "_") as spaces.
_ASCII_WORDS = bytes(b if chr(b).isalnum() or chr(b) == "_" else 32 for b in range(256))


def _words(text):
    r"""`text` lower-cased as words separated by single spaces: what `\w+` would find, joined.

    `bytes.translate` does the ASCII characters at once; a regex split over every
    non-word run of a long body cost more than matching the triggers.
    """
    return " ".join(translate_words(text.lower(), _ASCII_WORDS).split())


def _automaton(words):
    """Finds every trigger as whole words: " trigger " in the text with each run of non-word characters a space."""
    automaton = ahocorasick.Automaton()
    for topic, triggers in words.items():
        for trigger in triggers:
            key = f" {' '.join(trigger.lower().split())} "
            if automaton.exists(key):
                automaton.get(key).append(topic)
            else:
                automaton.add_word(key, [topic])
    automaton.make_automaton()
    return automaton


_TRIGGERS = _automaton(TOPICS)


def _scores(text, weight, scores):
    # Overlapping triggers all count ("foreign minister" is a minister too); a space is
    # shared by neighbouring words, so "talks talks" finds " talks " twice.
    for _, topics in _TRIGGERS.iter(f" {_words(text)} "):
        for topic in topics:
            scores[topic] += weight


def derive_tags(document, entities=()):
    """Up to three topic tags for `document`; `entities` are FoundEntity items."""
    scores = Counter()
    _scores(f"{document.headline}\n{document.dek}", 3, scores)
    _scores(document.body, 1, scores)
    tags = [
        topic for topic, score in sorted(scores.items(), key=lambda item: (-item[1], item[0])) if score >= MIN_SCORE
    ]
    if not tags:
        places = [e for e in entities if e.kind == "PLACE"]
        if places:
            tags = [max(places, key=lambda e: e.count).name]
    return tags[:MAX_DERIVED_TAGS]

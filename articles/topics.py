"""Tags for articles whose seed file has no `Tags:` line.

The rule (documented in the README): each topic below has a few trigger words.
A topic's score is how often its triggers occur in the body, plus three for each
occurrence in the headline or dek. Topics scoring at least 2 become tags, best
first, at most three. When no topic qualifies, the most-mentioned place becomes
the only tag, so every article can be browsed by at least one tag.
"""

import re
from collections import Counter

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

_WORD = re.compile(r"\w+")


def _index(words):
    """Trigger -> topics, for single words and two-word phrases."""
    index = {}
    for topic, triggers in words.items():
        for trigger in triggers:
            index.setdefault(tuple(trigger.lower().split()), []).append(topic)
    return index


_TRIGGERS = _index(TOPICS)
_PHRASE_STARTS = {trigger[0] for trigger in _TRIGGERS if len(trigger) == 2}


def _scores(text, weight, scores):
    words = _WORD.findall(text.lower())
    counts = Counter(words)
    # Only pairs that could be a two-word trigger: counting every pair of a long body cost more
    # than the rest of tagging.
    counts.update((word, words[i + 1]) for i, word in enumerate(words[:-1]) if word in _PHRASE_STARTS)
    for trigger, topics in _TRIGGERS.items():
        count = counts.get(trigger[0] if len(trigger) == 1 else trigger, 0)
        if count:
            for topic in topics:
                scores[topic] += weight * count


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

"""The held-out entity set keeps its own rules: valid seeds, and a gold list that only names what the text says.

tests/data/entities_heldout/ is a second evaluation set for the entity
extractor, written and annotated before the extractor was run on it (see its
README.md). These tests check the set alone; they never import or run the
extractor, so they cannot be used to tune it.
"""

import json
import re
from pathlib import Path

import pytest

from articles.seed import parse_seed

DATA = Path(__file__).resolve().parent / "data" / "entities_heldout"
KINDS = ("PERSON", "PLACE", "ORG")
ARTICLES = sorted(path.name for path in DATA.glob("*.txt"))

# The only canonical names that may be spelt differently in the text: the expansions that
# tests/data/entities/README.md lists ("US" → United States, also inside longer names).
EXPANSIONS = {
    "United States": ("US", "U.S.", "America"),
    "United Kingdom": ("UK", "Britain"),
    "European Union": ("EU",),
    "United Nations": ("UN",),
    "World Health Organization": ("WHO",),
}
UNEXPANDED = ("US", "U.S.", "UK", "EU", "UN", "WHO")  # never part of a canonical name


def load_gold():
    return json.loads((DATA / "gold.json").read_text(encoding="utf-8"))


def written_forms(name):
    """The name as written, plus its short forms when it holds one of the listed expansions."""
    forms = [name]
    for full, shorts in EXPANSIONS.items():
        if full in name:
            forms += [name.replace(full, short) for short in shorts]
    return forms


def spans(form, text):
    """Where form occurs in text as whole words, exactly as written (case, apostrophes, diacritics)."""
    return [match.span() for match in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text)]


def mentions(form, text):
    return bool(spans(form, text))


def test_mentions_are_exact_and_whole_words():
    assert mentions("Côte d’Ivoire", "into Côte d’Ivoire and Togo")
    assert not mentions("Côte d’Ivoire", "into Côte d'Ivoire and Togo")
    assert not mentions("Lagos", "LAGOS, Nigeria")
    assert not mentions("Pest", "a Pestszentlőrinc street")
    assert any(mentions(form, "the UN Security Council") for form in written_forms("United Nations Security Council"))


def test_every_article_has_gold_and_the_set_is_big_enough():
    gold = load_gold()
    assert sorted(gold) == ARTICLES
    assert len(ARTICLES) >= 30


@pytest.mark.parametrize("name", ARTICLES)
def test_article_is_a_seed_in_the_house_format(name):
    raw = (DATA / name).read_bytes()
    raw.decode("utf-8")  # strict UTF-8, no legacy fallback
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw and not raw.endswith(b"\n")
    parsed = parse_seed(raw)
    assert parsed.warnings == () and parsed.encoding == "utf-8"
    document = parsed.document
    assert document.headline and document.dek and document.author and document.bio
    assert 250 <= len(raw.decode("utf-8").split()) <= 600


@pytest.mark.parametrize("name", ARTICLES)
def test_gold_annotations_follow_their_own_rules(name):
    wanted = load_gold()[name]
    pairs = [(entity["name"], entity["kind"]) for entity in wanted]
    assert pairs, f"{name}: no gold entities"
    assert len(pairs) == len(set(pairs)), f"{name}: an entity listed twice"
    document = parse_seed((DATA / name).read_bytes()).document
    # A title-case headline is not evidence on its own: every name must be written below it.
    text = "\n".join([document.dek, document.body, document.author, document.bio])
    for entity_name, kind in pairs:
        assert kind in KINDS, f"{name}: {entity_name} has kind {kind}"
        assert entity_name == entity_name.strip() and "\n" not in entity_name
        assert not entity_name.lower().startswith("the "), f"{name}: {entity_name} keeps a leading 'the'"
        assert not entity_name.endswith(("’s", "'s")), f"{name}: {entity_name} keeps a possessive"
        assert not any(mentions(short, entity_name) for short in UNEXPANDED), f"{name}: {entity_name} is not expanded"
        # Handles, URLs, times, scores and amounts are never entities.
        assert entity_name[0].isalpha(), f"{name}: {entity_name} is no name"
        assert not re.search(r"@|://|www\.|\.(com|org|net|social)\b", entity_name), f"{name}: {entity_name} is a handle"
        forms = written_forms(entity_name)
        assert any(mentions(form, text) for form in forms), f"{name}: {entity_name} is not in the text as written"
    # No nesting: a name inside another gold name counts only where the text also writes it on its own.
    names = {entity_name for entity_name, _ in pairs}
    outer = [span for other in names for form in written_forms(other) for span in spans(form, text)]
    for entity_name in names:
        alone = [
            (start, end)
            for form in written_forms(entity_name)
            for start, end in spans(form, text)
            if not any(s <= start and end <= e and (s, e) != (start, end) for s, e in outer)
        ]
        assert alone, f"{name}: {entity_name} is only written inside a longer name"

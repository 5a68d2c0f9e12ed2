#!/usr/bin/env python3
"""Score the entity extractor on an annotated set (strict micro and per-kind precision, recall, F1).

    .venv/bin/python scripts/score_entities.py tests/data/entities            # the tuning set
    .venv/bin/python scripts/score_entities.py tests/data/entities_heldout    # the held-out set
    .venv/bin/python scripts/score_entities.py DIR --errors                    # and each article's misses
    .venv/bin/python scripts/score_entities.py DIR DIR2 --ablate               # each rule's contribution

The vocabulary is the starter list a fresh database holds
(articles/entities/starter_vocabulary.json); no database is needed. `--no-ner`
scores the vocabulary-only path (ingest --no-ner, relinking). `--ablate`
scores the sets again with each news-writing rule switched off in turn, and
prints micro F1 with all rules and without each.
"""

import argparse
import contextlib
import re
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from articles.entities import canonical, evaluate, extract, gazetteer, junk, patterns  # noqa: E402

_NEVER = re.compile(r"(?!)")


def _old_name_words(name):
    return [extract._ARABIC_ARTICLE.sub("", word) for word in name.split()]


_NEW_PLACE_FIRST_WORDS = canonical.wordset(
    "Largo Ensanche Barrio Bairro Rione Corso Vicolo Carrer Avinguda Lough Loch Glen Ben"
)

# Each rule, and how to switch it off (patches for the length of one scoring run).
RULES = {
    "junk filter (numbers, handles, letters)": [mock.patch.object(junk, "is_junk", lambda name, kind=None: False)],
    "social networks in bios": [mock.patch.object(patterns, "social_network_spans", lambda text, matches=None: [])],
    "datelines and spaced dashes": [
        mock.patch.object(patterns, "dateline_spans", lambda text: []),
        mock.patch.object(canonical, "_DASH_INSIDE", _NEVER),
    ],
    "lower-case kind noun after a name": [
        mock.patch.object(canonical, "_TRAILING_WORDS", canonical.wordset("of and the for in at on to from with &"))
    ],
    "post-nominals": [mock.patch.object(canonical, "POST_NOMINALS", set())],
    "sentence-initial particle names": [mock.patch.object(extract, "_name_words", _old_name_words)],
    "spans joined at a name particle (Mac, Ní)": [
        mock.patch.object(extract._Extraction, "_join_at_particles", lambda self, mentions: mentions)
    ],
    "cues around a name (person/org/place)": [
        mock.patch.object(extract, "_kind_by_cues", lambda kind, cues, by_words: kind)
    ],
    "family name makes a person": [
        mock.patch.object(extract._Extraction, "_named_by_surname", lambda self, mentions, people: set())
    ],
    "first name before a family name": [
        mock.patch.object(extract._Extraction, "_join_first_names", lambda self, candidates: [])
    ],
    "teams around a scoreline": [mock.patch.object(patterns, "team_cue", lambda text, start, end: False)],
    "teams the model missed (the Crusaders 27-24)": [
        mock.patch.object(extract._Extraction, "_teams", lambda self, mentions: [])
    ],
    "gazetteer (cities, countries, subdivisions)": [mock.patch.object(gazetteer, "is_place", lambda name: False)],
    "organisations introduced by what they are (the newspaper …)": [
        mock.patch.object(patterns, "introduced_org_spans", lambda text, start=0, runs=None: [])
    ],
    "full names after a title or described (Count …, …, who)": [
        mock.patch.object(extract._Extraction, "_full_names", lambda self, candidates: [])
    ],
    "titles only people hold (Ratu, Sheikh)": [mock.patch.object(extract, "_honorific_first", lambda surface: False)],
    "organisation head nouns": [mock.patch.object(patterns, "org_head_spans", lambda text, start=0: [])],
    "landmark head nouns": [mock.patch.object(patterns, "place_head_spans", lambda text, start=0: [])],
    "landmarks with the head noun first (Stade …, Teatro …)": [
        mock.patch.object(patterns, "_PLACE_NAME_HEAD_FIRST", _NEVER)
    ],
    "brands (eBay, OPay)": [
        mock.patch.object(canonical, "is_brand_word", lambda word: False),
        mock.patch.object(extract, "_brand_spellings", lambda counts, sources: None),
    ],
    "national bodies (Airtel Kenya)": [mock.patch.object(extract._Extraction, "_national_body", lambda self, n: None)],
    "where a name stands (a title's fragment, a named scheme, a sentence-opening common word)": [
        mock.patch.object(patterns, "not_a_name_in", lambda text, name, start=0: None)
    ],
    # People (issue 13's second pass).
    "no 'the' before a person (the Chao Phraya)": [
        mock.patch.object(patterns, "the_before", lambda text, start: False)
    ],
    "a lone word is a person only if described (Tems)": [
        mock.patch.object(extract, "_family_name_only", lambda name: False)
    ],
    "one person spelt two ways (Md/Mohammad)": [
        mock.patch.object(extract, "_spelling_variants", lambda people, first_places: {})
    ],
    "two-word family names (Hernández Cruz)": [mock.patch.object(extract, "_short_names", lambda people: set())],
    "a role, then a name between commas": [mock.patch.object(patterns, "_ROLE_BEFORE", _NEVER)],
    "places take no 'who' (…, who runs a stall)": [mock.patch.object(patterns, "who_after", lambda text, end: False)],
    # Organisations (issue 13's third pass).
    "outlets a writer works for or a source told": [
        mock.patch.object(patterns, "_WRITER_BEFORE", _NEVER),
        mock.patch.object(patterns, "_TOLD_END", _NEVER),
    ],
    # Places (issue 13's third pass).
    "natural features by a lower-case noun (the Lez river)": [
        mock.patch.object(canonical, "FEATURE_NOUNS", frozenset()),
        mock.patch.object(canonical, "_FEATURE_NOUN_AFTER", _NEVER),
    ],
    "a town is no short form of a landmark (Apia, Apia Park)": [
        mock.patch.object(extract, "_town_of_its_own", lambda mention: False)
    ],
    "kinds of organisation and their examples (companies such as)": [
        mock.patch.object(patterns, "_kinds_such_as", lambda words: False)
    ],
    "one head noun for two words (Cotton and Cashew Council)": [
        mock.patch.object(
            patterns,
            "_shared_head_start",
            lambda text, offset, words, first: (
                first + 2 * (words[first + 1 : first + 2] != [] and words[first + 1].group() in ("and", "&"))
            ),
        )
    ],
    "two names joined by 'and' stay two": [mock.patch.object(patterns, "_coordinated_names", lambda t, s, e: [(s, e)])],
    "teams: 'X, who are', 'X of Town 3-1'": [
        mock.patch.object(patterns, "_WHO_ARE_AFTER", _NEVER),
        mock.patch.object(patterns, "_OF_TOWN", ""),
        mock.patch.object(patterns, "_TEAM_OF_BEFORE", _NEVER),
    ],
    "a body named in full, then by its first or last words": [
        mock.patch.object(extract._Extraction, "_names_in_part", lambda self, mentions: None)
    ],
    "brand-cased names introduced by what they are (bKash, the … company)": [
        mock.patch.object(patterns, "_introduced_brands", lambda text, start: [])
    ],
    "a list names things of one kind": [mock.patch.object(extract._Extraction, "_list_kinds", lambda self, m: {})],
    "places the model cut at a hyphen (Baden-Württemberg)": [
        mock.patch.object(extract, "_hyphenated_place", lambda text, start, end: (start, end))
    ],
    "AP state abbreviations after a city (Raleigh, N.C.)": [
        mock.patch.object(gazetteer, "state_after_city", lambda text, start, end: None)
    ],
    "’s inside a place's name (St Mary’s Church, Cox’s Bazar)": [
        mock.patch.object(canonical, "_possessive_in_place_name", lambda text, start, end, match: False),
        mock.patch.object(patterns, "_SAINTS", frozenset()),
    ],
    "a place name goes on after a particle (San Pedro del Pinatar)": [
        mock.patch.object(extract, "_particle_tail", lambda text, end: end)
    ],
    "street and quarter head words (Largo, Ensanche, Lough, -straße)": [
        mock.patch.object(canonical, "PLACE_FIRST_WORDS", canonical.PLACE_FIRST_WORDS - _NEW_PLACE_FIRST_WORDS),
        mock.patch.object(canonical, "_PLACE_WORD_ENDINGS", ("\0",)),
        mock.patch.object(
            patterns,
            "_PLACE_NAME_HEAD_FIRST",
            re.compile(
                re.sub(
                    r"\b(?:Avinguda|Carrer|Corso|Ensanche|Largo|Lough|Rione)\|",
                    "",
                    patterns._PLACE_NAME_HEAD_FIRST.pattern,
                )
            ),
        ),
    ],
    # Places (issue 13's fifth pass).
    "a town the text places is no short form (from Nokia, Nokia Arena)": [
        mock.patch.object(extract, "_towns_by_cue", lambda text, mentions: set())
    ],
    "a town after 'in' is no person's family name (in Lalibela)": [
        mock.patch.object(extract, "_towns_lived_in", lambda text, mentions: set())
    ],
    "a name after 'in' does not speak (in Narok and Bomet said)": [
        mock.patch.object(patterns, "_no_speaker_after_in", lambda text, start: False)
    ],
    "towns of 1,000 people or more for a name the model found (Grindavík)": [
        mock.patch.object(gazetteer, "is_town", lambda name: False)
    ],
    "a town the model read as no name, after a place cue (in Thurso: a date)": [
        mock.patch.object(extract, "_placed_town", lambda text, start, end: False)
    ],
    "the agent of a passive verb is no place (produced by Toho)": [
        mock.patch.object(patterns, "_AGENT_BEFORE", _NEVER)
    ],
    "distances are between places (25km from)": [
        mock.patch.object(canonical, "_DISTANCE_BEFORE", _NEVER),
        mock.patch.object(canonical, "_DISTANCE_AFTER", _NEVER),
    ],
    # Organisations (issue 13's fifth pass).
    "shares in a name make it an organisation (Shares in Mowi, the … farmer)": [
        mock.patch.object(patterns, "_OWNED_BEFORE", _NEVER)
    ],
    "bodies introduced as one (…, the industry association)": [
        mock.patch.object(patterns, "KIND_NOUNS", patterns.KIND_NOUNS - patterns.BODY_NOUNS),
        mock.patch.object(
            patterns, "_KIND_AFTER", patterns.kind_after_pattern(patterns.KIND_NOUNS - patterns.BODY_NOUNS)
        ),
    ],
    "a field opens a body's name (Education and Youth Board)": [
        mock.patch.object(patterns, "_FIELDS", frozenset()),
        mock.patch.object(
            patterns,
            "_name_word_before",
            lambda text, at: bool(re.search(r"[A-Z][\w’'.-]* $", text[max(0, at - 30) : at])),
        ),
    ],
    "generic words heading a body of something (Council of State)": [
        mock.patch.object(canonical, "generic_body_of", lambda words: False)
    ],
    "a brand named after its domain (SciDev.Net)": [
        mock.patch.object(junk, "junk_reason", junk.junk_reason.__wrapped__),
        mock.patch.object(
            junk,
            "_HANDLE",
            re.compile(r"(?:^|\s)@[\w.]+|https?://|www\.|\b[\w-]+\.(?:com|org|net|co|io|social|news|substack)\b", re.I),
        ),
    ],
    "an acronym ends no full stop (told S4C.)": [
        mock.patch.object(canonical, "without_sentence_stop", lambda text, start, end: end)
    ],
    "a listing is no name (UNESCO World Heritage site)": [
        mock.patch.object(canonical, "_LISTING_AFTER", _NEVER),
        mock.patch.object(
            canonical,
            "NOT_ENTITY_MATCHER",
            canonical.Vocabulary((n, "", ()) for n in canonical._NOT_ENTITY_NAMES if "Heritage" not in n),
        ),
    ],
    "an acronym that speaks or is spoken to (told NHK, PVDA said)": [
        mock.patch.object(patterns, "_acronym_addressed", lambda text, words, name, end: False)
    ],
    "a body named by its field, then its country (Health Canada)": [
        mock.patch.object(patterns, "national_body_spans", lambda text, start, is_country, org_spans=(): [])
    ],
    "a body's head noun before 'of'/'for' (International Fund for Saving the Aral Sea)": [
        mock.patch.object(canonical, "_org_head_of", lambda words: False)
    ],
    "a Municipality is the council (Vestland County Municipality)": [
        mock.patch.object(canonical, "ORG_LAST_WORDS", canonical.ORG_LAST_WORDS - {"municipality"}),
        mock.patch.object(canonical, "PLACE_LAST_WORDS", canonical.PLACE_LAST_WORDS | {"municipality"}),
    ],
    "a language is no entity (Sinhala, Tamil, Wolof; pycountry's ISO 639-1 names)": [
        mock.patch.object(canonical, "is_language", lambda name: False)
    ],
    "a source told an outlet where it spoke (told Yle in the corridor)": [
        mock.patch.object(
            patterns,
            "_TOLD_END",
            re.compile(
                r"(?:\.(?!\w)|,?\s+that\b|\s+by\s+(?:tele)?phone\b|\s+in\s+an\s+interview\b|\s+on\s+[A-Z][a-z]+day\b)"
            ),
        )
    ],
    "a kind noun after a longer description (the tax and customs agency DIAN)": [
        mock.patch.object(patterns, "KIND_NOUN_REACH", 3)
    ],
}


def score(folder, vocabulary, ner):
    gold = evaluate.load_gold(folder)
    return evaluate.score(evaluate.extract_set(folder, vocabulary, ner=ner), gold), gold


def ablate(folders, vocabulary, ner):
    """Micro F1 of each set with every rule, then with each rule switched off."""
    header = "rule switched off".ljust(42) + "".join(f"{folder.name[-18:]:>20}" for folder in folders)
    print(header)
    rows = [("(none: every rule on)", [])] + list(RULES.items())
    # The model reads each text once: no rule changes what it reads, so its reading is kept for the next rows.
    readings = {}

    def read_once(document):
        text = extract.model_text(document)
        if text not in readings:
            readings[text] = read_document(document)
        return readings[text]

    read_document = extract.read_document
    for source in gazetteer.SOURCES:  # each data source of the gazetteer left out in turn
        others = tuple(other for other in gazetteer.SOURCES if other != source)
        rows.append((f"gazetteer without {source}", [mock.patch.object(gazetteer, "_names", gazetteer.load(others))]))
    for label, patches in rows:
        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.object(extract, "read_document", read_once))
            for patch in patches:
                stack.enter_context(patch)
            cells = [score(folder, vocabulary, ner)[0]["micro"]["f1"] for folder in folders]
        print(label.ljust(42) + "".join(f"{cell:20.3f}" for cell in cells))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folders", type=Path, nargs="+", metavar="folder", help="a folder of seed files with a gold.json"
    )
    parser.add_argument("--no-ner", action="store_true", help="without the statistical model")
    parser.add_argument("--errors", action="store_true", help="list each article's missed and spurious entities")
    parser.add_argument("--ablate", action="store_true", help="micro F1 with each news-writing rule switched off")
    args = parser.parse_args(argv)
    for folder in args.folders:
        if not (folder / "gold.json").is_file():
            parser.error(f"{folder} has no gold.json")
    vocabulary = evaluate.starter_vocabulary()
    if args.ablate:
        ablate(args.folders, vocabulary, not args.no_ner)
        return 0
    for folder in args.folders:
        gold = evaluate.load_gold(folder)
        started = time.perf_counter()
        found = evaluate.extract_set(folder, vocabulary, ner=not args.no_ner)
        seconds = time.perf_counter() - started
        if args.errors:
            for name, (missed, spurious) in evaluate.errors(found, gold).items():
                if missed or spurious:
                    print(name)
                    for entity in missed:
                        print(f"   - {entity[1]:6} {entity[0]}")
                    for entity in spurious:
                        print(f"   + {entity[1]:6} {entity[0]}")
        print(f"{folder}: {len(gold)} articles, {sum(map(len, gold.values()))} gold entities ({seconds:.1f}s)")
        print(evaluate.format_table(evaluate.score(found, gold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

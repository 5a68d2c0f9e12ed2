"""Entity extraction on its own: the vocabulary matcher and the traps news text sets for NER.

No database: the vocabulary is the shipped starter list, and the spaCy model is
loaded once per test session (the loader caches it per process).
"""

import json
import re
from pathlib import Path

import pytest

import articles
from articles.entities import MODEL, VOCABULARY, Vocabulary, extract_entities
from articles.entities.ner import find_spans, load_model
from articles.seed import SeedDocument

STARTER = Path(articles.__file__).parent / "entities" / "starter_vocabulary.json"


@pytest.fixture(scope="session")
def vocabulary():
    return Vocabulary(json.loads(STARTER.read_text(encoding="utf-8")))


@pytest.fixture(scope="session", autouse=True)
def model():
    return load_model()


def doc(body, headline="A Plain Headline About Nothing", dek="", author="", bio=""):
    if isinstance(body, list):
        body = "\n\n".join(body)
    return SeedDocument(headline=headline, dek=dek, body=body, author=author, bio=bio)


def entities(document, vocabulary, **options):
    return {(e.name, e.kind): e.count for e in extract_entities(document, vocabulary, **options)}


def names(document, vocabulary, **options):
    return set(entities(document, vocabulary, **options))


# The vocabulary matcher.


def test_vocabulary_matches_whole_words_only():
    vocabulary = Vocabulary([("United States", "PLACE", ["US"]), ("Peru", "PLACE", [])])
    assert vocabulary.find("Business is thriving in Peruvian markets and for us.") == []
    assert [m.entry.name for m in vocabulary.find("The US and Peru, and US-led talks.")] == [
        "United States",
        "Peru",
        "United States",
    ]


def test_acronyms_match_their_exact_case_and_names_need_a_capital():
    vocabulary = Vocabulary([("World Health Organization", "ORG", ["WHO"]), ("Turkey", "PLACE", [])])
    assert vocabulary.find("who said the turkey was cooked") == []
    assert len(vocabulary.find("The WHO praised Turkey.")) == 2


def test_longest_match_wins_and_nothing_nests():
    vocabulary = Vocabulary([("Bank of England", "ORG", []), ("England", "PLACE", [])])
    found = vocabulary.find("The Bank of England met in England.")
    assert [(m.entry.name, m.start) for m in found] == [("Bank of England", 4), ("England", 27)]


def test_punctuation_inside_a_form_is_loose_but_lines_are_not_crossed():
    vocabulary = Vocabulary([("Conor O’Brien", "PERSON", []), ("New York", "PLACE", [])])
    assert [m.entry.name for m in vocabulary.find("Conor O'Brien sang.")] == ["Conor O’Brien"]
    assert vocabulary.find("the New\nYork office") == []


def test_a_shared_form_gives_every_candidate():
    vocabulary = Vocabulary([("Amazon", "ORG", []), ("Amazon", "PLACE", ["Amazon River"])])
    (match,) = vocabulary.find("Amazon shares rose.")
    assert {e.kind for e in match.candidates} == {"ORG", "PLACE"}
    assert vocabulary.words(match.candidates[1]) == {"amazon", "river"}


def test_finding_with_another_vocabulary_gives_what_each_finds_alone():
    places = Vocabulary([("Lima", "PLACE", []), ("Peru", "PLACE", ["Republic of Peru"])])
    events = Vocabulary([("Treaty of Lima", "", []), ("Peru", "", [])])
    text = "The Treaty of Lima was signed in Lima, Republic of Peru."
    assert places.find_with((events,), text) == [places.find(text), events.find(text)]
    events.add("Lima", "")  # a vocabulary that changes is read afresh
    assert places.find_with((events,), text) == [places.find(text), events.find(text)]
    assert len(places.find_with((events,), text)[1]) == 3


def test_the_model_finds_spans_paragraph_by_paragraph():
    spans = find_spans("Angela Merkel visited Paris.\n\nShe met Emmanuel Macron.")
    labels = {(s.label, s.start, s.end) for s in spans}
    assert ("PERSON", 0, 13) in labels
    assert ("PERSON", 38, 53) in labels


def test_a_paragraph_longer_than_the_model_takes_is_read_in_pieces():
    # spaCy refuses a text over nlp.max_length (1,000,000 characters, error E088); a seed file
    # or an admin body with single line breaks can make one paragraph that long (QA F6).
    filler = "x" * (load_model().max_length + 10_000)
    text = f"Angela Merkel visited Paris. {filler} She met Emmanuel Macron in Berlin."
    spans = {(s.label, text[s.start : s.end]) for s in find_spans(text)}
    assert ("PERSON", "Angela Merkel") in spans
    assert ("PERSON", "Emmanuel Macron") in spans


def test_a_long_paragraph_is_cut_at_sentence_ends_then_spaces(monkeypatch):
    from articles.entities import ner

    monkeypatch.setattr(ner, "MAX_PIECE", 100)
    paragraph = "Olaf Scholz met Rishi Sunak in Rome. " * 10 + "word " * 60
    pieces = list(ner._pieces(7, paragraph))
    assert "".join(piece for _, piece in pieces) == paragraph
    starts = [7 + sum(len(piece) for _, piece in pieces[:n]) for n in range(len(pieces))]
    assert [offset for offset, _ in pieces] == starts
    assert all(len(piece) <= 100 for _, piece in pieces)
    assert all(piece.endswith("Rome. ") for _, piece in pieces[:3])
    assert all(piece.endswith(" ") for _, piece in pieces[:-1])


# Canonical names.


def test_possessives_and_surnames_map_to_the_full_name(vocabulary):
    found = entities(
        doc(["Dmitry Peskov spoke on Monday.", "Peskov’s remarks were brief, and Mr Peskov left."]), vocabulary
    )
    assert found[("Dmitry Peskov", "PERSON")] == 3
    assert not {name for name, _ in found} & {"Peskov", "Peskov’s", "Mr Peskov"}


def test_leading_the_and_company_suffixes_are_dropped(vocabulary):
    found = names(doc("The Kremlin and the New York Times disagreed, and Acme Widgets Ltd said so too."), vocabulary)
    assert ("Kremlin", "ORG") in found
    assert ("New York Times", "ORG") in found
    assert not any(name.startswith(("the ", "The ")) or name.endswith("Ltd") for name, _ in found)


def test_legal_forms_of_many_countries_are_dropped_and_make_a_company(vocabulary):
    body = [
        "Zentrovik Pvt Ltd listed on Monday. Quorbel Gardens (Pvt) Ltd, which sold plots, was fined.",
        "Vantrela Capital Ltda bought a stake, as did Norsk Lumivo AB and Brisqa Cargo LLP.",
        "The promoter, Ekhowa Live (Pty) Ltd, said so.",
    ]
    found = names(doc(body), vocabulary)
    for name in ("Zentrovik", "Quorbel Gardens", "Vantrela Capital", "Brisqa Cargo", "Ekhowa Live"):
        assert (name, "ORG") in found, name  # "… Gardens" alone would be a place
    assert not any(name.endswith(("Pvt", "Ltd", "Ltda", "AB", "LLP", "(Pty)", ")")) for name, _ in found)


def test_an_acronym_defined_in_the_text_is_indexed_by_its_full_name(vocabulary):
    body = [
        "The Zorvian Maritime Safety Authority (ZMSA) inspected the port on Monday.",
        "The ZMSA said it found no faults, and a ZMSA spokesperson declined to comment further.",
    ]
    found = entities(doc(body), vocabulary)
    assert found[("Zorvian Maritime Safety Authority", "ORG")] == 4
    assert not any(name == "ZMSA" for name, _ in found)


def test_a_defined_acronym_wins_over_the_vocabulary_reading(vocabulary):
    body = "The International Cricket Council (ICC) met in Dubai. The ICC changed its rules."
    found = names(doc(body), vocabulary)
    assert ("International Cricket Council", "ORG") in found
    assert ("International Criminal Court", "ORG") not in found


def test_common_acronyms_are_expanded_even_inside_names(vocabulary):
    body = "The US and the U.S. Treasury briefed the UN Security Council, the EU and the WHO."
    found = names(doc(body), vocabulary)
    assert ("United States", "PLACE") in found
    assert ("United Nations Security Council", "ORG") in found
    assert ("European Union", "ORG") in found
    assert ("World Health Organization", "ORG") in found
    assert not {name for name, _ in found} & {"US", "UN", "EU", "WHO", "U.S."}


def test_no_nesting(vocabulary):
    body = [
        "The Bank of England raised rates.",
        "Researchers at University College London agreed.",
        "The Tour de France starts on Saturday.",
        "The Treaty of Lima settled the border.",
    ]
    found = {name for name, _ in names(doc(body), vocabulary)}
    assert {"Bank of England", "University College London"} <= found
    assert not found & {"England", "London", "France", "Lima", "Tour de France", "Treaty of Lima"}


def test_a_title_case_headline_is_not_evidence(vocabulary):
    document = doc(
        "Russia and Belarus agreed to deepen ties, officials in Minsk said.",
        headline="Russia, Belarus Agree To Deepen Ties After Talks",
    )
    found = names(document, vocabulary)
    assert {("Russia", "PLACE"), ("Belarus", "PLACE"), ("Minsk", "PLACE")} <= found
    assert not any("Agree" in name or "Talks" in name for name, _ in found)


def test_the_headline_adds_mentions_of_what_the_body_named(vocabulary):
    document = doc("Recep Tayyip Erdoğan met reporters. Erdoğan said little.", headline="Erdoğan Weighs Offer")
    assert entities(document, vocabulary)[("Recep Tayyip Erdoğan", "PERSON")] == 3


def test_demonyms_are_not_entities(vocabulary):
    body = "Russian troops and Belarusian officials met Polish and Western diplomats. The Dane trailed."
    found = {name for name, _ in names(doc(body), vocabulary)}
    assert not found & {"Russian", "Belarusian", "Polish", "Western", "Dane"}


def test_georgia_the_country_and_the_state_are_both_places(vocabulary):
    country = names(doc("Protesters marched in Tbilisi, Georgia’s capital, on Sunday."), vocabulary)
    state = names(doc("Health officials in Atlanta, Georgia, confirmed three cases."), vocabulary)
    assert ("Georgia", "PLACE") in country
    assert ("Georgia", "PLACE") in state
    assert ("Atlanta", "PLACE") in state


def test_amazon_is_read_in_context(vocabulary):
    company = names(
        doc("Amazon said its online sales rose, and Amazon shares gained as customers spent more."), vocabulary
    )
    river = names(doc("Boats carry cargo up the Amazon, the largest river in the world by volume."), vocabulary)
    forest = names(
        doc("Deforestation in the Amazon fell as rangers protected more of the rainforest from fires."), vocabulary
    )
    assert ("Amazon", "ORG") in company and ("Amazon", "PLACE") not in company
    assert ("Amazon", "PLACE") in river and ("Amazon", "ORG") not in river
    assert ("Amazon rainforest", "PLACE") in forest and ("Amazon", "ORG") not in forest


def test_apostrophes_and_diacritics_are_kept(vocabulary):
    body = ["The singer Conor O’Brien opened the show in Łódź.", "“It was special,” O’Brien said."]
    found = entities(doc(body), vocabulary)
    assert found[("Conor O’Brien", "PERSON")] == 2
    assert ("Łódź", "PLACE") in found
    assert ("O’Brien", "PERSON") not in found


def test_initials_are_kept_as_written(vocabulary):
    body = ["Vice President J.D. Vance spoke in Ohio.", "Vance praised the author J.K. Rowling. Rowling thanked him."]
    found = entities(doc(body), vocabulary)
    assert found[("J.D. Vance", "PERSON")] == 2
    assert found[("J.K. Rowling", "PERSON")] == 2
    assert ("Ohio", "PLACE") in found


def test_st_petersburg_keeps_its_dot(vocabulary):
    found = names(doc("Leaders met in St. Petersburg on Friday, then flew to St Petersburg, Florida."), vocabulary)
    assert ("St. Petersburg", "PLACE") in found


def test_the_byline_author_is_a_person_and_the_bio_counts(vocabulary):
    document = doc(
        "Officials met in Minsk.",
        author="Dave DeCamp",
        bio="Dave DeCamp is the news editor; follow him on Twitter @decampdave. He wrote for Reuters.",
    )
    found = entities(document, vocabulary)
    assert found[("Dave DeCamp", "PERSON")] == 2
    assert {("Twitter", "ORG"), ("Reuters", "ORG")} <= set(found)


def test_a_person_and_a_place_with_one_name_are_told_apart(vocabulary):
    body = [
        "Residents of Jackson, Mississippi, have boiled water for weeks.",
        "“We are tired,” said Deborah Jackson, a teacher. Jackson said the city must act.",
    ]
    found = entities(doc(body), vocabulary)
    assert ("Jackson", "PLACE") in found
    assert found[("Deborah Jackson", "PERSON")] == 2


def test_events_products_and_works_are_not_entities(vocabulary):
    body = "Fans watched the Champions League final, sang “Troy” and queued for the new iPhone in Paris."
    found = {name for name, _ in names(doc(body), vocabulary)}
    assert "Paris" in found
    assert not found & {"Champions League", "Troy", "iPhone"}


def test_counts_and_sources(vocabulary):
    body = ["Kazimierz Nowak-Zielny visited Minsk.", "Nowak-Zielny left Minsk on Tuesday, Minsk officials said."]
    found = {(e.name, e.kind): e for e in extract_entities(doc(body), vocabulary)}
    assert found[("Minsk", "PLACE")].count == 3
    assert found[("Minsk", "PLACE")].source == VOCABULARY
    assert found[("Kazimierz Nowak-Zielny", "PERSON")].source == MODEL


def test_without_the_model_only_the_vocabulary_links(vocabulary):
    body = "Vladimir Putin met Kazimierz Nowak-Zielny in Minsk. Putin smiled."
    found = entities(doc(body), vocabulary, ner=False)
    assert found == {("Vladimir Putin", "PERSON"): 2, ("Minsk", "PLACE"): 1}


def test_empty_and_odd_documents_do_not_break_extraction(vocabulary):
    assert extract_entities(doc(""), vocabulary) == []
    assert extract_entities(doc("🙂 …", headline="🙂"), vocabulary) == []
    long_body = "\n\n".join(["Officials in Warsaw and Kraków met again."] * 400)
    found = entities(doc(long_body), vocabulary)
    assert found[("Warsaw", "PLACE")] == 400


def test_match_key_maps_every_non_word_character_to_a_space():
    from articles.entities.vocabulary import fold, match_key

    everything = "".join(chr(c) for c in range(0x30000) if not 0xD800 <= c < 0xE000)
    for text in (everything, "Plain ASCII, with punctuation_and digits 42!", "São Paulo’s Kraków-based İstanbul"):
        assert match_key(text) == re.sub(r"[\W_]", " ", fold(text))


def test_derived_topics_count_two_word_triggers():
    from articles.topics import TOPICS, derive_tags

    topic, phrase = next((topic, word) for topic, words in TOPICS.items() for word in words if " " in word)
    body = f"{phrase.title()}, said one. Again:\n{phrase.replace(' ', ' -- ')}."
    document = SeedDocument(headline="Report", dek="", body=body, author="A B", bio="")
    assert topic in derive_tags(document)
    assert derive_tags(SeedDocument(headline="Report", dek="", body=phrase.replace(" ", ""), author="", bio="")) == []


def test_topic_triggers_are_matched_over_the_words_a_word_regex_finds():
    from articles.topics import _words

    for text in (
        "Plain ASCII, with punctuation_and digits 42!",
        "São Paulo’s Kraków-based İstanbul ǅungla ﬁlm",
        "war\u00a0war\u2028talks\n\nforeign ,  minister",
        "".join(chr(c) for c in range(0x20, 0x2100)),
    ):
        assert _words(text) == " ".join(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("ner", [True, False])
def test_the_byline_authors_full_name_hides_the_place_inside_it(vocabulary, ner):
    # A new author is not in the vocabulary yet; once ingest has stored them, relinking finds
    # their full name through it. Both must agree: "Colombo" inside the name is no place.
    document = doc(
        "Ministers met in Colombo on Monday.",
        author="Valentina Colombo",
        bio="Valentina Colombo covers South Asia from Delhi.",
    )
    first = entities(document, vocabulary, ner=ner)
    assert first[("Valentina Colombo", "PERSON")] == 2
    assert first[("Colombo", "PLACE")] == 1  # the city named on its own still counts
    known = Vocabulary([*json.loads(STARTER.read_text(encoding="utf-8")), ["Valentina Colombo", "PERSON", []]])
    assert entities(document, known, ner=ner) == first

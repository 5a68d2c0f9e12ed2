"""Rules from how news is written (articles/entities/patterns.py and the extractor steps that use them).

The names are invented for these tests: the rules must hold for names no
vocabulary or model has seen.
"""

import pytest

from articles.entities import Vocabulary, extract_entities
from articles.entities.canonical import clean_name, context_kind, is_noise, kind_from_words
from articles.entities.evaluate import starter_vocabulary
from articles.entities.gazetteer import is_place
from articles.entities.ner import load_model
from articles.entities.patterns import (
    cue,
    dateline_spans,
    introduced_org_spans,
    org_cue,
    org_head_spans,
    person_cue,
    place_cue,
    place_head_spans,
    social_network_spans,
    speaker_cue,
    team_cue,
    who_after,
)
from articles.ingest import ingest_paths
from articles.seed import SeedDocument


@pytest.fixture(scope="module")
def vocabulary():
    load_model()
    return starter_vocabulary()


def found(vocabulary, body, bio="", author="", **options):
    document = SeedDocument(headline="A Plain Headline", dek="", body=body, author=author, bio=bio)
    return {(e.name, e.kind) for e in extract_entities(document, vocabulary, **options)}


def test_social_networks_after_on_or_before_a_handle():
    text = "Follow her on X @kofi_writes and on Threads. He is on Instagram, Bluesky and LinkedIn. Strava @abc."
    assert [name for _, _, name in social_network_spans(text)] == [
        "X", "Threads", "Instagram", "Bluesky", "LinkedIn", "Strava"
    ]  # fmt: skip
    assert social_network_spans("Malcolm X spoke. Threads of cotton. X-rays.") == []


@pytest.mark.parametrize("ner", [True, False])
def test_a_bio_gives_the_networks_and_never_the_handles(vocabulary, ner):
    bio = "Efe Orubu reports from Warri. Follow him on X at @efe_orubu and on Bluesky."
    entities = found(vocabulary, "Fuel queues grew in Warri on Monday.", bio=bio, author="Efe Orubu", ner=ner)
    assert {("X", "ORG"), ("Bluesky", "ORG")} <= entities
    assert not any("@" in name for name, _ in entities)


def test_a_dateline_is_not_part_of_a_name():
    text = "Headline\n\nDek\n\nWARRI — Tonye Briggs said the depot was shut.\n\nKANO, Nigeria – More."
    assert [text[s:e] for s, e in dateline_spans(text)] == ["WARRI", "KANO"]


def test_cues_around_a_name():
    text = "Ebere Nwosu, 41, runs a stall near Ogbogoro. Prices rose in Rumuokoro’s market, Nwosu said."
    assert person_cue(text, 0, len("Ebere Nwosu"))
    start = text.index("Nwosu said")
    assert speaker_cue(text, start, start + len("Nwosu")) and not person_cue(text, start, start + len("Nwosu"))
    start = text.index("Ogbogoro")
    assert place_cue(text, start, start + len("Ogbogoro"))
    start = text.index("Rumuokoro")
    assert not place_cue(text, start, start + len("Rumuokoro"))  # a possessive is not a place cue


def test_sentence_initial_particle_names_join_the_full_name(vocabulary):
    body = (
        "Hendrik van der Walt scored a century on Saturday. Van der Walt said the pitch was slow.\n\n"
        "Marta de Oliveira, the coach, agreed. De Oliveira said the team would rest."
    )
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert {"Hendrik van der Walt", "Marta de Oliveira"} <= people
    assert not people & {"Van der Walt", "De Oliveira"}


def test_a_lower_case_kind_noun_after_a_name_is_not_part_of_it(vocabulary):
    entities = found(vocabulary, "Floods hit the Otjozondjupa region and the Kavango valley this week.")
    assert not any(name.endswith((" region", " valley")) for name, _ in entities)


def test_a_name_before_a_natural_feature_noun_is_a_place(vocabulary):
    # News names rivers, volcanoes, plateaus and roads by "the NAME noun": the name is the place, found
    # even where the model saw no name, and the noun is not part of it.
    body = (
        "Fishermen said the Vantuli river had never been so low. Herders below the Kelmora volcano and on "
        "the Drestow plateau moved their goats, and trucks queued along the Ndorabi Kesse motorway."
    )
    entities = found(vocabulary, body)
    assert {("Vantuli", "PLACE"), ("Kelmora", "PLACE"), ("Drestow", "PLACE"), ("Ndorabi Kesse", "PLACE")} <= entities
    assert not any(name.endswith((" river", " volcano", " plateau", " motorway")) for name, _ in entities)
    assert not any(kind == "PERSON" for name, kind in entities if "Ndorabi" in name)


def test_a_river_named_like_the_body_that_runs_it_stays_a_place(vocabulary):
    body = "The Vantuli Basin Authority said on Monday that the Vantuli river would peak at Orsk on Friday."
    entities = found(vocabulary, body)
    assert {("Vantuli Basin Authority", "ORG"), ("Vantuli", "PLACE")} <= entities


def test_a_town_beside_a_landmark_named_after_it_is_a_place_of_its_own(vocabulary):
    # "Tulcea" (a town the gazetteer knows) is not a short form of "Tulcea Park".
    body = (
        "Samoa beat Tonga 27-24 at Tulcea Park on Saturday, the first test between the neighbours in Tulcea "
        "since 2019. Crowds lined the seawall."
    )
    assert {("Tulcea", "PLACE"), ("Tulcea Park", "PLACE")} <= found(vocabulary, body)


def test_a_town_the_text_places_is_no_short_form_of_a_venue_named_after_it(vocabulary):
    # The model calls "Kapsabet" (a town the gazetteer knows) an organisation; "from" and "grew up in" place it.
    body = (
        "A 20-year-old from Kapsabet scored after 71 minutes at a sold-out Kapsabet Arena. Dimitar Lazov, a "
        "forward who grew up in Kapsabet, said the title was for the fans. Both clubs moved to the 13,000-seat "
        "Kapsabet Arena in 2019."
    )
    assert found(vocabulary, body) == {("Dimitar Lazov", "PERSON"), ("Kapsabet", "PLACE"), ("Kapsabet Arena", "PLACE")}


def test_a_town_written_after_in_is_no_family_name_of_a_person_who_bears_it(vocabulary):
    body = (
        "Water entered the rock church after heavy rains. The churches of Taveta, cut from the rock under King "
        "Dawit Tesfa Taveta in the 12th century, draw pilgrims. Officials of the diocese in Taveta said repairs "
        "would start in May. Visitor numbers in Taveta have fallen."
    )
    assert found(vocabulary, body) == {("Dawit Tesfa Taveta", "PERSON"), ("Taveta", "PLACE")}


def test_a_name_after_in_does_not_speak():
    text = "Farmers in Narok and Mandera said they had not been told. Officials in Mandera said so. Mandera said no."
    assert cue(text, text.index("Mandera"), text.index("Mandera") + 7) == "PLACE"
    assert cue(text, text.index("Mandera", 70), text.index("Mandera", 70) + 7) == "PLACE"
    assert cue(text, text.rindex("Mandera"), text.rindex("Mandera") + 7) == "speaker"


def test_a_town_listed_after_in_that_the_model_calls_a_speaker_is_a_place(vocabulary):
    body = (
        "The line will run from the depot at Tetovo through Narok to the lake port. Farmers and land owners in "
        "Narok and Mandera said they had not been told where the line would pass."
    )
    assert ("Mandera", "PLACE") in found(vocabulary, body)


def test_a_place_the_model_cut_at_a_hyphen_is_the_whole_compound():
    from articles.entities.extract import _hyphenated_place

    def widened(text, part):
        start = text.index(part)
        new_start, new_end = _hyphenated_place(text, start, start + len(part))
        return text[new_start:new_end]

    assert widened("The Vorland-Kesselberg government paid.", "Vorland") == "Vorland-Kesselberg"
    assert widened("Stays in Dravnik-Neretvica County rose.", "Neretvica County") == "Dravnik-Neretvica County"
    assert widened("Boats left Kerry-on-Vessel at dawn.", "Kerry") == "Kerry-on-Vessel"
    assert widened("Cases in Vorland-Alpes-Côte d’Ostra rose.", "Vorland") == "Vorland-Alpes-Côte d’Ostra"
    assert widened("A Vorland-based firm.", "Vorland") == "Vorland"
    # Two towns the gazetteer knows, joined by a hyphen, are a route.
    assert widened("Trains on the Stuttgart-Ulm line ran late.", "Stuttgart") == "Stuttgart"


def test_an_ap_state_abbreviation_after_a_city_is_the_state(vocabulary):
    from articles.entities.gazetteer import state_after_city

    text = "KELVANTON, Wis. — Voters in Orrisburg, N.C. agreed. N.C. State lost."
    assert state_after_city(text, text.index("Wis."), text.index("Wis.") + 4) == "Wisconsin"
    assert state_after_city(text, text.index("N.C."), text.index("N.C.") + 4) == "North Carolina"
    last = text.rindex("N.C.")
    assert state_after_city(text, last, last + 4) is None  # no city before it
    body = "The Kelvanton school board voted 7-2 on Tuesday to ban phones, the district said."
    document = SeedDocument(
        headline="A Plain Headline", dek="KELVANTON, Wis. — A ban on phones", body=body, author="", bio=""
    )
    entities = {(e.name, e.kind) for e in extract_entities(document, vocabulary)}
    assert ("Wisconsin", "PLACE") in entities and not any(name == "Wis." for name, _ in entities)


def test_a_possessive_inside_a_place_name_stays_in_it(vocabulary):
    # A saint's name ("St Kelvin’s Church", "St Oriel’s Square") and a town the gazetteer knows with its
    # possessive ("Mohale’s Hoek") are one name; "Manila’s Rizal Park" stays two (the possessor is another).
    body = (
        "Tumelo Sekhonyana, a 23-year-old left-hander from Mohale’s Hoek, came in at three. He was baptised "
        "at St Kelvin’s Church in 2001, and fans filled St Oriel’s Square after the game."
    )
    entities = found(vocabulary, body)
    assert {("Mohale’s Hoek", "PLACE"), ("St Kelvin’s Church", "PLACE"), ("St Oriel’s Square", "PLACE")} <= entities
    assert not {name for name, _ in entities} & {"Church", "St Kelvin", "Hoek", "Mohale"}


def test_a_place_name_goes_on_after_a_romance_particle(vocabulary):
    body = (
        "Marta Quell, an oceanographer at the institute in San Telmo del Varra, said the water was brown. "
        "She lives in the Santa Orla Vieja do Sorrel neighbourhood and works near Puerto Ilano de Vescas."
    )
    places = {name for name, kind in found(vocabulary, body) if kind == "PLACE"}
    assert {"San Telmo del Varra", "Santa Orla Vieja do Sorrel", "Puerto Ilano de Vescas"} <= places
    assert not places & {"San Telmo", "Santa Orla Vieja", "Sorrel"}


def test_street_and_quarter_head_words_in_several_languages(vocabulary):
    body = (
        "Protesters gathered on Vorlandstraße and in the Ensanche Kelvo district, and the Largo do Tesserim "
        "was full by noon. Lough Varragh, known in Irish as Loch Varrach, is low, said the Varragh Fishermen’s "
        "Co-operative."
    )
    entities = found(vocabulary, body)
    places = {name for name, kind in entities if kind == "PLACE"}
    assert {"Vorlandstraße", "Ensanche Kelvo", "Largo do Tesserim", "Lough Varragh"} <= places
    assert "Loch Varrach" not in places and "Varragh Fishermen’s Co-operative" not in places


def test_a_countrys_place_in_an_apposition_is_a_place():
    text = "Many came from Varuvai, Zembla’s largest island, on the ferry. Orrin, Zembla’s biggest bank, said so."
    start = text.index("Varuvai")
    assert context_kind(text, start, start + len("Varuvai"))[0] == "PLACE"
    start = text.index("Orrin")
    assert context_kind(text, start, start + len("Orrin"))[0] != "PLACE"


def test_post_nominals_are_not_part_of_a_name(vocabulary):
    body = "Aisling Nic Dhonncha SC, for the family, told the court the settlement was fair. Nic Dhonncha said so."
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert "Aisling Nic Dhonncha" in people and not any(name.endswith(" SC") for name in people)


def test_described_as_a_person_or_introduced_as_an_organisation(vocabulary):
    body = (
        "The pro-government daily Velkro Tageblatt said the plan was late. Rivals including Zantrova Foods "
        "cut prices.\n\nAmara Quellin, 52, a trader, disagreed. She sells fish near Ugbomoro."
    )
    entities = found(vocabulary, body)
    assert {("Velkro Tageblatt", "ORG"), ("Zantrova Foods", "ORG"), ("Amara Quellin", "PERSON")} <= entities
    assert ("Ugbomoro", "PERSON") not in entities


def test_a_family_name_used_alone_makes_the_full_name_a_person(vocabulary):
    body = "Teodor Vasquenko opened the depot on Monday. Vasquenko said the queues would ease by Friday."
    assert ("Teodor Vasquenko", "PERSON") in found(vocabulary, body)


def test_organisations_by_head_noun_are_kept_whole():
    text = (
        "The Bar Association of Zembla went to the High Court. Officials at the Ministry of Rivers, Roads and "
        "Rural Works said so, and the Ministry of Ports and Transport Minister Ada Okoro agreed. Supreme Court "
        "Justice Ola Ibe sat on Tuesday; the Ratepayers League on Monday declined."
    )
    assert [text[start:end] for start, end in org_head_spans(text)] == [
        "Bar Association of Zembla",
        "High Court",
        "Ministry of Rivers, Roads and Rural Works",
        "Ministry of Ports",
        "Supreme Court",
        "Ratepayers League",
    ]


def test_brands_keep_their_spelling_and_are_organisations(vocabulary):
    body = "Shoppers moved to KwikPay this year. KwikPay declined to comment."
    assert ("KwikPay", "ORG") in found(vocabulary, body)  # the model calls it a place
    brands = Vocabulary([("zolaMart", "ORG", [])])
    text = "ZolaMart said sales rose at zolaMart, not at zolamart or ZOLAMART."
    assert [text[m.start : m.end] for m in brands.find(text)] == ["ZolaMart", "zolaMart"]


def test_an_acronym_the_model_ran_into_is_not_part_of_the_name(vocabulary):
    body = "Patients filled the Mbeya Referral Teaching Hospital (MRTH) on Monday, and MRTH asked for staff."
    assert ("Mbeya Referral Teaching Hospital", "ORG") in found(vocabulary, body)


def test_organisations_with_the_head_noun_first_and_a_seat_held_for_a_party():
    text = (
        "Perikatan Nasional is led by Parti Pribumi Zembla and PAS. The Banco Central do Zorvat said rates "
        "would hold; he sat in the Zorvat Assembly for the Zorvat People’s Party."
    )
    assert [text[start:end] for start, end in org_head_spans(text)] == [
        "Parti Pribumi Zembla",
        "Banco Central do Zorvat",
        "Zorvat Assembly",
        "Zorvat People’s Party",
    ]


def test_a_lower_case_place_noun_after_a_name_makes_it_a_place():
    text = (
        "She grew up in the Velmaro neighbourhood, near the Kestra tech district and the Orrin islands. "
        "KZVR, the city’s public radio station, broadcast it."
    )
    for name in ("Velmaro", "Kestra", "Orrin"):
        start = text.index(name)
        assert context_kind(text, start, start + len(name))[0] == "PLACE", name
    start = text.index("KZVR")
    assert context_kind(text, start, start + 4)[0] is None  # the city's station, not a city


def test_an_apposition_says_what_a_name_is():
    text = "Exports from Zernokali, the state-owned producer, fell. Ilse Marrow, the agency’s director general, spoke."
    start = text.index("Zernokali")
    assert org_cue(text, start, start + len("Zernokali"))
    start = text.index("Ilse Marrow")
    assert person_cue(text, start, start + len("Ilse Marrow"))
    assert not org_cue(text, start, start + len("Ilse Marrow"))


@pytest.mark.parametrize(
    "apposition",
    ["the state-owned producer", "the mining company", "the state news agency", "the city-owned operator"],
)
def test_an_organisation_apposition_is_no_place_whatever_its_modifiers(vocabulary, apposition):
    # QA F1: "imports from Belaruskali, the state-owned producer," was a place: "state" of "state-owned"
    # read as the head of a place apposition ("…, the state capital,"), a strong cue against the
    # organisation noun that heads it.
    text = f"The EU restricted imports from Zernokali, {apposition}, in 2021. Officials said shipments went on."
    start = text.index("Zernokali")
    assert context_kind(text, start, start + len("Zernokali"))[0] != "PLACE"
    assert ("Zernokali", "ORG") in found(vocabulary, text)


@pytest.mark.parametrize("apposition", ["the state capital", "a port city", "a town with a power station"])
def test_a_place_apposition_with_a_place_noun_at_its_head_still_says_place(apposition):
    text = f"Prices rose in Zernokali, {apposition}, on Monday."
    start = text.index("Zernokali")
    assert context_kind(text, start, start + len("Zernokali")) == ("PLACE", 3.0)


@pytest.mark.django_db
def test_an_organisation_introduced_by_its_apposition_is_listed_as_one(client, tmp_path):
    (tmp_path / "potash.txt").write_text(
        "Potash Curbs Tightened\n\nThe bloc closes a loophole.\n\nThe EU first restricted imports from "
        "Zernokali, the state-owned producer, in 2021, but officials said shipments had continued.\n\n"
        "Author: Ada Byline\n"
    )
    ingest_paths([str(tmp_path)], workers=1)
    response = client.get("/api/v1/entities/zernokali/")
    assert (response.status_code, response.json()["kind"]) == (200, "organisation")
    assert "Zernokali" in client.get("/entities/", {"kind": "organisations"}).content.decode()
    assert "Zernokali" not in client.get("/entities/", {"kind": "places"}).content.decode()


def test_irish_name_particles(vocabulary):
    body = "Síofra Ní Dhonnabháin SC opened the case. Ní Dhonnabháin said the hospital had admitted liability."
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert "Síofra Ní Dhonnabháin" in people and "Ní Dhonnabháin" not in people


def test_landmarks_by_head_noun_are_kept_whole():
    text = "Marchers went down Avenida Tomasa de los Reyes Avenue to Ojo Pupa Square. On Monday Kora Green was shut."
    assert [text[start:end] for start, end in place_head_spans(text)] == [
        "Avenida Tomasa de los Reyes Avenue",
        "Ojo Pupa Square",
        "Kora Green",
    ]
    text = "Fans filled the Stade Kofi Mensah V as the Théâtre National Ama Ata and Place de l’Unité reopened."
    assert [text[start:end] for start, end in place_head_spans(text)] == [
        "Stade Kofi Mensah V",
        "Théâtre National Ama Ata",
        "Place de l’Unité",
    ]


def test_a_place_span_with_a_comma_is_two_names():
    from articles.entities.extract import _place_parts

    text = "Zorvat, Upper Kell"
    assert [text[a:b] for a, b in _place_parts(text, 0, len(text), "GPE")] == ["Zorvat", "Upper Kell"]
    assert _place_parts(text, 0, len(text), "ORG") == [(0, len(text))]  # "Bae, Kim & Lee" is one firm


def test_a_match_report_names_teams_around_the_scoreline():
    text = (
        "Vorlanden beat Ostmark United 3-1 on Sunday. Kessel drew 0-0 with Brakel, and the Ostmark United "
        "coach blamed a 2-1 defeat to Harven. Ilse Marrow beat Ada Okoro 6-4, 6-2 in the final."
    )

    def cue_at(name):
        start = text.index(name)
        return team_cue(text, start, start + len(name))

    assert all(cue_at(name) for name in ("Vorlanden", "Ostmark United", "Kessel", "Brakel", "Harven"))
    assert not cue_at("Ilse Marrow") and not cue_at("Ada Okoro")  # a tennis score: people, not teams


def test_sports_copy_gives_teams_plural_verbs_and_fixtures():
    text = (
        "Vorlanden host Kessel on Saturday, while Brakel play Harven. Ostmark are third after a 3-0 win away "
        "to Zelmar. Kornet now sit second. Tovar can clinch it at home to Ravlen. The Drissa defence held. "
        "Ilse Marrow and Ada Okoro have two sons. Families in Velmaro were angry, and Okoro were not."
    )

    def cue_at(name):
        start = text.index(name)
        return team_cue(text, start, start + len(name))

    teams = ("Vorlanden", "Kessel", "Brakel", "Harven", "Ostmark", "Zelmar", "Kornet", "Ravlen", "Drissa")
    assert all(cue_at(name) for name in teams), [name for name in teams if not cue_at(name)]
    assert not any(cue_at(name) for name in ("Ilse Marrow", "Ada Okoro", "Velmaro"))


def test_a_city_named_as_a_team_is_its_club_and_al_names_lose_their_article(vocabulary):
    body = (
        "Barcelona beat Zorvat 3-1 on Sunday, a club founded by immigrants from Barcelona. Al-Kestra were "
        "second. Ecuador play a qualifier there next month, and Al-Kestra play Brakel on Friday. The Kestra "
        "coach was pleased."
    )
    entities = found(vocabulary, body)
    assert {("Barcelona", "ORG"), ("Barcelona", "PLACE"), ("Ecuador", "PLACE")} <= entities
    assert ("Ecuador", "ORG") not in entities  # a country is its national team: left a place
    assert not {name for name, _ in entities} & {"Kestra"}


def test_the_gazetteer_knows_cities_and_regions_not_common_words():
    assert all(is_place(name) for name in ("Kuching", "Johor Bahru", "Terengganu", "Mwanza", "Ma’an", "Ma'an"))
    assert not any(is_place(name) for name in ("Western", "Council", "Monday", "ERR", "İBB", "Ka"))


def test_the_towns_list_holds_towns_too_small_for_the_city_list():
    from articles.entities.gazetteer import is_town

    assert all(is_town(name) for name in ("Tobermory", "Sodankyla", "Sodankylä", "Alyth"))
    assert not any(is_place(name) for name in ("Tobermory", "Sodankylä", "Alyth"))  # not in the city list
    assert not any(is_town(name) for name in ("Kuching", "Council", "Monday", "ERR", "Ka"))


def test_a_town_too_small_for_the_city_list_settles_the_kind_the_model_gave(vocabulary):
    # The model calls Tobermory an organisation (two place cues) and Sodankylä a person (no cue).
    body = (
        "Residents were told to leave on Monday. The road through Tobermory was closed, and the school in "
        "Tobermory shut as the storm came in."
    )
    assert found(vocabulary, body) == {("Tobermory", "PLACE")}
    body = "Snow closed the airport at Sodankylä on Monday. Sodankylä lies north of the Arctic Circle."
    assert ("Sodankylä", "PLACE") in found(vocabulary, body)


def test_a_town_the_model_read_as_no_name_is_a_place_after_a_place_cue(vocabulary):
    # The model reads "Monifieth" (a town of the towns' list) as an ordinal number.
    body = "A mother in labour in Monifieth is now two hours from a delivery unit, campaigners said on Monday."
    assert found(vocabulary, body) == {("Monifieth", "PLACE")}
    from articles.entities.extract import _placed_town

    text = "It opens in March in Monifieth, through Monifieth, for voters from Malay homes."
    assert _placed_town(text, text.index("Monifieth"), text.index("Monifieth") + 9)
    assert not _placed_town(text, text.index("March"), text.index("March") + 5)  # a month
    assert not _placed_town(text, text.rindex("Monifieth"), text.rindex("Monifieth") + 9)  # a route
    assert not _placed_town(text, text.index("Malay"), text.index("Malay") + 5)  # a language


def test_the_agent_of_a_passive_verb_is_no_place():
    text = "It is produced by Alyth, with money from Netflix. It was filmed in Alyth by Alyth."
    assert cue(text, text.index("Alyth"), text.index("Alyth") + 5) == "speaker"
    assert cue(text, text.index("Alyth", 60), text.index("Alyth", 60) + 5) == "PLACE"


def test_places_the_gazetteer_knows_are_places(vocabulary):
    body = (
        "The operator grew by buying small rivals in Terengganu and Kelantan, and opened an office in "
        "Kota Bharu. Farmers near Bukoba said the rains were late. Yusuf Adeyemi, 44, a trader, agreed."
    )
    places = {name for name, kind in found(vocabulary, body) if kind == "PLACE"}
    assert {"Terengganu", "Kelantan", "Kota Bharu", "Bukoba"} <= places
    assert ("Yusuf Adeyemi", "PERSON") in found(vocabulary, body)


def test_news_outlets_are_named_by_what_they_are():
    text = (
        "The newspaper Zorvik Tidende said so. Velmar, the Swahili daily, agreed, as did the sports site "
        "Kick360. Ostrava9 reported on Monday that fares rose. The Harbour Ledger reported last week that "
        "they fell. Ann Lee, a reporter for the newspaper, said nothing. It was January. The Ledger said."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == [
        "Zorvik Tidende", "Velmar", "Kick360", "Ostrava9", "Harbour Ledger"
    ]  # fmt: skip
    text = (
        "Kelvora, the online fashion retailer, said sales fell, as did the delivery apps Swoopa and Zippit. "
        "Ada Obi, a union official, disagreed. Prices rise from January, the state power company said."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["Kelvora", "Swoopa", "Zippit"]
    text = (
        "She has written for the Harbour Ledger and Diario Veloz, worked at Zentrix and is working for American "
        "families."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == [
        "Harbour Ledger", "Diario Veloz", "Zentrix"
    ]  # fmt: skip
    text = (
        "He previously worked for The Ledger and Velmar TV. She wrote for Zorvik and the Star. Kestrablad first "
        "reported the size of the round. Zelvora, the London-listed miner, said so."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == [
        "Ledger", "Velmar TV", "Zorvik", "Star", "Kestrablad", "Zelvora"
    ]  # fmt: skip


def test_outlets_a_writer_works_for_or_a_source_told():
    # A writer's work, then "for" the outlet, anywhere in the sentence; a Slavic paper's lower-case noun.
    text = (
        "Ilka Varro covers ports and the canal for La Voz Brava in Puerto Lindo and writes a column for Diario "
        "Sereno. She is a science reporter in Quito for El Farolito and Tallow Latam, covering the Andes. He "
        "previously worked for Zorski list. She wrote letters for Grandma Ruth. The fund paid for Tomas Berg. "
        "Writing in Le Vespa, Ana Toll agreed."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == [
        "La Voz Brava", "Diario Sereno", "El Farolito", "Tallow Latam", "Zorski list", "Le Vespa"
    ]  # fmt: skip
    # News is told to outlets: a name "told" ends the sentence or says "that"; a person quoted goes on.
    text = (
        "“We wait,” he told Il Corriere Nuovo. She told KVRT that prices rose, and told Radio Halden by "
        "telephone. He told Mara Velk, who nodded, and told reporters."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == [
        "Il Corriere Nuovo", "KVRT", "Radio Halden"
    ]  # fmt: skip


def test_what_a_name_is_of_is_not_its_short_form(vocabulary):
    body = "Ships reached the Gulf of Tadjoura on Monday. A plant in Tadjoura will take the water, officials said."
    assert {("Gulf of Tadjoura", "PLACE"), ("Tadjoura", "PLACE")} <= found(vocabulary, body)


def test_people_named_in_full_where_the_model_saw_only_the_family_name(vocabulary):
    body = (
        "Only Pathum Weerasekara, who made 71, resisted for long. Weerasekara hit nine fours. The stand is "
        "named after Count Miklós Bánffy, who paid for it. The fund raised A$6m. Tamsin Rockwell, the premier, "
        "said so."
    )
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert {"Pathum Weerasekara", "Miklós Bánffy", "Tamsin Rockwell"} <= people


def test_a_title_only_people_hold_makes_a_person(vocabulary):
    body = "The village chief, Ratu Semi Vakaloloma, said the move was agreed by all the families."
    entities = found(vocabulary, body)
    assert ("Semi Vakaloloma", "PERSON") in entities


def test_brands_people_by_calling_and_acronyms_of_bodies(vocabulary):
    body = (
        "Shares in zolaNet Broadband rose. The rapper Kwabenya closed the show, and a last-over six from "
        "19-year-old Ishaan Deolekar sealed it. Tomas Ruwe, an MP for the ruling Chama Cha Ushindi (CCU), "
        "spoke. The CCU disagreed."
    )
    entities = found(vocabulary, body)
    assert {("zolaNet Broadband", "ORG"), ("Chama Cha Ushindi", "ORG")} <= entities
    start = body.index("Kwabenya")
    assert person_cue(body, start, start + len("Kwabenya"))
    start = body.index("Ishaan")
    assert person_cue(body, start, start + len("Ishaan Deolekar"))


def test_companies_named_after_towns_stay_companies(vocabulary):
    body = (
        "Nokia will cut 1,400 jobs in Finland, the company said on Tuesday. Nokia has struggled since 2023. "
        "Rival Ericsson also cut jobs. Mercedes finished second in Monaco, and Mercedes will upgrade its car."
    )
    entities = found(vocabulary, body)
    assert {("Nokia", "ORG"), ("Ericsson", "ORG"), ("Mercedes", "ORG")} <= entities


def test_welsh_and_malay_names_and_an_office_a_role_holds(vocabulary):
    body = (
        "“It is late,” said Rhiannon ap Gwynedd, a hydrologist. Ap Gwynedd said the river was low. "
        "Faizal Hakim bin Osman, the chief executive, spoke first. Faizal Hakim said the deal was fair. "
        "The Regional Public Prosecutor’s Office opened a case. The Welsh side of the border is dry."
    )
    entities = found(vocabulary, body)
    people = {name for name, kind in entities if kind == "PERSON"}
    assert {"Rhiannon ap Gwynedd", "Faizal Hakim bin Osman"} <= people
    assert not {"Ap Gwynedd", "Faizal Hakim", "Welsh"} & people
    assert ("Regional Public Prosecutor’s Office", "ORG") in entities


def test_teams_the_model_missed_and_players_who_are_not_teams(vocabulary):
    body = (
        "The Wanderers beat the Harriers 27-24 at Moana Park on Friday, two points behind the Stingers, who "
        "lost 31-20 to the Kestrels. Carlos Alcaraz beat Jannik Sinner 6-4, 6-2 in the final on Sunday. "
        "Sinner beat Alcaraz 7-5 in Rome last month."
    )
    entities = found(vocabulary, body)
    assert {("Harriers", "ORG"), ("Kestrels", "ORG")} <= entities
    assert {("Carlos Alcaraz", "PERSON"), ("Jannik Sinner", "PERSON")} <= entities
    assert not {("Carlos Alcaraz", "ORG"), ("Jannik Sinner", "ORG")} & entities


def test_news_writes_no_the_before_a_person_and_names_people_in_full(vocabulary):
    body = (
        "Farmers near the river say the Owenmore has burst its banks twice this year. Crannagh has not "
        "flooded since 1990. Yesterday the Somsak Phaiboon was closed to barges. The singer Tovale closed "
        "the show."
    )
    entities = found(vocabulary, body)
    people = {name for name, kind in entities if kind == "PERSON"}
    assert not {"Crannagh", "Somsak Phaiboon"} & people  # a lone word nothing describes; "the …"
    assert "Tovale" in people  # one name, described as a person


def test_one_person_spelt_two_ways_is_one_person(vocabulary):
    body = (
        "Mohamed Rizal Hakimi, the council engineer, said the banks would be raised. Muhammad Rizal Hakimi "
        "has promised that before, residents said. Hakimi said work would start in May. Kim Ji-hoon and "
        "Kim Ji-hyun, twins, run the ferry."
    )
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert "Mohamed Rizal Hakimi" in people and "Muhammad Rizal Hakimi" not in people
    assert {"Kim Ji-hoon", "Kim Ji-hyun"} <= people


def test_a_role_then_a_name_between_commas_is_a_person():
    text = "Ekiti’s premier, Tolu Adebanjo, told reporters. Its director of river resilience, Sefo Tuala, said so."
    for name in ("Tolu Adebanjo", "Sefo Tuala"):
        start = text.index(name)
        assert person_cue(text, start, start + len(name))
    text = "Shares in the regulator, Kestrel Mobility, fell."
    start = text.index("Kestrel")
    assert not person_cue(text, start, start + len("Kestrel Mobility"))


def test_family_names_of_two_words_and_particles_inside_names(vocabulary):
    body = (
        "Carolina Beatriz Montalvo Iriarte directed the film. Montalvo Iriarte said it was her second. "
        "Dr Maria Luz dela Rosa, head of the ward, agreed. Dela Rosa said beds were full. Residents who "
        "write in the Latin-script Kazakh alphabet disagreed."
    )
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert {"Carolina Beatriz Montalvo Iriarte", "Maria Luz dela Rosa"} <= people
    assert not {"Montalvo Iriarte", "Dela Rosa", "Maria Luz", "Kazakh alphabet"} & people


def test_landmarks_and_places_their_words_or_the_dateline_name(vocabulary):
    body = (
        "BRAKELTON — Brakelton city council voted on Thursday to spend C$12m on heated shelters. Brakelton’s "
        "weather warnings come from the provincial agency. Outside the court complex in Velmora, a group from "
        "the campaign Open Ledger held placards. The film screened at the Kestra Grand Theatre on Orrin Square, "
        "then at the Teatro Zelmar, the Kawari National Reserve, Bastion Point and the Orrin Legislative "
        "Building near Bandar Baru Kestra, and on Rua XV de Zelmar."
    )
    entities = found(vocabulary, body)
    places = {
        "Brakelton", "Velmora", "Kestra Grand Theatre", "Orrin Square", "Teatro Zelmar", "Kawari National Reserve",
        "Bastion Point", "Orrin Legislative Building", "Bandar Baru Kestra", "Rua XV de Zelmar",
    }  # fmt: skip
    assert {(name, "PLACE") for name in places} <= entities, places - {name for name, _ in entities}
    assert not {name for name, kind in entities if kind == "ORG"} & (places | {"Brakelton city"})


def test_who_age_lists_and_what_a_company_has():
    text = "said Thandeka Mabuyane, who runs a stall. Ayasha Morningstar, a 58-year-old weaver, came on stage."
    assert who_after(text, text.index(", who"))
    start = text.index("Ayasha")
    assert person_cue(text, start, start + len("Ayasha Morningstar"))
    # A comma lists a name only where the list goes on after it.
    text = (
        "Writing in Le Quotidien, Aminata Diallo called it historic. The newspapers Le Soleil, Walf and Kewoulo agreed."
    )
    spans = [text[s:e] for s, e in introduced_org_spans(text)]
    assert "Aminata Diallo" not in spans and {"Le Soleil", "Walf", "Kewoulo"} <= set(spans)
    text = "Kestrel Mobility’s app still handles most calls, said the brokerage Anand Sethi."
    assert org_cue(text, 0, len("Kestrel Mobility"))
    start = text.index("Anand")
    assert org_cue(text, start, start + len("Anand Sethi"))


def test_regional_parties_national_branches_offices_and_names_a_body_is_known_as(vocabulary):
    body = (
        "Ewan Dunmore, a Scottish Labour councillor, voted against; the Welsh Conservatives and the Labour Party "
        "did not. Transparency International Kenya and Transparency International said so. The Zembla "
        "Attorney General’s Department said it would appeal. The case was brought by the Commission to "
        "Investigate Allegations of Fraud or Corruption, known as the Fraud Commission, which began in 2023."
    )
    entities = found(vocabulary, body)
    assert {
        ("Scottish Labour", "ORG"), ("Welsh Conservatives", "ORG"), ("Labour Party", "ORG"),
        ("Transparency International Kenya", "ORG"), ("Transparency International", "ORG"),
        ("Zembla Attorney General’s Department", "ORG"),
        ("Commission to Investigate Allegations of Fraud or Corruption", "ORG"),
    } <= entities  # fmt: skip
    assert not {name for name, _ in entities} & {"Conservative Party", "Fraud Commission", "Department"}


def test_a_name_opening_with_a_particle_is_no_one_undescribed_and_distances_are_between_places(vocabulary):
    body = (
        "The new station at Kestrabad is about 25km from the Velmora in central Orrin. Officials said Al Zarqa "
        "and Al Hamriya would get stations next."
    )
    entities = found(vocabulary, body)
    assert not {name for name, kind in entities if kind == "PERSON"}  # "Al Zarqa", "Orrin": no one
    assert ("Velmora", "PLACE") in entities


def test_an_appositions_first_name_the_model_left_out_and_legal_titles(vocabulary):
    body = (
        "“We need teachers,” the president of the Kestrel Council, Áile Márjá Oskal-Gaup, said in Oslo. His "
        "lawyer, Barrister Sana Qadir-ud-Din, said the case was weak. Qadir-ud-Din said so twice."
    )
    people = {name for name, kind in found(vocabulary, body) if kind == "PERSON"}
    assert {"Áile Márjá Oskal-Gaup", "Sana Qadir-ud-Din"} <= people
    assert not {"Márjá Oskal-Gaup", "Barrister Sana Qadir-ud-Din"} & people


def test_currencies_churches_assemblies_and_names_given_twice(vocabulary):
    body = (
        "The council approved NT$38.6bn (US$1.2bn) for the line. The Zembla Orthodox Kestra Church said the "
        "Zembla Orthodox Church would help. The Ostmark Parliament, known in Ostmarkish as the Riksvelt, met. "
        "The Kvalting, Zembla’s elected Sámi assembly, said it would ask for a similar programme."
    )
    entities = found(vocabulary, body)
    assert ("United States", "PLACE") not in entities  # "US$" is a currency
    assert {("Zembla Orthodox Kestra Church", "ORG"), ("Ostmark Parliament", "ORG")} <= entities
    assert not {name for name, _ in entities} & {"Zembla Orthodox Church", "Riksvelt"}
    start = body.index("Kvalting")
    assert org_cue(body, start, start + len("Kvalting"))  # "…, Zembla’s elected assembly,": a body
    text = "Ada Mokoena, Eskom’s group executive for generation, said so."
    assert not org_cue(text, 0, len("Ada Mokoena"))


def test_a_name_in_another_language_is_an_alias(vocabulary):
    body = (
        "Rents rose in Velmorina. Tāwhiti Makaurau, the Māori name for Velmorina, has a million people. In "
        "Kestrajok, or Kárášvuotna, one of the towns where most people speak Sámi, the school closed. Ships use "
        "Zhanatau (Zhanataw in the Latin-script Kazakh alphabet) and Baku."
    )
    entities = found(vocabulary, body)
    assert {("Velmorina", "PLACE"), ("Kestrajok", "PLACE"), ("Zhanatau", "PLACE")} <= entities
    assert not {name for name, _ in entities} & {"Tāwhiti Makaurau", "Kárášvuotna", "Zhanataw"}


def test_the_people_of_a_place_are_no_entity(vocabulary):
    body = (
        "Mayor Ana Brown said Aucklanders could either pay now or keep swimming in it every time it rains. "
        "Icelanders read more books than anyone."
    )
    assert not {name for name, _ in found(vocabulary, body)} & {"Aucklanders", "Icelanders"}


def test_a_list_names_things_of_one_kind(vocabulary):
    # Three or more names listed together are of one kind: the kind most of them have.
    body = (
        "The Kings are third in the table, above the Sylmar Strikers, the Ravi Tigers, Sabal Mirpur and the "
        "Noakhali Express."
    )
    assert ("Sabal Mirpur", "ORG") in found(vocabulary, body)
    body = "Investors could pay through the mobile money services of Telkora, Ovisa and Mira Tanaka."
    assert ("Mira Tanaka", "ORG") in found(vocabulary, body)
    # ", and" after one name joins two clauses, not a list: the cove stays a place.
    body = (
        "The route crosses shipping lanes near the terminal in Fairview Cove, and Tallis Marine and Harbour "
        "Vessa will review the dredging."
    )
    assert ("Fairview Cove", "PLACE") in found(vocabulary, body)


def test_kinds_of_organisation_and_their_examples():
    text = "Graduates join companies such as Veltrix in nearby Hengelo, and telecom groups including Orvana and Pelk."
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["Veltrix", "Orvana", "Pelk"]


def test_one_head_noun_for_two_words_and_two_names_joined():
    def spans(text):
        return [text[start:end] for start, end in org_head_spans(text)]

    # "A and B Council": one head noun serves both words, one name.
    assert spans("The price is set through the Sorghum and Millet Council each season.") == [
        "Sorghum and Millet Council"
    ]
    # Two names built on head nouns, joined by "and", stay two.
    assert spans("A study by the National University of Velmoria and Pelham State University found it.") == [
        "National University of Velmoria", "Pelham State University"
    ]  # fmt: skip
    # "Ministry of Trade, Industry and Energy" is one name: no head noun after the "and".
    assert spans("The Ministry of Trade, Industry and Energy said so.") == ["Ministry of Trade, Industry and Energy"]
    # A sentence's first word, a people, the end of a longer name or a head noun alone: not the shared word.
    assert spans("Officials and Farmers Union leaders met.") == ["Farmers Union"]
    assert spans("Majority Leader Dana Velk and Assembly Speaker Rob Tam agreed.") == []
    assert spans("the Kandra Observatory and Seismic Research Institute") == ["Seismic Research Institute"]


def test_a_team_takes_a_plural_verb_and_plays_for_a_town(vocabulary):
    text = "Porto travel to Barcelos on Saturday to face Vila Mendes, who are 11th. Kestra Ilves, who is 24, scored."
    start = text.index("Vila Mendes")
    assert team_cue(text, start, start + len("Vila Mendes"))
    start = text.index("Kestra Ilves")
    assert not team_cue(text, start, start + len("Kestra Ilves"))
    # "Neptūnas of Klaipėda 3-1": the team, then its town, which is no team.
    text = "Rytas beat Vaidotas of Marvela 3-1 in the semi-finals."
    start = text.index("Vaidotas")
    assert team_cue(text, start, start + len("Vaidotas"))
    start = text.index("Marvela")
    assert not team_cue(text, start, start + len("Marvela"))


def test_a_body_named_in_full_then_by_its_first_or_last_words(vocabulary):
    body = (
        "The Marovia Supreme Court heard the case on Monday. The case was brought directly to the Supreme Court, "
        "lawyers for the Tallin Valley Farmworkers Council said. The Tallin Valley Farmworkers said they would appeal."
    )
    names = found(vocabulary, body)
    assert ("Marovia Supreme Court", "ORG") in names and ("Supreme Court", "ORG") not in names
    assert ("Tallin Valley Farmworkers Council", "ORG") in names and ("Tallin Valley Farmworkers", "ORG") not in names


def test_brand_cased_names_introduced_by_what_they_are():
    text = "The news site iKorvo first reported it. Sponsors include mPelo, the mobile payments company. It is iffy."
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["iKorvo", "mPelo"]


def test_shares_in_a_name_make_it_an_organisation_whatever_its_apposition_says():
    text = "Shares in Trelvik, the region’s largest trout farmer, fell 4%. Trelvik said it would comply."
    start = text.index("Trelvik")
    assert cue(text, start, start + len("Trelvik")) == "ORG"  # not a farmer the person
    text = "Ola Brenn, 52, a trout farmer, said the price fell."
    assert cue(text, 0, len("Ola Brenn")) == "PERSON"


def test_bodies_introduced_as_an_association_or_an_office():
    text = (
        "Exports rose 9%, according to Kartvel, the national statistics office. Fiskenor, the industry "
        "association, said the rules were fair. Tam Orr, the office manager, said little."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["Kartvel", "Fiskenor"]


def test_a_field_opens_the_name_of_a_body_but_a_role_after_it_is_no_body():
    def spans(text):
        return [text[start:end] for start, end in org_head_spans(text)]

    assert spans("The Education and Youth Board, known as Harvo, sent mentors.") == ["Education and Youth Board"]
    assert spans("Data from the Chief Inspectorate of Water Quality show it.") == [
        "Chief Inspectorate of Water Quality"
    ]
    assert spans("Education Minister Mari Velk told the Pellin Council so.") == ["Pellin Council"]


def test_generic_words_name_a_body_of_something_but_never_a_role():
    assert not is_noise("Council of State", "ORG")  # Belgium's, France's, Greece's highest administrative court
    assert is_noise("Secretary of State", "ORG") and is_noise("Council", "ORG") and is_noise("State Council", "ORG")


def test_an_acronym_ends_no_full_stop_and_a_listing_is_no_name(vocabulary):
    assert clean_name("S4C.") == "S4C" and clean_name("U.S.") == "U.S." and clean_name("Dana J.") == "Dana J."
    body = (
        "The Velmora terraces became a UNESCO World Heritage site in 1994. “We will reopen in May,” the "
        "guide Tovan Erk told TVK2.\n\nThe terraces are on the World Heritage List."
    )
    names = found(vocabulary, body)
    assert ("UNESCO", "ORG") in names and ("TVK2", "ORG") in names
    assert not {name for name, _ in names if "Heritage" in name or name.endswith(".")}


def test_an_acronym_that_speaks_or_is_spoken_to_is_an_organisation(vocabulary):
    text = (
        "“We will comply,” the mayor told KVR2 on a visit. The plan was backed by Groen, and PVLA said it "
        "wanted free buses, according to DRAN. She said so in an interview with TVK24."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["KVR2", "PVLA", "DRAN", "TVK24"]
    assert introduced_org_spans("The GDP grew. Analysts told reporters the CEO said nothing.") == []


def test_a_body_named_by_its_field_then_its_country(vocabulary):
    body = (
        "Warnings come from Oceans and Weather Canada, which issued 23 alerts. Figures from Rural Health "
        "Scotland show 14 births on the road. Visiting Canada last year, Ilse Varn met officials in Norway."
    )
    names = found(vocabulary, body)
    assert {("Oceans and Weather Canada", "ORG"), ("Rural Health Scotland", "ORG")} <= names
    assert ("Canada", "PLACE") in names and not {name for name, _ in names if name.startswith("Visiting")}


def test_a_possessive_owner_is_no_part_of_the_body_it_owns(vocabulary):
    body = "The surveyors asked Peru’s Ministry of Culture to fence the lines. Tova Renn said the fence was late."
    names = found(vocabulary, body)
    assert {("Ministry of Culture", "ORG"), ("Peru", "PLACE")} <= names
    assert not {name for name, _ in names if "’s" in name}


def test_a_bodys_head_noun_and_a_municipality_say_organisation():
    assert kind_from_words("Intercity Fund for Saving the Tarnow Sea") == "ORG"
    assert kind_from_words("Velmar Fund for Development") == "ORG"
    assert kind_from_words("Dovra County Municipality") == "ORG"  # the council that issues licences
    assert kind_from_words("Bay of Velmar") != "ORG" and kind_from_words("Tarnow Sea") == "PLACE"


def test_a_language_is_no_entity(vocabulary):
    body = "New signs at the Kelvora market are in Sinhala, Tamil and English, said Ravi Perenna, who sells spices."
    names = found(vocabulary, body)
    assert ("Ravi Perenna", "PERSON") in names
    assert not {name for name, _ in names if name in ("Sinhala", "Tamil", "English")}
    assert not is_noise("Tonga", "PLACE")  # a language, and a country the gazetteer knows


def test_a_source_told_an_outlet_where_it_spoke():
    text = (
        "“I did not see it,” he told Velko in the corridor. She told Radio Tarn outside the courtroom. "
        "He told Ana Lisk, who left."
    )
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["Velko", "Radio Tarn"]


def test_a_kind_noun_after_a_longer_description_still_introduces_the_body():
    text = "A scanner operated by the tax and customs agency DRAVO flagged four containers."
    assert [text[start:end] for start, end in introduced_org_spans(text)] == ["DRAVO"]

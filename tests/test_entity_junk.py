"""No junk entities: numbers, handles and single letters are never stored, shown or linked."""

import pytest
from django.core.exceptions import ValidationError

from articles.entities import extract_entities
from articles.entities.evaluate import starter_vocabulary
from articles.entities.junk import junk_reason, without_handle
from articles.entities.relink import remove_junk_entities
from articles.models import Entity, Mention
from articles.seed import SeedDocument
from articles.writes import add_entities, find_or_create

from .factories import ArticleFactory, EntityFactory


@pytest.mark.parametrize(
    "name",
    ["2:07:55", "5C", "29C", "3-1", "20km/h", "KSh2.3bn", "₦766m", "$4.2bn", "FJ$4.5", "1990s", "@tomasribeiro_sp",
     "Twitter @tomasribeiro_sp", "ifeomaokafor.com", "https://example.org", "x", "Detectives", "Hospitals", "—",
     "TSh180bn", "USh2.5m", "Rwf40bn", "The", "Said", "This", "Although", "Dh55", "Dhs2,400", "RM2bn", "QR50"],
)  # fmt: skip
def test_junk_names(name):
    assert junk_reason(name, "ORG") is not None


@pytest.mark.parametrize(
    "name, kind",
    [("X", "ORG"), ("M23", "ORG"), ("G7", "ORG"), ("COP30", "ORG"), ("Formula 1", "ORG"), ("Prince", "PERSON"),
     ("Chiefs", "ORG"), ("Labour", "ORG"), ("eBay", "ORG"), ("Łódź", "PLACE"), ("F-16", "ORG"),
     ("G20", "ORG"), ("A380", "ORG"), ("US", "PLACE"), ("IT", "ORG"), ("The Hague", "PLACE"),
     ("The Standard", "ORG"), ("Dhaka", "PLACE"), ("RMIT", "ORG"), ("SciDev.Net", "ORG"), ("Booking.com", "ORG")],
)  # fmt: skip
def test_names_that_are_not_junk(name, kind):
    assert junk_reason(name, kind) is None


def test_a_handle_after_a_network_is_dropped():
    assert without_handle("Twitter @tomasribeiro_sp") == "Twitter"
    assert without_handle("X at @selamhailu") == "X"


def test_the_extractor_finds_no_numbers_or_handles():
    document = SeedDocument(
        headline="Kiprop Wins in Lagos",
        dek="A course record.",
        body="Daniel Kiprop won the Lagos City Marathon in 2:07:55, ahead of Abebe Tola in 2:09:03. "
        "It was 29C at the start.",
        author="Tomás Ribeiro",
        bio="Tomás Ribeiro covers athletics. Follow him on Twitter @tomasribeiro_sp.",
    )
    found = {(e.name, e.kind) for e in extract_entities(document, starter_vocabulary(), ner=True)}
    assert ("Twitter", "ORG") in found
    assert not [name for name, kind in found if junk_reason(name, kind)]
    assert not any("@" in name or ":" in name for name, _ in found)


@pytest.mark.parametrize(
    "name, kind",
    [("Bank Rate", "ORG"), ("Official Cash Rate", "ORG"), ("Exchange Rate Mechanism", "ORG"),
     ("Posidonia seagrass meadows", "PLACE"), ("Zostera eelgrass beds", "PLACE")],
)  # fmt: skip
def test_rates_schemes_and_described_habitats_are_junk(name, kind):
    assert junk_reason(name, kind) is not None
    assert junk_reason("Amazon rainforest", "PLACE") is None  # one lower-case word: a name's usual form
    assert junk_reason("Cutzamala System", "ORG") is None


def test_the_extractor_reads_where_a_name_stands():
    """A title's fragment, a named scheme and a sentence-opening common word are no entities."""
    document = SeedDocument(
        headline="Coastal Reefs Bleach Again",
        dek="A long heatwave.",
        body="The Pacific Ocean Institute said in its yearly Global State of the Reefs review that bleaching "
        "spread. “Coastal reefs cannot recover in one season,” said Dr. Ana Ruiz, a coastal ecologist in Lima. "
        "Talks stalled over a proposed Reef Restoration and Credit-Sharing (RRCS) scheme.",
        author="Tomás Ribeiro",
    )
    found = {name for name, _ in ((e.name, e.kind) for e in extract_entities(document, starter_vocabulary()))}
    assert {"Ana Ruiz", "Lima"} <= found
    assert not found & {"Coastal", "Global State", "Reef Restoration and Credit-Sharing"}


def test_a_common_word_written_only_where_sentences_start_is_no_name():
    """QA F11: "Commuters faced…", "Unions said…" became organisations with pages of their own."""
    document = SeedDocument(
        headline="Commuters Face Delays as Rail Strike Hits Leeds",
        dek="Services were cut on Monday.",
        body="LEEDS — Commuters faced long queues on Monday as a strike by signal workers cut services. "
        "Unions said talks with Network Rail had broken down.\n\n"
        "Pensioners were told to travel later. Reuters said the dispute would last a week, "
        "and rents rose. Tenants said so. Shares in Boots fell; Boots said sales rose.",
        author="Tomás Ribeiro",
    )
    found = {e.name: e.kind for e in extract_entities(document, starter_vocabulary())}
    assert not found.keys() & {"Commuters", "Unions", "Pensioners", "Tenants"}
    assert found.get("Network Rail") == "ORG" and "Leeds" in found
    assert "Boots" in found  # also written where no sentence starts: a name


@pytest.mark.parametrize(
    "word, common",
    [("Commuters", True), ("Unions", True), ("Strikers", True), ("Motorists", True), ("Landlords", True),
     ("Reuters", False), ("Google", False), ("Brussels", False), ("Mercedes", False), ("Opta", False),
     ("UNIONS", False), ("unions", False)],
)  # fmt: skip
def test_common_words_are_those_more_often_written_in_lower_case(word, common):
    from articles.entities.patterns import is_common_word

    assert is_common_word(word) is common


@pytest.mark.django_db
def test_writers_refuse_junk():
    ids = find_or_create(Entity, {"time": ("2:07:55", "PLACE"), "city": ("Lagos", "PLACE")}, fallback_prefix="entity")
    assert set(ids) == {"city"}
    assert not Entity.objects.filter(name="2:07:55").exists()
    with pytest.raises(ValueError, match="not a name"):
        add_entities([("5C", "ORG", [])])
    with pytest.raises(ValidationError):
        Entity(name="@handle", kind="ORG", slug="handle").full_clean()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_removing_stored_junk_relinks_its_articles():
    # Rows from before the writers refused junk, as the sample site had them.
    handle = EntityFactory(name="Twitter @tomasribeiro_sp", kind="ORG")
    time = EntityFactory(name="2:07:55", kind="PLACE")
    article = ArticleFactory(
        body="He won in 2:07:55.\n\nFollow him on Twitter @tomasribeiro_sp.", entities=[handle, time]
    )
    assert remove_junk_entities(dry_run=True) == (["2:07:55", "Twitter @tomasribeiro_sp"], 1)
    assert Entity.objects.filter(pk=handle.pk).exists()  # a dry run writes nothing

    removed, relinked = remove_junk_entities()
    assert (removed, relinked) == (["2:07:55", "Twitter @tomasribeiro_sp"], 1)
    assert not Entity.objects.filter(pk__in=[handle.pk, time.pk]).exists()
    names = set(Mention.objects.filter(article=article).values_list("entity__name", flat=True))
    assert names == {"Twitter", article.author.name}  # the social network, its handle dropped; the byline
    assert remove_junk_entities() == ([], 0)

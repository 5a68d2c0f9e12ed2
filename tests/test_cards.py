"""Listing cards stored with the article's parts (articles/cards.py): the listings read them, the
page is the same whether they are stored or made now, and a change shows at once."""

import pytest

from articles import cards, changes, pagecache
from articles.models import ArticleParts
from articles.templatetags.reader import article_card

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

LISTINGS = ["/", "/authors/dana-levi/", "/tags/energy/", "/entities/ada-obi/", "archive"]


@pytest.fixture
def stories():
    """Five public articles with their parts stored, written inside changes.atomic() as the admin and
    ingest write (a factory's rows written outside it mark every stored part stale: key "all")."""
    with changes.atomic():
        author = AuthorFactory(name="Dana Levi")
        entity = EntityFactory(name="Ada Obi")
        tag = TagFactory(name="energy")
        made = [
            ArticleFactory(title=f"Story <{i}> & co", author=author, entities=[entity], tags=[tag, f"grid {i % 2}"])
            for i in range(5)
        ]
    return made


def path_of(listing, stories):
    if listing == "archive":
        when = stories[0].published_at
        return f"/archive/{when:%Y}/{when:%m}/"
    return listing


def page(client, path):
    pagecache.clear()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_parts_store_the_card_and_its_keys(stories):
    article = stories[0]
    row = ArticleParts.objects.get(article=article)
    listed = type(article).objects.for_listing().get(pk=article.pk)
    assert row.card == article_card(listed)
    assert set(row.card_keys) == {f"article:{article.pk}", f"author:{article.author_id}"} | {
        f"tag:{tag.pk}" for tag in listed.listing_tags
    }


@pytest.mark.parametrize("listing", LISTINGS)
def test_the_same_page_with_or_without_stored_cards(client, stories, listing, django_assert_num_queries):
    path = path_of(listing, stories)
    stored = page(client, path)
    assert stored.count('class="card-title"') == 5
    assert "Story &lt;4&gt; &amp; co" in stored
    rows = list(ArticleParts.objects.all())
    ArticleParts.objects.all().delete()
    try:
        pagecache.clear()
        with django_assert_num_queries(3):
            made_now = client.get(path).content.decode()
    finally:
        ArticleParts.objects.bulk_create(rows)
    assert made_now == stored


def test_heading_level_of_author_and_entity_pages(client, stories):
    assert page(client, "/authors/dana-levi/").count('<h3 class="card-title">') == 5
    assert page(client, "/entities/ada-obi/").count('<h3 class="card-title">') == 5
    assert page(client, "/tags/energy/").count('<h2 class="card-title">') == 5


def test_a_stale_card_is_not_served(client, stories):
    article = stories[0]
    ArticleParts.objects.filter(article=article).update(card="<p>an old card</p>", version="")
    assert "an old card" not in page(client, "/")
    ArticleParts.objects.filter(article=article).update(version="another")
    assert "an old card" not in page(client, "/")


def test_the_listing_pages_show_a_change_at_once(client, stories):
    author = stories[0].author
    page(client, "/")
    with changes.atomic():
        author.name = "Dana Levi-Cohen"
        author.save()
        changes.apply(authors=[author.pk])
    assert ArticleParts.objects.get(article=stories[0]).card.count("Dana Levi-Cohen") == 1
    assert page(client, "/").count(">Dana Levi-Cohen</a>") == 5


def test_the_page_keys_are_the_cards_keys(client, stories):
    """A page depends on each card's article, author and tags: saving one of them re-renders it."""
    ids = type(stories[0]).objects.published().newest_first().values("pk")
    listed = cards.CardList(ids)
    shown = listed[0:2]
    assert len(shown) == 2
    newest = stories[0]  # the factory dates each article an hour before the one made before it
    assert f"article:{newest.pk}" in listed.keys and f"author:{newest.author_id}" in listed.keys
    assert f"article:{stories[-1].pk}" not in listed.keys

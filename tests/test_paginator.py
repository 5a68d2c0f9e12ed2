"""Deep pages: every page of a listing shows what its place in the whole ordering says, read from either end."""

import datetime
import re

import pytest
from django.utils import timezone

from articles.cards import CardList
from articles.models import Article, Tag
from articles.paginator import CountedPaginator, FromEitherEnd

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

PER_PAGE = 20  # settings.ARTICLES_PER_PAGE


def card_titles(response):
    assert response.status_code == 200, response.status_code
    return re.findall(r'<h[23] class="card-title"><a href="[^"]*">([^<]*)</a>', response.content.decode())


@pytest.fixture
def listing():
    """45 public articles (three pages) by one author, with one tag and one entity; some share a date."""
    author, tag, entity = AuthorFactory(name="Ann Deep"), TagFactory(name="deep"), EntityFactory(name="Deep Sea")
    now = timezone.now()
    made = []
    for i in range(45):
        when = now - datetime.timedelta(hours=i // 3 + 1)  # three at each time: the id breaks the tie
        made.append(
            ArticleFactory(title=f"Story {i:02d}", author=author, tags=[tag], entities=[entity], published_at=when)
        )
    ArticleFactory(title="A draft", author=author, tags=[tag], entities=[entity], status=Article.Status.DRAFT)
    expected = [a.title for a in sorted(made, key=lambda a: (a.published_at, a.pk), reverse=True)]
    return {"author": author, "tag": tag, "entity": entity, "titles": expected}


@pytest.mark.parametrize("where", ["home", "author", "tag", "entity"])
def test_every_page_of_every_listing_is_its_slice_of_the_ordering(client, listing, django_assert_num_queries, where):
    path = "/" if where == "home" else listing[where].get_absolute_url()
    queries = 3  # as page 1 (tests/test_views.py)
    for page, number in (("1", 1), ("2", 2), ("3", 3), ("last", 3)):
        with django_assert_num_queries(queries):
            shown = card_titles(client.get(path, {"page": page}))
        assert shown == listing["titles"][(number - 1) * PER_PAGE : number * PER_PAGE], page


def test_month_archive_deep_page(client):
    june = datetime.datetime(2024, 6, 28, 12, tzinfo=datetime.UTC)
    made = [ArticleFactory(title=f"June {i:02d}", published_at=june - datetime.timedelta(hours=i)) for i in range(41)]
    assert card_titles(client.get("/archive/2024/06/", {"page": "last"})) == [made[40].title]
    assert card_titles(client.get("/archive/2024/06/", {"page": 2})) == [a.title for a in made[20:40]]


class TestFromEitherEnd:
    @pytest.fixture
    def tags(self):
        return [TagFactory(name=f"tag {i:02d}") for i in range(11)]

    def test_every_slice_is_the_same_from_either_end(self, tags):
        ordered = Tag.objects.order_by("name")
        names = [t.name for t in ordered]
        either = FromEitherEnd(ordered, len(names))
        for start in range(12):
            for stop in range(start, 13):
                assert [t.name for t in either[start:stop]] == names[start:stop], (start, stop)
        assert either[4].name == names[4]

    def test_the_back_half_is_read_backwards(self, tags, django_assert_num_queries):
        either = FromEitherEnd(Tag.objects.order_by("name"), 11)
        with django_assert_num_queries(1) as captured:
            assert [t.name for t in either[8:11]] == ["tag 08", "tag 09", "tag 10"]
        assert 'ORDER BY "taggit_tag"."name" ASC' not in captured.captured_queries[0]["sql"]
        assert "DESC" in captured.captured_queries[0]["sql"]

    def test_cards_page_from_either_end(self, tags):
        articles = [ArticleFactory(title=f"Story {i:02d}") for i in range(7)]  # each an hour older
        ids = Article.objects.published().newest_first().values("pk")
        paginator = CountedPaginator(CardList(ids), 3, count=7)
        title = re.compile(r'">([^<]*)</a></h2>')
        pages = [[title.search(card)[1] for card in paginator.page(n)] for n in paginator.page_range]
        assert pages == [[a.title for a in articles[i : i + 3]] for i in (0, 3, 6)]


@pytest.fixture
def over_months():
    """70 public articles over six months (3, 17, 25, 1, 14 and 10 of them), one entity, so that pages
    start inside months and cross them; a draft and a scheduled article besides."""
    entity = EntityFactory(name="Many Months")
    made = []
    for month, count in zip(range(1, 7), (3, 17, 25, 1, 14, 10), strict=True):
        for i in range(count):
            when = datetime.datetime(2023, month, 1 + i % 28, 12 - i % 3, tzinfo=datetime.UTC)
            made.append(ArticleFactory(title=f"Story {month}.{i:02d}", entities=[entity], published_at=when))
    ArticleFactory(title="A draft", entities=[entity], status=Article.Status.DRAFT)
    ArticleFactory(title="Later", entities=[entity], published_at=timezone.now() + datetime.timedelta(days=1))
    expected = [a.title for a in sorted(made, key=lambda a: (a.published_at, a.pk), reverse=True)]
    return {"entity": entity, "titles": expected}


@pytest.mark.parametrize("where", ["/", "entity", "/archive/2023/"])
def test_deep_pages_read_from_their_month_are_their_slice(client, over_months, where, django_assert_num_queries):
    path = over_months["entity"].get_absolute_url() if where == "entity" else where
    titles = over_months["titles"]
    for page, number in (("1", 1), ("2", 2), ("3", 3), ("4", 4), ("last", 4)):
        with django_assert_num_queries(3) as captured:
            shown = card_titles(client.get(path, {"page": page}))
        assert shown == titles[(number - 1) * PER_PAGE : number * PER_PAGE], page
        if page == "2":  # starts 20 in: the newest month (10) is skipped, the listing read from the next one's end
            assert any('"published_at" <' in query["sql"] for query in captured.captured_queries), page

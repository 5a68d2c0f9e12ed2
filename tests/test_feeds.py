"""RSS and Atom feeds for the site, tags, authors and entities, read as XML."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - our own server's output, in a test


def rss_items(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = parse_xml(response.content).find("channel")
    return channel, channel.findall("item")


def atom_entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = parse_xml(response.content)
    return feed, feed.findall(f"{ATOM}entry")


@pytest.fixture
def subjects():
    """A tag, an author and an entity with one public article, one draft and one scheduled article each."""
    tag, author, entity = TagFactory(name="harbours"), AuthorFactory(name="Nell Quay"), EntityFactory(name="Port Town")
    common = {"tags": [tag], "author": author, "entities": [entity]}
    ArticleFactory(title="Public harbour story", dek="Ships came in.", **common)
    ArticleFactory(title="Draft harbour story", status=Article.Status.DRAFT, **common)
    ArticleFactory(title="Scheduled harbour story", published_at=timezone.now() + datetime.timedelta(days=1), **common)
    ArticleFactory(title="Unrelated story")
    return {"tags": tag, "authors": author, "entities": entity}


class TestSiteFeed:
    def test_rss_lists_public_articles_newest_first(self, client):
        old = ArticleFactory(title="Old news", published_at=timezone.now() - datetime.timedelta(days=3))
        new = ArticleFactory(title="New news", tags=["ports"], published_at=timezone.now() - datetime.timedelta(days=1))
        ArticleFactory(title="Draft news", status=Article.Status.DRAFT)
        ArticleFactory(title="Future news", published_at=timezone.now() + datetime.timedelta(hours=2))
        channel, items = rss_items(client.get("/feed/"))
        assert channel.findtext("title") == "Newsroom: latest articles"
        assert [i.findtext("title") for i in items] == [new.title, old.title]
        first = items[0]
        assert first.findtext("link") == f"http://testserver{new.get_absolute_url()}"
        assert first.findtext("category") == "ports"
        assert new.author.name in first.findtext("{http://purl.org/dc/elements/1.1/}creator")
        assert first.findtext("pubDate")

    def test_atom_feed(self, client):
        article = ArticleFactory(title="Atom news")
        feed, entries = atom_entries(client.get("/feed/atom/"))
        assert feed.findtext(f"{ATOM}title") == "Newsroom: latest articles"
        assert entries[0].findtext(f"{ATOM}title") == article.title
        assert entries[0].find(f"{ATOM}link").get("href") == f"http://testserver{article.get_absolute_url()}"
        assert entries[0].findtext(f"{ATOM}updated")
        assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == article.author.name

    def test_feed_is_limited_to_thirty_items(self, client):
        for _ in range(35):
            ArticleFactory()
        _, items = rss_items(client.get("/feed/"))
        assert len(items) == 30

    @pytest.mark.parametrize("count", [1, 30])
    @pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
    def test_query_count_is_fixed(self, client, django_assert_num_queries, count, url):
        for i in range(count):
            ArticleFactory(tags=[f"t{i}", "shared"])
        with django_assert_num_queries(2):  # page cache state, articles with authors and tags
            assert client.get(url).status_code == 200

    def test_hostile_text_is_escaped_twice_in_descriptions(self, client):
        ArticleFactory(title=HOSTILE, dek=HOSTILE, author=AuthorFactory(name=f"A {HOSTILE}"), tags=[HOSTILE[:90]])
        for url in ["/feed/", "/feed/atom/"]:
            raw = client.get(url).content.decode()
            assert "<script>" not in raw and "<img" not in raw
            parse_xml(raw)  # still well-formed XML
        _, items = rss_items(client.get("/feed/"))
        # RSS titles and dc:creator are read as HTML by many readers: markup entity-encoded.
        assert items[0].findtext("title") == escape(HOSTILE)
        assert items[0].findtext("{http://purl.org/dc/elements/1.1/}creator") == escape(f"A {HOSTILE}")
        # Atom says its titles are text: plain, XML-escaped on the wire.
        _, entries = atom_entries(client.get("/feed/atom/"))
        assert entries[0].findtext(f"{ATOM}title") == HOSTILE
        assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == f"A {HOSTILE}"
        # The description is HTML: a reader must show the markup as text, not run it.
        assert (
            items[0].findtext("description")
            == "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"
        )


class TestObjectFeeds:
    @pytest.mark.parametrize("kind", ["tags", "authors", "entities"])
    def test_rss_and_atom_list_only_public_articles(self, client, subjects, kind):
        slug = subjects[kind].slug
        _, items = rss_items(client.get(f"/{kind}/{slug}/feed/"))
        assert [i.findtext("title") for i in items] == ["Public harbour story"]
        _, entries = atom_entries(client.get(f"/{kind}/{slug}/feed/atom/"))
        assert [e.findtext(f"{ATOM}title") for e in entries] == ["Public harbour story"]

    def test_titles_name_the_subject(self, client, subjects):
        assert rss_items(client.get("/tags/harbours/feed/"))[0].findtext("title") == "Newsroom: harbours"
        assert (
            rss_items(client.get("/authors/nell-quay/feed/"))[0].findtext("title") == "Newsroom: articles by Nell Quay"
        )
        channel, _ = rss_items(client.get(f"/entities/{subjects['entities'].slug}/feed/"))
        assert channel.findtext("title") == "Newsroom: Port Town"
        assert channel.findtext("link") == f"http://testserver{subjects['entities'].get_absolute_url()}"

    @pytest.mark.parametrize("kind", ["tags", "authors", "entities"])
    @pytest.mark.parametrize("count", [1, 30])
    def test_query_count_is_fixed(self, client, django_assert_num_queries, kind, count):
        tag, author, entity = TagFactory(name="harbours"), AuthorFactory(), EntityFactory()
        for i in range(count):
            ArticleFactory(tags=[tag, f"t{i}"], author=author, entities=[entity])
        slug = {"tags": tag, "authors": author, "entities": entity}[kind].slug
        with django_assert_num_queries(3):  # page cache state, subject, articles with authors and tags
            assert client.get(f"/{kind}/{slug}/feed/").status_code == 200

    @pytest.mark.parametrize("kind", ["tags", "authors", "entities"])
    def test_pages_link_their_feeds(self, client, subjects, kind):
        subject = subjects[kind]
        content = client.get(subject.get_absolute_url()).content.decode()
        assert '<link rel="alternate" type="application/rss+xml" title="Newsroom: ' in content
        assert f'href="/{kind}/{subject.slug}/feed/"' in content
        assert f'href="/{kind}/{subject.slug}/feed/atom/"' in content
        assert 'type="application/atom+xml"' in content

    def test_unknown_subject_is_404(self, client):
        assert client.get("/tags/nothing/feed/").status_code == 404
        assert client.get("/entities/nothing/feed/atom/").status_code == 404


def test_items_carry_their_permalink_as_a_permanent_id(client):
    article = ArticleFactory(title="Harbour reopens")
    url = f"http://testserver{article.get_absolute_url()}"
    _, [item] = rss_items(client.get("/feed/"))
    guid = item.find("guid")
    assert guid.text == url and guid.get("isPermaLink") == "true"
    feed, [entry] = atom_entries(client.get("/feed/atom/"))
    assert entry.find(f"{ATOM}id").text == url
    assert not feed.find(f"{ATOM}id").text.endswith("//")

"""Search through real HTTP requests: matching, ranking, snippets, facets, entity cards, bad input."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import changes, pagecache, search
from articles.ingest import ingest_paths
from articles.models import Article, Entity, Mention, SearchEntry

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory
from .test_admin import article_form

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def indexed(**fields):
    """An article, with its search entry written as ingest and the admin do (the factory goes
    through the change path, articles/changes.py)."""
    return ArticleFactory(**fields)


def days_ago(n):
    return timezone.now() - datetime.timedelta(days=n)


def results(client, **params):
    pagecache.clear()  # the test reads the view's context, which only a freshly rendered page has
    response = client.get("/search/", params)
    assert response.status_code == 200, response.content.decode()[:3000]
    return response.context["results"]


def titles(client, **params):
    return [article.title for article in results(client, **params).articles]


class TestMatching:
    def test_headline_match_ranks_above_body_match(self, client):
        indexed(title="Harbour reopens", body="The port authority mentioned lithium once.", published_at=days_ago(1))
        indexed(title="Lithium deal signed", body="Talks ended on Monday.", published_at=days_ago(30))
        assert titles(client, q="lithium") == ["Lithium deal signed", "Harbour reopens"]

    def test_dek_beats_body_and_recency_breaks_ties(self, client):
        indexed(title="Old dek story", dek="Copper prices rose.", published_at=days_ago(40))
        indexed(title="Body story", body="Copper prices rose.", published_at=days_ago(1))
        indexed(title="New dek story", dek="Copper prices rose.", published_at=days_ago(2))
        assert titles(client, q="copper") == ["New dek story", "Old dek story", "Body story"]

    def test_newest_first_on_request(self, client):
        indexed(title="Lithium deal signed", published_at=days_ago(30))
        indexed(title="Harbour reopens", body="It mentions lithium.", published_at=days_ago(1))
        assert titles(client, q="lithium", sort="newest") == ["Harbour reopens", "Lithium deal signed"]

    def test_stemming(self, client):
        indexed(title="New sanctions on potash")
        assert titles(client, q="sanction") == ["New sanctions on potash"]
        assert titles(client, q="sanctioned") == ["New sanctions on potash"]

    def test_quoted_phrase(self, client):
        indexed(title="Central bank holds rates")
        indexed(title="Bank opens a central office")
        assert titles(client, q='"central bank"') == ["Central bank holds rates"]
        assert len(titles(client, q="central bank")) == 2

    def test_exclusion_and_or(self, client):
        indexed(title="Energy plan: nuclear and wind")
        indexed(title="Energy plan: wind only")
        indexed(title="Gas prices")
        assert titles(client, q="energy -nuclear") == ["Energy plan: wind only"]
        assert set(titles(client, q="nuclear OR gas")) == {"Energy plan: nuclear and wind", "Gas prices"}

    @pytest.mark.parametrize("q", ["-nuclear", '-"nuclear power"', "-nuclear -coal"])
    def test_a_filter_and_only_excluded_words_lists_the_filters_articles_without_them(self, client, q):
        # QA (search, old): ?q=-nuclear&tag=energy listed every energy article, nuclear ones included.
        energy = TagFactory(name="energy")
        indexed(title="Wind farm opens", tags=[energy], published_at=days_ago(2))
        indexed(title="Reactor restarts", body="Nuclear power is back.", tags=[energy], published_at=days_ago(1))
        indexed(title="Solar tariffs", tags=[energy], published_at=days_ago(3))
        indexed(title="Nuclear talks", body="Nuclear power again.")  # not tagged
        found = results(client, q=q, tag=energy.slug)
        assert [a.title for a in found.articles] == ["Wind farm opens", "Solar tariffs"]  # newest first
        assert found.total == 2 and found.cards == []
        assert "only excludes: these are the articles with these filters without" in found.notice

    def test_accents_do_not_matter(self, client):
        indexed(title="Biennial opens in São Paulo")
        indexed(title="Zurich marathon record", body="Runners crossed Zurich.")
        assert titles(client, q="Sao Paulo") == ["Biennial opens in São Paulo"]
        assert titles(client, q="zürich") == ["Zurich marathon record"]

    def test_author_and_tag_names_are_searchable(self, client):
        indexed(
            title="Grid upgrade", author=AuthorFactory(name="Ingrid Solberg"), tags=[TagFactory(name="infrastructure")]
        )
        assert titles(client, q="Solberg") == ["Grid upgrade"]
        assert titles(client, q="infrastructure") == ["Grid upgrade"]

    def test_drafts_and_scheduled_articles_are_never_found(self, client):
        indexed(title="Draft about lithium", status=Article.Status.DRAFT, published_at=None)
        indexed(title="Scheduled lithium story", published_at=timezone.now() + datetime.timedelta(days=1))
        indexed(title="Public lithium story")
        assert titles(client, q="lithium") == ["Public lithium story"]


class TestSnippets:
    def test_matches_are_highlighted(self, client):
        indexed(title="Flood plan", body="Engineers said the flood barrier would hold. " * 3)
        content = client.get("/search/", {"q": "barrier"}).content.decode()
        assert "<mark>barrier</mark>" in content

    def test_hostile_article_text_stays_escaped(self, client):
        author = AuthorFactory(name=f"Author {HOSTILE}")
        indexed(
            title=f"Lithium {HOSTILE}",
            dek=f"Lithium {HOSTILE}",
            body=f"Lithium {HOSTILE} and lithium again \ue000<b>forged\ue001 marks</b>",
            author=author,
        )
        content = client.get("/search/", {"q": "lithium"}).content.decode()
        assert "<script>alert(1)" not in content
        assert "<img src=x" not in content
        assert "<b>forged" not in content
        assert "&lt;script&gt;" in content
        assert "<mark>Lithium</mark>" in content

    def test_hostile_query_is_escaped_when_shown(self, client):
        response = client.get("/search/", {"q": HOSTILE})
        assert response.status_code == 200
        content = response.content.decode()
        assert "<script>alert(1)" not in content
        assert "<img src=x" not in content


class TestEntityCards:
    def test_surname_names_a_person(self, client):
        putin = Entity.objects.get(name="Vladimir Putin")
        indexed(title="Putin visits Minsk", entities=[putin])
        indexed(title="Draft on Putin", entities=[putin], status=Article.Status.DRAFT, published_at=None)
        response = client.get("/search/", {"q": "Putin"})
        cards = response.context["results"].cards
        assert [card.entity for card in cards] == [putin]
        assert cards[0].article_count == 1  # the draft is not counted
        content = response.content.decode()
        assert f'href="{putin.get_absolute_url()}"' in content
        assert content.index("entity-card") < content.index("visits Minsk")

    @pytest.mark.parametrize("query", ["EU", "E.U.", "european union"])
    def test_alias_or_name_leads_to_the_entity(self, client, query):
        eu = Entity.objects.get(name="European Union")
        indexed(title="EU summit ends", entities=[eu])
        cards = results(client, q=query).cards
        assert [card.entity for card in cards] == [eu]
        assert cards[0].article_count == 1

    def test_accented_name(self, client):
        place = EntityFactory(name="Kraków", kind=Entity.Kind.PLACE)
        indexed(title="A day out", entities=[place])
        assert [c.entity for c in results(client, q="krakow").cards] == [place]

    def test_no_card_for_an_entity_without_a_public_article(self, client):
        # Its page would answer 404: "0 articles mention Emmanuel Macron →" must not link to it.
        macron = EntityFactory(name="Emmanuel Macron", kind=Entity.Kind.PERSON)
        indexed(title="Draft on Macron", entities=[macron], status=Article.Status.DRAFT, published_at=None)
        assert results(client, q="Emmanuel Macron").cards == []
        assert client.get(macron.get_absolute_url()).status_code == 404

    def test_no_card_or_facet_links_to_an_entity_page_that_answers_404(self, client):
        board = EntityFactory(name="Zubrovka Harbour Board", kind=Entity.Kind.ORG)
        trust = EntityFactory(name="Zubrovka Harbour Trust", kind=Entity.Kind.ORG)  # in no public article
        indexed(title="Zubrovka harbour reopens", entities=[board])
        indexed(title="Zubrovka harbour draft", entities=[board, trust], status=Article.Status.DRAFT, published_at=None)
        indexed(title="Zubrovka harbour next week", entities=[trust], published_at=days_ago(-7))
        for query in ["Zubrovka", "Zubrovka Harbour Trust", "Zubrovka Harbour Board", "harbour"]:
            pagecache.clear()
            content = client.get("/search/", {"q": query}).content.decode()
            for link in set(re.findall(r'href="(/entities/[^"/?#]+/)"', content)):
                assert client.get(link).status_code == 200, (query, link)
            assert trust.slug not in content  # neither a card nor a facet
        assert client.get(trust.get_absolute_url()).status_code == 404

    def test_a_card_above_a_search_that_found_nothing_says_why(self, client):
        # "X" is named only in the author's bio, which extraction reads and the search does not.
        x = EntityFactory(name="X", kind=Entity.Kind.ORG)
        author = AuthorFactory(name="Dana Levi", bio="Follow her on X.")
        indexed(title="Harbour reopens", body="The harbour reopened.", author=author, entities=[x])
        found = results(client, q="x")
        assert (found.total, [card.entity for card in found.cards]) == (0, [x])
        content = client.get("/search/", {"q": "x"}).content.decode()
        assert "0 articles match “x”" in content
        assert "The articles that mention X name it in other words, or only in the author’s bio" in content

    def test_stop_word_acronym_lists_the_entity_articles(self, client):
        who = Entity.objects.get(name="World Health Organization")
        indexed(title="Dengue warning issued", entities=[who])
        indexed(title="Unrelated story")
        found = results(client, q="WHO")
        assert [card.entity for card in found.cards] == [who]
        assert [a.title for a in found.articles] == ["Dengue warning issued"]
        assert "mention World Health Organization" in found.notice

    @pytest.mark.parametrize("q", ["-belarus", "- Belarus", "-WHO", "the -WHO", '-"World Health Organization"'])
    def test_a_query_of_only_excluded_words_names_no_entity(self, client, q):
        # An excluded entity's name (F3: "-belarus") is not a search for it: no card, none of
        # its articles, and the message a minus sign alone gets, whether or not it is a stop word.
        belarus = Entity.objects.get(name="Belarus")
        who = Entity.objects.get(name="World Health Organization")
        indexed(title="Potash sanctions", entities=[belarus])
        indexed(title="Dengue warning issued", entities=[who])
        found = results(client, q=q)
        assert (found.cards, found.articles, found.searched) == ([], [], False)
        assert "a word after a minus sign (-word) only excludes articles" in found.notice
        content = client.get("/search/", {"q": q}).content.decode()
        assert "Potash sanctions" not in content and "Dengue warning issued" not in content
        assert "too common" not in content

    def test_lower_case_pronoun_is_not_an_acronym(self, client):
        found = results(client, q="who")
        assert found.cards == []
        assert not found.searched
        assert "very common words" in found.notice


class TestFacets:
    @pytest.fixture
    def archive(self):
        ada, bo = AuthorFactory(name="Ada Writer"), AuthorFactory(name="Bo Writer")
        energy, trade = TagFactory(name="energy"), TagFactory(name="trade")
        poland = Entity.objects.get(name="Poland")
        putin = Entity.objects.get(name="Vladimir Putin")
        year = timezone.now().year
        this_year = datetime.datetime(year, 1, 2, tzinfo=datetime.UTC)
        last_year = datetime.datetime(year - 1, 6, 1, tzinfo=datetime.UTC)
        indexed(title="Grid one", author=ada, tags=[energy], entities=[poland], published_at=this_year)
        indexed(title="Grid two", author=ada, tags=[energy, trade], entities=[poland, putin], published_at=last_year)
        indexed(title="Grid three", author=bo, tags=[trade], entities=[putin], published_at=last_year)
        indexed(title="Unrelated", author=bo, tags=[energy], published_at=this_year)
        return {"year": year, "ada": ada, "energy": energy, "poland": poland}

    def facet(self, found, name):
        (facet,) = [f for f in found.facets if f.name == name]
        return {item.label: item.count for item in facet.items}

    def test_counts_for_the_query(self, client, archive):
        found = results(client, q="grid")
        assert found.total == 3
        assert self.facet(found, "author") == {"Ada Writer": 2, "Bo Writer": 1}
        assert self.facet(found, "tag") == {"energy": 2, "trade": 2}
        assert self.facet(found, "place") == {"Poland": 2}
        assert self.facet(found, "person")["Vladimir Putin"] == 2
        assert self.facet(found, "year") == {str(archive["year"]): 1, str(archive["year"] - 1): 2}
        assert not found.approximate_facets

    def test_filters_combine_with_the_query_and_each_other(self, client, archive):
        assert set(titles(client, q="grid", tag="energy")) == {"Grid one", "Grid two"}
        assert titles(client, q="grid", tag="energy", year=archive["year"] - 1) == ["Grid two"]
        assert titles(client, q="grid", tag=["energy", "trade"]) == ["Grid two"]
        assert set(titles(client, q="grid", author=archive["ada"].slug)) == {"Grid one", "Grid two"}
        assert titles(
            client, q="grid", entity=archive["poland"].slug, author=archive["ada"].slug, year=archive["year"]
        ) == ["Grid one"]
        found = results(client, q="grid", tag="energy")
        assert self.facet(found, "author") == {"Ada Writer": 2}
        assert [label for _, label, _ in found.active_filters] == ["energy"]

    def test_facet_links_add_to_the_url_and_active_ones_remove(self, client, archive):
        found = results(client, q="grid", tag="energy")
        trade = next(i for f in found.facets if f.name == "tag" for i in f.items if i.label == "trade")
        assert "tag=energy" in trade.url and "tag=trade" in trade.url and "q=grid" in trade.url
        energy = next(i for f in found.facets if f.name == "tag" for i in f.items if i.label == "energy")
        assert energy.active and "tag=" not in energy.url
        assert results(client, q="grid", tag=["energy", "trade"]).total == 1

    def test_filters_without_words_browse_newest_first(self, client, archive):
        assert titles(client, tag="energy") == ["Unrelated", "Grid one", "Grid two"]  # same date: newer id first

    def test_facets_follow_tags_and_mentions_through_the_change_path(self, client):
        article = indexed(title="Grid one")
        poland = Entity.objects.get(name="Poland")
        with changes.atomic():
            Mention.objects.create(article=article, entity=poland, count=2)
            article.tags.add("energy")
            changes.apply(articles=[article.pk])
        found = results(client, q="grid")
        assert self.facet(found, "place") == {"Poland": 1}
        assert self.facet(found, "tag") == {"energy": 1}
        # Written by other means (a shell, psql): `manage.py refresh_articles` brings search up to date.
        Mention.objects.filter(article=article).delete()
        article.tags.clear()
        assert self.facet(results(client, q="grid"), "tag") == {"energy": 1}
        call_command("refresh_articles", str(article.pk), stdout=io.StringIO())
        assert [f.name for f in results(client, q="grid").facets] == ["author", "year"]

    @pytest.fixture
    def many(self, monkeypatch):
        """64 hits, one per sample bucket (buckets are a hash of the id; set here so the test is
        exact), with the limits lowered so that 64 hits count as many."""
        energy = TagFactory(name="energy")
        articles = []
        for i in range(64):
            title = f"Grid story {i}: more grid, grid" if i in (7, 30) else f"Grid story {i}"
            articles.append(indexed(title=title, tags=[energy], published_at=days_ago(i + 1)))
        for i, article in enumerate(articles):
            SearchEntry.objects.filter(article=article).update(bucket=(i + 55) % 64)  # story 9 in bucket 0
        monkeypatch.setattr(search, "EXACT_LIMIT", 10)
        monkeypatch.setattr(search, "RANK_CANDIDATES", 64)  # rank from the newest bucket-0 hit's date on
        return articles

    def test_many_hits_get_labelled_estimates(self, client, many):
        found = results(client, q="grid")
        assert found.approximate_facets
        assert found.sample_size == 8  # the hits in buckets 0-7
        assert found.total == 64  # 8 × 8
        assert self.facet(found, "tag") == {"energy": 64}
        assert all(item.approximate for facet in found.facets for item in facet.items)
        content = client.get("/search/", {"q": "grid"}).content.decode()
        assert "estimated from" in content and "≈" in content

    def test_many_hits_rank_the_recent_ones_then_list_older_ones(self, client, many):
        first = titles(client, q="grid")
        # stories 0-9 are ranked (story 7 repeats the word), older ones follow newest first
        assert first[0] == "Grid story 7: more grid, grid"
        assert first[1:10] == [f"Grid story {i}" for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]
        assert first[10:] == [f"Grid story {i}" for i in range(10, 20)]
        seen = list(first)
        for page in (2, 3, 4):
            seen += titles(client, q="grid", page=page)
        assert sorted(seen) == sorted(a.title for a in many)
        assert titles(client, q="grid", page="last") == [f"Grid story {i}" for i in range(60, 64)]

    def test_many_hits_of_filters_without_words_are_sampled_and_listed_newest_first(
        self, client, many, django_assert_num_queries
    ):
        found = results(client, tag="energy")
        assert found.approximate_facets and found.total == 64 and found.sample_size == 8
        assert not found.recent_ranked  # nothing is ranked: no words
        newest_first = [a.title for a in sorted(many, key=lambda a: a.published_at, reverse=True)]
        assert [a.title for a in found.articles] == newest_first[:20]
        assert titles(client, tag="energy", page=3) == newest_first[40:60]
        assert titles(client, tag="energy", page="last") == newest_first[60:]
        content = client.get("/search/", {"tag": "energy"}).content.decode()
        assert "About 64 articles with these filters" in content and "ranked by relevance" not in content
        pagecache.clear()
        # page cache state; the filter; a probe; hits, facets and the page's ids; articles with tags
        with django_assert_num_queries(5):
            assert client.get("/search/", {"tag": "energy", "page": 4}).status_code == 200
        assert "ranked by relevance" in client.get("/search/", {"q": "grid"}).content.decode()


class TestDidYouMean:
    def test_misspelled_entity(self, client):
        lukashenko = Entity.objects.get(name="Alexander Lukashenko")
        indexed(title="Minsk talks", body="Alexander Lukashenko met envoys.", entities=[lukashenko])
        found = results(client, q="Lukashanko")
        assert found.total == 0
        assert [text for text, _ in found.suggestions][0] == "Lukashenko"
        content = client.get("/search/", {"q": "Lukashanko"}).content.decode()
        assert "Did you mean" in content and "?q=Lukashenko" in content

    def test_misspelled_tag_inside_a_longer_query(self, client):
        indexed(title="Chip plant", tags=[TagFactory(name="semiconductors")])
        found = results(client, q="new semicondutcors")
        assert ("new semiconductors", "?q=new+semiconductors") in found.suggestions


class TestBadInput:
    @pytest.mark.parametrize(
        "query",
        [
            "",
            "   ",
            "!!!",
            "-",
            "-energy",
            "the and of",
            '"',
            '"unbalanced phrase',
            "OR",
            "a OR OR b",
            "&|!():*<->",
            "energy:*",
            "'; DROP TABLE articles_article; --",
            "\\",
            "%_%",
            "🙂🙂",
            "\u202eevil",
            "\ue000\ue001",
            "x" * 200,
            HOSTILE,
        ],
    )
    def test_odd_queries_get_a_page_not_an_error(self, client, query):
        indexed(title="Energy story")
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        assert '<meta name="robots" content="noindex">' in response.content.decode()

    @pytest.mark.parametrize(
        "query, message",
        [
            ("!!!", "punctuation and symbols alone match nothing"),
            ("🙂🙂", "punctuation and symbols alone match nothing"),  # QA: an emoji is no punctuation
            ("-", "punctuation and symbols alone match nothing"),
            ("-energy", "a word after a minus sign (-word) only excludes articles"),
            ("the and of", "has only very common words"),
        ],
    )
    def test_queries_matching_nothing_by_themselves_say_why(self, client, query, message):
        found = results(client, q=query)
        assert (found.searched, found.articles) == (False, [])
        assert message in found.notice

    @pytest.mark.parametrize(
        "params, message",
        [
            ({"q": "x" * 201}, "limited to 200 characters"),
            ({"q": "energy\x00"}, "NUL"),
            ({"q": "energy", "sort": "oldest"}, "sorted by"),
            ({"q": "energy", "year": "20x4"}, "not a year"),
            ({"q": "energy", "year": "99999"}, "not a year"),
            ({"q": "energy", "tag": "no-such-tag"}, "There is no tag"),
            ({"q": "energy", "tag": "../../etc"}, "not a valid tag"),
            ({"q": "energy", "author": ["a", "b"]}, "one author"),
            ({"q": "energy", "entity": [f"e{i}" for i in range(6)]}, "At most 5"),
        ],
    )
    def test_bad_parameters_are_400_with_a_reason(self, client, params, message):
        response = client.get("/search/", params)
        assert response.status_code == 400
        assert message in response.content.decode()

    def test_every_year_facet_links_to_a_page(self, client):
        """A year the archive holds, however odd (an old typo such as 0001), is a year the filter takes."""
        for year in (1, 1850, 2020):
            indexed(title=f"Energy in {year}", published_at=datetime.datetime(year, 6, 1, tzinfo=datetime.UTC))
        (facet,) = [f for f in results(client, q="energy").facets if f.name == "year"]
        assert sorted(item.label for item in facet.items) == ["1", "1850", "2020"]
        for item in facet.items:
            response = client.get("/search/" + item.url)
            assert response.status_code == 200, item.url
            assert response.context["results"].total == 1

    @pytest.mark.parametrize("invisible", ["\u202e", "\u200b", "\u2066", "\u200f", "\u00ad"])
    def test_invisible_characters_are_neither_searched_nor_echoed(self, client, invisible):
        indexed(title="Energy story")
        found = client.get("/search/", {"q": f"{invisible}ener{invisible}gy"})
        assert found.context["results"].total == 1  # searched as "energy"
        refused = client.get("/search/", {"q": f"{invisible}energy", "sort": "oldest"})
        assert refused.status_code == 400
        for response in (found, refused):
            content = response.content.decode()
            assert invisible not in content
            assert "<title>energy — Search — Newsroom</title>" in content

    def test_empty_query_shows_tips(self, client):
        response = client.get("/search/")
        assert response.status_code == 200
        assert "How to search" in response.content.decode()

    @pytest.mark.parametrize("page", ["abc", "0", "-1", "9", "1.5", "99999999999999999999", "١"])
    def test_bad_pages_are_404(self, client, page):
        indexed(title="Energy story")
        assert client.get("/search/", {"q": "energy", "page": page}).status_code == 404


class TestPages:
    def test_header_search_form_on_every_page(self, client):
        content = client.get("/").content.decode()
        assert '<form class="site-search" role="search" action="/search/" method="get">' in content
        assert 'name="q"' in content and '<label class="visually-hidden" for="site-search-q">' in content

    def test_pagination_keeps_the_query_and_filters(self, client, settings):
        energy = TagFactory(name="energy")
        for i in range(25):
            indexed(title=f"Grid story {i}", tags=[energy])
        content = client.get("/search/", {"q": "grid", "tag": "energy"}).content.decode()
        assert 'href="?q=grid&amp;tag=energy&amp;page=2"' in content
        second = client.get("/search/", {"q": "grid", "tag": "energy", "page": 2})
        assert len(second.context["results"].articles) == 5
        assert client.get("/search/", {"q": "grid", "page": "last"}).status_code == 200

    def test_pages_stop_at_the_fiftieth_with_a_clear_message(self, client, monkeypatch, django_assert_num_queries):
        monkeypatch.setattr(search, "MAX_PAGES", 3)
        monkeypatch.setattr(search.Search, "per_page", 2)
        for i in range(9):
            indexed(title=f"Grid story {i}", published_at=days_ago(i + 1))
        with django_assert_num_queries(5):  # ?page=last costs what page 1 does: the deepest page is the last
            assert client.get("/search/", {"q": "grid", "page": "last"}).status_code == 200
        with CaptureQueriesContext(connection) as first_page:
            assert client.get("/search/", {"q": "story 1"}).status_code == 200
        with django_assert_num_queries(len(first_page) + 2):  # fewer pages than the deepest: probe and statement again
            assert client.get("/search/", {"q": "story 1", "page": "last"}).status_code == 200
        assert titles(client, q="grid", page=3) == ["Grid story 4", "Grid story 5"]
        found = results(client, q="grid", page="last")
        assert found.page.number == 3 and found.page.paginator.num_pages == 3
        assert found.total == 9  # the count says how many match, beyond the pages shown
        last = client.get("/search/", {"q": "grid", "page": "last"}).content.decode()
        assert "Page 3 of 3 shown" in last  # not "of 3", as if there were no more
        assert "Search shows the first 6 of these 9 articles. To see the others, narrow the search" in last
        assert "shown" not in client.get("/search/", {"q": "story 1"}).content.decode()
        response = client.get("/search/", {"q": "grid", "page": 4})
        assert response.status_code == 400
        assert "Search shows the first 3 pages of results." in response.content.decode()
        assert 'href="?q=grid&amp;page=4"' not in client.get("/search/", {"q": "grid", "page": 3}).content.decode()

    def test_an_uncapped_search_has_no_line_for_the_cap_note(self, client):
        # The note's {% if %} must leave nothing behind when there is no cap: the page is then
        # byte for byte what it was before the note existed (scripts/snapshot_pages.py).
        indexed(title="Grid story")
        content = client.get("/search/", {"q": "grid"}).content.decode()
        assert "search-capped" not in content
        assert "</article>\n\n\n        \n        \n\n      </section>" in content

    def test_a_page_beyond_the_fiftieth_of_fewer_results_is_a_404_as_on_any_listing(
        self, client, django_assert_num_queries
    ):
        indexed(title="Grid story")
        with django_assert_num_queries(3):  # page cache state; words and entity cards; are there more hits?
            response = client.get("/search/", {"q": "grid", "page": 9999})
        assert response.status_code == 404
        assert "Search shows the first" not in response.content.decode()
        assert client.get("/search/", {"q": "grid", "page": 51}).status_code == 404

    @pytest.mark.parametrize("count", [1, 25])
    def test_query_count_is_fixed(self, client, django_assert_num_queries, count):
        energy = TagFactory(name="energy")
        poland = Entity.objects.get(name="Poland")
        for i in range(count):
            indexed(title=f"Grid story {i} from Poland", tags=[energy, f"extra {i}"], entities=[poland])
        # page cache state; words and entity cards; a probe of the hit count; hits, facets and the page's ids;
        # articles with snippets and tags
        with django_assert_num_queries(5):
            assert client.get("/search/", {"q": "grid"}).status_code == 200
        # ... plus one to look up the filters
        with django_assert_num_queries(6):
            assert client.get("/search/", {"q": "grid", "tag": "energy", "entity": poland.slug}).status_code == 200
        # an entity card adds the entity itself
        with django_assert_num_queries(6):
            assert client.get("/search/", {"q": "Poland"}).status_code == 200
        # no results: a query for suggestions instead of the articles and their tags
        with django_assert_num_queries(5):
            assert client.get("/search/", {"q": "nothingmatcheshere"}).status_code == 200


class TestIndexStaysCurrent:
    @pytest.fixture
    def editor_client(self, client):
        user = get_user_model().objects.create_superuser("editor", "editor@example.org", "irrelevant-in-tests")
        client.force_login(user)
        return client

    def test_after_an_admin_edit(self, editor_client, client):
        article = indexed(title="Harbour reopens", body="Ships returned.")
        response = editor_client.post(
            f"/admin/articles/article/{article.pk}/change/",
            article_form(article, title="Lighthouse restored", body="Keepers returned.", tags="maritime"),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert titles(client, q="lighthouse") == ["Lighthouse restored"]
        assert titles(client, q="maritime") == ["Lighthouse restored"]
        assert titles(client, q="harbour") == []

    def test_after_a_new_article_in_the_admin(self, editor_client, client):
        author = AuthorFactory()
        data = article_form(
            Article(title="Glacier retreat measured", slug="glacier", dek="A study.", body="Ice lost.", author=author),
            status="published",
            published_at_0="2024-01-01",
            published_at_1="10:00:00",
        )
        assert editor_client.post("/admin/articles/article/add/", data).status_code == 302
        assert titles(client, q="glacier") == ["Glacier retreat measured"]

    def test_after_renaming_an_author_or_a_tag(self, editor_client, client):
        author = AuthorFactory(name="Ada Byline")
        tag = TagFactory(name="floods")
        indexed(title="River levels", author=author, tags=[tag])
        renamed = {"name": "Ada Lovelace", "slug": author.slug, "bio": author.bio, "twitter": ""}
        assert editor_client.post(f"/admin/articles/author/{author.pk}/change/", renamed).status_code == 302
        renamed = {"name": "inundation", "slug": tag.slug}
        assert editor_client.post(f"/admin/articles/tag/{tag.pk}/change/", renamed).status_code == 302
        client.logout()
        assert titles(client, q="Lovelace") == ["River levels"]
        assert titles(client, q="inundation") == ["River levels"]
        assert titles(client, q="floods") == []

    def test_after_ingest_and_re_ingest(self, client, seed_dir):
        path = seed_dir.write(
            "story.txt",
            "Ferry service resumes\n\nA dek.\n\nThe ferry sailed at dawn.\n\n"
            "Author: Ada Byline\nPublished: 2024-05-01\n",
        )
        ingest_paths([str(path)], workers=1)
        assert titles(client, q="ferry") == ["Ferry service resumes"]
        Path(path).write_text(
            "Ferry service resumes\n\nA dek.\n\nThe catamaran sailed at dawn.\n\n"
            "Author: Ada Byline\nPublished: 2024-05-01\nTags: shipping\n",
            encoding="utf-8",
        )
        report = ingest_paths([str(path)], workers=1)
        assert report.updated == 1
        assert titles(client, q="catamaran") == ["Ferry service resumes"]
        assert titles(client, q="shipping") == ["Ferry service resumes"]
        assert titles(client, q="dawn ferry") == ["Ferry service resumes"]
        assert SearchEntry.objects.filter(article__author__name="Ada Byline").count() == 1

    def test_status_date_and_author_changes_reach_search_through_the_change_path(self, client):
        article = indexed(title="Embargo lifted", status=Article.Status.DRAFT, published_at=None)
        assert titles(client, q="embargo") == []

        def update(**fields):
            with changes.atomic():
                Article.objects.filter(pk=article.pk).update(**fields)
                changes.apply(articles=[article.pk])

        update(status=Article.Status.PUBLISHED, published_at=days_ago(1))
        assert titles(client, q="embargo") == ["Embargo lifted"]
        author = AuthorFactory(name="Bo Byline")
        update(author=author)
        assert titles(client, q="embargo", author=author.slug) == ["Embargo lifted"]
        update(published_at=timezone.now() + datetime.timedelta(days=3))
        assert titles(client, q="embargo") == []

    def test_deleted_articles_leave_the_index(self, client):
        article = indexed(title="Embargo lifted")
        article.delete()
        assert titles(client, q="embargo") == []
        assert not SearchEntry.objects.exists()


def test_snippet_shows_a_match_deep_in_a_long_body(client):
    filler = " ".join(f"word{i}" for i in range(400))
    indexed(title="Long report", body=f"{filler}. The São Paulo biennial opened. {filler}")
    found = results(client, q="sao paulo")
    assert "<mark>São</mark> <mark>Paulo</mark>" in str(found.articles[0].snippet_html)


def test_recent_hits_of_words_are_found_in_the_words_and_date_index():
    # The hits search ranks ("these words, published since then") must be read from the GIN
    # index holding both, never by testing each recent entry's stored document: the condition
    # search writes is the index's own expression (models.PublishedUTC).
    indexed(title="Grid story", published_at=days_ago(3))
    indexed(title="Older grid story", published_at=days_ago(30))
    since = days_ago(10)
    condition = f"s.document @@ websearch_to_tsquery('newsroom_english', 'grid') AND {search.published_since('s')}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.article_id FROM {SearchEntry._meta.db_table} s WHERE {condition}", [since])
        assert len(cursor.fetchall()) == 1
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT s.article_id FROM {SearchEntry._meta.db_table} s WHERE {condition}", [since])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "searchentry_words_date_idx" in plan
    index_condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "timezone('UTC'::text, published_at)" in index_condition and "document @@" in index_condition

"""/trends/ and /trends/csv/ through real HTTP requests: series, shares, estimates, bad input, visibility,
escaping, links, the page cache and query counts."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone

from articles import pagecache, search, trends
from articles.models import Article, Entity, ReaderStatsState, SearchEntry, SlugRedirect

from .factories import ArticleFactory, EntityFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def at(year, month, day=15):
    return timezone.make_aware(datetime.datetime(year, month, day, 12))


def article(year, month, *, entities=(), **fields):
    return ArticleFactory(published_at=at(year, month), entities=list(entities), **fields)


def chart(client, path="/trends/", **params):
    pagecache.clear()  # the tests read the view's context, which only a freshly rendered page has
    response = client.get(path, params)
    assert response.status_code == 200, response.content.decode()[:3000]
    return response


def series_of(response):
    return {s.label: s.counts for s in response.context["trends"].series}


def csv_rows(response):
    assert response.status_code == 200, response.content.decode()[:2000]
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def poland():
    return EntityFactory(name="Poland", kind=Entity.Kind.PLACE)


@pytest.fixture
def tusk():
    return EntityFactory(name="Donald Tusk", kind=Entity.Kind.PERSON)


class TestEntitySeries:
    def test_counts_articles_per_month_with_empty_months_as_zero(self, client, poland):
        article(2024, 1, entities=[poland])
        article(2024, 1, entities=[poland])
        article(2024, 4, entities=[poland])
        article(2024, 2)  # another article, not about Poland
        response = chart(client, entity="poland")
        result = response.context["trends"]
        assert [f"{p:%Y-%m}" for p in result.periods] == ["2024-01", "2024-02", "2024-03", "2024-04"]
        assert series_of(response) == {"Poland": [2, 0, 0, 1]}
        assert result.totals == [2, 1, 0, 1]
        assert not result.yearly

    def test_several_entities_share_the_axis_in_the_order_asked(self, client, poland, tusk):
        article(2023, 11, entities=[tusk])
        article(2024, 2, entities=[poland, tusk])
        response = chart(client, entity=["poland", "donald-tusk"])
        assert series_of(response) == {"Poland": [0, 0, 0, 1], "Donald Tusk": [1, 0, 0, 1]}
        content = response.content.decode()
        assert content.count('class="trends-line" points=') == 2
        assert '<th scope="col">Poland</th><th scope="col">Donald Tusk</th>' in content
        # Labels readable without hovering: the lines' names, the y axis, the periods.
        assert re.search(r'<text class="trends-label series-0"[^>]*>Poland</text>', content)
        assert re.search(r'<text class="trends-label series-1"[^>]*>Donald Tusk</text>', content)
        assert '<text class="trends-period"' in content and '<text class="trends-tick"' in content

    def test_a_repeated_entity_is_charted_once(self, client, poland):
        article(2024, 1, entities=[poland])
        response = chart(client, entity=["poland", "poland"])
        assert list(series_of(response)) == ["Poland"]
        assert response.context["canonical_url"] == "http://testserver/trends/?entity=poland"

    def test_long_spans_are_charted_by_year(self, client, poland):
        article(2010, 3, entities=[poland])
        article(2010, 9, entities=[poland])
        article(2024, 6, entities=[poland])
        response = chart(client, entity="poland")
        result = response.context["trends"]
        assert result.yearly
        assert [p.year for p in result.periods] == list(range(2010, 2025))
        assert series_of(response)["Poland"][0] == 2
        assert series_of(response)["Poland"][-1] == 1
        assert "(by year: the span is longer than ten years)" in response.content.decode()

    def test_the_reader_chooses_months_or_years(self, client, poland):
        article(2010, 3, entities=[poland])
        article(2024, 6, entities=[poland])
        monthly = chart(client, entity="poland", by="month")
        assert not monthly.context["trends"].yearly
        assert len(monthly.context["trends"].periods) == 14 * 12 + 4
        assert '<strong aria-current="true">by month</strong>' in monthly.content.decode()
        assert '<a href="?entity=poland&amp;by=year">by year</a>' in monthly.content.decode()
        assert 'type="hidden" name="by" value="month"' in monthly.content.decode()  # the form keeps it
        short = chart(client, path="/trends/csv/", entity="poland", by="year", q="")
        assert [row[0] for row in csv_rows(short)[1:3]] == ["2010", "2011"]
        article(2024, 8, entities=[poland])
        assert chart(client, q="", by="year", entity="poland").context["trends"].periods[0].year == 2010

    def test_share_of_all_articles(self, client, poland):
        article(2024, 1, entities=[poland])
        article(2024, 1, entities=[poland])
        for _ in range(3):
            article(2024, 1)
        article(2024, 2, entities=[poland])
        response = chart(client, entity="poland", per="share")
        (series,) = response.context["trends"].series
        assert series.shares == [40.0, 100.0]
        content = response.content.decode()
        assert "40% <small>(2)</small>" in content and "100%" in content
        assert "3 articles; most in February 2024 (100% article)" not in content
        assert "3 articles; most in February 2024 (100%)." in content  # the peak of the share, not of the count
        assert "share of all articles published in the month" in content


class TestVisibility:
    def test_drafts_and_scheduled_articles_are_not_counted(self, client, poland):
        article(2024, 1, entities=[poland])
        article(2024, 1, entities=[poland], status=Article.Status.DRAFT)
        ArticleFactory(entities=[poland], published_at=timezone.now() + datetime.timedelta(days=3))
        response = chart(client, entity="poland")
        assert series_of(response) == {"Poland": [1]}
        assert response.context["trends"].totals == [1]

    def test_an_entity_only_drafts_mention_is_never_charted_or_named(self, client):
        secret = EntityFactory(name="Secret Project Nightjar", kind=Entity.Kind.ORG)
        article(2024, 1, entities=[secret], status=Article.Status.DRAFT)
        known_only_to_drafts = client.get("/trends/", {"entity": secret.slug})
        never_existed = client.get("/trends/", {"entity": "no-such-thing"})
        assert known_only_to_drafts.status_code == never_existed.status_code == 400
        assert "Secret Project Nightjar" not in known_only_to_drafts.content.decode()
        assert "There is no person, place or organisation" in known_only_to_drafts.content.decode()
        assert client.get("/trends/csv/", {"entity": secret.slug}).status_code == 400

    def test_suggestions_name_only_public_entities(self, client, poland):
        secret = EntityFactory(name="Secret Project Nightjar", kind=Entity.Kind.ORG)
        article(2024, 1, entities=[poland, EntityFactory(name="Baltic Sea")])
        article(2024, 1, entities=[poland, secret], status=Article.Status.DRAFT)
        content = chart(client, entity="poland").content.decode()
        assert "Add Baltic Sea" in content
        assert "Nightjar" not in content
        landing = chart(client).content.decode()
        assert "Chart Poland" in landing and "Nightjar" not in landing

    def test_search_term_counts_only_public_articles(self, client):
        article(2024, 1, body="The harbour dredging started.")
        article(2024, 1, body="More harbour dredging.", status=Article.Status.DRAFT)
        ArticleFactory(body="Harbour dredging, scheduled.", published_at=timezone.now() + datetime.timedelta(days=2))
        assert series_of(chart(client, q="dredging")) == {"dredging": [1]}


class TestSearchTerm:
    def test_counts_matching_articles_per_month_with_the_search_syntax(self, client, poland):
        article(2024, 1, body="Grain exports rose.")
        article(2024, 3, body="Grain exports fell.")
        article(2024, 3, body="Grain prices, not the other word.")
        article(2024, 2, entities=[poland])
        response = chart(client, entity="poland", q='"grain exports"')
        assert series_of(response) == {"Poland": [0, 1, 0], '"grain exports"': [1, 0, 1]}
        assert series_of(chart(client, q="grain -prices")) == {"grain -prices": [1, 0, 1]}
        content = chart(client, q="grain").content.decode()
        assert "/search/?q=grain" in content  # the legend links to the search

    def test_common_words_are_estimated_from_the_sample_as_the_search_page_does(self, client, monkeypatch):
        for month in (1, 2, 3):
            for _ in range(4):
                article(2024, month, body="Weather report.")
        article(2024, 2, body="Sunny.")
        article(2024, 3, body="Weather again.")
        SearchEntry.objects.update(bucket=0)  # all in the probe's sample: 13 × 64 hits expected
        monkeypatch.setattr(search, "EXACT_LIMIT", 110)  # so that is "a common word", counted in 1/8
        response = chart(client, q="weather")
        (series,) = response.context["trends"].series
        assert series.scale == 8
        # 8 times the hits in the sample, but never more than every article of the month
        assert series.counts == [4, 5, 5]
        assert response.context["trends"].totals == [4, 5, 5]
        content = response.content.decode()
        assert "<strong>Estimated:</strong>" in content
        assert "1-in-8 sample" in content
        header = csv_rows(client.get("/trends/csv/", {"q": "weather"}))[0]
        assert header[2] == "weather: articles (estimated)"

    @pytest.mark.parametrize("exact_limit, scale", [(200, 1), (20, 8), (9, 64)])
    def test_the_finer_sample_serves_more_hits_than_on_the_search_page(self, client, monkeypatch, exact_limit, scale):
        for month in (1, 2):
            for _ in range(5):
                article(2024, month, body="Weather report.")
        SearchEntry.objects.update(bucket=0)  # 10 × 64 hits expected
        monkeypatch.setattr(search, "EXACT_LIMIT", exact_limit)
        # The search page's totals: exact up to EXACT_LIMIT, the 1/8 sample up to 8 × EXACT_LIMIT.
        assert search.sample_for(640)[0] == (8 if exact_limit == 200 else 64)
        (series,) = chart(client, q="weather").context["trends"].series
        # The trends: exact up to 4 × EXACT_LIMIT, the 1/8 sample up to 64 × EXACT_LIMIT.
        assert series.scale == scale

    def test_a_word_matching_nothing_says_so(self, client):
        article(2024, 1)
        response = chart(client, q="zeppelin")
        assert "No published article matches “zeppelin”" in response.content.decode()
        assert "chart" not in response.context

    @pytest.mark.parametrize(
        "q, message",
        [
            ("the and of", "only very common words"),
            ("-grain", "only excludes words"),
            ("x" * 201, "limited to 200 characters"),
            ("grain\x00", "NUL character"),
        ],
    )
    def test_words_that_cannot_be_charted_are_a_400_with_the_reason(self, client, q, message):
        article(2024, 1, body="Grain.")
        response = client.get("/trends/", {"q": q})
        assert response.status_code == 400
        assert message in response.content.decode()


class TestOldAddresses:
    def test_a_merged_or_renamed_entity_redirects_to_the_chart_at_its_new_address(self, client, poland, tusk):
        article(2024, 1, entities=[poland, tusk])
        SlugRedirect.objects.record("rzeczpospolita", poland, old_name="Rzeczpospolita")
        SlugRedirect.objects.record("d-tusk", tusk)
        response = client.get("/trends/", {"entity": ["rzeczpospolita", "d-tusk", "poland"], "q": "grain"})
        assert response.status_code == 301
        assert response["Location"] == "/trends/?entity=poland&entity=donald-tusk&q=grain"
        csv_response = client.get("/trends/csv/", {"entity": "d-tusk"})
        assert (csv_response.status_code, csv_response["Location"]) == (301, "/trends/csv/?entity=donald-tusk")

    def test_an_old_address_of_an_entity_only_drafts_mention_is_unknown(self, client):
        secret = EntityFactory(name="Nightjar Holdings", kind=Entity.Kind.ORG)
        article(2024, 1, entities=[secret], status=Article.Status.DRAFT)
        SlugRedirect.objects.record("nightjar", secret)
        response = client.get("/trends/", {"entity": "nightjar"})
        assert response.status_code == 400
        assert "Nightjar Holdings" not in response.content.decode()
        assert "nightjar-holdings" not in response.content.decode()


class TestAddByName:
    def test_a_name_alias_or_surname_adds_the_entity_at_the_charts_own_address(self, client, poland, tusk):
        union = EntityFactory(name="European Union", kind=Entity.Kind.ORG, aliases=["EU"])
        article(2024, 1, entities=[poland, tusk, union], body="Grain.")
        response = client.get("/trends/", {"entity": "poland", "add": "eu", "q": "grain", "per": "share"})
        assert response.status_code == 302
        assert response["Location"] == "/trends/?entity=poland&entity=european-union&q=grain&per=share"
        assert client.get("/trends/", {"add": "Tusk"})["Location"] == "/trends/?entity=donald-tusk"
        assert client.get("/trends/", {"entity": "poland", "add": "POLAND"})["Location"] == "/trends/?entity=poland"

    def test_the_most_mentioned_of_namesakes(self, client):
        river = EntityFactory(name="Amazon River", kind=Entity.Kind.PLACE, aliases=["Amazon"])
        company = EntityFactory(name="Amazon", kind=Entity.Kind.ORG)
        article(2024, 1, entities=[river])
        article(2024, 1, entities=[company])
        article(2024, 2, entities=[company])
        assert client.get("/trends/", {"add": "amazon"})["Location"] == f"/trends/?entity={company.slug}"

    def test_unknown_and_draft_only_names_are_the_same_400(self, client):
        secret = EntityFactory(name="Nightjar Holdings", kind=Entity.Kind.ORG)
        article(2024, 1, entities=[secret], status=Article.Status.DRAFT)
        for name in ("Nightjar Holdings", "Nobody Atall"):
            response = client.get("/trends/", {"add": name})
            assert response.status_code == 400
            assert f"No person, place or organisation called “{name}” is in the archive." in response.content.decode()

    def test_a_full_chart_takes_no_more(self, client):
        entities = [EntityFactory(name=f"Place Number{i}") for i in range(6)]
        article(2024, 1, entities=entities)
        response = client.get("/trends/", {"entity": [e.slug for e in entities[:5]], "add": entities[5].name})
        assert response.status_code == 400
        assert "already has 5" in response.content.decode()

    def test_the_form_offers_it(self, client, poland):
        article(2024, 1, entities=[poland])
        assert 'name="add"' in chart(client, entity="poland").content.decode()


class TestBadInput:
    @pytest.mark.parametrize(
        "params, message",
        [
            ({"entity": "no-such-place"}, "There is no person, place or organisation “no-such-place”"),
            ({"entity": "bad slug!"}, "is not the address of a person, place or organisation"),
            ({"entity": [f"e{i}" for i in range(6)]}, "At most 5 people, places or organisations"),
            ({"per": "percent"}, "“percent” is not a way to chart"),
            ({"q": ["grain", "oil"]}, "Chart one search term at a time"),
            ({"by": "week"}, "“week” is not a period"),
        ],
    )
    def test_clear_400_never_500(self, client, params, message):
        for path in ("/trends/", "/trends/csv/"):
            response = client.get(path, params)
            assert response.status_code == 400, (path, params)
            assert message in response.content.decode()
        assert client.get("/trends/csv/", params)["Content-Type"].startswith("text/plain")

    def test_five_entities_are_allowed(self, client):
        entities = [EntityFactory(name=f"Place Number{i}") for i in range(5)]
        article(2024, 1, entities=entities)
        response = chart(client, entity=[e.slug for e in entities])
        assert len(response.context["trends"].series) == 5
        assert response.context["suggested"] == []  # the chart is full


class TestEscaping:
    def test_hostile_names_and_words_are_escaped_everywhere(self, client):
        hostile = EntityFactory(name=HOSTILE, kind=Entity.Kind.ORG)
        article(2024, 1, entities=[hostile], body="alert script img")
        content = chart(client, entity=hostile.slug, q=HOSTILE).content.decode()
        assert "<script>alert" not in content
        assert "<img src=x" not in content
        assert "&lt;script&gt;alert(1)" in content

    def test_csv_cells_are_never_formulas(self, client):
        article(2024, 1, body="Cmd values.")
        rows = csv_rows(client.get("/trends/csv/", {"q": "=cmd"}))
        assert rows[0][2] == "'=cmd: articles"


class TestCSV:
    def test_the_same_numbers_as_the_chart(self, client, poland):
        article(2024, 1, entities=[poland])
        article(2024, 1)
        article(2024, 3, entities=[poland], body="Amber trade.")
        response = client.get("/trends/csv/", {"entity": "poland", "q": "amber", "per": "share"})
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="trends-poland-search.csv"'
        assert csv_rows(response) == [
            ["period", "all articles", "Poland: articles", "Poland: % of all articles", "amber: articles",
             "amber: % of all articles"],
            ["2024-01", "2", "1", "50.000", "0", "0.000"],
            ["2024-02", "0", "0", "0.000", "0", "0.000"],
            ["2024-03", "1", "1", "100.000", "1", "100.000"],
        ]  # fmt: skip

    def test_yearly_periods_are_years(self, client, poland):
        article(2010, 1, entities=[poland])
        article(2022, 1, entities=[poland])
        rows = csv_rows(client.get("/trends/csv/", {"entity": "poland"}))
        assert [row[0] for row in rows[1:]] == [str(year) for year in range(2010, 2023)]

    def test_the_page_links_to_its_csv_and_shares_its_own_address(self, client, poland):
        article(2024, 1, entities=[poland])
        content = chart(client, entity="poland", per="share", q="").content.decode()
        assert 'href="/trends/csv/?entity=poland&amp;per=share"' in content
        assert 'value="http://testserver/trends/?entity=poland&amp;per=share"' in content  # the link to share
        assert '<link rel="canonical" href="http://testserver/trends/?entity=poland&amp;per=share">' in content


class TestLinks:
    def test_entity_pages_link_to_compare_over_time(self, client, poland):
        article(2024, 1, entities=[poland])
        content = client.get(poland.get_absolute_url()).content.decode()
        assert '<a href="/trends/?entity=poland">Compare over time</a>' in content

    def test_the_search_page_offers_to_chart_the_search(self, client):
        article(2024, 1, body="Rail freight grew.")
        content = client.get("/search/", {"q": "rail freight"}).content.decode()
        assert '<a href="/trends/?q=rail%20freight">Chart this search</a>' in content

    def test_no_chart_is_offered_for_words_that_cannot_be_charted(self, client):
        who = EntityFactory(name="World Health Organization", kind=Entity.Kind.ORG, aliases=["WHO"])
        article(2024, 1, entities=[who], body="The WHO said so.", tags=["health"])
        # Only a stop word: the search shows the entity's articles instead, and says so.
        content = client.get("/search/", {"q": "WHO"}).content.decode()
        assert "World Health Organization" in content and "Chart this search" not in content
        content = client.get("/search/", {"q": "the", "tag": "health"}).content.decode()
        assert "Chart this search" not in content

    def test_every_page_links_to_trends_in_the_footer(self, client):
        article(2024, 1)
        assert '<a href="/trends/">Trends</a>' in client.get("/").content.decode()

    def test_legend_links_to_each_series_and_removes_it(self, client, poland, tusk):
        article(2024, 1, entities=[poland, tusk], body="Coal.")
        content = chart(client, entity=["poland", "donald-tusk"], q="coal").content.decode()
        assert f'<a href="{tusk.get_absolute_url()}">Donald Tusk</a>' in content
        assert 'href="?entity=poland&amp;q=coal">Remove' in content  # without Donald Tusk
        assert 'href="?entity=poland&amp;entity=donald-tusk">Remove' in content  # without the word

    def test_per_switch_keeps_the_series(self, client, poland):
        article(2024, 1, entities=[poland])
        content = chart(client, entity="poland").content.decode()
        assert '<a href="?entity=poland&amp;per=share">share of all articles</a>' in content

    def test_landing_page_explains_and_suggests(self, client, poland):
        article(2024, 1, entities=[poland])
        response = chart(client)
        content = response.content.decode()
        assert "Choose up to 5 people, places or organisations" in content
        assert '<a href="?entity=poland">Chart Poland</a>' in content
        assert "noindex" not in content
        assert "noindex" in chart(client, entity="poland").content.decode()


class TestQueries:
    @pytest.mark.parametrize("count", [1, 4])
    def test_entity_chart_query_count_is_constant(self, client, django_assert_num_queries, count):
        entities = [EntityFactory(name=f"Place Number{i}") for i in range(count)]
        for month in range(1, 13):
            article(2023, month, entities=entities[: 1 + month % count])
        # page cache state (and whether scheduled articles are due), entities, month counts, suggestions
        with django_assert_num_queries(4):
            response = client.get("/trends/", {"entity": [e.slug for e in entities], "per": "share"})
        assert response.status_code == 200

    @pytest.mark.parametrize("exact_limit", [3000, 0])
    def test_search_term_query_count_is_constant(self, client, django_assert_num_queries, monkeypatch, exact_limit):
        monkeypatch.setattr(search, "EXACT_LIMIT", exact_limit)
        poland = EntityFactory(name="Poland")
        for month in range(1, 13):
            article(2023, month, entities=[poland], body="Weather report.")
        SearchEntry.objects.update(bucket=0)  # with exact_limit 0: the estimated path
        # as above, then the words parsed and probed, and the counts per month
        with django_assert_num_queries(6):
            response = client.get("/trends/", {"entity": "poland", "q": "weather"})
        assert response.status_code == 200

    def test_csv_query_count(self, client, django_assert_num_queries, poland):
        article(2024, 1, entities=[poland], body="Weather.")
        # page cache state (and whether scheduled articles are due), entities, month counts, the words,
        # their counts per month
        with django_assert_num_queries(5):
            response = client.get("/trends/csv/", {"entity": "poland", "q": "weather"})
        assert response.status_code == 200


class TestPageCache:
    def test_scheduled_articles_are_counted_once_their_time_comes(self, client, poland):
        article(2024, 1, entities=[poland])
        soon = ArticleFactory(entities=[poland], published_at=timezone.now() + datetime.timedelta(hours=1))
        assert csv_rows(client.get("/trends/csv/", {"entity": "poland"}))[-1][2] == "1"
        # Time passes (as in tests/test_stats.py): the article is due, nothing wrote since it was saved.
        due = timezone.now() - datetime.timedelta(minutes=10)
        Article.objects.filter(pk=soon.pk).update(published_at=due)
        ReaderStatsState.objects.update(horizon=due - datetime.timedelta(minutes=1))
        rows = csv_rows(client.get("/trends/csv/", {"entity": "poland"}))
        assert sum(int(row[2]) for row in rows[1:]) == 2

    def test_a_new_article_redraws_the_chart(self, client, poland):
        article(2024, 1, entities=[poland])
        assert client.get("/trends/", {"entity": "poland"})["X-Cache"] == "miss"
        assert client.get("/trends/", {"entity": "poland"})["X-Cache"] == "hit"
        article(2024, 2, entities=[poland])
        response = client.get("/trends/", {"entity": "poland"})
        assert response["X-Cache"] == "miss"
        assert "Poland: 2 articles; most in February 2024 (1 article)." in response.content.decode()

    def test_a_new_matching_article_redraws_a_search_term_chart(self, client):
        article(2024, 1, body="Tariff news.")
        client.get("/trends/csv/", {"q": "tariff"})
        assert client.get("/trends/csv/", {"q": "tariff"})["X-Cache"] == "hit"
        article(2024, 1, body="More tariff news.")
        rows = csv_rows(client.get("/trends/csv/", {"q": "tariff"}))
        assert rows[1][2] == "2"


class TestChartDrawing:
    @pytest.mark.parametrize(
        "peak, ticks",
        [
            (0, [0, 1]),
            (3, [0, 1, 2, 3]),
            (7, [0, 2, 4, 6, 8]),
            (950, [0, 250, 500, 750, 1000]),
            (0.3, [0, 0.1, 0.2, 0.3]),
        ],
    )
    def test_round_axis_values(self, peak, ticks):
        assert trends.nice_ticks(peak) == ticks

    def test_line_labels_never_overlap(self, client):
        entities = [EntityFactory(name=f"Place Number{i}") for i in range(5)]
        article(2024, 1, entities=entities)  # every line ends at the same point
        content = chart(client, entity=[e.slug for e in entities]).content.decode()
        ys = sorted(
            float(y) for y in re.findall(r'<text class="trends-label series-\d" x="[\d.]+" y="([\d.]+)"', content)
        )
        assert len(ys) == 5
        assert all(b - a >= trends.LABEL_GAP - 0.1 for a, b in zip(ys, ys[1:], strict=False))
        assert all(trends.TOP <= y <= trends.HEIGHT for y in ys)

    def test_the_chart_has_a_text_alternative(self, client, poland):
        article(2024, 1, entities=[poland])
        article(2024, 2, entities=[poland])
        article(2024, 2, entities=[poland])
        content = chart(client, entity="poland").content.decode()
        assert 'role="img" aria-labelledby="trends-title trends-desc"' in content
        assert "Poland: 3 articles; most in February 2024 (2 articles)." in content  # the SVG's description
        assert '<tr><th scope="row">February 2024</th><td>2</td><td>2</td></tr>' in content


STATIC = Path(__file__).resolve().parent.parent / "static" / "css"


def contrast(a, b):
    def luminance(colour):
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_series_colours_are_readable_as_text_in_both_schemes():
    site, charts = (STATIC / "site.css").read_text(), (STATIC / "trends.css").read_text()
    backgrounds = re.findall(r"--bg: (#[0-9a-f]{6})", site)
    schemes = charts.split("prefers-color-scheme: dark")
    assert len(backgrounds) == len(schemes) == 2
    for background, scheme in zip(backgrounds, schemes, strict=True):
        colours = re.findall(r"--series-\d: (#[0-9a-f]{6})", scheme)
        assert len(colours) == trends.MAX_ENTITIES + 1  # every entity and the search term
        for colour in colours:
            assert contrast(colour, background) >= 4.5, (colour, background)

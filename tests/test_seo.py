"""Discovery: page metadata, structured data, sitemaps, robots.txt, and the one inline script."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Article, Entity

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)></script>'
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def parse_xml(content):
    return ET.fromstring(content)  # noqa: S314 - our own server's output, in a test


def json_ld(content):
    blocks = re.findall(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', content, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(content, attribute, name):
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', content)
    return match.group(1) if match else None


@pytest.fixture
def article():
    author = AuthorFactory(name="Mira Field", bio="Reports on farming. @mirafield")
    people = EntityFactory(name="Ana Grower", kind=Entity.Kind.PERSON)
    place = EntityFactory(name="Wheatland", kind=Entity.Kind.PLACE)
    org = EntityFactory(name="Grain Board", kind=Entity.Kind.ORG)
    extra = EntityFactory(name="Far Valley", kind=Entity.Kind.PLACE)
    return ArticleFactory(
        title="Harvest comes early",
        dek="Farmers bring in the wheat three weeks ahead of schedule.",
        author=author,
        tags=["farming"],
        entities=[people, place, org, extra],
    )


class TestPageMetadata:
    def test_article_page(self, client, article):
        content = client.get(article.get_absolute_url()).content.decode()
        url = f"http://testserver{article.get_absolute_url()}"
        assert "<title>Harvest comes early — Newsroom</title>" in content
        assert meta(content, "name", "description") == article.dek
        assert f'<link rel="canonical" href="{url}">' in content
        assert meta(content, "property", "og:type") == "article"
        assert meta(content, "property", "og:url") == url
        assert meta(content, "property", "og:title") == "Harvest comes early — Newsroom"
        assert meta(content, "property", "og:description") == article.dek
        assert meta(content, "name", "twitter:card") == "summary"
        assert meta(content, "name", "twitter:creator") == "@mirafield"
        assert meta(content, "property", "article:published_time") == article.published_at.isoformat(timespec="seconds")
        assert meta(content, "property", "article:tag") == "farming"
        assert '<html lang="en">' in content

    def test_news_article_structured_data(self, client, article):
        data = json_ld(client.get(article.get_absolute_url()).content.decode())
        assert data["@context"] == "https://schema.org"
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == "Harvest comes early"
        assert data["datePublished"] == article.published_at.isoformat()
        assert data["dateModified"]
        assert data["author"] == {
            "@type": "Person",
            "name": "Mira Field",
            "url": "http://testserver/authors/mira-field/",
            "sameAs": ["https://x.com/mirafield"],
        }
        linked = data["about"] + data["mentions"]
        assert {thing["@type"] for thing in linked} == {"Person", "Place", "Organization"}
        by_name = {thing["name"]: thing["url"] for thing in linked}
        assert by_name["Wheatland"] == f"http://testserver{Entity.objects.get(name='Wheatland').get_absolute_url()}"
        assert len(data["about"]) == 3 and len(data["mentions"]) == 1
        assert data["keywords"] == ["farming"]

    def test_structured_data_escapes_script_endings(self, client):
        article = ArticleFactory(title=HOSTILE, dek=HOSTILE, author=AuthorFactory(name=f"A {HOSTILE}"))
        content = client.get(article.get_absolute_url()).content.decode()
        block = re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', content, re.S).group(1)
        assert "<" not in block and ">" not in block
        assert json.loads(block)["headline"] == HOSTILE  # the same text once parsed

    @pytest.mark.parametrize(
        ("path", "title"),
        [
            ("/", "Newsroom — latest articles"),
            ("/tags/", "Topics — Newsroom"),
            ("/authors/", "Authors — Newsroom"),
            ("/entities/", "People, places and organisations — Newsroom"),
            ("/archive/", "Archive — Newsroom"),
        ],
    )
    def test_index_pages(self, client, article, path, title):
        content = client.get(path).content.decode()
        assert f"<title>{title}</title>" in content
        assert meta(content, "name", "description")
        assert f'<link rel="canonical" href="http://testserver{path}">' in content
        assert meta(content, "property", "og:type") == "website"
        assert meta(content, "property", "og:title") == title
        assert (
            '<link rel="alternate" type="application/rss+xml" title="Newsroom: latest articles (RSS)" href="/feed/">'
            in content
        )

    def test_subject_pages(self, client, article):
        tag = article.tags.get()
        entity = Entity.objects.get(name="Wheatland")
        for obj, title, description in [
            (article.author, "Mira Field — Newsroom", "Reports on farming. @mirafield"),
            (tag, "farming — Newsroom", "Articles about farming, newest first."),
            (entity, "Wheatland — Newsroom", "Articles that mention Wheatland (place), newest first."),
        ]:
            content = client.get(obj.get_absolute_url()).content.decode()
            assert f"<title>{title}</title>" in content
            assert meta(content, "name", "description") == description
            assert f'<link rel="canonical" href="http://testserver{obj.get_absolute_url()}">' in content

    def test_every_page_has_one_h1_landmarks_and_a_skip_link(self, client, article):
        entity = Entity.objects.get(name="Wheatland")
        pages = ["/", article.get_absolute_url(), "/tags/", "/tags/farming/", "/authors/"]
        pages += [article.author.get_absolute_url(), "/entities/", entity.get_absolute_url(), "/archive/"]
        for path in pages:
            content = client.get(path).content.decode()
            assert content.count("<h1") == 1, path
            assert '<a class="skip-link" href="#main">' in content
            assert '<main id="main"' in content and "<header" in content and "<footer" in content
            assert '<nav class="site-nav" aria-label="Sections">' in content


class TestOnlyOneInlineScript:
    """A Content-Security-Policy will allow exactly the JSON-LD block: nothing else may be inline."""

    def test_pages_carry_no_other_script_or_inline_handler(self, client, article):
        entity = Entity.objects.get(name="Wheatland")
        pages = ["/", article.get_absolute_url(), "/tags/", "/entities/", entity.get_absolute_url(), "/archive/"]
        for path in pages:
            content = client.get(path).content.decode()
            scripts = [re.sub(r' nonce="[^"]+"', "", tag) for tag in re.findall(r"<script\b[^>]*>", content)]
            expected = ['<script type="application/ld+json">'] if path == article.get_absolute_url() else []
            assert scripts == expected, path
            assert not re.search(r"\son[a-z]+\s*=", content), path
            assert " style=" not in content and "<style" not in content, path

    def test_templates_have_no_inline_script_or_style(self):
        for template in TEMPLATES.rglob("*.html"):
            text = template.read_text()
            # Scripts load from static files (<script src=…>); none is written inline.
            assert not re.search(r"<script(?![^>]*\ssrc=)", text), template
            assert "<style" not in text and " style=" not in text, template


class TestSitemaps:
    def test_index_lists_the_four_sections_with_lastmod(self, client, article):
        response = client.get("/sitemap.xml")
        assert response.status_code == 200
        root = parse_xml(response.content)
        sitemaps = {s.findtext(f"{SITEMAP}loc"): s.findtext(f"{SITEMAP}lastmod") for s in root}
        assert set(sitemaps) == {
            f"http://testserver/sitemap-{section}.xml" for section in ("articles", "tags", "authors", "entities")
        }
        assert all(sitemaps.values())

    def test_sections_list_public_pages_only(self, client, article):
        draft = ArticleFactory(status=Article.Status.DRAFT, tags=["secret"], author=AuthorFactory(name="Hidden Hand"))
        scheduled = ArticleFactory(published_at=timezone.now() + datetime.timedelta(days=1))
        TagFactory(name="unused")

        def locations(section):
            root = parse_xml(client.get(f"/sitemap-{section}.xml").content)
            return {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root}

        articles = locations("articles")
        assert set(articles) == {f"http://testserver{article.get_absolute_url()}"}
        assert draft.get_absolute_url() not in str(articles) and scheduled.get_absolute_url() not in str(articles)
        assert set(locations("tags")) == {"http://testserver/tags/farming/"}
        assert set(locations("authors")) == {"http://testserver/authors/mira-field/"}
        assert len(locations("entities")) == 4
        assert all(locations("tags").values())

    def test_article_lastmod_is_its_update_time(self, client, article):
        edited = datetime.datetime(2031, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
        Article.objects.filter(pk=article.pk).update(updated_at=edited)
        root = parse_xml(client.get("/sitemap-articles.xml").content)
        assert root[0].findtext(f"{SITEMAP}lastmod").startswith("2031-03-04")

    def test_unknown_section_or_page_is_404(self, client, article):
        assert client.get("/sitemap-nothing.xml").status_code == 404
        assert client.get("/sitemap-articles.xml?p=9").status_code == 404
        assert client.get("/sitemap-articles.xml?p=abc").status_code == 404

    def test_robots_txt_points_at_the_sitemap(self, client):
        response = client.get("/robots.txt")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        assert "User-agent: *" in text
        assert "Disallow: /admin/" in text
        assert "Sitemap: http://testserver/sitemap.xml" in text

    def test_robots_txt_keeps_crawlers_out_of_searches_and_charts(self, client):
        # QA F2: every search facet and every /trends/ combination links to more of them, a space
        # of addresses a crawler walks without end; the pages carry noindex, which stops no crawler.
        lines = client.get("/robots.txt").content.decode().splitlines()
        assert {"Disallow: /search/", "Disallow: /trends/"} <= set(lines)


@pytest.mark.parametrize(
    "text",
    ["", "Short dek.", "x" * 200, "x" * 201, "é" * 199 + "e\u0301", "e\u0301" * 150, "word " * 70, HOSTILE * 5],
)
@pytest.mark.parametrize("length", [200, 300])
def test_descriptions_are_cut_as_truncatechars_cuts_them(text, length):
    """base.html's `truncated` (a fast path for short texts) gives truncatechars' text, safe or not."""
    from django.template.defaultfilters import truncatechars
    from django.utils.safestring import SafeString, mark_safe

    from articles.templatetags.site import truncated

    assert truncated(text, length) == truncatechars(text, length)
    assert isinstance(truncated(mark_safe(text), length), SafeString)  # noqa: S308 - a test of the filter

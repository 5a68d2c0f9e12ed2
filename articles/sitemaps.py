"""The sitemap index and its sections: articles, tags, authors, entities.

`lastmod` is a real update time: an article's last change, and for a tag, author
or entity page the last time its list of public articles (or the record itself)
changed. Only pages with public articles are listed.

A section is written by `section` below rather than Django's template: 5,000
entries through the template engine took 3 s; joined as strings they take a few
milliseconds more than the query (and the page cache keeps the result).
"""

from xml.sax.saxutils import escape

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db.models import F, Max, Sum
from django.db.models.functions import Greatest
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from . import changes
from .models import Article, Author, Entity, MonthCount, Tag
from .pagecache import depends_on
from .paginator import CountedPaginator
from .routes import slug_path


class ArticleSitemap(Sitemap):
    limit = 5000
    changefreq = "monthly"

    def location(self, item):
        return slug_path("articles:article_detail", item[0])

    def items(self):
        return (
            Article.objects.published()
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .order_by("-published_at", "-id")
            .values_list("slug", "lastmod")  # tuples: 5,000 model instances cost more than the query
        )

    def lastmod(self, item):
        return item[1]

    @property
    def paginator(self):
        # How many sitemap pages: from the month counts, not COUNT(*) over every article.
        total = MonthCount.objects.aggregate(total=Sum("count"))["total"] or 0
        return CountedPaginator(self._items(), self.limit, count=total)

    def get_latest_lastmod(self):
        # Two index-driven maxima rather than the greatest of both over every row.
        latest = Article.objects.published().aggregate(updated=Max("updated_at"), published=Max("published_at"))
        return max(filter(None, latest.values()), default=None)


class StatsSitemap(Sitemap):
    """Tags, authors or entities with public articles, most used first."""

    model = None
    limit = 5000
    changefreq = "daily"

    def items(self):
        return (
            self.model.objects.filter(stats__article_count__gt=0)
            .annotate(lastmod=self.lastmod_expression())
            .only("slug")
            .order_by("-stats__article_count", "pk")
        )

    def lastmod_expression(self):
        return Greatest("updated_at", "stats__updated_at")

    def lastmod(self, item):
        return item.lastmod

    def get_latest_lastmod(self):
        return self.model.objects.filter(stats__article_count__gt=0).aggregate(latest=Max(self.lastmod_expression()))[
            "latest"
        ]


class TagSitemap(StatsSitemap):
    model = Tag

    def lastmod_expression(self):
        return F("stats__updated_at")  # tags have no time of their own


class AuthorSitemap(StatsSitemap):
    model = Author


class EntitySitemap(StatsSitemap):
    model = Entity


SITEMAPS = {
    "articles": ArticleSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "entities": EntitySitemap,
}

# The page-cache keys each section follows (articles/pagecache.py): the articles section, every
# public article's address and last change, follows "articles", which the change path marks for
# any changed article (a new slug, a new lastmod), and "home", which an article going live marks.
SECTION_KEYS = {"articles": ("home", "articles"), "tags": ("tags",), "authors": ("authors",), "entities": ("entities",)}


@require_safe
def index(request):
    """The sitemap index (Django's view): one entry per section page, with its last change."""
    changes.catch_up(request)
    depends_on(*(key for keys in SECTION_KEYS.values() for key in keys))
    return sitemap_views.index(request, sitemaps=SITEMAPS, sitemap_url_name="sitemap_section")


@x_robots_tag
@require_safe
def section(request, section):
    """One sitemap section (`?p=` pages it), as Django's sitemap view writes it, without the template."""
    if section not in SITEMAPS:
        raise Http404(f"No sitemap available for section: {section!r}")
    changes.catch_up(request)
    depends_on(*SECTION_KEYS[section])
    site = SITEMAPS[section]()
    try:
        urls = site.get_urls(page=request.GET.get("p", 1), site=RequestSite(request), protocol=request.scheme)
    except (EmptyPage, PageNotAnInteger) as exc:
        raise Http404("No such sitemap page") from exc
    zone = timezone.get_current_timezone()
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n']
    for url in urls:
        parts.append(f"<url><loc>{escape(url['location'])}</loc>")
        if url["lastmod"]:
            parts.append(f"<lastmod>{url['lastmod'].astimezone(zone):%Y-%m-%d}</lastmod>")
        if url["changefreq"]:
            parts.append(f"<changefreq>{url['changefreq']}</changefreq>")
        parts.append("</url>\n")
    parts.append("</urlset>\n")
    response = HttpResponse("".join(parts), content_type="application/xml")
    latest = getattr(site, "latest_lastmod", None)
    if latest is not None:
        response["Last-Modified"] = http_date(latest.timestamp())
    return response


section.cache_query_params = ("p",)  # the section's page, the only parameter it reads

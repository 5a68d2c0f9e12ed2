"""The sitemap index and its sections: articles, tags, authors, entities.

`lastmod` is a real update time: an article's last change, and for a tag, author
or entity page the last time its list of public articles (or the record itself)
changed. Only pages with public articles are listed.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import F, Max, Sum
from django.db.models.functions import Greatest

from .models import Article, Author, Entity, MonthCount, Tag
from .views import CountedPaginator


class ArticleSitemap(Sitemap):
    limit = 5000
    changefreq = "monthly"

    def items(self):
        return (
            Article.objects.published()
            .annotate(lastmod=Greatest("updated_at", "published_at"))
            .only("slug")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item):
        return item.lastmod

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

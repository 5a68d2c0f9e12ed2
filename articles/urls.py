from django.urls import path, register_converter
from django.views.generic import RedirectView

from . import feeds, views
from .search import SearchView
from .trends import TrendsCSVView, TrendsView


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):04d}"


class MonthConverter:
    regex = "0[1-9]|1[0-2]"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("feed/", feeds.ArticleFeed(), name="feed_rss"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    # The article list is the home page: an address cut back to /articles/ lands there.
    path("articles/", RedirectView.as_view(pattern_name="articles:home", permanent=True), name="article_list"),
    path("articles/<slug:slug>/", views.ArticleDetailView.as_view(), name="article_detail"),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<slug:slug>/", views.TagDetailView.as_view(), name="tag_detail"),
    path("tags/<slug:slug>/feed/", feeds.TagFeed(), name="tag_feed_rss"),
    path("tags/<slug:slug>/feed/atom/", feeds.TagAtomFeed(), name="tag_feed_atom"),
    path("authors/", views.AuthorListView.as_view(), name="author_list"),
    path("authors/<slug:slug>/", views.AuthorDetailView.as_view(), name="author_detail"),
    path("authors/<slug:slug>/feed/", feeds.AuthorFeed(), name="author_feed_rss"),
    path("authors/<slug:slug>/feed/atom/", feeds.AuthorAtomFeed(), name="author_feed_atom"),
    path("entities/", views.EntityListView.as_view(), name="entity_list"),
    path("entities/<slug:slug>/", views.EntityDetailView.as_view(), name="entity_detail"),
    path("entities/<slug:slug>/feed/", feeds.EntityFeed(), name="entity_feed_rss"),
    path("entities/<slug:slug>/feed/atom/", feeds.EntityAtomFeed(), name="entity_feed_atom"),
    path("archive/", views.ArchiveIndexView.as_view(), name="archive"),
    path("archive/<yyyy:year>/", views.ArchivePeriodView.as_view(), name="archive_year"),
    path("archive/<yyyy:year>/<mm:month>/", views.ArchivePeriodView.as_view(), name="archive_month"),
    path("search/", SearchView.as_view(), name="search"),
    path("trends/", TrendsView.as_view(), name="trends"),
    path("trends/csv/", TrendsCSVView.as_view(), name="trends_csv"),
]

"""Public pages of the archive.

Every query goes through the QuerySets in models.py; counts come from the reader
statistics (stats.py), so no page counts or groups over the articles table. Each
page's query count is fixed and pinned by tests/test_views.py.
"""

import calendar
import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from . import changes, parts
from .cards import CardList
from .models import Article, Author, Entity, EntityPair, MonthCount, Tag
from .pagecache import EVERYTHING, depends_on, key
from .paginator import CountedPaginator
from .prepared import PreparedQuery
from .roles import PREVIEW_PERMISSION
from .routes import route_path

SITE_NAME = settings.SITE_NAME
SITE_DESCRIPTION = "An archive of news articles: the people, places and organisations in the news, by date and topic."

# URL words for the kinds of entity, in the order the site shows them.
KIND_SLUGS = {"people": Entity.Kind.PERSON, "places": Entity.Kind.PLACE, "organisations": Entity.Kind.ORG}
KIND_PLURALS = {Entity.Kind.PERSON: "People", Entity.Kind.PLACE: "Places", Entity.Kind.ORG: "Organisations"}


class ReaderPageMixin:
    """What every public page shares: up-to-date statistics, 404 for bad pages, page metadata.

    Subclasses give `page_title`, `page_description` and `nav` (the header item to mark).
    """

    nav = None
    page_description = SITE_DESCRIPTION
    og_type = "website"
    cache_query_params = ("page",)  # what the page cache keys it on besides its path (articles/pagecache.py)

    def dispatch(self, request, *args, **kwargs):
        changes.catch_up(request)  # scheduled articles whose time has come join the listings first
        return super().dispatch(request, *args, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range or malformed ?page= is a 404, never a 500. Only ASCII digits are a
        # page number: int() would also read "１" or "٣" (other scripts' digits) and " 2 ".
        page = self.request.GET.get(self.page_kwarg)
        if page and page != "last" and not (page.isascii() and page.isdigit()):
            raise Http404("No such page")
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            raise
        except (ValueError, TypeError) as exc:
            raise Http404("No such page") from exc

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kwargs):
        count = self.get_total()
        if count is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page, **kwargs)
        return CountedPaginator(queryset, per_page, count=count, allow_empty_first_page=allow_empty_first_page)

    def get_total(self):
        """How many items the whole listing has, from the statistics; None to let the paginator count."""
        return None

    def get_page_title(self):
        return SITE_NAME

    def get_page_description(self):
        return self.page_description

    def get_feeds(self):
        """(title, rss url, atom url) for <link rel="alternate">; the site's feed by default."""
        return [
            (f"{SITE_NAME}: latest articles", reverse("articles:feed_rss"), reverse("articles:feed_atom")),
        ]

    def get_canonical_path(self):
        path = self.request.path
        page_obj = getattr(self, "_page_obj", None)
        query = self.canonical_query()
        if page_obj is not None and page_obj.number > 1:
            query["page"] = page_obj.number
        if query:
            path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        return path

    def canonical_query(self):
        """Query parameters (besides page) that are part of this page's identity."""
        return {}

    def page_keys(self, context):
        """The page-cache keys of what this page shows (see articles/pagecache.py)."""
        return ()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self._page_obj = context.get("page_obj")
        page_title = self.get_page_title()
        if self._page_obj is not None and self._page_obj.number > 1:
            page_title = f"{page_title} (page {self._page_obj.number})"  # no two pages share a title
        depends_on(*self.page_keys(context))
        context.update(
            site_name=SITE_NAME,
            nav=self.nav,
            page_title=page_title,
            page_description=self.get_page_description(),
            og_type=self.og_type,
            canonical_url=self.request.build_absolute_uri(self.get_canonical_path()),
            feeds=self.get_feeds(),
        )
        return context


class ArticleListMixin(ReaderPageMixin):
    """A paginated list of published articles, newest first, as their stored cards (articles/cards.py).

    Subclasses give `listing_ids()`: the listing's article ids in its order, from the narrowest
    table that has them (the tag and entity pages: the public snapshot's dated index, read
    without touching the articles), newest first and ending with the id.
    """

    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "cards"
    heading_level = 2  # of the cards' headlines

    def articles(self):
        """The public articles' ids, newest first (what listing_ids() narrows)."""
        return Article.objects.published().newest_first().values("pk")

    def listing_ids(self):
        return self.articles()

    def get_queryset(self):
        self.card_keys = []
        return CardList(
            self.listing_ids(), heading_level=self.heading_level, keys=self.card_keys, months=self.listing_months()
        )

    def listing_months(self):
        """[(month, count)] of the listing, newest first, when the statistics count it per month
        (CardList reads deep pages from the month they start in); None otherwise."""
        return None

    def page_keys(self, context):
        return [*self.listing_keys(), *self.card_keys]

    def listing_keys(self):
        """The keys of the listing itself (its membership and order)."""
        return ("home",)


class HomeView(ArticleListMixin, ListView):
    template_name = "articles/home.html"
    nav = "home"

    @cached_property
    def months(self):
        return list(MonthCount.objects.filter(count__gt=0).order_by("-month").values_list("month", "count"))

    def get_total(self):
        return sum(count for _, count in self.months)

    def listing_months(self):
        return self.months

    def get_page_title(self):
        return f"{SITE_NAME} — latest articles"


# The article page's one query (Article.objects.for_detail().published() by slug), compiled once
# per process and planned once per database connection (articles/prepared.py).
PUBLIC_ARTICLE = PreparedQuery(
    "article_page", lambda slug: Article.objects.for_detail().published().filter(slug=slug).order_by()
)


class ArticleDetailView(ReaderPageMixin, DetailView):
    """An article's page: the site's shell around the article's parts (articles/parts.py), the
    stored ones for a reader when they are current (one query), else rendered now."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    og_type = "article"
    stored_parts = None  # (Parts, the origin they stand in) when the page is made from stored parts

    def get_queryset(self):
        articles = Article.objects.for_detail()
        if self.request.user.has_perm(PREVIEW_PERMISSION):
            return articles  # editors may preview drafts and scheduled articles
        return articles.published()

    def get_object(self, queryset=None):
        if queryset is not None or self.request.user.has_perm(PREVIEW_PERMISSION):
            return super().get_object(queryset)
        # A reader's page: the article's public row with its stored parts, in one prepared query;
        # if they are missing or stale, the same query as get_queryset()'s, compiled and planned once.
        slug = self.kwargs[self.slug_url_kwarg]
        found = parts.page_row(slug)
        if found is None:
            raise Http404("No article found matching the query")
        article, stored, origin = found
        if stored is not None:
            self.stored_parts = (stored, origin)
            return article
        found = PUBLIC_ARTICLE.fetch(slug)
        if not found:  # unpublished between the two queries
            raise Http404("No article found matching the query")
        return found[0]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if not self.object.is_public:
            # A preview: kept by no cache, shared or the browser's own.
            patch_cache_control(response, private=True, no_store=True)
        return response

    def get_page_title(self):
        return f"{self.object.title} — {SITE_NAME}"

    def get_page_description(self):
        return self.object.dek

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        origin = f"{self.request.scheme}://{self.request.get_host()}"
        if self.stored_parts is not None:
            page, stored_origin = self.stored_parts
            page = parts.Parts(meta=page.meta.replace(stored_origin, origin), main=page.main, keys=page.keys)
        else:
            page = parts.render(self.object, origin=origin, preview=not self.object.is_public)
        depends_on(*page.keys)
        context["parts"] = {"meta": mark_safe(page.meta), "main": mark_safe(page.main)}  # noqa: S308 - rendered by templates
        return context


class SlugDetailListView(ArticleListMixin, ListView):
    """Articles belonging to one author, tag or entity (`model` looked up by slug, with its stats)."""

    model = None
    context_name = None

    def get(self, request, *args, **kwargs):
        self.object = self.get_subject(kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_subject(self, slug):
        # Only subjects with public articles have a page: a tag or author known only from
        # drafts stays private, and crawlers find no empty pages.
        return get_object_or_404(self.model.objects.in_use(), slug=slug)

    def get_total(self):
        return self.object.stats.article_count

    def listing_keys(self):
        name = self.model._meta.model_name
        return (key(name, self.object.pk), key(f"{name}-list", self.object.pk))

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_name: self.object, **kwargs})

    def get_feeds(self):
        name = self.context_name
        slug = self.object.slug
        return [
            (
                f"{SITE_NAME}: {self.feed_title()}",
                reverse(f"articles:{name}_feed_rss", kwargs={"slug": slug}),
                reverse(f"articles:{name}_feed_atom", kwargs={"slug": slug}),
            ),
        ] + super().get_feeds()

    def feed_title(self):
        return str(self.object)


class AuthorDetailView(SlugDetailListView):
    model = Author
    context_name = "author"
    template_name = "articles/author_detail.html"
    nav = "authors"
    heading_level = 3

    def listing_ids(self):
        return self.articles().filter(author=self.object)

    def get_page_title(self):
        return f"{self.object.name} — {SITE_NAME}"

    def get_page_description(self):
        return self.object.bio or f"Articles by {self.object.name}."

    def feed_title(self):
        return f"articles by {self.object.name}"


class TagDetailView(SlugDetailListView):
    model = Tag
    context_name = "tag"
    template_name = "articles/tag_detail.html"
    nav = "tags"

    def listing_ids(self):
        return self.object.public_taggings.order_by("-published_at", "-article_id").values("article_id")

    def get_page_title(self):
        return f"{self.object.name} — {SITE_NAME}"

    def get_page_description(self):
        return f"Articles about {self.object.name}, newest first."

    def feed_title(self):
        return f"articles tagged {self.object.name}"


# The entity page's subject with its "appears with" and timeline (EntityQuerySet.for_page()), in one
# query compiled once per process and planned once per connection (articles/prepared.py).
APPEARS_WITH_LIMIT = 12
ENTITY_PAGE = PreparedQuery(
    "entity_page",
    lambda slug: Entity.objects.in_use().for_page(appears_with=APPEARS_WITH_LIMIT).filter(slug=slug).order_by(),
)


class EntityDetailView(SlugDetailListView):
    model = Entity
    context_name = "entity"
    template_name = "articles/entity_detail.html"
    nav = "entities"
    heading_level = 3

    def get_subject(self, slug):
        found = ENTITY_PAGE.fetch(slug)
        if not found:
            raise Http404("No entity found matching the query")
        return found[0]

    def listing_ids(self):
        return self.object.public_mentions.order_by("-published_at", "-article_id").values("article_id")

    def listing_months(self):
        return list(zip(self.object.month_list[::-1], self.object.count_list[::-1], strict=True))

    def get_page_title(self):
        return f"{self.object.name} — {SITE_NAME}"

    def get_page_description(self):
        return f"Articles that mention {self.object.name} ({self.object.get_kind_display().lower()}), newest first."

    def feed_title(self):
        return f"articles mentioning {self.object.name}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entity = self.object
        context["appears_with"] = [
            EntityPair(
                entity=entity, other=Entity(id=pair["id"], name=pair["name"], slug=pair["slug"]), count=pair["count"]
            )
            for pair in entity.pair_rows
        ]
        depends_on(*(key("entity", pair.other_id) for pair in context["appears_with"]))
        context["months"] = list(zip(entity.month_list, entity.count_list, strict=True))
        context["kind_slug"] = {kind: slug for slug, kind in KIND_SLUGS.items()}[entity.kind]
        return context


class TagListView(ReaderPageMixin, ListView):
    """Every tag with public articles, most used first."""

    template_name = "articles/tag_list.html"
    context_object_name = "tags"
    paginate_by = 200
    nav = "tags"

    def page_keys(self, context):
        return ("tags",)

    def get_queryset(self):
        return Tag.objects.in_use().order_by("-stats__article_count", "name")

    def get_page_title(self):
        return f"Topics — {SITE_NAME}"

    def get_page_description(self):
        return "Every topic in the archive with its number of articles, most covered first."


class AuthorListView(ReaderPageMixin, ListView):
    """Authors with public articles, by name."""

    template_name = "articles/author_list.html"
    context_object_name = "authors"
    paginate_by = 100
    nav = "authors"

    def page_keys(self, context):
        return ("authors",)

    def get_queryset(self):
        return Author.objects.in_use().order_by("name", "id")

    def get_page_title(self):
        return f"Authors — {SITE_NAME}"

    def get_page_description(self):
        return "The writers in the archive and how many articles each has published."


class EntityListView(ReaderPageMixin, ListView):
    """People, places and organisations: the most mentioned of each kind, or one kind in full (?kind=)."""

    template_name = "articles/entity_list.html"
    context_object_name = "entities"
    paginate_by = 120
    per_section = 30
    nav = "entities"
    cache_query_params = ("kind", "page")

    def page_keys(self, context):
        return ("entities",)

    def get(self, request, *args, **kwargs):
        kind = request.GET.get("kind")
        if kind is not None and kind not in KIND_SLUGS:
            raise Http404("No such kind of entity")
        self.kind_slug = kind
        self.kind = KIND_SLUGS.get(kind)
        if self.kind is None and request.GET.get(self.page_kwarg) not in (None, "", "1", "last"):
            # The overview is one page (the most mentioned of each kind): any other ?page= is not a page.
            raise Http404("No such page")
        return super().get(request, *args, **kwargs)

    def get_paginate_by(self, queryset):
        return self.paginate_by if self.kind else None

    def get_queryset(self):
        if self.kind:
            return Entity.objects.in_use().filter(kind=self.kind).order_by("-stats__article_count", "name")
        return Entity.objects.none()

    def canonical_query(self):
        return {"kind": self.kind_slug} if self.kind else {}

    def get_page_title(self):
        if self.kind:
            return f"{KIND_PLURALS[self.kind]} — {SITE_NAME}"
        return f"People, places and organisations — {SITE_NAME}"

    def get_page_description(self):
        if self.kind:
            return f"{KIND_PLURALS[self.kind]} in the news, most mentioned first."
        return "The people, places and organisations the archive's articles mention, most mentioned first."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tabs = [(slug, KIND_PLURALS[kind]) for slug, kind in KIND_SLUGS.items()]
        context.update(kind=self.kind, kind_slug=self.kind_slug, kind_tabs=tabs)
        if self.kind:
            context["kind_label"] = KIND_PLURALS[self.kind]
        else:
            top = Entity.objects.top_per_kind(self.per_section)
            context["sections"] = [
                (
                    slug,
                    KIND_PLURALS[kind],
                    [e for e in top if e.kind == kind],
                    next((e.kind_total for e in top if e.kind == kind), 0),
                )
                for slug, kind in KIND_SLUGS.items()
            ]
        return context


def archive_path(year, month=None):
    """The address of a year's or a month's archive page."""
    if month is None:
        return route_path("articles:archive_year", year)
    return route_path("articles:archive_month", year, month)


class ArchiveMonth(NamedTuple):
    month: datetime.date
    count: int

    @property
    def url(self):
        return archive_path(self.month.year, self.month.month)

    @property
    def name(self):
        return f"{self.month:%B}"

    @property
    def short_name(self):
        return f"{self.month:%b}"

    @property
    def label(self):
        return f"{self.month:%B %Y}"


class ArchiveMixin(ReaderPageMixin):
    """Month counts for the archive pages: one small query over MonthCount."""

    nav = "archive"

    def page_keys(self, context):
        return ("archive",)

    @cached_property
    def month_counts(self):
        rows = MonthCount.objects.filter(count__gt=0).order_by("-month").values_list("month", "count")
        return [ArchiveMonth(month, count) for month, count in rows]

    def years(self):
        """[(year, url, total, [ArchiveMonth, ...] newest first)], newest year first."""
        years = {}
        for month in self.month_counts:
            years.setdefault(month.month.year, []).append(month)
        return [(year, archive_path(year), sum(m.count for m in months), months) for year, months in years.items()]


class ArchiveIndexView(ArchiveMixin, TemplateView):
    template_name = "articles/archive_index.html"

    def get_page_title(self):
        return f"Archive — {SITE_NAME}"

    def get_page_description(self):
        return "Every month of the archive with its number of articles."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["years"] = self.years()
        return context


class ArchivePeriodView(ArchiveMixin, ArticleListMixin, ListView):
    """The articles of one year (`month` None) or one month, newest first."""

    template_name = "articles/archive_period.html"

    def get(self, request, *args, **kwargs):
        year, month = kwargs["year"], kwargs.get("month")
        if not 1 <= year <= 9998:
            raise Http404("No such year")
        zone = timezone.get_current_timezone()
        if month is None:
            self.start = datetime.datetime(year, 1, 1, tzinfo=zone)
            self.end = datetime.datetime(year + 1, 1, 1, tzinfo=zone)
        else:
            self.start = datetime.datetime(year, month, 1, tzinfo=zone)
            self.end = self.start + datetime.timedelta(days=calendar.monthrange(year, month)[1])
        self.year, self.month = year, month
        if not self.get_total():
            raise Http404("No articles in this period")  # so crawlers find no endless empty years
        return super().get(request, *args, **kwargs)

    def listing_ids(self):
        return self.articles().filter(published_at__gte=self.start, published_at__lt=self.end)

    def listing_keys(self):
        period = f"month:{self.year:04d}-{self.month:02d}" if self.month else f"year:{self.year:04d}"
        return ("archive", period)

    def page_keys(self, context):
        return ArticleListMixin.page_keys(self, context)

    def period_months(self):
        return [
            m
            for m in self.month_counts
            if m.month.year == self.year and (self.month is None or m.month.month == self.month)
        ]

    def get_total(self):
        return sum(m.count for m in self.period_months())

    def listing_months(self):
        return [(m.month, m.count) for m in self.period_months()]

    def label(self):
        return f"{self.start:%B %Y}" if self.month else str(self.year)

    def get_page_title(self):
        return f"Articles from {self.label()} — {SITE_NAME}"

    def get_page_description(self):
        return f"Every article published in {self.label()}, newest first."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        months = self.month_counts  # newest first
        if self.month:
            current = self.start.date()
            older = [m for m in months if m.month < current]
            newer = [m for m in months if m.month > current]
            older_link = (older[0].url, older[0].label) if older else None
            newer_link = (newer[-1].url, newer[-1].label) if newer else None
        else:
            older = [m.month.year for m in months if m.month.year < self.year]
            newer = [m.month.year for m in months if m.month.year > self.year]
            older_link = (archive_path(older[0]), older[0]) if older else None
            newer_link = (archive_path(newer[-1]), newer[-1]) if newer else None
        context.update(
            period_label=self.label(),
            year=self.year,
            year_url=archive_path(self.year),
            month=self.month,
            year_months=sorted((m for m in months if m.month.year == self.year), key=lambda m: m.month),
            older=older_link,
            newer=newer_link,
        )
        return context


@require_safe
def robots_txt(request):
    depends_on(EVERYTHING)  # nothing in it changes with the content: cached until any outside write
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    # Searches and charts link to every combination of their filters, a space of addresses without
    # end (and their pages say noindex, which stops no crawler from following their links).
    closed = [reverse("admin:index"), reverse("articles:search"), reverse("articles:trends")]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in closed), f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
def healthz(request):
    """200 when the database answers a query, 503 when it does not.

    Django's own check (`is_usable()`: SELECT 1 on the connection); a broken connection is
    replaced at the next request's start (CONN_HEALTH_CHECKS)."""
    try:
        connection.ensure_connection()
        usable = connection.is_usable()
    except DatabaseError:
        usable = False
    if not usable:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

"""Public pages of the archive. Every query goes through the QuerySets in models.py."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from .models import Article, Author, Entity, Tag


class ArticleListMixin:
    """A paginated list of published articles, newest first, as article cards."""

    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"

    def articles(self):
        return Article.objects.published().newest_first().for_listing()

    def paginate_queryset(self, queryset, page_size):
        # An out-of-range or malformed ?page= is a 404, never a 500.
        try:
            return super().paginate_queryset(queryset, page_size)
        except Http404:
            raise
        except (ValueError, TypeError) as exc:
            raise Http404("No such page") from exc


class HomeView(ArticleListMixin, ListView):
    template_name = "articles/home.html"

    def get_queryset(self):
        return self.articles()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        articles = Article.objects.for_detail()
        if self.request.user.is_staff:
            return articles  # staff may preview drafts and scheduled articles
        return articles.published()


class SlugDetailListView(ArticleListMixin, ListView):
    """Articles belonging to one author, tag or entity (`model` looked up by slug)."""

    model = None
    context_name = None

    def get(self, request, *args, **kwargs):
        self.object = get_object_or_404(self.model, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.context_name: self.object, **kwargs})


class AuthorDetailView(SlugDetailListView):
    model = Author
    context_name = "author"
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        return self.articles().filter(author=self.object)


class TagDetailView(SlugDetailListView):
    model = Tag
    context_name = "tag"
    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        return self.articles().filter(taggings__tag=self.object)


class EntityDetailView(SlugDetailListView):
    model = Entity
    context_name = "entity"
    template_name = "articles/entity_detail.html"

    def get_queryset(self):
        return self.articles().filter(mentions__entity=self.object)


def healthz(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})

"""The desk: the admin's front page, what an editor looks at first each morning.

Scheduled articles in the order they go live (each can be moved from there), the
drafts touched last and who touched them, what the last ingest created and which
files it could not read, and the entities an article names that were created in
the last day, fewest articles first: a name only one article uses is where a wrong
entity shows (the starter vocabulary, which no article names yet, is left out).
Every row links into the admin. Five queries, however many rows (tests/test_desk.py). Each
section is shown only to an account allowed to view what it lists (README: staff status alone
may not even preview an article).
"""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .. import changes, history
from ..models import Article, Entity, IngestRun, Mention, publication_date_error

ROWS = 10  # rows per list
NEW_ENTITIES_SINCE = datetime.timedelta(days=1)
NEW_ENTITY_ROWS = 20


def desk_context(user):
    """What templates/admin/index.html shows to `user`: each section only with the permission that
    guards the pages it links to (articles, entities), and the Move boxes only to those who may
    change articles. Staff status alone shows nothing: not even a scheduled headline."""
    may = {
        "articles": user.has_perm("articles.view_article"),
        "entities": user.has_perm("articles.view_entity"),
        "move": user.has_perm("articles.change_article"),
        "add": user.has_perm("articles.add_article"),
    }
    context = {"may": may}
    if may["articles"]:
        context.update(_article_sections())
    if may["entities"]:
        context["new_entities"] = _new_entities()
    return context


def _article_sections():
    now = timezone.now()
    context = {
        # published_at > now repeats what scheduled() implies for published rows (they always have
        # a date): it lets PostgreSQL read the range from the published articles' date index.
        "scheduled": list(
            Article.objects.scheduled()
            .filter(published_at__gt=now)
            .select_related("author")
            .defer("body")
            .order_by("published_at", "pk")[:ROWS]
        ),
        "drafts": list(  # read from the small index of unpublished rows
            Article.objects.filter(status=Article.Status.DRAFT)
            .select_related("edited_by")
            .defer("body")
            .order_by("-updated_at", "-pk")[:ROWS]
        ),
        "ingest": IngestRun.objects.newest(),
        "ingest_articles": list(IngestRun.objects.newest_articles().defer("body")[:ROWS]),
        "move_form": MoveForm(),
    }
    for article in context["drafts"]:
        article.changed_by = history.changed_by(article)
    return context


def _new_entities():
    # Public articles from the reader statistics: counting mentions would read every
    # mention of every entity a big ingest created.
    return list(
        Entity.objects.filter(created_at__gte=timezone.now() - NEW_ENTITIES_SINCE)
        .filter(Exists(Mention.objects.filter(entity=OuterRef("pk"))))
        .annotate(article_count=Coalesce("stats__article_count", 0))
        .order_by("article_count", "-created_at", "-pk")[:NEW_ENTITY_ROWS]
    )


class MoveForm(forms.Form):
    published_at = forms.DateTimeField(
        label="New time",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_published_at(self):
        problem = publication_date_error(self.cleaned_data["published_at"], timezone.now())
        if problem:
            raise forms.ValidationError(problem, code="outside_archive")
        return self.cleaned_data["published_at"]


def move_view(model_admin, request, object_id):
    """Move a scheduled article to another time (a POST from the desk); back to the desk."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not str(object_id).isdigit():
        raise Http404("No scheduled article has that id.")
    article = get_object_or_404(Article, pk=object_id)
    if not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    desk = reverse("admin:index")
    if not Article.objects.scheduled().filter(pk=article.pk).exists():
        # It went live, or another editor published or unpublished it, since the desk was shown.
        now = (
            "a draft" if article.status == Article.Status.DRAFT else f"live since {history.when(article.published_at)}"
        )
        messages.error(
            request, f"“{article}” was not moved: it is no longer scheduled ({now}). Open it to change its date."
        )
        return HttpResponseRedirect(desk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        why = "give the new time as a date and a time."
        if form.has_error("published_at", "outside_archive"):
            why = form.errors["published_at"][0]
        messages.error(request, f"“{article}” was not moved: {why}")
        return HttpResponseRedirect(desk)
    before, after = article.published_at, form.cleaned_data["published_at"]
    now = timezone.now()
    with changes.atomic():
        Article.objects.filter(pk=article.pk).update(
            published_at=after, edited_at=now, edited_by=request.user, updated_at=now
        )
        changes.apply(articles=[article.pk])
        message = history.change("Publication date", history.when(before), history.when(after))
        LogEntry.objects.log_actions(request.user.pk, [article], CHANGE, change_message=message, single_object=True)
    if after <= now:
        url = request.build_absolute_uri(article.get_absolute_url())
        messages.success(request, format_html('“{}” is live at <a href="{}">{}</a>.', article, url, url))
    else:
        messages.success(request, f"“{article}” moved: it goes live {history.when(after)}.")
    return HttpResponseRedirect(desk)

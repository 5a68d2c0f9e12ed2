"""Authors in the admin."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import ngettext

from .. import changes, jobs
from ..entities.vocabulary import form_identity
from ..models import TWITTER_HANDLE_RE, Article, Author, Entity
from ..textcleanup import clean_line, clean_prose
from .curation import (
    ChangePathAdmin,
    KeepsFormerNames,
    RecordsSlugChanges,
    articles_link,
    clash_error,
    free_slug,
    merge_action,
    name_clash,
)
from .jobs import jobs_link


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "twitter"]

    def clean_name(self):
        name = clean_line(self.cleaned_data["name"])  # "Dana\u200b Levi" is Dana Levi
        clash = name_clash(Author, name, self.instance)
        if clash is not None:
            raise clash_error(Author, clash, "author")
        return name

    def clean_slug(self):
        if "name" in self.errors:
            return self.cleaned_data.get("slug", "")  # the name's clash says it all
        return free_slug(self, "articles:author_detail", lambda author: f"“{author.name}”")

    def validate_unique(self):
        if not self.has_error("name"):  # a clash of names also clashes addresses: said once, by the name
            super().validate_unique()

    def clean_bio(self):
        return clean_prose(self.cleaned_data["bio"]).strip()

    def clean_twitter(self):
        handle = self.cleaned_data["twitter"].strip()
        handle = handle.removeprefix("https://x.com/").removeprefix("https://twitter.com/").lstrip("@")
        if handle and not TWITTER_HANDLE_RE.fullmatch(f"@{handle}"):
            raise ValidationError("A handle is 1–15 letters, digits or underscores, e.g. “@jane_doe”.")
        return handle


@admin.register(Author)
class AuthorAdmin(KeepsFormerNames, RecordsSlugChanges, ChangePathAdmin):
    change_kind = "authors"
    ordering = ["name", "pk"]  # also for autocomplete, whose paging needs a stable order
    form = AuthorAdminForm
    list_display = ["name", "twitter", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "bio", "twitter"]
    actions = ["merge_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(count=Count("articles"))

    @admin.display(ordering="count", description="articles")
    def article_count(self, obj):
        return articles_link(obj, obj.count, "author")

    def get_deleted_objects(self, objs, request):
        """Django's list of what a delete takes (the delete page and the action's confirmation),
        and, on the confirmation only, a warning that the authors' articles stay without a byline."""
        if request.POST.get("post") != "yes":
            articles = Article.objects.filter(author__in=list(objs))
            totals = dict(articles.values_list("author").annotate(n=Count("pk")).order_by())
            public = dict(articles.published().values_list("author").annotate(n=Count("pk")).order_by())
            for author in objs:
                if totals.get(author.pk):
                    n, shown = totals[author.pk], public.get(author.pk, 0)
                    messages.warning(
                        request,
                        ngettext(
                            "“{author}” has {n:,} article ({shown:,} public): it stays, with no byline, and "
                            "readers see it without an author.",
                            "“{author}” has {n:,} articles ({shown:,} public): they stay, with no byline, and "
                            "readers see them without an author.",
                            n,
                        ).format(author=author, n=n, shown=shown)
                        + " To give them another author's byline instead, select both authors and choose Merge.",
                    )
        return super().get_deleted_objects(objs, request)

    def save_model(self, request, obj, form, change):
        old_name = form.initial.get("name") if change else None
        if {"bio", "twitter"} & set(form.changed_data):
            obj.bio_edited_at = timezone.now()  # ingest keeps what an editor wrote (writes.update_bios)
        super().save_model(request, obj, form, change)
        if old_name and old_name != obj.name:
            # The byline is a person of each of the author's articles: that person follows the
            # rename (else the next re-link made a second one), and the articles are re-linked.
            person = byline_person_follows(old_name, obj.name)
            ids = sorted(obj.articles.values_list("pk", flat=True))
            relink_articles_of(request, obj, ids, target=obj)
            if not (person or ids):
                return
            messages.info(
                request,
                format_html(
                    "{}{} in the background; you’ll see the result under {}.",
                    f"The person “{old_name}” is now “{person}” (“{old_name}” kept as another name). "
                    if person
                    else "",
                    _relinking(len(ids), 1),
                    jobs_link(),
                ),
            )

    def delete_model(self, request, obj):
        self.delete_queryset(request, Author.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        # The articles stay, their author set to NULL: their search entries (which hold the
        # byline) and pages follow through the change path, named before the delete forgets them.
        # The byline was a person of each article: they are re-linked without it (a job, as after
        # a rename), else that person stayed until some later re-link removed it.
        authors = {author.pk: str(author) for author in queryset}
        by_author = {}
        for pk, author_id in Article.objects.filter(author__in=list(authors)).values_list("pk", "author"):
            by_author.setdefault(author_id, []).append(pk)
        queryset.delete()
        changes.apply(articles=[pk for ids in by_author.values() for pk in ids], authors=list(authors))
        for author_id, ids in sorted(by_author.items()):
            relink_articles_of(request, authors[author_id], sorted(ids))
        if by_author:
            messages.info(
                request,
                format_html(
                    "{} in the background, without the byline’s person; you’ll see the result under {}.",
                    _relinking(sum(len(ids) for ids in by_author.values()), len(by_author)),
                    jobs_link(),
                ),
            )

    @admin.action(description="Merge selected authors…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        # A job; once done it re-extracts the moved articles (the byline is a person of each).
        return merge_action(self, request, queryset, count_label=("article", "articles"))


def relink_articles_of(request, author, ids, *, target=None):
    """Enqueue the re-linking of `ids`, the articles of `author` (a row, or the name of a deleted one)."""
    if not ids:
        return
    jobs.enqueue(
        "relink",
        description=ngettext(
            "Re-link the {n:,} article by “{author}”", "Re-link the {n:,} articles by “{author}”", len(ids)
        ).format(n=len(ids), author=author),
        params={"entity_ids": None, "article_ids": ids},
        requested_by=request.user,
        target=target,
    )


def _relinking(articles, authors):
    if authors == 1:
        return ngettext("Re-linking the author’s article", "Re-linking the author’s {n:,} articles", articles).format(
            n=articles
        )
    return ngettext("Re-linking the authors’ article", "Re-linking the authors’ {n:,} articles", articles).format(
        n=articles
    )


def byline_person_follows(old_name, new_name):
    """Rename the person an author's old name made (each article counts its byline as a person) to the
    author's new name, the old one kept as an alias, through the change path; returns it, or None
    when there is none, or when a person of the new name exists already (re-linking then finds it)."""
    person = Entity.objects.filter(kind=Entity.Kind.PERSON, name__iexact=old_name).first()
    if person is None:
        return None
    if Entity.objects.filter(kind=Entity.Kind.PERSON, name__iexact=new_name).exclude(pk=person.pk).exists():
        return None
    aliases = [a for a in person.aliases if form_identity(a) != form_identity(new_name)]
    if form_identity(person.name) != form_identity(new_name) and person.name not in aliases:
        aliases.append(person.name)
    person.name, person.aliases = new_name, aliases
    person.save(update_fields=["name", "aliases", "updated_at"])
    changes.apply(entities=[person.pk])
    return person

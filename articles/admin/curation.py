"""What the admins share: the change path around every write; merges (queued as jobs), name
clashes and old addresses for the entity, tag and author lists."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import ngettext

from .. import changes
from ..jobs.curation import enqueue_merge
from ..merge import MergeError
from ..models import (
    ArticleParts,
    AuthorStats,
    EntityMonth,
    EntityPair,
    EntityStats,
    ModelReading,
    MonthCount,
    PublicArticle,
    PublicMention,
    PublicTagging,
    RelatedArticles,
    SearchEntry,
    SlugRedirect,
    TagStats,
    keep_former_name,
    taken_slugs,
    unique_slug,
)
from ..routes import slug_path
from .jobs import jobs_link


class ChangePathAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through the change path (articles/changes.py).

    Every POST (a save, a deletion, a bulk action) runs inside `changes.atomic()`,
    and the admin's save and delete hooks end by calling `changes.apply()` with
    what they changed, so search entries, counts and cached pages follow at once.
    `change_kind` names the keyword apply() takes for this model's rows.
    """

    change_kind = None

    def changeform_view(self, request, *args, **kwargs):
        return self._in_change_path(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._in_change_path(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._in_change_path(request, super().changelist_view, *args, **kwargs)

    @staticmethod
    def _in_change_path(request, view, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        with changes.atomic():
            return view(request, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if self.change_kind:
            changes.apply(**{self.change_kind: [obj.pk]})

    def delete_model(self, request, obj):
        pk = obj.pk
        articles = self.articles_of([pk])
        super().delete_model(request, obj)
        if self.change_kind:
            changes.apply(articles=articles, **{self.change_kind: [pk]})

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        articles = self.articles_of(pks)
        super().delete_queryset(request, queryset)
        if self.change_kind:
            changes.apply(articles=articles, **{self.change_kind: pks})

    def articles_of(self, pks):
        """The articles a delete of these rows changes, named before the delete forgets them (their
        taggings or mentions go with the rows): apply() brings their search entries, counts and pages
        up to date. None by default."""
        return ()

    def get_deleted_objects(self, objs, request):
        """What the delete confirmation lists: what editors know (the entity, its mentions, old
        addresses), not the derived tables the change path rebuilds ("Entity statss: 1")."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        derived = DERIVED_MODELS
        prefixes = tuple(f"{capfirst(model._meta.verbose_name)}: " for model in derived)
        plural = {str(model._meta.verbose_name_plural) for model in derived}
        counts = {name: n for name, n in counts.items() if str(name) not in plural}
        return _without_derived(deleted, prefixes), counts, perms_needed, protected


# The rows the change path derives from what editors write (reader statistics, search entries,
# the model's readings, the pages' stored parts): rebuilt, never edited, so a delete
# confirmation does not list them.
DERIVED_MODELS = [
    ArticleParts,
    AuthorStats,
    EntityMonth,
    EntityPair,
    EntityStats,
    ModelReading,
    MonthCount,
    PublicArticle,
    PublicMention,
    PublicTagging,
    RelatedArticles,
    SearchEntry,
    TagStats,
]


def _without_derived(items, prefixes):
    """Django's nested list of what a delete takes, without the derived rows (and what nests under them)."""
    kept, skip_children = [], False
    for item in items:
        if isinstance(item, list):
            if not skip_children:
                kept.append(_without_derived(item, prefixes))
            continue
        skip_children = str(item).startswith(prefixes)
        if not skip_children:
            kept.append(item)
    return kept


def same_name(text):
    """A name as compared for duplicates: spacing and case do not count."""
    return " ".join(text.split()).casefold()


# Merges, shared by the entity, tag and author lists.


def merge_action(model_admin, request, queryset, *, count_label):
    """The intermediate page of a merge action, and the merge, queued once confirmed.

    The merge itself is a job (articles/jobs/curation.py): the request only enqueues it
    and says what was queued; the survivor's History gets the result when it is done.
    Rows are listed with `count` annotated by the admin. `count_label` names what a merge
    moves, singular and plural: ("tagged article", "tagged articles").
    """
    opts = model_admin.model._meta
    rows = list(model_admin.get_queryset(request).filter(pk__in=queryset.values("pk")).order_by("-count", "pk"))
    if len(rows) < 2:
        model_admin.message_user(request, f"Select at least two {opts.verbose_name_plural} to merge.", messages.WARNING)
        return None
    error = ""
    if request.POST.get("confirm") == "yes":
        survivor = next((row for row in rows if str(row.pk) == request.POST.get("survivor")), None)
        if survivor is not None:
            _merge_queued(model_admin, request, survivor, rows)
            return None
        error = f"Choose the {opts.verbose_name} to keep."
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Merge {opts.verbose_name_plural}",
        "opts": opts,
        "rows": rows,
        # None chosen until the editor chooses (a merge is not undone from the admin): "Merge" alone
        # is refused; a choice that failed (another row not kept) is shown again.
        "survivor_pk": next((row.pk for row in rows if str(row.pk) == request.POST.get("survivor")), None),
        "count_label": count_label[1],
        "kinds_differ": len({getattr(row, "kind", None) for row in rows}) > 1,
        "error": error,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/articles/merge_confirmation.html", context)


def _merge_queued(model_admin, request, survivor, rows):
    """Enqueue the merge of the other rows into `survivor` and tell the editor what was queued."""
    opts = model_admin.model._meta
    others = [row for row in rows if row.pk != survivor.pk]
    try:
        _, articles = enqueue_merge(survivor, others, requested_by=request.user)
    except MergeError as exc:
        model_admin.message_user(request, f"Nothing was merged: {exc}.", messages.ERROR)
        return
    model_admin.message_user(
        request,
        format_html(
            'Merging {} {} into <a href="{}">{}</a> ({} {}){}; you’ll see the result under {} and in its History.',
            len(others),
            opts.verbose_name if len(others) == 1 else opts.verbose_name_plural,
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[survivor.pk]),
            survivor,
            f"{articles:,}",
            ngettext("article", "articles", articles),
            ", then re-linking the articles that could mention it" if opts.model_name == "entity" else "",
            jobs_link(),
        ),
        messages.SUCCESS,
    )


def articles_link(obj, count, parameter):
    url = reverse("admin:articles_article_changelist") + "?" + urlencode({parameter: obj.pk})
    return format_html('<a href="{}">{}</a>', url, count)


class RecordsSlugChanges:
    """A changed slug leaves a redirect from the old address to the new one."""

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if old_slug and old_slug != obj.slug:
            SlugRedirect.objects.record(old_slug, obj)


class KeepsFormerNames:
    """A renamed author or tag keeps its old name (`models.keep_former_name`): the next ingest
    files a seed file that still uses it under this row, as it does a merged row's name."""

    def save_model(self, request, obj, form, change):
        if change and "name" in form.changed_data:
            keep_former_name(obj, form.initial.get("name"))
        super().save_model(request, obj, form, change)


def name_clash(model, name, instance, **extra):
    """The row of `model` (other than `instance`) whose name equals `name` regardless of case."""
    return (
        model.objects.annotate(lower_name=Lower("name"))
        .filter(lower_name=name.lower(), **extra)
        .exclude(pk=instance.pk)
        .first()
    )


def clash_error(model, clash, noun):
    url = reverse(f"admin:articles_{model._meta.model_name}_change", args=[clash.pk])
    return ValidationError(
        format_html(
            '<a href="{}">“{}”</a> already exists. To combine the two, select both in the {} list and choose “Merge…”.',
            url,
            clash.name,
            noun,
        )
    )


def free_slug(form, route, describe=str):
    """The form's slug if no other row has it, else a ValidationError naming whose address it is
    (`describe(row)`) and a free one: the article form's message, for entities and authors."""
    model, slug = form._meta.model, form.cleaned_data.get("slug", "")
    clash = model.objects.filter(slug=slug).exclude(pk=form.instance.pk).first() if slug else None
    if clash is None:
        return slug
    free = unique_slug(slug, taken_slugs(model, [slug]))
    raise ValidationError(
        f"The address {slug_path(route, slug)} already belongs to {describe(clash)}. "
        f"Choose another one, for example “{free}”."
    )

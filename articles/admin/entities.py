"""Entities in the admin: names, kinds and aliases, merges, and the names editors rejected."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import history, jobs
from ..entities.junk import alias_junk_reason
from ..entities.vocabulary import form_identity
from ..models import Entity, Mention, RejectedName
from ..textcleanup import clean_line, markup_in
from .curation import (
    ChangePathAdmin,
    RecordsSlugChanges,
    articles_link,
    clash_error,
    free_slug,
    merge_action,
    name_clash,
    same_name,
)
from .jobs import jobs_link

ALIAS_MAX_LENGTH = Entity._meta.get_field("aliases").base_field.max_length


class AliasesField(forms.CharField):
    """Aliases one per line (so an alias may contain commas); cleans to a list without repeats."""

    widget = forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        aliases, seen = [], set()
        for line in text.splitlines():
            alias = clean_line(line)
            if not alias or form_identity(alias) in seen:  # "Nato" is no repeat of "NATO"
                continue
            if len(alias) > ALIAS_MAX_LENGTH:
                raise ValidationError(
                    f"“{Truncator(alias).chars(40)}” is too long (at most {ALIAS_MAX_LENGTH} characters)."
                )
            seen.add(form_identity(alias))
            aliases.append(alias)
        return aliases

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class EntityAdminForm(forms.ModelForm):
    aliases = AliasesField(
        required=False,
        help_text="Other names for this entity (“Putin”, “US”, “U.S.”), one per line. "
        "Articles that use them are linked to this entity. Names in capitals only "
        "(“US”, “WHO”) match only in capitals.",
    )

    class Meta:
        model = Entity
        fields = ["name", "slug", "kind", "aliases"]

    def clean_name(self):
        name = clean_line(self.cleaned_data["name"])
        if not name:
            raise ValidationError("The name cannot be empty.")
        return name

    def clean(self):
        cleaned = super().clean()
        name, kind = cleaned.get("name"), cleaned.get("kind")
        if name and kind:
            clash = name_clash(Entity, name, self.instance, kind=kind)
            if clash is not None:
                self.add_error("name", clash_error(Entity, clash, "entity"))
        if "slug" in cleaned and not self.has_error("name"):  # a name clash says it all
            try:
                free_slug(self, "articles:entity_detail", lambda e: f"“{e.name}” ({e.get_kind_display().lower()})")
            except ValidationError as error:
                self.add_error("slug", error)
        junk = [(a, alias_junk_reason(a, kind)) for a in cleaned.get("aliases", [])]
        junk = [f"“{Truncator(a).chars(40)}”: {reason}" for a, reason in junk if reason is not None]
        if junk:
            self.add_error("aliases", f"Not names readers could look up: {'; '.join(junk)}.")
        if name and "aliases" in cleaned:
            cleaned["aliases"] = [a for a in cleaned["aliases"] if form_identity(a) != form_identity(name)]
            taken = {
                same_name(n): n
                for n in Entity.objects.exclude(pk=self.instance.pk)
                .annotate(lower_name=Lower("name"))
                .filter(lower_name__in=[a.lower() for a in cleaned["aliases"]])
                .values_list("name", flat=True)
            }
            clashes = [taken[same_name(a)] for a in cleaned["aliases"] if same_name(a) in taken]
            if clashes:
                self.add_error(
                    "aliases",
                    f"{', '.join(f'“{c}”' for c in clashes)} is the name of another entity. "
                    "To make them one, merge the two entities in the entity list instead.",
                )
        return cleaned

    def validate_unique(self):
        if not self.has_error("name"):  # a clash of names also clashes addresses: said once, by the name
            super().validate_unique()


def warn_of_markup(request, entity):
    """Warn, as the article form does for a headline, of names with HTML typed into them: they are
    kept, and readers see them exactly as typed."""
    for label, name in [("name", entity.name), *(("alias", alias) for alias in entity.aliases)]:
        tag = markup_in(name)
        if tag:
            messages.warning(
                request,
                f"The {label} “{name}” contains HTML ({tag}). Readers see it exactly as typed, tags included: "
                "an entity's names are plain text. Change it unless the markup is meant to be read.",
            )


@admin.register(Entity)
class EntityAdmin(RecordsSlugChanges, ChangePathAdmin):
    change_kind = "entities"
    ordering = ["name", "pk"]  # also for autocomplete, whose paging needs a stable order
    form = EntityAdminForm
    list_display = ["name", "kind", "alias_list", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    search_help_text = "Finds names and aliases."
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(count=Count("mentions"))

    @admin.display(description="aliases")
    def alias_list(self, obj):
        return Truncator(", ".join(obj.aliases)).chars(80)

    @admin.display(ordering="count", description="articles")
    def article_count(self, obj):
        return articles_link(obj, obj.count, "entity")

    def save_model(self, request, obj, form, change):
        vocabulary_changed = not change or {"name", "kind", "aliases"} & set(form.changed_data)
        super().save_model(request, obj, form, change)
        if vocabulary_changed:
            warn_of_markup(request, obj)
            if lift_rejection(obj.name):
                messages.info(request, f"“{obj.name}” was a rejected name; it no longer is, now that an entity has it.")
            # A new entity, name or alias links the stored articles that use it, and a removed
            # alias unlinks them: a background job (tens of thousands of articles for a frequent
            # entity), enqueued in this request's transaction.
            messages.info(request, relink_in_background(request, obj))

    def delete_model(self, request, obj):
        self._reject_names(request, [obj.name])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._reject_names(request, queryset.values_list("name", flat=True))
        super().delete_queryset(request, queryset)

    def _reject_names(self, request, names):
        """Record the names of the entities being deleted as rejected, when the confirmation's box
        was left ticked: the next re-link would otherwise find them in the same text again."""
        if request.POST.get("reject_names") != "yes":
            return
        names = sorted(set(names))
        reject_names(names)
        messages.info(
            request,
            format_html(
                "{} will not be made {} again; lift a rejection under {}.",
                ", ".join(f"“{name}”" for name in names),
                "an entity" if len(names) == 1 else "entities",
                format_html('<a href="{}">Rejected names</a>', reverse("admin:articles_rejectedname_changelist")),
            ),
        )

    def construct_change_message(self, request, form, formsets, add=False):
        """What changed, from → to ("Aliases: + Ayia Napa"), not Django's "Changed aliases."."""
        if add:
            return super().construct_change_message(request, form, formsets, add)
        return history.entity_form_changes(form) or super().construct_change_message(request, form, formsets, add)

    @admin.action(description="Merge selected entities…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        # A job; once done it re-links the articles that could mention the survivor.
        return merge_action(self, request, queryset, count_label=("article mention", "article mentions"))


def relink_in_background(request, entity):
    """Enqueue the re-linking of the articles that could mention `entity`; returns the message saying so."""
    jobs.enqueue(
        "relink",
        description=f"Re-link the articles that could mention “{entity}”",
        params={"entity_ids": [entity.pk]},
        requested_by=request.user,
        target=entity,
    )
    mentioning = Mention.objects.filter(entity=entity).count()
    return format_html(
        "Re-linking the articles that mention “{}” ({} now) or use one of its names, in the background; "
        "you’ll see the result under {} and in its History.",
        entity,
        f"{mentioning:,}",
        jobs_link(),
    )


def reject_names(names):
    """Record `names` as rejected (those already are stay as they were)."""
    RejectedName.objects.bulk_create([RejectedName(name=name) for name in names], ignore_conflicts=True)


def lift_rejection(name):
    """Forget the rejection of `name` (an entity now has it); returns whether there was one."""
    return RejectedName.objects.filter(name__iexact=" ".join(name.split())).delete()[0] > 0


@admin.register(RejectedName)
class RejectedNameAdmin(admin.ModelAdmin):
    """Names deleted as no entity, which extraction never makes entities again: an editor may add
    one before it is ever found, or delete one to let extraction find it again."""

    list_display = ["name", "rejected_at"]
    search_fields = ["name"]
    fields = ["name"]
    list_per_page = 100

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        messages.info(request, _LIFTED)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        messages.info(request, _LIFTED)


_LIFTED = (
    "Extraction may find the name again: articles that use it link it when they are next "
    "re-linked (relink_entities), re-extracted or saved."
)

"""Tags in the admin: the comma-separated tag field (with suggestions) and the tag list."""

import re

import taggit.models
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import writes
from ..models import Tag
from ..seed import MAX_TAGS
from ..textcleanup import clean_line, markup_in
from .curation import (
    ChangePathAdmin,
    KeepsFormerNames,
    RecordsSlugChanges,
    articles_link,
    clash_error,
    merge_action,
    name_clash,
    same_name,
)

TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length


# Tags: a comma-separated text field that suggests existing tags as the editor types.


class TagSuggestInput(forms.TextInput):
    """A text input with a <datalist> filled from the tag suggestion endpoint (see tag_suggest.js)."""

    def __init__(self, *, multiple=True, attrs=None):
        super().__init__(attrs={"class": "vTextField", "autocomplete": "off", **(attrs or {})})
        self.multiple = multiple

    class Media:
        js = ["admin/articles/tag_suggest.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        attributes = context["widget"]["attrs"]
        attributes["list"] = f"{attributes.get('id', name)}-suggestions"
        attributes["data-tag-suggest"] = reverse("admin:articles_tag_suggest")
        attributes["data-tag-multiple"] = "true" if self.multiple else "false"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id', name)}-suggestions"
        return format_html('{}<datalist id="{}"></datalist>', html, list_id)

    def format_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(getattr(tag, "name", tag) for tag in value)
        return super().format_value(value)


def clean_tag_name(raw):
    """One tag's name, cleaned, or a ValidationError saying what is wrong with it.

    The one rule for every form that names a tag (an article's tags, the bulk "Add a tag",
    the tag's own form): commas separate tags, so no name holds one (the article form splits
    on them first), and a name needs a letter or a digit ("!!!" makes no topic page)."""
    name = clean_line(raw)  # no invisible characters: "energy\u200b" is "energy"
    if "," in name:
        raise ValidationError(f"“{Truncator(name).chars(40)}”: a tag cannot contain a comma (commas separate tags).")
    if name and not any(c.isalnum() for c in name):
        raise ValidationError(f"“{Truncator(name).chars(40)}” is not a tag: a tag needs a letter or a digit.")
    if len(name) > TAG_NAME_MAX_LENGTH:
        raise ValidationError(
            f"“{Truncator(name).chars(40)}” is too long for a tag (at most {TAG_NAME_MAX_LENGTH} characters)."
        )
    return name


def existing_spellings(names):
    """Each name as an existing tag spells it ("russia" -> "Russia"), or as given."""
    found = dict(
        Tag.objects.annotate(lower_name=Lower("name"))
        .filter(lower_name__in=[n.lower() for n in names])
        .values_list("lower_name", "name")
    )
    return [found.get(n.lower(), n) for n in names]


class TagNamesField(forms.CharField):
    """Tag names separated by commas; spaces stay inside a name ("climate change" is one tag).

    Cleans to a list of names, each as an existing tag spells it, with no
    repeats regardless of case, so "russia" and "Russia" are always one tag.
    """

    widget = TagSuggestInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            "Separate tags with commas. Existing tags are suggested as you type; "
            "capitals do not matter (“russia” is the tag “Russia”).",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(getattr(tag, "name", tag) for tag in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        names, seen = [], set()
        for part in re.split(r"[,\n]", text):
            name = clean_tag_name(part)
            if name and same_name(name) not in seen:
                seen.add(same_name(name))
                names.append(name)
        if len(names) > MAX_TAGS:
            raise ValidationError(f"An article has at most {MAX_TAGS} tags; this list has {len(names)}.")
        return existing_spellings(names) if names else []

    def has_changed(self, initial, data):
        before = [getattr(tag, "name", tag) for tag in (initial or [])]
        try:
            after = self.to_python(data)
        except ValidationError:
            return True
        return sorted(map(same_name, before)) != sorted(map(same_name, after))


def warn_of_markup(request, names):
    """Warn, as the article form does for a headline, of tag names with HTML typed into them:
    they are kept, and readers see them exactly as typed."""
    for name in names:
        tag = markup_in(name)
        if tag:
            messages.warning(
                request,
                f"The tag “{name}” contains HTML ({tag}). Readers see it exactly as typed, tags included: "
                "a tag's name is plain text. Rename the tag unless the markup is meant to be read.",
            )


# The tag list.


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = clean_tag_name(self.cleaned_data["name"])
        if "," in name:
            raise ValidationError("A tag name cannot contain a comma: commas separate tags.")
        clash = name_clash(Tag, name, self.instance)
        if clash is not None:
            raise clash_error(Tag, clash, "tag")
        return name


# django-taggit registers an admin for its own Tag model, which no article uses (articles.Tag is
# the project's TagBase): listed beside ours, an empty "Taggit › Tags" took tags that went nowhere.
# "taggit" comes before "articles" in INSTALLED_APPS, so its admin is registered by now.
admin.site.unregister(taggit.models.Tag)


@admin.register(Tag)
class TagAdmin(KeepsFormerNames, RecordsSlugChanges, ChangePathAdmin):
    change_kind = "tags"
    ordering = ["name", "pk"]  # also for autocomplete, whose paging needs a stable order
    form = TagAdminForm
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(count=Count("taggings"))

    def save_form(self, request, form, change):
        warn_of_markup(request, [form.cleaned_data["name"]])
        return super().save_form(request, form, change)

    @admin.display(ordering="count", description="articles")
    def article_count(self, obj):
        return articles_link(obj, obj.count, "tag")

    def get_urls(self):
        suggest = path("suggest/", self.admin_site.admin_view(self.suggest_view), name="articles_tag_suggest")
        return [suggest, *super().get_urls()]

    def suggest_view(self, request):
        """Up to 10 existing tags for what the editor is typing, most used first (JSON)."""
        if not self.has_view_permission(request):
            return JsonResponse({"error": "not allowed"}, status=403)
        query = " ".join(request.GET.get("q", "").split())[:TAG_NAME_MAX_LENGTH]
        if not query:
            return JsonResponse({"results": []})
        tags = (
            Tag.objects.filter(name__icontains=query)
            .annotate(n=Count("taggings"), prefix=Q(name__istartswith=query))
            .order_by("-prefix", "-n", "name")
            .values_list("name", "n")[:10]
        )
        return JsonResponse({"results": [{"name": name, "articles": n} for name, n in tags]})

    def articles_of(self, pks):
        # A tag's name is in its articles' search entries, and it is counted in their statistics.
        return writes.articles_of(tags=pks)

    @admin.action(description="Merge selected tags…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        return merge_action(self, request, queryset, count_label=("tagged article", "tagged articles"))

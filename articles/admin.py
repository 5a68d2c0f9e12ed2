"""The editors' newsroom: articles, authors, entities and tags in the Django admin.

Every list page runs a fixed number of queries (the QuerySets below select and
prefetch what the columns show). Writes go through the shared paths:
`ingest.replace_tags` for tags, `ingest.refresh_entities` for re-extraction and
`articles.merge` for merges. Bulk actions write a LogEntry per article, so
History shows who changed what.
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower, Now
from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.text import Truncator

from .entities.relink import relink as relink_entities
from .ingest import refresh_entities, replace_tags
from .merge import (
    MergeError,
    merge_authors,
    merge_entities,
    merge_tags,
    refresh_after_vocabulary_change,
)
from .models import (
    TWITTER_HANDLE_RE,
    Article,
    Author,
    Entity,
    Mention,
    SearchEntry,
    SeedFile,
    SlugRedirect,
    Tag,
    TaggedArticle,
    make_slug,
    taken_slugs,
    unique_slug,
)
from .search import CONFIG as SEARCH_CONFIG
from .stats import refresh_reader_stats

TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
ALIAS_MAX_LENGTH = Entity._meta.get_field("aliases").base_field.max_length
FILTER_CHOICES = 30  # how many authors or tags a list filter offers (the most used), besides the chosen one


def _same(text):
    """A name as compared for duplicates: spacing and case do not count."""
    return " ".join(text.split()).casefold()


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
    name = " ".join(raw.split())
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
            if name and _same(name) not in seen:
                seen.add(_same(name))
                names.append(name)
        return existing_spellings(names) if names else []

    def has_changed(self, initial, data):
        before = [getattr(tag, "name", tag) for tag in (initial or [])]
        try:
            after = self.to_python(data)
        except ValidationError:
            return True
        return sorted(map(_same, before)) != sorted(map(_same, after))


# Articles.


class ArticleAdminForm(forms.ModelForm):
    tags = TagNamesField()

    class Meta:
        model = Article
        fields = ["title", "slug", "dek", "body", "author", "tags", "status", "published_at", "entities_pinned"]
        widgets = {
            "dek": forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
            "body": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField article-body"}),
        }
        help_texts = {
            "slug": "The article’s address on the site, filled in from the headline. "
            "If you change it later, the old address redirects to the new one.",
            "body": "Plain text: separate paragraphs with a blank line. No HTML or Markdown.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False  # left empty, it is made from the headline

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").replace("\r", "\n")
        paragraphs = [" ".join(line.strip() for line in p.splitlines()).strip() for p in re.split(r"\n\s*\n", body)]
        body = "\n\n".join(p for p in paragraphs if p)
        if not body:
            raise ValidationError("The body cannot be empty.")
        return body

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        title = self.cleaned_data.get("title") or self.data.get("title", "")
        if not slug:
            base = make_slug(title, fallback_prefix="article")
            taken = taken_slugs(Article, [base]) - ({self.instance.slug} if self.instance.pk else set())
            return unique_slug(base, taken)
        clash = Article.objects.filter(slug=slug).exclude(pk=self.instance.pk).only("title", "status").first()
        if clash is not None:
            free = unique_slug(slug, taken_slugs(Article, [slug]))
            raise ValidationError(
                f"The address /articles/{slug}/ already belongs to “{Truncator(clash.title).chars(60)}”. "
                f"Choose another one, for example “{free}”, or empty the field to have one made for you."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()  # publishing without a date means now
            self.instance.published_at = cleaned["published_at"]
        return cleaned

    def _save_m2m(self):
        # Tags are written through ingest.replace_tags, the one write path that matches
        # names exactly as the database's case-blind unique constraint does.
        names = self.cleaned_data.pop("tags", None)
        super()._save_m2m()
        if names is not None:
            replace_tags({self.instance.pk: names})


class KnownChoiceAutocomplete(AutocompleteSelect):
    """An autocomplete select that renders its selected option from a label it was given,
    instead of querying for it: an article's 50 mentions cost no extra queries."""

    known = None

    def optgroups(self, name, value, attr=None):
        selected = {str(v) for v in value if v not in ("", None)}
        if self.known is None or not selected <= set(self.known):
            return super().optgroups(name, value, attr)
        options = [self.create_option(name, pk, self.known[pk], True, i) for i, pk in enumerate(selected)]
        if not self.is_required and not self.allow_multiple_selected:
            options.insert(0, self.create_option(name, "", "", False, 0))
        return [(None, options, 0)]


class MentionFormSet(forms.BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        instance = form.instance
        if instance.article_id == self.instance.pk:
            instance.article = self.instance  # shown in each row's label; no query per row
        widget = form.fields["entity"].widget
        if instance.pk and instance.entity_id:
            # The related-object wrapper holds the autocomplete widget.
            inner = getattr(widget, "widget", widget)
            inner.known = {str(instance.entity_id): str(instance.entity)}
        return form


class MentionInline(admin.TabularInline):
    model = Mention
    formset = MentionFormSet
    autocomplete_fields = ["entity"]
    extra = 0
    verbose_name = "entity mentioned"
    verbose_name_plural = "entities mentioned"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entity").order_by("-count", "entity__name")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "entity":
            kwargs["widget"] = KnownChoiceAutocomplete(db_field, self.admin_site)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("draft", "Draft"), ("scheduled", "Scheduled"), ("live", "Published and live")]

    def queryset(self, request, queryset):
        published = queryset.filter(status=Article.Status.PUBLISHED)
        return {
            "draft": queryset.filter(status=Article.Status.DRAFT),
            "scheduled": published.filter(published_at__gt=Now()),
            "live": queryset.published(),
        }.get(self.value(), queryset)


class ChosenIdFilter(admin.SimpleListFilter):
    """A filter on one related row by id: offers the most used ones and the one chosen (from a count link)."""

    def chosen(self):
        value = self.value()
        return int(value) if value and value.isdigit() else None

    def options(self):  # -> queryset of (id, label)
        raise NotImplementedError

    def lookups(self, request, model_admin):
        rows = list(self.options())
        chosen = self.chosen()
        if chosen is not None and chosen not in {pk for pk, _ in rows}:
            rows += list(self.chosen_option(chosen))
        return [(str(pk), label) for pk, label in rows]

    def queryset(self, request, queryset):
        chosen = self.chosen()
        if self.value() and chosen is None:
            return queryset.none()
        return self.filter(queryset, chosen) if chosen is not None else queryset


class AuthorFilter(ChosenIdFilter):
    title = "author"
    parameter_name = "author"

    def options(self):
        authors = Author.objects.annotate(n=Count("articles")).filter(n__gt=0).order_by("-n", "name")
        return authors.values_list("id", "name")[:FILTER_CHOICES]

    def chosen_option(self, pk):
        return Author.objects.filter(pk=pk).values_list("id", "name")

    def filter(self, queryset, pk):
        return queryset.filter(author_id=pk)


class TagFilter(ChosenIdFilter):
    title = "tag"
    parameter_name = "tag"

    def options(self):
        return (
            Tag.objects.annotate(n=Count("taggings"))
            .filter(n__gt=0)
            .order_by("-n", "name")
            .values_list("id", "name")[:FILTER_CHOICES]
        )

    def chosen_option(self, pk):
        return Tag.objects.filter(pk=pk).values_list("id", "name")

    def filter(self, queryset, pk):
        return queryset.filter(Exists(TaggedArticle.objects.filter(content_object=OuterRef("pk"), tag_id=pk)))


class EntityFilter(ChosenIdFilter):
    """Articles mentioning one entity: reached from the entity list's article counts."""

    title = "entity mentioned"
    parameter_name = "entity"

    def options(self):
        return []

    def chosen_option(self, pk):
        return Entity.objects.filter(pk=pk).values_list("id", "name")

    def filter(self, queryset, pk):
        return queryset.filter(Exists(Mention.objects.filter(article=OuterRef("pk"), entity_id=pk)))

    def has_output(self):
        return self.chosen() is not None


class EntityKindFilter(admin.SimpleListFilter):
    title = "mentions a"
    parameter_name = "entity_kind"

    def lookups(self, request, model_admin):
        return Entity.Kind.choices

    def queryset(self, request, queryset):
        if self.value() not in Entity.Kind.values:
            return queryset
        return queryset.filter(Exists(Mention.objects.filter(article=OuterRef("pk"), entity__kind=self.value())))


class AddTagForm(forms.Form):
    tag = forms.CharField(
        label="Tag",
        max_length=TAG_NAME_MAX_LENGTH * 2,  # the precise limit is checked by clean_tag, with a clearer message
        widget=TagSuggestInput(multiple=False),
        help_text="An existing tag (suggested as you type) or a new one.",
    )

    def clean_tag(self):
        name = clean_tag_name(self.cleaned_data["tag"])
        if not name:
            raise ValidationError("Type the name of a tag.")
        return existing_spellings([name])[0]


def _log_bulk(request, queryset, message):
    """One History entry per changed row, written in one statement."""
    LogEntry.objects.log_actions(request.user.pk, list(queryset), CHANGE, change_message=message)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "author", "state", "published_at", "tag_list", "entity_count", "updated_at", "editor"]
    list_filter = [StatusFilter, AuthorFilter, TagFilter, EntityKindFilter, EntityFilter]
    list_select_related = ["author", "edited_by"]
    list_per_page = 50
    search_fields = ["title", "dek", "body"]  # what get_search_results() reads, and how, is below
    search_help_text = (
        "Finds the text in the headline or dek, or its words anywhere in the article, body included "
        "(as the site’s search does: “quoted phrase”, or, -word)."
    )
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    readonly_fields = [
        "source_path",
        "source_sha256",
        "ingested_at",
        "created_at",
        "updated_at",
        "edited_at",
        "edited_by",
    ]
    inlines = [MentionInline]
    actions = ["publish", "unpublish", "reextract_entities", "add_tag"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "author", "tags"]}),
        (
            "Publication",
            {
                "fields": ["status", "published_at"],
                "description": "A published article whose date is in the future is scheduled: "
                "the public sees it from that moment on. Drafts are never public. "
                "Published without a date means published now.",
            },
        ),
        ("Entities", {"fields": ["entities_pinned"]}),
        (
            "Provenance",
            {
                "classes": ["collapse"],
                "fields": [
                    "source_path",
                    "source_sha256",
                    "ingested_at",
                    "created_at",
                    "updated_at",
                    "edited_at",
                    "edited_by",
                ],
            },
        ),
    ]

    def get_search_results(self, request, queryset, search_term):
        """Articles whose headline or dek contains the text (any case), or whose words match it.

        Headline and dek are matched as substrings through their trigram indexes. The
        body is matched by its words, through the full-text index of the search entries
        (stemmed, accents ignored, the site's query syntax): a trigram index over every
        body cost each ingested article more than everything else written for it, and
        editors look for words, not fragments of them. Each way reads its own index; the
        ids are merged, so no article is scanned.
        """
        term = " ".join(search_term.split())
        if not term:
            return queryset, False
        words = SearchQuery(term, config=SEARCH_CONFIG, search_type="websearch")
        ids = (
            Article.objects.filter(title__searchable=term)
            .order_by()
            .values("pk")
            .union(
                Article.objects.filter(dek__searchable=term).order_by().values("pk"),
                SearchEntry.objects.filter(document=words).order_by().values("article_id"),
            )
        )
        return queryset.filter(pk__in=ids), False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is None or not match.url_name.endswith("_changelist"):
            return queryset  # the change form needs none of the list's columns
        mention_count = (
            Mention.objects.filter(article=OuterRef("pk"))
            .order_by()
            .values("article")
            .annotate(n=Count("*"))
            .values("n")
        )
        return queryset.annotate(
            entity_count=Coalesce(Subquery(mention_count, output_field=IntegerField()), 0)
        ).prefetch_related("tags")

    @admin.display(description="status", ordering="status")
    def state(self, obj):
        if obj.status == Article.Status.DRAFT:
            return "Draft"
        if obj.published_at and obj.published_at > timezone.now():
            return "Scheduled"
        return "Published"

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted((tag.name for tag in obj.tags.all()), key=str.casefold))

    @admin.display(description="entities", ordering="entity_count")
    def entity_count(self, obj):
        return obj.entity_count

    @admin.display(description="last edited by", ordering="edited_by__username")
    def editor(self, obj):
        return obj.edited_by.get_username() if obj.edited_by else ""

    # Saving.

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        obj.edited_at = timezone.now()
        obj.edited_by = request.user
        try:
            with transaction.atomic():
                super().save_model(request, obj, form, change)
        except IntegrityError:
            # Another editor took the address between validation and saving.
            if not Article.objects.filter(slug=obj.slug).exclude(pk=obj.pk).exists():
                raise
            obj.slug = unique_slug(obj.slug, taken_slugs(Article, [obj.slug]))
            super().save_model(request, obj, form, change)
            messages.warning(request, f"That address was taken meanwhile: the article is at /articles/{obj.slug}/.")
        if old_slug and old_slug != obj.slug:
            SlugRedirect.objects.record(old_slug, obj)
        if obj.status == Article.Status.PUBLISHED and obj.published_at and obj.published_at > timezone.now():
            when = date_format(timezone.localtime(obj.published_at), "j F Y, H:i")
            zone = timezone.get_current_timezone_name()
            messages.info(request, f"“{obj}” is scheduled: the public will see it from {when} ({zone}).")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        edited_by_hand = any(f.model is Mention and f.has_changed() for f in formsets)
        if edited_by_hand and not article.entities_pinned:
            # Editing the entity list by hand pins it, so the next save keeps it.
            Article.objects.filter(pk=article.pk).update(entities_pinned=True)
        elif not article.entities_pinned:
            refresh_entities([article.pk])
        # Search: headline, dek, body, author and tags may have changed; refresh the stored vectors.
        Article.objects.filter(pk=article.pk).update_search_vectors()
        refresh_reader_stats([article.pk])  # the public counts follow status, date, tags and entities

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        refresh_reader_stats([pk])

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        refresh_reader_stats(pks)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context["preview_url"] = obj.get_absolute_url()
            context["is_public"] = obj.is_public
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Bulk actions.

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        now = timezone.now()
        ids = list(queryset.filter(status=Article.Status.DRAFT).values_list("id", flat=True))
        changed = Article.objects.filter(id__in=ids)
        changed.filter(published_at__isnull=True).update(published_at=now)
        changed.update(status=Article.Status.PUBLISHED, edited_at=now, edited_by=request.user, updated_at=now)
        refresh_reader_stats(ids)
        _log_bulk(request, changed, [{"changed": {"fields": ["Status"]}}])
        scheduled = changed.filter(published_at__gt=now).count()
        already = queryset.count() - len(ids)
        self.message_user(
            request,
            f"Published {len(ids)} article(s)"
            + (f", {scheduled} of them scheduled for a later date" if scheduled else "")
            + (f"; {already} were published already" if already else "")
            + ".",
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        now = timezone.now()
        ids = list(queryset.filter(status=Article.Status.PUBLISHED).values_list("id", flat=True))
        changed = Article.objects.filter(id__in=ids)
        changed.update(status=Article.Status.DRAFT, edited_at=now, edited_by=request.user, updated_at=now)
        refresh_reader_stats(ids)
        _log_bulk(request, changed, [{"changed": {"fields": ["Status"]}}])
        self.message_user(request, f"Unpublished {len(ids)} article(s): they are drafts now.", messages.SUCCESS)

    @admin.action(description="Re-extract entities of selected articles", permissions=["change"])
    def reextract_entities(self, request, queryset):
        ids = list(queryset.values_list("id", flat=True))
        done = refresh_entities(ids)
        _log_bulk(request, Article.objects.filter(id__in=ids, entities_pinned=False), "Re-extracted entities.")
        skipped = len(ids) - done
        self.message_user(
            request,
            f"Re-extracted the entities of {done} article(s)."
            + (f" {skipped} left as they are: their entities were edited by hand (pinned)." if skipped else ""),
            messages.SUCCESS,
        )

    @admin.action(description="Add a tag to selected articles…", permissions=["change"])
    def add_tag(self, request, queryset):
        articles = list(queryset.select_related(None).order_by("-published_at", "-id").only("id", "title", "slug"))
        form = AddTagForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            name = form.cleaned_data["tag"]
            current = {}
            for article_id, tag_name in TaggedArticle.objects.filter(
                content_object_id__in=[a.id for a in articles]
            ).values_list("content_object_id", "tag__name"):
                current.setdefault(article_id, []).append(tag_name)
            new = not Tag.objects.filter(name__iexact=name).exists()
            replace_tags({a.id: [*current.get(a.id, []), name] for a in articles})
            now = timezone.now()
            Article.objects.filter(id__in=[a.id for a in articles]).update(
                edited_at=now, edited_by=request.user, updated_at=now
            )
            refresh_reader_stats([a.id for a in articles])
            Article.objects.filter(id__in=[a.id for a in articles]).update_search_vectors()  # tag names are searched
            _log_bulk(request, articles, [{"changed": {"fields": ["Tags"]}}])
            self.message_user(
                request,
                f"Tagged {len(articles)} article(s) “{name}”" + (" (a new tag)." if new else "."),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Add a tag to articles",
            "opts": self.model._meta,
            "form": form,
            "articles": articles,
            "action": "add_tag",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/article/add_tag.html", context)


# Curation: merges, shared by the entity, tag and author lists.


def merge_action(model_admin, request, queryset, *, merge, count_label, after=None):
    """The intermediate page of a merge action, and the merge once confirmed.

    `merge(survivor, others)` does the work; `after(result)` runs once it is
    done (re-extraction). Rows are listed with `count` annotated by the admin.
    """
    opts = model_admin.model._meta
    rows = list(model_admin.get_queryset(request).filter(pk__in=queryset.values("pk")).order_by("-count", "pk"))
    if len(rows) < 2:
        model_admin.message_user(request, f"Select at least two {opts.verbose_name_plural} to merge.", messages.WARNING)
        return None
    error = ""
    if request.POST.get("confirm") == "yes":
        survivor = next((row for row in rows if str(row.pk) == request.POST.get("survivor")), None)
        if survivor is None:
            error = f"Choose the {opts.verbose_name} to keep."
        else:
            others = [row for row in rows if row.pk != survivor.pk]
            try:
                result = merge(survivor, others)
            except MergeError as exc:
                model_admin.message_user(request, f"Nothing was merged: {exc}.", messages.ERROR)
                return None
            if after is not None:
                after(result)
            user = request.user.pk
            LogEntry.objects.log_actions(
                user,
                [result.survivor],
                CHANGE,
                change_message=f"Merged {', '.join(f'“{n}”' for n in result.merged_names)} into this "
                f"{opts.verbose_name} ({result.moved} {count_label} moved).",
                single_object=True,
            )
            LogEntry.objects.log_actions(user, others, DELETION, change_message=f"Merged into “{result.survivor}”.")
            model_admin.message_user(
                request,
                format_html(
                    'Merged {} into <a href="{}">{}</a>: {} {} moved; their old addresses now lead to its page.',
                    ", ".join(f"“{n}”" for n in result.merged_names),
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[result.survivor.pk]),
                    result.survivor,
                    result.moved,
                    count_label,
                ),
                messages.SUCCESS,
            )
            return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Merge {opts.verbose_name_plural}",
        "opts": opts,
        "rows": rows,
        "survivor_pk": rows[0].pk,
        "count_label": count_label,
        "kinds_differ": len({getattr(row, "kind", None) for row in rows}) > 1,
        "error": error,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/articles/merge_confirmation.html", context)


def _articles_link(obj, count, parameter):
    url = reverse("admin:articles_article_changelist") + "?" + urlencode({parameter: obj.pk})
    return format_html('<a href="{}">{}</a>', url, count)


class RecordsSlugChanges:
    """A changed slug leaves a redirect from the old address to the new one."""

    def save_model(self, request, obj, form, change):
        old_slug = form.initial.get("slug") if change else None
        super().save_model(request, obj, form, change)
        if old_slug and old_slug != obj.slug:
            SlugRedirect.objects.record(old_slug, obj)


def _name_clash(model, name, instance, **extra):
    """The row of `model` (other than `instance`) whose name equals `name` regardless of case."""
    return (
        model.objects.annotate(lower_name=Lower("name"))
        .filter(lower_name=name.lower(), **extra)
        .exclude(pk=instance.pk)
        .first()
    )


def _clash_error(model, clash, noun):
    url = reverse(f"admin:articles_{model._meta.model_name}_change", args=[clash.pk])
    return ValidationError(
        format_html(
            '<a href="{}">“{}”</a> already exists. To combine the two, select both in the {} list and choose “Merge…”.',
            url,
            clash.name,
            noun,
        )
    )


# Entities.


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
            alias = " ".join(line.split())
            if not alias or _same(alias) in seen:
                continue
            if len(alias) > ALIAS_MAX_LENGTH:
                raise ValidationError(
                    f"“{Truncator(alias).chars(40)}” is too long (at most {ALIAS_MAX_LENGTH} characters)."
                )
            seen.add(_same(alias))
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

    def clean(self):
        cleaned = super().clean()
        name, kind = cleaned.get("name"), cleaned.get("kind")
        if name and kind:
            clash = _name_clash(Entity, name, self.instance, kind=kind)
            if clash is not None:
                self.add_error("name", _clash_error(Entity, clash, "entity"))
        if name and "aliases" in cleaned:
            cleaned["aliases"] = [a for a in cleaned["aliases"] if _same(a) != _same(name)]
            taken = {
                _same(n): n
                for n in Entity.objects.exclude(pk=self.instance.pk)
                .annotate(lower_name=Lower("name"))
                .filter(lower_name__in=[a.lower() for a in cleaned["aliases"]])
                .values_list("name", flat=True)
            }
            clashes = [taken[_same(a)] for a in cleaned["aliases"] if _same(a) in taken]
            if clashes:
                self.add_error(
                    "aliases",
                    f"{', '.join(f'“{c}”' for c in clashes)} is the name of another entity. "
                    "To make them one, merge the two entities in the entity list instead.",
                )
        return cleaned


@admin.register(Entity)
class EntityAdmin(RecordsSlugChanges, admin.ModelAdmin):
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
        return _articles_link(obj, obj.count, "entity")

    def save_model(self, request, obj, form, change):
        vocabulary_changed = not change or {"name", "kind", "aliases"} & set(form.changed_data)
        super().save_model(request, obj, form, change)
        if vocabulary_changed:
            # A new entity, name or alias links the stored articles that use it, and a removed
            # alias unlinks them. Only articles that could mention it are read.
            report = relink_entities([obj.pk])
            if report.changed:
                messages.info(request, f"Re-linked {report.changed} article(s) that mention “{obj}”.")

    @admin.action(description="Merge selected entities…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        return merge_action(
            self,
            request,
            queryset,
            merge=merge_entities,
            count_label="article mentions",
            after=lambda result: relink_entities([result.survivor.pk]).changed,
        )


# Tags.


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "slug"]

    def clean_name(self):
        name = clean_tag_name(self.cleaned_data["name"])
        if "," in name:
            raise ValidationError("A tag name cannot contain a comma: commas separate tags.")
        clash = _name_clash(Tag, name, self.instance)
        if clash is not None:
            raise _clash_error(Tag, clash, "tag")
        return name


@admin.register(Tag)
class TagAdmin(RecordsSlugChanges, admin.ModelAdmin):
    ordering = ["name", "pk"]  # also for autocomplete, whose paging needs a stable order
    form = TagAdminForm
    list_display = ["name", "slug", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    actions = ["merge_selected"]
    list_per_page = 100

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(count=Count("taggings"))

    @admin.display(ordering="count", description="articles")
    def article_count(self, obj):
        return _articles_link(obj, obj.count, "tag")

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

    @admin.action(description="Merge selected tags…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        return merge_action(self, request, queryset, merge=merge_tags, count_label="tagged articles")


# Authors.


class AuthorAdminForm(forms.ModelForm):
    class Meta:
        model = Author
        fields = ["name", "slug", "bio", "twitter"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = _name_clash(Author, name, self.instance)
        if clash is not None:
            raise _clash_error(Author, clash, "author")
        return name

    def clean_twitter(self):
        handle = self.cleaned_data["twitter"].strip()
        handle = handle.removeprefix("https://x.com/").removeprefix("https://twitter.com/").lstrip("@")
        if handle and not TWITTER_HANDLE_RE.fullmatch(f"@{handle}"):
            raise ValidationError("A handle is 1–15 letters, digits or underscores, e.g. “@jane_doe”.")
        return handle


@admin.register(Author)
class AuthorAdmin(RecordsSlugChanges, admin.ModelAdmin):
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
        return _articles_link(obj, obj.count, "author")

    @admin.action(description="Merge selected authors…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        # The byline is extracted as a person: re-extract the moved articles.
        return merge_action(
            self,
            request,
            queryset,
            merge=merge_authors,
            count_label="articles",
            after=lambda result: refresh_after_vocabulary_change(result.article_ids),
        )


# Provenance and old addresses: read-only lists.


@admin.register(SeedFile)
class SeedFileAdmin(admin.ModelAdmin):
    list_display = ["path", "article", "ingested_at"]
    search_fields = ["path"]
    list_select_related = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "kind", "old_name", "target_link", "created_at"]
    list_filter = ["kind"]
    search_fields = ["old_slug", "old_name"]
    list_select_related = ["article", "author", "tag", "entity"]

    @admin.display(description="now leads to")
    def target_link(self, obj):
        target = obj.target
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

"""Articles in the admin: the list, its filters, the change form and the bulk actions."""

import datetime
import functools
import hashlib
import json
import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.forms.boundfield import BoundField
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import Truncator, slugify
from django.utils.translation import ngettext

from .. import bulk, changes, history
from ..jobs.curation import enqueue_bulk
from ..models import (
    Article,
    Author,
    AuthorStats,
    Entity,
    Mention,
    SearchEntry,
    SlugRedirect,
    Tag,
    TaggedArticle,
    TagStats,
    make_slug,
    publication_date_error,
    taken_slugs,
    unique_slug,
)
from ..roles import PREVIEW_PERMISSION
from ..routes import slug_path
from ..search import CONFIG as SEARCH_CONFIG
from ..textcleanup import clean_line, clean_prose, markup_in
from ..writes import replace_tags
from . import desk, imports
from .curation import ChangePathAdmin
from .jobs import jobs_link, reextract_in_background
from .tags import (
    TAG_NAME_MAX_LENGTH,
    TagNamesField,
    TagSuggestInput,
    clean_tag_name,
    existing_spellings,
    warn_of_markup,
)

FILTER_CHOICES = 30  # how many authors or tags a list filter offers (the most published), besides the chosen one


def fingerprint(value):
    """A short digest of a field's value as the change form shows it (a row by its key, tags by
    their names in any order, a date to the second), to tell which fields a save changed."""
    if hasattr(value, "pk"):
        value = value.pk
    elif isinstance(value, list | tuple):
        value = sorted(str(getattr(item, "name", item)).casefold() for item in value)
    elif isinstance(value, datetime.datetime):
        value = int(value.timestamp())
    return hashlib.sha256(repr("" if value is None else value).encode()).hexdigest()[:16]


class ShownAsStoredBoundField(BoundField):
    """A field another editor changed after this page was shown, and this editor did not: a page
    shown again (a refused save) shows it as stored now, theirs, not as the stale page posted it."""

    def value(self):
        if self.name in self.form.kept_meanwhile:
            return self.field.prepare_value(self.initial)
        return super().value()


class ArticleAdminForm(forms.ModelForm):
    bound_field_class = ShownAsStoredBoundField
    tags = TagNamesField()
    # What the page showed, a fingerprint per field, posted back: a save from a page opened before
    # another editor's save writes only the fields this editor changed (`_merge_changes_meanwhile`).
    shown = forms.CharField(required=False, widget=forms.HiddenInput)

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
        self.kept_meanwhile = []  # fields another editor changed since the page was shown, kept as they are
        if self.instance.pk and not self.is_bound:
            self.initial["shown"] = json.dumps(self._fingerprints())

    def _fingerprints(self):
        """{field: fingerprint} of the article as stored (the form's initial values)."""
        return {name: fingerprint(self.initial.get(name)) for name in self._meta.fields if name in self.fields}

    def clean_title(self):
        title = clean_line(self.cleaned_data["title"])
        if not title:
            raise ValidationError("The headline cannot be empty.")
        return title

    def clean_dek(self):
        return clean_line(self.cleaned_data["dek"])

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n").replace("\r", "\n")
        body = clean_prose(body)
        paragraphs = [" ".join(line.strip() for line in p.splitlines()).strip() for p in re.split(r"\n\s*\n", body)]
        body = "\n\n".join(p for p in paragraphs if p)
        if not body:
            raise ValidationError("The body cannot be empty.")
        return body

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        title = self.cleaned_data.get("title") or self.data.get("title", "")
        # The page's prepopulate script makes the slug from the headline as typed, tags and all
        # ("<em>Floods</em>" -> "emfloodsem"): a slug it made is made again, without them.
        typed_headline = markup_in(title) and ("title" in self.changed_data or not self.instance.pk)
        if slug and typed_headline and slugify(title).startswith(slug):
            slug = ""
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
        # An old address of another story: taking it would silently end the redirect readers follow.
        old = (
            SlugRedirect.objects.filter(kind=SlugRedirect.Kind.ARTICLE, old_slug=slug)
            .exclude(article=self.instance.pk)
            .select_related("article")
            .first()
        )
        if old is not None:
            free = unique_slug(slug, taken_slugs(Article, [slug]))
            address = slug_path("articles:article_detail", slug)
            raise ValidationError(
                f"{address} is an old address of “{Truncator(old.article.title).chars(60)}”, and readers "
                f"who follow it are sent there. Choose another one, for example “{free}”; or, to give this "
                "address to this article, first delete it under “Old addresses”."
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            self._merge_changes_meanwhile(cleaned)
        cleaned.pop("shown", None)  # not the article's: no History line, nothing saved
        if self.instance.pk and "published_at" in cleaned and "published_at" not in self.changed_data:
            # The form shows whole seconds: an untouched date keeps its stored fraction of a second.
            cleaned["published_at"] = self.instance.published_at
        when = cleaned.get("published_at")
        problem = when and "published_at" in self.changed_data and publication_date_error(when, timezone.now())
        if problem:
            self.add_error("published_at", problem)
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            cleaned["published_at"] = timezone.now()  # publishing without a date means now
            self.instance.published_at = cleaned["published_at"]
        return cleaned

    def _merge_changes_meanwhile(self, cleaned):
        """When another save came after this page was shown: the fields this editor left alone take
        their stored values (that save's), and a field both changed is an error that shows theirs;
        the page then counts as showing it, so saving again keeps this editor's version. A form
        that does not say what it showed (a script) is saved as posted. Shown again (a refused
        save), the page shows the other editor's values in the fields this editor left alone
        (ShownAsStoredBoundField) and counts as showing what is stored now in every field they changed."""
        try:
            shown = json.loads(cleaned.get("shown") or "{}")
        except ValueError:
            shown = {}
        stored = self._fingerprints()
        theirs = [name for name in stored if name in shown and stored[name] != shown[name]]
        mine = [name for name in theirs if name in cleaned and fingerprint(cleaned[name]) != shown[name]]
        for name in theirs:
            if name not in mine:
                value = self.initial.get(name)
                cleaned[name] = [tag.name for tag in value] if name == "tags" else getattr(self.instance, name)
                self.kept_meanwhile.append(name)
        if mine:
            who, when = self.instance.edited_by or "someone", self.instance.edited_at or self.instance.updated_at
            at = date_format(timezone.localtime(when), "j M H:i")
            for name in mine:
                label = str(self[name].label).lower()
                self.add_error(
                    name,
                    f"{who} changed the {label} at {at}, after you opened this page: it is now "
                    f"“{self._stored_text(name)}”. Your version is in the field: save again to keep it.",
                )
        if theirs:
            self.data = self.data.copy()
            self.data["shown"] = json.dumps({**shown, **{name: stored[name] for name in theirs}})

    def changed_meanwhile(self):
        """Who changed which of the fields this editor left alone, for a message. It does not start
        with the username, which the admin's messages would capitalise ("Qa changed")."""
        names = [str(self[name].label).lower() for name in self.kept_meanwhile]
        fields = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        return f"After you opened this page, {self.instance.edited_by or 'another editor'} changed the {fields}"

    def _stored_text(self, name):
        """A field's stored value as an editor reads it: names, not keys; a date as the admin writes it."""
        if name == "tags":
            return ", ".join(tag.name for tag in self.initial.get("tags") or [])
        value = getattr(self.instance, name)
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "j M Y H:i")
        if isinstance(value, bool):
            return "yes" if value else "no"
        if name == "status":
            return self.instance.get_status_display()
        return Truncator("—" if value in (None, "") else str(value)).chars(200)

    def _save_m2m(self):
        # Tags are written through writes.replace_tags, the one write path that matches
        # names exactly as the database's case-blind unique constraint does.
        names = self.cleaned_data.pop("tags", None)
        self.saved_tag_names = names  # for the History (articles/history.py)
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


ENTITIES_CHANGED_MEANWHILE = (
    "The entities of this article changed while you edited it (a background re-extraction): they are "
    "shown below as they are now, without your changes to them. Check them and save again; your other "
    "changes are still in the form."
)


def rows_key(rows):
    """The entity rows (id, entity id, count) as one string, in any order: what a page showed, posted, or is stored."""
    return ",".join(sorted(f"{pk}:{entity}:{count}" for pk, entity, count in rows))


class MentionManagementForm(ManagementForm):
    # The rows the page showed (rows_key), posted back: a re-extraction may have changed them since.
    SHOWN = forms.CharField(required=False, widget=forms.HiddenInput)


class MentionFormSet(forms.BaseInlineFormSet):
    @property
    def management_form(self):
        if self.is_bound:
            form = MentionManagementForm(self.data, auto_id=self.auto_id, prefix=self.prefix, renderer=self.renderer)
            form.full_clean()
            return form
        shown = rows_key((f.instance.pk, f.instance.entity_id, f.instance.count) for f in self.initial_forms)
        counts = {
            TOTAL_FORM_COUNT: self.total_form_count(),
            INITIAL_FORM_COUNT: self.initial_form_count(),
            MIN_NUM_FORM_COUNT: self.min_num,
            MAX_NUM_FORM_COUNT: self.max_num,
        }
        return MentionManagementForm(
            auto_id=self.auto_id, prefix=self.prefix, initial={**counts, "SHOWN": shown}, renderer=self.renderer
        )

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        instance = form.instance
        if instance.article_id == self.instance.pk:
            instance.article = self.instance  # no query per row when a row reads its article
        widget = form.fields["entity"].widget
        if instance.pk and instance.entity_id:
            # The related-object wrapper holds the autocomplete widget.
            inner = getattr(widget, "widget", widget)
            inner.known = {str(instance.entity_id): str(instance.entity)}
        return form


FIELDS = ("id", "entity", "count")  # an entity row's fields, as rows_key takes them


def posted_rows_key(data, prefix):
    """rows_key of the entity rows a form posts: rows marked for deletion and empty new rows left out."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        row = [data.get(f"{prefix}-{i}-{name}", "") for name in FIELDS]
        if not data.get(f"{prefix}-{i}-DELETE") and (row[0] or row[1]):
            rows.append(row)
    return rows_key(rows)


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
        return {
            "draft": queryset.filter(status=Article.Status.DRAFT),
            "scheduled": queryset.scheduled(),
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
        # The most published authors, read from the reader statistics: counting every article of
        # every author took ~0.15 s at 100,000 articles, twice for each bulk action posted.
        authors = AuthorStats.objects.filter(article_count__gt=0).order_by("-article_count", "author__name")
        return authors.values_list("author_id", "author__name")[:FILTER_CHOICES]

    def chosen_option(self, pk):
        return Author.objects.filter(pk=pk).values_list("id", "name")

    def filter(self, queryset, pk):
        return queryset.filter(author_id=pk)


class TagFilter(ChosenIdFilter):
    title = "tag"
    parameter_name = "tag"

    def options(self):
        # The tags of the most public articles, from the reader statistics (as AuthorFilter).
        tags = TagStats.objects.filter(article_count__gt=0).order_by("-article_count", "tag__name")
        return tags.values_list("tag_id", "tag__name")[:FILTER_CHOICES]

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
    title = "kind of entity mentioned"
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


def _publish_counts(queryset):
    """What publishing these articles does, for its confirmation: drafts that go live now, drafts
    scheduled for their later date, and articles published already. One query."""
    now, draft = timezone.now(), Q(status=Article.Status.DRAFT)
    return queryset.order_by().aggregate(
        live_now=Count("pk", filter=draft & (Q(published_at__isnull=True) | Q(published_at__lte=now))),
        scheduled=Count("pk", filter=draft & Q(published_at__gt=now)),
        already=Count("pk", filter=~draft),
    )


def _public(status, published_at):
    """Article.is_public for values read from a form's initial data."""
    return Article(status=status, published_at=published_at).is_public


def articles_count(singular, plural, n):
    """`singular` or `plural` as English needs for `n`, with {n} filled in."""
    return ngettext(singular, plural, n).format(n=n)


@admin.register(Article)
class ArticleAdmin(ChangePathAdmin):
    form = ArticleAdminForm
    # Fits 1280 pixels beside the filters: the headline takes the room left, the other columns
    # stay on one line (static/admin/newsroom.css); status and date share a column.
    list_display = ["title", "state", "author", "tag_list", "entity_count", "last_change"]
    list_filter = [StatusFilter, AuthorFilter, TagFilter, EntityKindFilter, EntityFilter]
    list_select_related = ["author", "edited_by"]
    list_per_page = 50
    show_full_result_count = False  # a filtered list counts its rows only, not the whole archive's too
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
    actions = ["publish", "unpublish", "reextract_entities", "add_tag", "delete_selected"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "author", "tags", "shown"]}),
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_change_permission(request, obj):
            return fieldsets
        # Nothing to merge on an add page, nothing saved from a read-only one: no "Shown" row.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "shown"]}) for name, options in fieldsets
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

    @admin.display(description="status", ordering="published_at")
    def state(self, obj):
        """ "Draft", "Scheduled 5 Dec 09:00" or "Published 3 Dec 10:00" (the year shown when not this one)."""
        if obj.status == Article.Status.DRAFT:
            return "Draft"
        word = "Scheduled" if obj.is_scheduled else "Published"
        return format_html('{} <span class="date">{}</span>', word, history.compact_date(obj.published_at))

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(sorted((tag.name for tag in obj.tags.all()), key=str.casefold))

    @admin.display(description="entities", ordering="entity_count")
    def entity_count(self, obj):
        return obj.entity_count

    @admin.display(description="last change", ordering="updated_at")
    def last_change(self, obj):
        """When the article last changed, and by whom: an editor's name, or "ingest" for the seed loader."""
        return format_html(
            '<span class="date">{}</span> {}', history.compact_date(obj.updated_at), history.changed_by(obj)
        )

    def get_urls(self):
        move = self.admin_site.admin_view(functools.partial(desk.move_view, self))
        imports_ = self.admin_site.admin_view(functools.partial(imports.import_view, self))
        return [
            path("import/", imports_, name="articles_article_import"),
            path("<path:object_id>/move/", move, name="articles_article_move"),
            *super().get_urls(),
        ]

    # Saving.

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, MentionInline) and "data" in kwargs and obj is not None and obj.pk:
            kwargs = self._entities_as_now(request, obj, prefix, kwargs)
        return kwargs

    def _entities_as_now(self, request, article, prefix, kwargs):
        """The entity rows to save when a re-extraction (queued by the previous save) changed them
        after the page was shown: rows the editor left alone are taken as they are now; rows the
        editor edited are shown again as they are now, with a message, and nothing is saved."""
        data = kwargs["data"]
        shown = data.get(f"{prefix}-SHOWN")
        stored = list(Mention.objects.filter(article=article).values_list("id", "entity_id", "count"))
        if shown is None or shown == rows_key(stored):
            return kwargs  # unchanged (or a client that does not say what it showed): as posted
        if posted_rows_key(data, prefix) != shown:
            messages.error(request, ENTITIES_CHANGED_MEANWHILE)
            return {key: value for key, value in kwargs.items() if key not in ("data", "files")}
        data = data.copy()
        for key in [key for key in data if key.startswith(f"{prefix}-")]:
            del data[key]
        data.update({f"{prefix}-{name}": len(stored) for name in ("TOTAL_FORMS", "INITIAL_FORMS")})
        data.update(
            {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000, f"{prefix}-SHOWN": rows_key(stored)}
        )
        for i, (pk, entity, count) in enumerate(stored):
            data.update({f"{prefix}-{i}-id": pk, f"{prefix}-{i}-entity": entity, f"{prefix}-{i}-count": count})
            data[f"{prefix}-{i}-article"] = article.pk
        return {**kwargs, "data": data}

    def construct_change_message(self, request, form, formsets, add=False):
        """ "Status: Draft → Published; Tags: + energy" rather than "Changed Status, Tags." (articles/history.py)."""
        if add:
            return super().construct_change_message(request, form, formsets, add)
        return history.form_changes(form, formsets) or super().construct_change_message(request, form, formsets, add)

    def save_form(self, request, form, change):
        # Every field is plain text: typed markup is shown to readers as typed, tags and all.
        for name in ("title", "dek", "body"):
            tag = markup_in(form.cleaned_data.get(name) or "")
            if tag:
                label = form.fields[name].label or name
                messages.warning(
                    request,
                    f"The {label.lower()} contains HTML ({tag}). Readers see it exactly as typed, tags "
                    "included: every field is plain text. Remove the markup unless it is meant to be read.",
                )
        warn_of_markup(request, form.cleaned_data.get("tags") or [])
        # As ingest warns of them: invisible characters typed or pasted in are removed, with a word.
        typed = {
            name: form.data.get(name, "").replace("\r\n", "\n").replace("\r", "\n") for name in ("title", "dek", "body")
        }
        removed = [str(form.fields[name].label).lower() for name, text in typed.items() if clean_prose(text) != text]
        if removed:
            messages.warning(
                request,
                "Invisible characters (zero-width spaces, soft hyphens, direction controls) were removed from "
                f"the {' and '.join(removed)}: readers would not see them, but they split words for search.",
            )
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change):
        if form.kept_meanwhile:
            messages.info(request, f"{form.changed_meanwhile()}: their changes are kept, with yours.")
        old_slug = form.initial.get("slug") if change else None
        was_public = change and _public(form.initial.get("status"), form.initial.get("published_at"))
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
            messages.warning(request, f"That address was taken meanwhile: the article is at {obj.get_absolute_url()}.")
        if old_slug and old_slug != obj.slug:
            SlugRedirect.objects.record(old_slug, obj)
        if obj.is_scheduled:
            when = date_format(timezone.localtime(obj.published_at), "j F Y, H:i")
            zone = timezone.get_current_timezone_name()
            messages.info(request, f"“{obj}” is scheduled: the public will see it from {when} ({zone}).")
        elif obj.is_public and not was_public:
            url = request.build_absolute_uri(obj.get_absolute_url())
            messages.info(request, format_html('“{}” is live at <a href="{}">{}</a>.', obj, url, url))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        article = form.instance
        edited_by_hand = any(f.model is Mention and f.has_changed() for f in formsets)
        if edited_by_hand and not article.entities_pinned:
            # Editing the entity list by hand pins it, so the next save keeps it.
            Article.objects.filter(pk=article.pk).update(entities_pinned=True)
        elif not article.entities_pinned:
            # The statistical model runs in a worker, never in a web process (a job enqueued in
            # this transaction; the job's own change path updates what its mentions show).
            reextract_in_background(
                request,
                [article.pk],
                description=f"Extract the entities of “{Truncator(article.title).chars(200)}”",
                log=False,
            )
            messages.info(
                request, format_html("Its entities are being extracted in the background (see {}).", jobs_link())
            )
        # Text, status, date, author, tags or entities may have changed: search, counts, pages.
        changes.apply(articles=[article.pk])

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        changes.apply(articles=[pk])

    def delete_queryset(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        changes.apply(articles=pks)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        if form.is_bound and form.errors and getattr(form, "kept_meanwhile", None):
            messages.info(request, f"{form.changed_meanwhile()}: the page shows their version, which saving keeps.")
        if obj is not None and obj.pk:
            context["is_public"] = obj.is_public
            if obj.is_public or request.user.has_perm(PREVIEW_PERMISSION):
                context["preview_url"] = obj.get_absolute_url()
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Bulk actions.

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        if request.POST.get("post") != "yes":
            # Readers, feeds and search engines see it at once: confirmed first, for a few ticked
            # drafts as for every draft "Select all" found, as delete is.
            return self._confirmation(request, queryset, "publish", "Publish articles", extra=_publish_counts(queryset))
        ids = list(queryset.filter(status=Article.Status.DRAFT).values_list("id", flat=True))
        already = queryset.count() - len(ids)
        already = (
            articles_count("; {n} was published already", "; {n} were published already", already) if already else ""
        )
        done = self._bulk(request, "publish", ids, ("Publishing {n} article", "Publishing {n} articles"), already)
        if done is not None:
            scheduled = done["scheduled"]
            self.message_user(
                request,
                articles_count("Published {n} article", "Published {n} articles", done["published"])
                + (f", {scheduled} of them scheduled for a later date" if scheduled else "")
                + already
                + ".",
                messages.SUCCESS,
            )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        if request.POST.get("post") != "yes":
            # Takes articles off the site (the whole archive, with "Select all"): confirmed first, as a delete is.
            return self._confirmation(request, queryset, "unpublish", "Unpublish articles")
        ids = list(queryset.filter(status=Article.Status.PUBLISHED).values_list("id", flat=True))
        done = self._bulk(request, "unpublish", ids, ("Unpublishing {n} article", "Unpublishing {n} articles"))
        if done is not None:
            self.message_user(
                request,
                articles_count(
                    "Unpublished {n} article: it is a draft now.",
                    "Unpublished {n} articles: they are drafts now.",
                    done["unpublished"],
                ),
                messages.SUCCESS,
            )

    def _bulk(self, request, action, ids, queued, extra="", **options):
        """Run a bulk change of articles/bulk.py over `ids` now and return its counts, or, over more
        than JOB_BULK_INLINE_MAX articles (more than a page of this list), queue it as a job, say so
        (`queued`: what is being done, singular and plural, with {n}) and return None."""
        now = timezone.now()
        if len(ids) <= settings.JOB_BULK_INLINE_MAX:
            return bulk.run(action, ids, user=request.user.pk, now=now, **options)
        enqueue_bulk(action, ids, user=request.user, now=now, **options)
        self.message_user(
            request,
            format_html(
                "{}{} in the background{}; you’ll see the result under {}{}.",
                ngettext(*queued, len(ids)).format(n=f"{len(ids):,}"),
                f" “{options['tag']}”" if "tag" in options else "",
                extra,
                jobs_link(),
                " and in each article’s History" if action != "delete" else "",
            ),
            messages.SUCCESS,
        )
        return None

    @admin.action(description="Re-extract entities of selected articles", permissions=["change"])
    def reextract_entities(self, request, queryset):
        ids = list(queryset.filter(entities_pinned=False).values_list("id", flat=True))
        skipped = queryset.count() - len(ids)
        pinned = (
            articles_count(
                " {n} left as it is: its entities were edited by hand (pinned).",
                " {n} left as they are: their entities were edited by hand (pinned).",
                skipped,
            )
            if skipped
            else ""
        )
        if not ids:
            self.message_user(request, "Nothing to re-extract." + pinned, messages.WARNING)
            return
        # The statistical model runs in workers: a job, each article's History written as its part is done.
        reextract_in_background(
            request,
            ids,
            description=articles_count(
                "Re-extract the entities of {n} article", "Re-extract the entities of {n:,} articles", len(ids)
            ),
        )
        self.message_user(
            request,
            format_html(
                "{} in the background; you’ll see the result under {}.{}",
                articles_count(
                    "Re-extracting the entities of {n} article", "Re-extracting the entities of {n} articles", len(ids)
                ),
                jobs_link(),
                pinned,
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Add a tag to selected articles…", permissions=["change"])
    def add_tag(self, request, queryset):
        form = AddTagForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            name = form.cleaned_data["tag"]
            new = " (a new tag)" if not bulk.tag_exists(name) else ""
            warn_of_markup(request, [name])
            ids = list(queryset.values_list("id", flat=True))
            done = self._bulk(request, "add_tag", ids, ("Tagging {n} article", "Tagging {n} articles"), new, tag=name)
            if done is not None:
                self.message_user(
                    request,
                    articles_count("Tagged {n} article", "Tagged {n} articles", len(ids)) + f" “{name}”{new}.",
                    messages.SUCCESS,
                )
            return None
        return self._confirmation(request, queryset, "add_tag", "Add a tag to articles", form=form)

    @admin.action(description="Delete selected articles…", permissions=["delete"])
    def delete_selected(self, request, queryset):
        """Django's own action lists every row that goes with the articles on its confirmation page
        (slow for thousands) and deletes in the request: this one confirms with the count and some
        headlines, and deletes more than a page of articles in a job (articles/bulk.py)."""
        if request.POST.get("post") == "yes":
            ids = list(queryset.values_list("id", flat=True))
            done = self._bulk(request, "delete", ids, ("Deleting {n} article", "Deleting {n} articles"))
            if done is not None:
                self.message_user(
                    request,
                    articles_count("Deleted {n} article.", "Deleted {n} articles.", done["deleted"]),
                    messages.SUCCESS,
                )
            return None
        return self._confirmation(request, queryset, "delete_selected", "Delete articles")

    def _confirmation(self, request, queryset, action, title, form=None, extra=None):
        """The page that confirms a bulk action over the selected articles (a form for its input, if
        any; `extra`: more for its template).

        "Select all" over a filtered list is carried as select_across (the list's filters are in
        the address the form posts to), not as thousands of ids; a page of headlines is shown."""
        across = request.POST.get("select_across") == "1"
        articles = queryset.select_related(None).order_by("-published_at", "-id").only("id", "title", "slug")
        shown = list(articles[: self.list_per_page] if across else articles)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "form": form,
            "articles": shown,
            "count": queryset.count() if across else len(shown),
            "more": queryset.count() - len(shown) if across else 0,
            "select_across": across,
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media if form is not None else self.media,
            **(extra or {}),
        }
        return TemplateResponse(request, f"admin/articles/article/{action}.html", context)

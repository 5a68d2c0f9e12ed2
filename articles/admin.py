from django.contrib import admin
from django.db.models import Count
from django.utils import timezone

from .ingest import refresh_entities
from .models import Article, Author, Entity, Mention, SeedFile, Tag


class MentionInline(admin.TabularInline):
    model = Mention
    autocomplete_fields = ["entity"]
    extra = 0
    verbose_name = "entity mentioned"
    verbose_name_plural = "entities mentioned"


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "status", "published_at", "updated_at"]
    list_filter = ["status", "published_at"]
    list_select_related = ["author"]
    search_fields = ["title", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    readonly_fields = ["source_path", "source_sha256", "ingested_at", "edited_at", "edited_by", "created_at"]
    inlines = [MentionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "dek", "body", "author", "tags"]}),
        ("Publication", {"fields": ["status", "published_at"]}),
        ("Entities", {"fields": ["entities_pinned"]}),
        (
            "Provenance",
            {
                "classes": ["collapse"],
                "fields": ["source_path", "source_sha256", "ingested_at", "created_at", "edited_at", "edited_by"],
            },
        ),
    ]

    def save_model(self, request, obj, form, change):
        obj.edited_at = timezone.now()
        obj.edited_by = request.user
        super().save_model(request, obj, form, change)

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


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "twitter", "article_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="articles")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "article_count"]
    list_filter = ["kind"]
    search_fields = ["name", "aliases"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("mentions"))

    @admin.display(ordering="article_count", description="articles")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(SeedFile)
class SeedFileAdmin(admin.ModelAdmin):
    list_display = ["path", "article", "ingested_at"]
    search_fields = ["path"]
    list_select_related = ["article"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

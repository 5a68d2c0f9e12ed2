"""Provenance and old addresses: read-only lists."""

from django.contrib import admin
from django.utils.html import format_html

from ..models import SeedFile, SlugRedirect
from .curation import ChangePathAdmin


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
class SlugRedirectAdmin(ChangePathAdmin):  # deleting an old address changes no cached page
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

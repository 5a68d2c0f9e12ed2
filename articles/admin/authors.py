"""Authors in the admin."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count

from ..models import TWITTER_HANDLE_RE, Author
from ..textcleanup import clean_line, clean_prose
from .curation import ChangePathAdmin, RecordsSlugChanges, articles_link, clash_error, merge_action, name_clash


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

    def clean_bio(self):
        return clean_prose(self.cleaned_data["bio"]).strip()

    def clean_twitter(self):
        handle = self.cleaned_data["twitter"].strip()
        handle = handle.removeprefix("https://x.com/").removeprefix("https://twitter.com/").lstrip("@")
        if handle and not TWITTER_HANDLE_RE.fullmatch(f"@{handle}"):
            raise ValidationError("A handle is 1–15 letters, digits or underscores, e.g. “@jane_doe”.")
        return handle


@admin.register(Author)
class AuthorAdmin(RecordsSlugChanges, ChangePathAdmin):
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

    @admin.action(description="Merge selected authors…", permissions=["change", "delete"])
    def merge_selected(self, request, queryset):
        # A job; once done it re-extracts the moved articles (the byline is a person of each).
        return merge_action(self, request, queryset, count_label=("article", "articles"))

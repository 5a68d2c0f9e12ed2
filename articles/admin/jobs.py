"""Background jobs in the admin: a read-only list of what was asked, by whom, and how it went."""

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import ngettext

from .. import jobs
from ..jobs.models import Job, JobPart, State


def jobs_link(text="Jobs"):
    """A link to the Jobs list, for messages that say what was queued."""
    return format_html('<a href="{}">{}</a>', reverse("admin:articles_job_changelist"), text)


def reextract_in_background(request, article_ids, *, description, log=True):
    """Enqueue the re-extraction of the entities of `article_ids` (the statistical model runs in a worker).

    `log`: each article gets "Re-extracted entities." (with what changed: "; Entities: + Vilnius")
    in its History when its part is done; without it (an article's save), only an article whose
    entities changed gets a line ("Entities: + Vilnius − Paris").
    Returns the job, or None when there is nothing to do.
    """
    article_ids = sorted({int(pk) for pk in article_ids})
    if not article_ids:
        return None
    return jobs.enqueue(
        "reextract", description=description, params={"ids": article_ids, "log": log}, requested_by=request.user
    )


class JobPartInline(admin.TabularInline):
    model = JobPart
    fields = ["number", "state", "size", "attempts", "worker", "started_at", "finished_at", "error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name_plural = "parts (each one transaction)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["number", "description", "requested_by", "created_at", "state", "progress", "duration", "reason"]
    list_display_links = ["number", "description"]
    list_filter = ["state", "kind"]
    list_select_related = ["requested_by"]
    search_fields = ["description"]
    list_per_page = 50
    fields = [
        "description",
        "target_link",
        "requested_by",
        "state",
        "progress",
        "created_at",
        "started_at",
        "finished_at",
        "duration",
        "error",
        "result",
    ]
    readonly_fields = fields
    inlines = [JobPartInline]

    @admin.display(description="job", ordering="pk")
    def number(self, obj):
        """The number messages and `ingest_seeds --status JOB` use."""
        return obj.pk

    def get_search_results(self, request, queryset, search_term):
        """A number finds that job (what `--enqueue` printed), besides descriptions that contain it."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip().isdigit():
            results |= queryset.filter(pk=int(search_term.strip()))
        return results, may_have_duplicates

    @admin.display(description="progress")
    def progress(self, obj):
        if obj.total is None:
            return "planning…" if obj.state != State.FAILED else "–"
        failed = (
            ngettext(", {n} part failed", ", {n} parts failed", obj.parts_failed).format(n=obj.parts_failed)
            if obj.parts_failed
            else ""
        )
        return f"{obj.done:,}/{obj.total:,} {obj.unit}{failed}"

    @admin.display(description="duration")
    def duration(self, obj):
        if obj.started_at is None:
            return "–"
        seconds = ((obj.finished_at or timezone.now()) - obj.started_at).total_seconds()
        return f"{seconds:,.1f} s" if seconds < 120 else f"{seconds / 60:,.1f} min"

    @admin.display(description="error")
    def reason(self, obj):
        return Truncator(obj.error).chars(120)

    @admin.display(description="about")
    def target_link(self, obj):
        if obj.target_type_id is None:
            return "–"
        model = obj.target_type.model_class()
        try:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.target_id])
        except NoReverseMatch:
            return f"{model._meta.verbose_name} {obj.target_id}"
        return format_html('<a href="{}">{} {}</a>', url, model._meta.verbose_name, obj.target_id)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

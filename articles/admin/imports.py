"""Importing an `export_articles` file from the admin: a background job, never the request.

The request only checks what is cheap (an administrator, an empty archive, UTF-8 text
whose first line is an export's record), keeps the file in the database (a JobFile,
which every worker reads) and enqueues the job; a worker runs `import_articles`
(articles/restore.py) on it in one transaction, as the command does. The Jobs list
shows how it went, and each restored article's History says where it came from.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import ngettext

from .. import jobs
from ..models import Article
from ..restore import RestoreError, parse_record
from .jobs import jobs_link


class ImportForm(forms.Form):
    export = forms.FileField(
        label="Export file",
        help_text="A file written by `manage.py export_articles` (JSON Lines), restored into this empty archive.",
    )

    def clean_export(self):
        upload = self.cleaned_data["export"]
        data = upload.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"“{upload.name}” is not UTF-8 text (byte {exc.start}).") from None
        lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if not lines:
            raise ValidationError(f"“{upload.name}” is empty.")
        try:
            parse_record(*reversed(lines[0]))  # the whole file is checked by the job
        except RestoreError as exc:
            raise ValidationError(f"“{upload.name}” is not an export of articles: {exc}.") from None
        self.upload = (upload.name, data, len(lines))
        return upload


def import_view(model_admin, request):
    """The form (GET) and the job it enqueues (POST); back to the article list with what was queued."""
    if not request.user.is_superuser:
        raise PermissionDenied  # a restore writes every kind of row: an administrator's task
    existing = Article.objects.count()
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if existing:
            form.add_error(None, _not_empty(existing))
        else:
            name, data, lines = form.upload
            with transaction.atomic():  # the job and its file, or neither
                jobs.enqueue(
                    "import",
                    description=ngettext(
                        "Import {n:,} article from “{name}”", "Import {n:,} articles from “{name}”", lines
                    ).format(n=lines, name=name),
                    params={"lines": lines},
                    requested_by=request.user,
                    files=[(name, data)],
                )
            messages.success(
                request,
                format_html(
                    "Importing {} from “{}”; you’ll see the result under {}.",
                    ngettext("{n:,} article", "{n:,} articles", lines).format(n=lines),
                    name,
                    jobs_link(),
                ),
            )
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Article._meta,
        "title": "Import articles",
        "form": form,
        "not_empty": _not_empty(existing) if existing else "",
    }
    return TemplateResponse(request, "admin/articles/article/import.html", context)


def _not_empty(existing):
    return ngettext(
        "The archive already has {n:,} article: an export is restored into an empty archive.",
        "The archive already has {n:,} articles: an export is restored into an empty archive.",
        existing,
    ).format(n=existing)

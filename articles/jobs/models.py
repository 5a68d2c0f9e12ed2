"""What the admin's Jobs list shows: each job, and the parts it is split into.

A job is one long operation an editor or an operator asked for (re-link an
entity's articles, re-extract entities, ingest a folder). It is split into parts,
each done in one transaction by whichever worker takes it; a part is marked done
in the transaction that does its work, so a part re-run after its worker died
finds either nothing done (and does it all) or itself done (and does nothing).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models


class State(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(models.Model):
    kind = models.CharField(max_length=40)
    description = models.CharField(max_length=300, help_text="What the job does, as the editor was told.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target_id = models.CharField(max_length=40, blank=True, help_text="The object whose History records the result.")
    params = models.JSONField(default=dict)
    state = models.CharField(max_length=7, choices=State.choices, default=State.QUEUED)
    unit = models.CharField(max_length=20, default="articles")
    total = models.IntegerField(
        null=True, blank=True, help_text="Items to process, once the job has planned its parts."
    )
    done = models.IntegerField(default=0)
    parts = models.IntegerField(default=0)
    parts_done = models.IntegerField(default=0)
    parts_failed = models.IntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "articles"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"], name="job_kind_created_idx")]

    def __str__(self):
        return self.description

    @property
    def target(self):
        """The object the job is about, or None (none, or deleted since: its History is gone too)."""
        if self.target_type is None:
            return None
        try:
            return self.target_type.get_object_for_this_type(pk=self.target_id)
        except ObjectDoesNotExist:
            return None


class JobPart(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="part_set")
    number = models.IntegerField()
    params = models.JSONField(default=dict)
    size = models.IntegerField(help_text="Items in this part.")
    state = models.CharField(max_length=7, choices=State.choices, default=State.QUEUED)
    attempts = models.IntegerField(default=0)
    worker = models.CharField(max_length=100, blank=True, help_text="host:pid of the worker that last took it.")
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "articles"
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="jobpart_unique_number")]

    def __str__(self):
        return f"part {self.number} of {self.job}"


class JobFile(models.Model):
    """A file an editor uploaded for a job (an export to import), kept in the database so
    that a worker on any host reads it; deleted when the job ends."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255, help_text="The file's name on the editor's computer.")
    data = models.BinaryField()

    class Meta:
        app_label = "articles"

    def __str__(self):
        return self.name

"""The job queue: a job's rows, and its tasks handed to django-q2 (the low half of articles/jobs/).

What a job does is above the change path (`runner.py` runs the tasks, the kinds call
ingest, merges and re-linking, which call `changes.apply()`); asking for one is below
it, so that the change path itself can queue work (`changes.render_parts`). This module
therefore knows the runner only by the dotted path of its tasks, as django-q2 does: a
worker imports `articles.jobs.runner.plan` (or `run_part`, `finish`) when it takes the
task, and nothing here imports the runner.

With the setting JOBS_INLINE (tests, scripts with no worker) `submit` looks the same
path up (`import_string`) and runs the task at once, in this process and in the
caller's transaction: the same runner, as a worker would, with its exceptions reaching
the caller. django-q2's own `sync=True` would run it at once too, but through its
worker and monitor: the task pickled and signed, a timeout alarm set, a Task row
written for each, none of which JOBS_INLINE wants.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.module_loading import import_string
from django_q.tasks import async_task

from .models import Job, JobFile, JobPart, State

RUNNER = "articles.jobs.runner"  # the module whose functions the tasks name


def enqueue(kind, *, description, params=None, requested_by=None, target=None, parts=None, unit="articles", files=()):
    """Create a job and enqueue it; returns the Job.

    `parts` ([(params, size)]) when the caller already knows them (a queued ingest's
    file batches); otherwise a worker plans them (the kind's `plan`). `target`: the
    object whose History gets the result. `files` ([(name, bytes)]): uploads the job
    reads (JobFile rows, in the database every worker reads).
    """
    job = Job.objects.create(
        kind=kind,
        description=description[:300],
        params=params or {},
        requested_by=requested_by if requested_by is not None and requested_by.pk else None,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        unit=unit,
    )
    JobFile.objects.bulk_create(JobFile(job=job, name=name, data=data) for name, data in files)
    if parts is None:
        submit("plan", job.pk)
    else:
        job.state = State.QUEUED
        if not create_parts(job, parts):
            submit("finish", job.pk)  # nothing to do: closed as any job is when its last part ends
    job.refresh_from_db()
    return job


def create_parts(job, parts):
    """Store `parts` ([(params, size)]) as the job's parts and hand each to the queue; returns the parts."""
    rows = JobPart.objects.bulk_create(
        JobPart(job=job, number=number, params=params, size=size) for number, (params, size) in enumerate(parts, 1)
    )
    total = sum(size for _, size in parts)
    Job.objects.filter(pk=job.pk).update(parts=len(rows), total=total)
    job.parts, job.total = len(rows), total
    for part in rows:
        submit("run_part", part.pk)
    return rows


def submit(task, pk):
    """Hand the runner's `task(pk)` to the queue (in the caller's transaction), or run it now with JOBS_INLINE."""
    path = f"{RUNNER}.{task}"
    if settings.JOBS_INLINE:
        import_string(path)(pk)
        return
    async_task(path, pk, ack_failure=True, task_name=f"{task}-{pk}")

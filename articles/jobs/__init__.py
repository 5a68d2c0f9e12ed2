"""Background jobs: long work runs in worker processes, never in a web request.

The queue is django-q2 with its Django ORM broker: tasks are rows in PostgreSQL
(`django_q_ormq`), so a job is enqueued in the transaction of the request that
asks for it (it exists if and only if that request's change committed), and no
server other than PostgreSQL is needed. `manage.py worker` (articles/jobs/worker.py)
runs the workers, on any number of hosts against one database.

    job = jobs.enqueue("relink", description="Re-link articles that mention “Twitter”",
                       params={"entity_ids": [12]}, requested_by=request.user, target=entity)

A job is split into parts, each one transaction (articles/jobs/runner.py); what
each kind of job does is in articles/jobs/kinds.py (re-linking, re-extraction, imports),
articles/jobs/curation.py (merges, bulk actions over articles) and
articles/jobs/ingest.py (queued ingest). The admin's Jobs list shows them.

With the setting JOBS_INLINE (tests, and scripts that must not depend on a worker),
a job runs at once in the process that enqueues it, through the same runner.
"""

from .models import Job, JobFile, JobPart, State

__all__ = ["Job", "JobFile", "JobPart", "State", "enqueue"]


def enqueue(kind, *, description, params=None, requested_by=None, target=None, parts=None, unit="articles", files=()):
    """Create a job and enqueue it; returns the Job.

    `parts` ([(params, size)]) when the caller already knows them (a queued ingest's
    file batches); otherwise a worker plans them (the kind's `plan`). `target`: the
    object whose History gets the result. `files` ([(name, bytes)]): uploads the job
    reads (JobFile rows, in the database every worker reads).
    """
    from django.contrib.contenttypes.models import ContentType

    from . import runner

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
        runner.submit("plan", job.pk)
    else:
        job.state = State.QUEUED
        runner.create_parts(job, parts)
    job.refresh_from_db()
    return job

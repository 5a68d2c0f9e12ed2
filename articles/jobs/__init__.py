"""Background jobs: long work runs in worker processes, never in a web request.

The queue is django-q2 with its Django ORM broker: tasks are rows in PostgreSQL
(`django_q_ormq`), so a job is enqueued in the transaction of the request that
asks for it (it exists if and only if that request's change committed), and no
server other than PostgreSQL is needed. `manage.py worker` (articles/jobs/worker.py)
runs the workers, on any number of hosts against one database.

    job = jobs.enqueue("relink", description="Re-link articles that mention “Twitter”",
                       params={"entity_ids": [12]}, requested_by=request.user, target=entity)

Two layers, one either side of the change path (articles/changes.py):
- below it, the queue (`queue.py`, with the rows in `models.py`): `enqueue` creates a
  Job and hands its tasks to django-q2. Anything may ask for a job, the change path
  included (`changes.render_parts` queues the rendering of many pages);
- above it, what a job does: `runner.py` runs each task (a job is split into parts,
  each one transaction), and the kinds say what a part does: `kinds.py` (re-linking,
  re-extraction, imports, page parts), `curation.py` (merges, bulk actions over
  articles) and `ingest.py` (queued ingest), all on `base.py`'s `Kind`. They call
  ingest, merges and re-linking, which end with `changes.apply()`.
The queue names the runner's tasks by their dotted path, as django-q2 does, and never
imports it. The admin's Jobs list shows the jobs.

With the setting JOBS_INLINE (tests, and scripts that must not depend on a worker),
a job runs at once in the process that enqueues it, through the same runner.
"""

from .models import Job, JobFile, JobPart, State
from .queue import enqueue

__all__ = ["Job", "JobFile", "JobPart", "State", "enqueue"]

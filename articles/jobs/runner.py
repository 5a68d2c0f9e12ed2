"""Running jobs: what a worker does with each task the queue hands it.

The tasks reach the queue (django-q2, with PostgreSQL as its broker) through
articles/jobs/queue.py, which names them by their dotted path (`articles.jobs.runner.plan`):

- `plan(job_id)`: the job's kind splits the work into parts (reading what it must
  from the database, which a web request should not wait for), creates them and
  enqueues one `run_part` task each, in one transaction;
- `run_part(part_id)`: one part, in one transaction that also marks the part done
  and adds it to the job's progress. The part's row stays locked while it runs,
  so a second delivery of the same task (the queue hands a task out again when
  its worker has not acknowledged it within `JOB_RETRY_SECONDS`) waits, then finds
  the part done and does nothing;
- `finish(job_id)`: a job enqueued with its parts known, and none of them, is closed
  (a planned job with none is closed by `plan`).

A worker killed mid-part (SIGKILL, out of memory, the host lost) rolls nothing
forward: its transaction is undone by PostgreSQL, the queue hands the task out
again after `JOB_RETRY_SECONDS`, and the part runs again from its start. Each
start is counted (committed before the work begins); a part that raised is tried
again at once, and after `JOB_MAX_ATTEMPTS` starts it is marked failed with its
reason. The other parts go on; nothing they did is undone. When the last part is
done or failed, the job's kind sums the results and the job's target (an entity,
say) gets a line in its History.
"""

import logging
import os
import socket
import traceback

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import ngettext

from .. import changes
from .kinds import kind_of
from .models import Job, JobPart, State
from .queue import create_parts, submit

logger = logging.getLogger(__name__)


def plan(job_id):
    """Split a queued job into parts and enqueue them."""
    with changes.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, state=State.QUEUED, parts=0).first()
        if job is None:
            return "planned before"  # a second delivery
        try:
            with transaction.atomic():
                parts = kind_of(job).plan(job)
        except Exception as exc:
            logger.exception("job=%s planning failed", job.pk)
            _fail_job(job, f"could not be planned: {_reason(exc)}")
            return "failed"
        job.state, job.started_at = State.RUNNING, timezone.now()
        job.save(update_fields=["state", "started_at"])
        if not create_parts(job, parts):
            _finish(job)  # nothing to do; the row is locked above and `job` is current
    return ngettext("{n} part", "{n} parts", len(parts)).format(n=len(parts))


def finish(job_id):
    """Close a job enqueued with no parts (nothing to do): its kind sums up and follows up as for any job."""
    with changes.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id, finished_at__isnull=True).first()
        if job is None:
            return "finished before"  # a second delivery
        _finish(job)
    return "finished"


def run_part(part_id):
    """Run one part of a job (see the module docstring); returns what the queue records."""
    attempt = _start(part_id)
    if attempt is None:
        return "done before"
    try:
        with changes.atomic():
            part = JobPart.objects.select_for_update(of=("self",)).select_related("job").get(pk=part_id)
            if part.state != State.RUNNING:
                return "done before"
            result = kind_of(part.job).run(part.job, part.params)
            _part_done(part, result)
        logger.info(
            "job=%s part=%s/%s size=%s attempt=%s done", part.job_id, part.number, part.job.parts, part.size, attempt
        )
        return "done"
    except Exception as exc:
        logger.exception("job part=%s attempt=%s failed", part_id, attempt)
        if _part_raised(part_id, attempt, exc):
            submit("run_part", part_id)  # tried again at once: most failures are a lost race or a deadlock
            return "failed, queued again"
        if settings.JOBS_INLINE:
            raise
        return "failed"


def _start(part_id):
    """Count a start of the part (committed before any work); None if it needs no more work."""
    with transaction.atomic():
        # Waits while another worker runs the part (it holds the row): then it is done.
        part = (
            JobPart.objects.select_for_update(of=("self",))
            .filter(pk=part_id, state__in=[State.QUEUED, State.RUNNING])
            .select_related("job")
            .first()
        )
        if part is None:
            return None
        part.attempts += 1
        if part.attempts > settings.JOB_MAX_ATTEMPTS:
            reason = (
                f"its worker stopped {settings.JOB_MAX_ATTEMPTS} times before finishing it (killed, or out of memory)"
            )
            _part_failed(part, part.error or reason)
            return None
        part.state, part.started_at, part.worker = (
            State.RUNNING,
            timezone.now(),
            f"{socket.gethostname()}:{os.getpid()}",
        )
        part.save(update_fields=["attempts", "state", "started_at", "worker"])
        Job.objects.filter(pk=part.job_id, started_at__isnull=True).update(started_at=part.started_at)
        Job.objects.filter(pk=part.job_id, state=State.QUEUED).update(state=State.RUNNING)
        return part.attempts


def _part_done(part, result):
    part.state, part.result, part.finished_at, part.error = State.DONE, result, timezone.now(), ""
    part.save(update_fields=["state", "result", "finished_at", "error"])
    Job.objects.filter(pk=part.job_id).update(done=F("done") + part.size, parts_done=F("parts_done") + 1)
    _finish_if_last(part.job_id)


def _part_raised(part_id, attempt, exc):
    """Record why the part failed; True if it is to run again, else it is marked failed."""
    with transaction.atomic():
        part = JobPart.objects.select_for_update(of=("self",)).select_related("job").get(pk=part_id)
        part.error = _reason(exc)
        if attempt < settings.JOB_MAX_ATTEMPTS:
            part.state = State.QUEUED
            part.save(update_fields=["error", "state"])
            return True
        _part_failed(part, part.error)
        return False


def _part_failed(part, reason):
    part.state, part.error, part.finished_at = State.FAILED, reason, timezone.now()
    part.save(update_fields=["state", "error", "finished_at", "attempts"])
    Job.objects.filter(pk=part.job_id).update(parts_failed=F("parts_failed") + 1)
    Job.objects.filter(pk=part.job_id, error="").update(
        error=f"part {part.number} of {part.job.parts} failed after "
        + ngettext("{n} attempt", "{n} attempts", part.attempts).format(n=part.attempts)
        + f": {reason}"
    )
    _finish_if_last(part.job_id)


def _finish_if_last(job_id):
    job = Job.objects.select_for_update().get(pk=job_id)
    if job.parts_done + job.parts_failed >= job.parts:
        _finish(job)


def _finish(job):
    """Sum the parts' results, close the job and write the result in its target's History."""
    kind = kind_of(job)
    results = list(job.part_set.filter(state=State.DONE).order_by("number").values_list("result", flat=True))
    job.result = kind.summarise(job, results)
    job.state = State.FAILED if job.parts_failed else State.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "state", "finished_at"])
    kind.after(job)
    message = kind.history(job)
    if message and job.requested_by_id and job.target_type_id:
        target = job.target
        if target is not None:
            if job.state == State.FAILED:
                message = f"{message} — failed: {job.error}"
            LogEntry.objects.log_actions(job.requested_by_id, [target], CHANGE, change_message=message)


def _fail_job(job, reason):
    job.state, job.error, job.finished_at = State.FAILED, reason, timezone.now()
    job.save(update_fields=["state", "error", "finished_at"])


def _reason(exc):
    """The exception as an editor can report it: its type, its message and where it was raised."""
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" (at {os.path.basename(frame.filename)}:{frame.lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"[:2000]

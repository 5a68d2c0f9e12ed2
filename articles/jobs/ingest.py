"""Queued ingest: `ingest_seeds PATH --enqueue` as jobs that workers on any host take.

The files are listed once, where the command runs, and split into parts of one
ingest batch each (`--batch-size`, 250 files). Each part is `ingest_files()` on its
files, in one transaction, with the same identity rules as a direct ingest: what a
file is (created, updated, unchanged, duplicate, conflict) is decided by the
database, so parts running at once on several hosts never store a story twice.
Every part reads its files with the vocabulary as the job was enqueued (the
entities up to `known_entities`), not with the entities earlier parts created:
what a file gives then depends neither on the part it falls in nor on which parts
ran before it, and is what a direct ingest of the same files gives.
The entities the parts create (a byline's author, a name the model found) are then
linked to the stored articles that name them by a job that follows the ingest
(`LinkNew`, in rounds while re-linking creates entities), as a direct ingest does at
its end (`ingest.link_new_entities`).

A queued ingest is recorded as a direct one is: an IngestRun (the desk's "Last
ingest") begun when it is enqueued and given the job's figures when its last part
ends; `ingest_summary()` is the same summary a direct `ingest_seeds --json` prints,
added up over the parts (and the follow-up's `relinked`), once both jobs have ended.

Every worker reads the seed files itself: they must be at the same absolute path
on every host that runs a worker (shared storage: NFS, a mounted bucket, or one
host). The command refuses files it cannot read; a worker that cannot see any file
of its part fails the part with that reason (and another worker may take it).
"""

import os
import socket

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import ngettext

from .. import changes
from ..entities.relink import articles_naming, relink
from ..ingest import BATCH_SIZE, LINK_ROUNDS, IngestUsageError, ingest_files, iter_seed_files
from ..models import Entity, IngestRun
from ..seed import MAX_BYTES
from .base import Kind, split
from .models import Job, State
from .queue import enqueue

SUMMED = ("created", "updated", "unchanged", "duplicates", "conflicts")
LISTED = ("failed", "warnings", "notes")


class Ingest(Kind):
    name = "ingest"

    def plan(self, job):
        raise ValueError("an ingest job is planned when it is enqueued")

    def run(self, job, params):
        files = params["files"]
        if not any(os.path.lexists(path) for path in files):
            raise FileNotFoundError(
                f"none of this part's {len(files)} seed files exists on {socket.gethostname()} "
                f"(e.g. {files[0]}): seed files must be on storage every worker reads, at the same path"
            )
        options = job.params
        report = ingest_files(
            files,
            force=options.get("force", False),
            max_bytes=options.get("max_bytes", MAX_BYTES),
            workers=0,  # this worker's own process: the queue's workers are the parallelism
            batch_size=len(files),
            ner=options.get("ner", True),
            link_new=False,  # once for the whole job, when it ends (LinkNew)
            known_entities=options.get("known_entities"),  # the vocabulary as the job was enqueued
        )
        return {**report.as_dict(), "notes": [list(note) for note in report.notes]}

    def summarise(self, job, results):
        """The parts' reports added up; each file of a failed part (its transaction undone: none of
        them stored) is listed as failed, with the part's reason, as a direct ingest lists a file."""
        summary = dict.fromkeys(SUMMED, 0) | {key: [] for key in LISTED}
        for result in results:
            for key in SUMMED:
                summary[key] += result.get(key, 0)
            for key in LISTED:
                summary[key].extend(result.get(key, []))
        for part in job.part_set.filter(state=State.FAILED).order_by("number"):
            attempts = ngettext("{n} attempt", "{n} attempts", part.attempts).format(n=part.attempts)
            reason = f"not stored: its part ({part.number} of {job.parts}) failed after {attempts}: {part.error}"
            summary["failed"].extend({"path": path, "error": reason} for path in part.params["files"])
        summary["relinked"] = 0  # the follow-up job's (LinkNew), once it has ended
        summary["seconds"] = round((timezone.now() - job.created_at).total_seconds(), 3)
        return summary

    def after(self, job):
        """Record the figures in the job's IngestRun; link the entities the parts created to the
        stored articles that name them, in a job of its own."""
        run = IngestRun.objects.filter(pk=job.params.get("ingest_run")).first()
        if run is not None:
            run.fill(job.result, job.finished_at)  # a failed part's files are among its failures
            run.save()
        changes.render_missing_parts(f"job {job.pk}")  # related lists and page parts, as a direct run
        follow_up = link_new_after(job, job.params.get("known_entities"), ingest_job=job.pk)
        if follow_up is not None:
            job.refresh_from_db(fields=["result"])  # a follow-up run inline (JOBS_INLINE) has added its figures
            job.result["link_new_job"] = follow_up.pk
            job.save(update_fields=["result"])


def link_new_after(job, known, *, rounds=1, ingest_job=None):
    """Enqueue a `link_new` job for the entities created after id `known` while `job` ran; returns it
    (None if there are none, or after LINK_ROUNDS rounds).

    What ingest_files() does at its end, for a job whose articles were extracted with
    the vocabulary as each part began: a queued ingest, a re-extraction, a round of
    linking. `ingest_job`: the id of the queued ingest it follows, whose summary adds
    up what it re-linked.
    """
    if known is None or rounds > LINK_ROUNDS or not Entity.objects.filter(id__gt=known).exists():
        return None
    return enqueue(
        "link_new",
        description=f"Link the entities first found by job {job.pk} to the stored articles that name them",
        params={"known_entities": known, "ner": job.params.get("ner", True), "round": rounds, "ingest_job": ingest_job},
    )


class LinkNew(Kind):
    """What ingest_files() does after a direct ingest (ingest.link_new_entities), for a queued one:
    the stored articles that name an entity created after id `known_entities` are extracted again,
    as `relink_entities` would, in parts; then again for the entities that created, if any."""

    name = "link_new"

    def plan(self, job):
        job.params["planned_up_to"] = Entity.objects.aggregate(last=Max("id"))["last"] or 0
        job.save(update_fields=["params"])
        new = list(Entity.objects.filter(id__gt=job.params["known_entities"]).values_list("id", flat=True))
        return split(articles_naming(new, not_mentioning=True) if new else [], settings.JOB_RELINK_PART)

    def run(self, job, params):
        return {"relinked": relink(article_ids=params["ids"]).changed}

    def after(self, job):
        """The ingest's summary gains the stored articles linked, as a direct ingest's does; entities
        re-linking created (a spelt-out acronym, say) are linked in turn, by another round."""
        ingest = Job.objects.select_for_update().filter(pk=job.params.get("ingest_job")).first()
        rounds = job.params.get("round", 1) + 1
        follow_up = link_new_after(
            job, job.params.get("planned_up_to"), rounds=rounds, ingest_job=job.params.get("ingest_job")
        )
        if ingest is not None:
            ingest.refresh_from_db(fields=["result"])
            ingest.result["relinked"] = ingest.result.get("relinked", 0) + job.result.get("relinked", 0)
            if follow_up is not None:
                ingest.result["link_new_job"] = follow_up.pk  # its summary is final when the last round ends
            ingest.save(update_fields=["result"])


def enqueue_ingest(paths, *, force=False, ner=True, max_bytes=MAX_BYTES, batch_size=BATCH_SIZE, requested_by=None):
    """List the seed files under `paths` and enqueue their ingest, a part per batch; returns the Job.

    The ingest is recorded as an IngestRun (the desk's "Last ingest"), begun before any
    worker can write. Raises IngestUsageError for a path that does not exist, a folder with no *.txt file or files
    this host cannot read.
    """
    files = list(iter_seed_files(paths))
    unreadable = [path for path in files if not os.path.islink(path) and not _readable(path)]
    if unreadable:
        raise IngestUsageError(
            ngettext("{n:,} seed file cannot be read", "{n:,} seed files cannot be read", len(unreadable)).format(
                n=len(unreadable)
            )
            + f" (e.g. {unreadable[0]}): workers read them "
            "with the same permissions and at the same path"
        )
    parts = [
        ({"files": files[i : i + batch_size]}, len(files[i : i + batch_size])) for i in range(0, len(files), batch_size)
    ]
    folders = ", ".join(str(path) for path in paths)
    run = IngestRun.objects.begin()
    job = enqueue(
        "ingest",
        description=(
            ngettext("Ingest {n:,} seed file from {folders}", "Ingest {n:,} seed files from {folders}", len(files))
        ).format(n=len(files), folders=folders)[:300],
        params={
            "paths": [os.path.abspath(p) for p in paths],
            "force": force,
            "ner": ner,
            "max_bytes": max_bytes,
            "known_entities": Entity.objects.aggregate(last=Max("id"))["last"] or 0,
            "ingest_run": run.pk,
        },
        parts=parts,
        unit="files",
        requested_by=requested_by,
    )
    IngestRun.objects.filter(pk=run.pk).update(job=job)  # a worker may have filled the run in already
    return job


def _readable(path):
    """Whether this process can open `path` (with its effective user, as a worker's open() would)."""
    try:
        with open(path, "rb"):
            return True
    except OSError:
        return False


def ingest_summary(job):
    """The queued ingest `job`'s summary, shaped as a direct ingest's (`IngestReport.as_dict()`), and
    whether it is final: the ingest and the job linking the entities it created have both ended."""
    result = job.result or {}
    keys = ("created", "updated", "unchanged", "duplicates", "conflicts", "failed", "warnings", "relinked", "seconds")
    summary = {key: result[key] for key in keys if key in result}
    follow_up = result.get("link_new_job")
    final = job.finished_at is not None and (
        follow_up is None or Job.objects.filter(pk=follow_up, finished_at__isnull=False).exists()
    )
    return summary, final


def latest_ingest(job_id=None):
    """The ingest job `job_id`, or the latest one; None if there is none."""
    jobs = Job.objects.filter(kind="ingest")
    return jobs.filter(pk=job_id).first() if job_id is not None else jobs.order_by("-created_at", "-id").first()

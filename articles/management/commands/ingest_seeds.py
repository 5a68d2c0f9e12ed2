import json
import sys
import time

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from articles.ingest import BATCH_SIZE, IngestUsageError, default_workers, ingest_files, iter_seed_files
from articles.jobs.ingest import enqueue_ingest, ingest_summary, latest_ingest
from articles.management.progress import progress_bar
from articles.management.queue_log import without_task_numbers
from articles.models import IngestRun
from articles.seed import MAX_BYTES


def count(n, noun):
    """ "1 file", "2,000 files": the number with its noun, singular or plural (English)."""
    return ngettext(f"{{n:,}} {noun}", f"{{n:,}} {noun}s", n).format(n=n)


class Command(BaseCommand):
    help = (
        "Load seed documents (plain-text articles) into the archive. PATHs are files or folders; "
        "folders are searched recursively for *.txt. Safe to re-run: unchanged files are skipped, "
        "changed files update their article in place. Exit status: 0 when every file was stored or "
        "skipped, 1 when any file failed (the others are still stored), 2 for a usage error (such as a "
        "PATH that does not exist or a folder with no *.txt file under it). "
        "With --enqueue the files are ingested by `manage.py worker` processes, on any host that reads "
        "them at the same path; --status shows how far a queued ingest is."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="PATH", help="seed files or folders of them")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="split the files into jobs (one per batch) for `manage.py worker` processes on any host, "
            "which must read the files at the same path; prints the job's number and returns",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="with --enqueue: follow the job until it ends and print its summary and exit status, "
            "as a direct ingest does",
        )
        parser.add_argument(
            "--status",
            nargs="?",
            const=0,
            type=int,
            metavar="JOB",
            help="how far the queued ingest JOB (default: the latest) is; its summary once it has ended "
            "(exit status 1 if any file failed, a failed part's files included)",
        )
        parser.add_argument("--dry-run", action="store_true", help="parse and report, write nothing")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite articles that editors changed since their last ingest (normally reported as conflicts)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print the summary as one JSON object on the last line of standard output",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=MAX_BYTES,
            metavar="N",
            help=f"reject files larger than N bytes (default {MAX_BYTES:,})",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            metavar="N",
            help="processes that read and analyse files in parallel (default: the number of cores)",
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="N", help="articles per transaction")
        parser.add_argument(
            "--no-ner",
            action="store_true",
            help="skip the statistical entity model and link only the curated vocabulary "
            "(the fast path for bulk back-fills)",
        )

    def handle(self, *args, **options):
        if options["max_bytes"] < 1 or options["workers"] < 1 or options["batch_size"] < 1:
            self.usage_error("--max-bytes, --workers and --batch-size must be positive")
        if options["status"] is not None:
            return self.status(options["status"] or None, json_output=options["json"])
        if not options["paths"]:
            self.usage_error("name the seed files or folders to ingest (or --status)")
        if options["wait"] and not options["enqueue"]:
            self.usage_error("--wait follows a queued ingest: use it with --enqueue")
        if options["enqueue"]:
            return self.enqueue(options)
        started = time.monotonic()
        try:
            files = list(iter_seed_files(options["paths"]))
        except IngestUsageError as exc:
            self.usage_error(str(exc))  # before anything is recorded
        progress = progress_bar("files", enabled=sys.stderr.isatty() and not options["json"])
        # The run is recorded for the desk (the admin's front page); a dry run writes nothing.
        run = None if options["dry_run"] else IngestRun.objects.begin()
        report = ingest_files(
            files,
            started=started,
            dry_run=options["dry_run"],
            force=options["force"],
            max_bytes=options["max_bytes"],
            workers=options["workers"],
            batch_size=options["batch_size"],
            progress=progress,
            ner=not options["no_ner"],
        )
        if run is not None:
            run.finish(report)
        if progress:
            progress.close()
        self.report(report, options)

    def report(self, report, options):
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.write_summary(report, dry_run=options["dry_run"], verbosity=options["verbosity"])
        if report.failed:
            sys.exit(1)

    def usage_error(self, message):
        self.stderr.write(f"ingest_seeds: error: {message}")
        sys.exit(2)

    def enqueue(self, options):
        if options["dry_run"]:
            self.usage_error("--dry-run reads the files here; it cannot be queued")
        try:
            with without_task_numbers():
                job = enqueue_ingest(  # recorded as an IngestRun, as a direct ingest is
                    options["paths"],
                    force=options["force"],
                    ner=not options["no_ner"],
                    max_bytes=options["max_bytes"],
                    batch_size=options["batch_size"],
                )
        except IngestUsageError as exc:
            self.usage_error(str(exc))
        self.stderr.write(
            f"Queued job {job.pk}: {count(job.total, 'file')} in {count(job.parts, 'part')} for `manage.py worker` "
            f"(progress: ingest_seeds --status {job.pk})."
        )
        if options["wait"]:
            self.follow(job, options)

    def follow(self, job, options):
        """Draw the job's progress until it (and its follow-up) ends, then report its summary like a direct ingest."""
        progress = progress_bar("files", enabled=sys.stderr.isatty() and not options["json"])
        while not (summary := ingest_summary(job))[1]:
            if progress:
                progress(job.done, job.total or 0)
            time.sleep(1)
            job.refresh_from_db()
        if progress:
            progress(job.done, job.total or 0)
            progress.close()
        if job.error:
            self.stderr.write(self.style.ERROR(f"job {job.pk} failed: {job.error}"))
        self.report(_SummaryReport(summary[0], job.result.get("notes", [])), options)

    def status(self, job_id, *, json_output):
        job = latest_ingest(job_id)
        if job is None:
            self.usage_error(f"no queued ingest {job_id}" if job_id else "no ingest was queued")
        line = (
            f"job {job.pk}: {job.get_state_display().lower()}, {job.done:,}/{count(job.total or 0, 'file')}, "
            f"{job.parts_done:,}/{count(job.parts, 'part')} done"
            + (f", {job.parts_failed:,} failed" if job.parts_failed else "")
        )
        summary, final = ingest_summary(job)
        if job.finished_at and not final:
            line += "; linking the entities it created to stored articles"
        self.stderr.write(line + (f"; {job.error}" if job.error else ""))
        if json_output:
            # "summary": what a direct `ingest_seeds --json` prints, added up over the parts, once final.
            self.stdout.write(
                json.dumps(
                    {
                        "job": job.pk,
                        "state": job.state,
                        "done": job.done,
                        "total": job.total,
                        "summary": summary if final else None,
                    },
                    ensure_ascii=False,
                )
            )
        elif final:
            self.write_summary(_SummaryReport(summary, job.result.get("notes", [])), dry_run=False, verbosity=1)
        if final and summary.get("failed"):
            sys.exit(1)  # as a direct ingest exits when a file failed

    def write_summary(self, report, *, dry_run, verbosity):
        for item in report.failed:
            self.stderr.write(self.style.ERROR(f"failed: {item['path']}: {item['error']}"))
        for item in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {item['path']}: {item['warning']}"))
        for path, outcome, detail in report.notes:
            self.stdout.write(f"{outcome}: {path}: {detail}")
        prefix = "Dry run, nothing written: would have " if dry_run else ""
        summary = (
            f"{prefix}{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
            f"{report.duplicates} duplicates, {report.conflicts} conflicts, {len(report.failed)} failed "
            f"({count(report.files, 'file')} in {report.seconds:.1f}s)"
            + (
                f"; {count(report.relinked, 'stored article')} linked to entities first found in this run"
                if report.relinked
                else ""
            )
        )
        style = self.style.ERROR if report.failed else self.style.SUCCESS
        self.stdout.write(style(summary))


class _SummaryReport:
    """A queued ingest's summed-up result (articles/jobs/ingest.py: ingest_summary), read like an IngestReport."""

    def __init__(self, summary, notes):
        self.summary = summary
        for key in ("created", "updated", "unchanged", "duplicates", "conflicts", "relinked"):
            setattr(self, key, summary.get(key, 0))
        self.failed, self.warnings = summary.get("failed", []), summary.get("warnings", [])
        self.notes = [tuple(note) for note in notes]
        self.seconds = summary.get("seconds", 0.0)
        self.files = self.created + self.updated + self.unchanged + self.duplicates + self.conflicts + len(self.failed)

    def as_dict(self):
        return self.summary

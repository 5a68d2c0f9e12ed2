import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.ingest import BATCH_SIZE, IngestUsageError, default_workers, ingest_paths
from articles.models import IngestRun
from articles.seed import MAX_BYTES


class Command(BaseCommand):
    help = (
        "Load seed documents (plain-text articles) into the archive. PATHs are files or folders; "
        "folders are searched recursively for *.txt. Safe to re-run: unchanged files are skipped, "
        "changed files update their article in place. Exit status: 0 when every file was stored or "
        "skipped, 1 when any file failed (the others are still stored), 2 for a usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="seed files or folders of them")
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
        progress = self.progress_bar if sys.stderr.isatty() and not options["json"] else None
        missing = next((path for path in options["paths"] if not Path(path).exists()), None)
        if missing is not None:
            self.usage_error(f"{missing}: no such file or folder")  # before anything is recorded
        # The run is recorded for the desk (the admin's front page); a dry run writes nothing.
        run = None if options["dry_run"] else IngestRun.objects.begin()
        try:
            report = ingest_paths(
                options["paths"],
                dry_run=options["dry_run"],
                force=options["force"],
                max_bytes=options["max_bytes"],
                workers=options["workers"],
                batch_size=options["batch_size"],
                progress=progress,
                ner=not options["no_ner"],
            )
        except IngestUsageError as exc:
            if run is not None:
                run.delete()
            self.usage_error(str(exc))
        if run is not None:
            run.finish(report)
        if progress:
            sys.stderr.write("\n")

        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.write_summary(report, dry_run=options["dry_run"], verbosity=options["verbosity"])
        if report.failed:
            sys.exit(1)

    def usage_error(self, message):
        self.stderr.write(f"ingest_seeds: error: {message}")
        sys.exit(2)

    def progress_bar(self, done, total):
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} files")
        sys.stderr.flush()

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
            f"({report.files} files in {report.seconds:.1f}s)"
            + (
                f"; {report.relinked} stored articles linked to entities first found in this run"
                if report.relinked
                else ""
            )
        )
        style = self.style.ERROR if report.failed else self.style.SUCCESS
        self.stdout.write(style(summary))

import json
import sys

from django.core.management.base import BaseCommand

from articles.entities.relink import CHUNK_SIZE, relink
from articles.ingest import default_workers
from articles.models import Entity


class Command(BaseCommand):
    help = (
        "Match the curated entity vocabulary (every entity and its aliases) across the stored archive again, "
        "after editors added an alias or an entity, renamed one or merged two. Only mentions the vocabulary "
        "found change; what only the statistical model found stays; articles with pinned entities are skipped. "
        "Exit status: 0 on success, 2 for a usage error."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--entity",
            type=int,
            action="append",
            metavar="ID",
            dest="entity_ids",
            help="only articles that could mention this entity (repeatable); default: the whole archive",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
        parser.add_argument(
            "--workers",
            type=int,
            default=default_workers(),
            metavar="N",
            help="processes that match article texts in parallel (default: the number of cores)",
        )
        parser.add_argument(
            "--chunk-size", type=int, default=CHUNK_SIZE, metavar="N", help="articles read and written at a time"
        )
        parser.add_argument(
            "--json", action="store_true", help="print the summary as one JSON object on the last line of output"
        )

    def handle(self, *args, **options):
        if options["workers"] < 1 or options["chunk_size"] < 1:
            self.usage_error("--workers and --chunk-size must be positive")
        entity_ids = options["entity_ids"]
        if entity_ids:
            known = set(Entity.objects.filter(id__in=entity_ids).values_list("id", flat=True))
            unknown = sorted(set(entity_ids) - known)
            if unknown:
                self.usage_error(f"no entity with id {', '.join(map(str, unknown))}")
        progress = self.progress_bar if sys.stderr.isatty() and not options["json"] else None
        report = relink(
            entity_ids,
            workers=options["workers"],
            chunk_size=options["chunk_size"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        if progress:
            sys.stderr.write("\n")
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}re-linked {report.articles:,} articles: {report.changed:,} changed "
                f"({report.added:,} mentions added, {report.removed:,} removed, {report.updated:,} recounted) "
                f"in {report.seconds:.1f}s"
            )
        )

    def usage_error(self, message):
        self.stderr.write(f"relink_entities: error: {message}")
        sys.exit(2)

    def progress_bar(self, done, total):
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} articles")
        sys.stderr.flush()

import json
import sys

from django.core.management.base import BaseCommand

from articles import jobs
from articles.entities.relink import CHUNK_SIZE, relink
from articles.ingest import default_workers
from articles.management.progress import progress_bar
from articles.management.queue_log import without_task_numbers
from articles.models import Entity


class Command(BaseCommand):
    help = (
        "Extract the entities of stored articles again with the curated vocabulary as it is now (every entity "
        "and its aliases), after editors added an alias or an entity, renamed one or merged two. The statistical "
        "model does not run: an article's stored reading of its text stands in for it. An article without one "
        "(ingested with --no-ner, or edited since) is matched by the vocabulary alone, and what only the model "
        "found stays. Articles with pinned entities are skipped. Exit status: 0 on success, 2 for a usage error."
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
            "--enqueue",
            action="store_true",
            help="queue the re-linking as a job for `manage.py worker` processes (parts of 1,000 articles) "
            "and return; the admin's Jobs list shows its progress",
        )
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
        if options["enqueue"]:
            if options["dry_run"]:
                self.usage_error("--dry-run cannot be queued")
            names = (
                ", ".join(Entity.objects.filter(id__in=entity_ids).values_list("name", flat=True)) if entity_ids else ""
            )
            with without_task_numbers():
                job = jobs.enqueue(
                    "relink",
                    description=f"Re-link the articles that could mention {names}"
                    if names
                    else "Re-link the whole archive",
                    params={"entity_ids": entity_ids},
                )
            self.stdout.write(self.style.SUCCESS(f"Queued job {job.pk}: {job.description}."))
            return
        progress = progress_bar("articles", enabled=sys.stderr.isatty() and not options["json"])
        report = relink(
            entity_ids,
            workers=options["workers"],
            chunk_size=options["chunk_size"],
            dry_run=options["dry_run"],
            progress=progress,
        )
        if progress:
            progress.close()
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

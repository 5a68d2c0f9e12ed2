import os

from django.core.management.base import BaseCommand, CommandError

from articles.jobs import worker


class Command(BaseCommand):
    help = (
        "Run background jobs (re-linking, re-extraction, queued ingest) from the job queue in PostgreSQL. "
        "Runs until stopped (Ctrl-C or SIGTERM: the jobs being run finish first), or with --burst until "
        "no job is left. Run one on every host that should do background work; all take jobs from the "
        "one database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--concurrency",
            type=int,
            default=int(os.environ.get("WORKER_CONCURRENCY") or os.cpu_count() or 1),
            metavar="N",
            help="worker processes (default: WORKER_CONCURRENCY, else the number of cores)",
        )
        parser.add_argument(
            "--burst", action="store_true", help="exit once no job is queued or running (for scripts and tests)"
        )
        parser.add_argument(
            "--no-preload",
            action="store_true",
            help="do not load the statistical model before starting the worker processes (each loads it "
            "when it first extracts entities; a worker that only re-links then never does)",
        )

    def handle(self, *args, **options):
        if options["concurrency"] < 1:
            raise CommandError("--concurrency must be positive")
        worker.run(options["concurrency"], burst=options["burst"], preload_model=not options["no_preload"])

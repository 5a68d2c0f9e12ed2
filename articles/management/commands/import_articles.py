import sys

from django.core.management.base import BaseCommand, CommandError

from articles.restore import RestoreError, import_articles


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = (
        "Restore an export_articles file (JSON Lines) into an empty database: articles with their slugs, "
        "statuses, times, authors, tags, entities, mention counts and sources, pinned flags and ingest "
        "provenance, exactly as exported. Rebuilds the reader statistics and search entries afterwards. "
        "The import is one transaction: a malformed line stops it, with its line number, and nothing is "
        "written. FILE '-' reads standard input."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="the export to restore ('-' for standard input)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check every line and that the database has no articles yet; write nothing",
        )

    def handle(self, *args, file, dry_run, **options):
        try:
            if file == "-":
                report = import_articles(options.get("stdin", sys.stdin), dry_run=dry_run)
            else:
                with open(file, encoding="utf-8") as lines:
                    report = import_articles(lines, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text (byte {exc.start})") from None
        except RestoreError as exc:
            raise CommandError(f"{file}: {exc}; nothing was imported") from None
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"{report.articles:,} articles checked; nothing was written"))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {report.articles:,} articles ({report.public:,} public), {report.authors:,} authors, "
                f"{report.tags:,} tags, {report.entities:,} new entities and {report.mentions:,} mentions"
            )
        )

from django.core.management.base import BaseCommand, CommandError

from articles.export import export_articles


class Command(BaseCommand):
    help = (
        "Write every article as JSON Lines (one article per line): slug, title, dek, body, status, "
        "published_at, author, tags, entities (with kinds, aliases, mention counts and sources), times, "
        "pinned flags and ingest provenance: a backup that import_articles restores exactly. Writes to "
        "standard output unless --output is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, **options):
        if options["output"]:
            try:
                out = open(options["output"], "w", encoding="utf-8")  # noqa: SIM115 - closed below
            except OSError as exc:  # a folder that does not exist, no permission: one clear line
                raise CommandError(f"{options['output']}: {exc.strerror or exc}") from None
            with out:
                count = export_articles(out)
            self.stderr.write(self.style.SUCCESS(f"Exported {count} articles to {options['output']}"))
        else:
            count = export_articles(self.stdout)
            self.stderr.write(self.style.SUCCESS(f"Exported {count} articles"))

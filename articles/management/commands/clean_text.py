"""manage.py clean_text [--dry-run]: invisible characters out of rows stored before they were cleaned at the door."""

from django.core.management.base import BaseCommand

from articles.cleantext import clean_stored_text


class Command(BaseCommand):
    help = (
        "Remove invisible characters (zero-width spaces and joiners, soft hyphens, word joiners, stray BOMs, "
        "bidirectional controls) from stored headlines, deks, bodies, author names, tags and entity names and "
        "aliases, as ingest and the admin now do for new text. Rows whose cleaned names are one ('Dana<U+200B> "
        "Levi' and 'Dana Levi') are merged, as an editor's merge would. One transaction, through the change path; "
        "run with --dry-run first to see what would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    def handle(self, *args, dry_run, **options):
        report = clean_stored_text(dry_run=dry_run)
        would = "would be " if dry_run else ""
        self.stdout.write(f"articles {would}cleaned: {len(report.articles)}")
        for kind, old, new in report.renamed:
            self.stdout.write(f"{kind} {would}renamed: {old!a} -> {new!a}")
        for kind, name, fields in report.cleaned:
            self.stdout.write(f"{kind} {would}cleaned: {name!a} ({', '.join(fields)})")
        for kind, old, new in report.merged:
            self.stdout.write(f"{kind} {would}merged: {old!a} into {new!a}")
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("Nothing to clean."))
        elif dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was written. Run without --dry-run to clean."))
        else:
            self.stdout.write(self.style.SUCCESS("Cleaned."))

import time

from django.core.management.base import BaseCommand

from articles import changes
from articles.stats import rebuild_reader_stats


class Command(BaseCommand):
    help = (
        "Recompute the reader statistics (article counts per month, author, tag and entity; entity "
        "timelines; entities mentioned together) from the articles as they are. Ingest and the admin "
        "keep them current; run this after changing articles by other means (SQL, shell scripts)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with changes.atomic():
            count = rebuild_reader_stats()
            changes.apply(everything=True)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Counted {count} public articles in {seconds:.1f}s"))

import time

from django.core.management.base import BaseCommand, CommandError

from articles import changes
from articles.models import Article

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Bring what is derived from articles up to date through the change path: search entries, reader "
        "statistics and cached pages. The admin, ingest, merges, re-linking and imports do it by themselves; "
        "run this after changing articles by other means (SQL, a shell script). Name article ids, or --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="article ids")
        parser.add_argument("--all", action="store_true", help="every article (and every cached page)")

    def handle(self, *args, **options):
        if bool(options["ids"]) == options["all"]:
            raise CommandError("name article ids or give --all (not both)")
        started = time.monotonic()
        ids = options["ids"] or list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            with changes.atomic():  # a chunk per transaction: a long run keeps what it has done
                changes.apply(articles=ids[start : start + CHUNK], everything=options["all"])
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Refreshed {len(ids)} articles in {seconds:.1f}s"))

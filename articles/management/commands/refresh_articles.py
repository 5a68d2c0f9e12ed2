import time

from django.core.management.base import BaseCommand, CommandError

from articles import changes, parts
from articles.models import Article

CHUNK = 2000


class Command(BaseCommand):
    help = (
        "Bring what is derived from articles up to date through the change path: search entries, reader "
        "statistics, related articles and cached pages. The admin, merges, re-linking and imports do it by "
        "themselves; run this after changing articles by other means (SQL, a shell script). Name article ids, "
        "or --all; --related chooses the related articles of every article that has none stored yet (after an "
        "ingest, which leaves them out, and once after upgrading to migration 0013) and renders their page parts; "
        "--parts renders the page parts of every public article whose parts are missing or stale (after a deploy "
        "that changed the article page's templates), choosing the related articles of those without a list first."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, metavar="ID", help="article ids")
        parser.add_argument("--all", action="store_true", help="every article (and every cached page)")
        parser.add_argument(
            "--related",
            action="store_true",
            help="only the related articles (and page parts) of articles without a stored list",
        )
        parser.add_argument(
            "--parts", action="store_true", help="only the page parts of articles whose parts are missing or stale"
        )

    def handle(self, *args, **options):
        if sum([bool(options["ids"]), options["all"], options["related"], options["parts"]]) != 1:
            raise CommandError("name article ids, or give --all, --related or --parts (one of them)")
        started = time.monotonic()
        if options["parts"]:
            ids = parts.missing_or_stale()
            for start in range(0, len(ids), CHUNK):
                changes.choose_related(ids[start : start + CHUNK], only_missing=True)  # a transaction per chunk
            seconds = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Rendered the page parts of {len(ids)} articles in {seconds:.1f}s"))
            return
        if options["related"]:
            ids = list(Article.objects.filter(related_list__isnull=True).order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), CHUNK):
                changes.choose_related(ids[start : start + CHUNK])  # a transaction per chunk
            seconds = time.monotonic() - started
            self.stdout.write(
                self.style.SUCCESS(f"Chose the related articles of {len(ids)} articles in {seconds:.1f}s")
            )
            return
        ids = options["ids"] or list(Article.objects.order_by("pk").values_list("pk", flat=True))
        missing = sorted(set(ids) - set(Article.objects.filter(pk__in=ids).values_list("pk", flat=True)))
        if missing:
            raise CommandError(f"no article {', '.join(map(str, missing))}: nothing was refreshed")
        for start in range(0, len(ids), CHUNK):
            last = start + CHUNK >= len(ids)
            with changes.atomic():  # a chunk per transaction: a long run keeps what it has done
                changes.apply(articles=ids[start : start + CHUNK], everything=options["all"] and last)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Refreshed {len(ids)} article{'' if len(ids) == 1 else 's'} in {seconds:.1f}s")
        )

import json
import sys

from django.core.management.base import BaseCommand

from articles import changes
from articles.writes import add_entities


class Command(BaseCommand):
    help = (
        "Add people, places and organisations to the curated vocabulary from a JSON file: a list of "
        '{"name", "kind", "aliases"} objects or [name, kind, aliases] triples (the format of '
        "articles/entities/starter_vocabulary.json and of scripts/generate_corpus.py's entities.json). "
        "Existing entities gain missing aliases; nothing is removed. Run it before ingest_seeds so the "
        "articles are linked to these entities."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="FILE", help="JSON file with the entities")

    def handle(self, *args, **options):
        try:
            with open(options["path"], encoding="utf-8") as handle:
                data = json.load(handle)
            entries = [_entry(item) for item in data]
            with changes.atomic():
                created, gained = add_entities(entries)
                changes.apply(entities=created | gained)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            self.stderr.write(f"load_entities: error: {options['path']}: {exc}")
            sys.exit(1)
        summary = (
            f"{len(created)} entities created, {len(gained)} existing ones gained aliases ({len(entries)} in the file)"
        )
        self.stdout.write(self.style.SUCCESS(summary))


def _entry(item):
    if isinstance(item, dict):
        return item["name"], item["kind"], list(item.get("aliases") or [])
    name, kind, aliases = item
    return name, kind, list(aliases)

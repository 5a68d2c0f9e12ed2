#!/usr/bin/env python3
"""Measure entity extraction: the model's own speed, extraction, ingest and re-linking throughput.

    .venv/bin/python scripts/bench_entities.py extract [--articles N]
    .venv/bin/python scripts/bench_entities.py seeds FOLDER [--articles N]

`extract` reads the evaluation set and the sample seeds (no database) and
prints words/second for the NER-only spaCy pipeline alone, for
`extract_entities` with the model, and milliseconds per article without it.
`seeds` writes N synthetic seed files into FOLDER for ingest and relink runs:
the evaluation and sample articles, duplicated and varied (numbers changed,
paragraphs rotated, headline numbered) so that every file is a distinct story.
Then time, for example:

    .venv/bin/python scripts/localenv.py -- .venv/bin/python manage.py ingest_seeds FOLDER --workers 1 --json
    .venv/bin/python scripts/localenv.py -- .venv/bin/python manage.py relink_entities --json
"""

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from articles.entities import Vocabulary, extract_entities  # noqa: E402
from articles.entities.ner import find_spans, load_model  # noqa: E402
from articles.seed import parse_seed, render_seed  # noqa: E402

SOURCES = sorted((ROOT / "tests" / "data" / "entities").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))


def documents():
    return [parse_seed(path.read_bytes()).document for path in SOURCES]


def words(document):
    return sum(len(part.split()) for part in (document.headline, document.dek, document.body, document.bio))


def bench_extract(articles):
    vocabulary = Vocabulary(json.loads((ROOT / "articles" / "entities" / "starter_vocabulary.json").read_text()))
    docs = documents()
    docs = (docs * (articles // len(docs) + 1))[:articles]
    total_words = sum(words(d) for d in docs)
    load_model()
    extract_entities(docs[0], vocabulary)  # warm up

    started = time.perf_counter()
    for d in docs:
        find_spans("\n\n".join(p for p in (d.dek, d.body, d.bio) if p))
    model_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for d in docs:
        extract_entities(d, vocabulary)
    full_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for _ in range(5):
        for d in docs:
            extract_entities(d, vocabulary, ner=False)
    vocabulary_seconds = (time.perf_counter() - started) / 5

    print(f"{len(docs)} articles, {total_words:,} words, vocabulary of {len(vocabulary)} entities")
    print(f"model alone (NER-only pipeline):  {total_words / model_seconds:10,.0f} words/s")
    print(
        f"extract_entities with the model:  {total_words / full_seconds:10,.0f} words/s "
        f"({model_seconds / full_seconds:.0%} of the model's speed)"
    )
    print(
        f"extract_entities without it:      {total_words / vocabulary_seconds:10,.0f} words/s "
        f"({1000 * vocabulary_seconds / len(docs):.3f} ms per article)"
    )


def write_seeds(folder, articles):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    docs = documents()
    rng = random.Random(7)  # noqa: S311 -- varied numbers for test data, not secrets
    for n in range(articles):
        base = docs[n % len(docs)]
        paragraphs = base.body.split("\n\n")
        turn = (n // len(docs)) % max(1, len(paragraphs))
        paragraphs = paragraphs[turn:] + paragraphs[:turn]
        body = re.sub(r"\d+", lambda m: str(rng.randint(2, 999)), "\n\n".join(paragraphs))
        document = base.__class__(
            headline=f"{base.headline} ({n + 1})",
            dek=base.dek,
            body=body,
            author=base.author,
            bio=base.bio,
            published=base.published,
            tags=base.tags,
        )
        (folder / f"{n:06}.txt").write_text(render_seed(document), encoding="utf-8")
    print(f"wrote {articles:,} seed files to {folder}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser("extract", help="words/second of the model and of extract_entities")
    extract.add_argument("--articles", type=int, default=340)
    seeds = commands.add_parser("seeds", help="write synthetic seed files for ingest and relink runs")
    seeds.add_argument("folder")
    seeds.add_argument("--articles", type=int, default=2000)
    options = parser.parse_args()
    if options.command == "extract":
        bench_extract(options.articles)
    else:
        write_seeds(options.folder, options.articles)


if __name__ == "__main__":
    main()

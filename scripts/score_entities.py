#!/usr/bin/env python3
"""Score the entity extractor on an annotated set (strict micro and per-kind precision, recall, F1).

    .venv/bin/python scripts/score_entities.py tests/data/entities            # the tuning set
    .venv/bin/python scripts/score_entities.py tests/data/entities_heldout    # the held-out set
    .venv/bin/python scripts/score_entities.py DIR --errors                    # and each article's misses

The vocabulary is the starter list a fresh database holds
(articles/entities/starter_vocabulary.json); no database is needed. `--no-ner`
scores the vocabulary-only path (ingest --no-ner, relinking).
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from articles.entities import evaluate  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="a folder of seed files with a gold.json")
    parser.add_argument("--no-ner", action="store_true", help="without the statistical model")
    parser.add_argument("--errors", action="store_true", help="list each article's missed and spurious entities")
    args = parser.parse_args(argv)
    if not (args.folder / "gold.json").is_file():
        parser.error(f"{args.folder} has no gold.json")
    gold = evaluate.load_gold(args.folder)
    started = time.perf_counter()
    found = evaluate.extract_set(args.folder, evaluate.starter_vocabulary(), ner=not args.no_ner)
    seconds = time.perf_counter() - started
    if args.errors:
        for name, (missed, spurious) in evaluate.errors(found, gold).items():
            if missed or spurious:
                print(name)
                for entity in missed:
                    print(f"   - {entity[1]:6} {entity[0]}")
                for entity in spurious:
                    print(f"   + {entity[1]:6} {entity[0]}")
    print(f"{args.folder}: {len(gold)} articles, {sum(map(len, gold.values()))} gold entities ({seconds:.1f}s)")
    print(evaluate.format_table(evaluate.score(found, gold)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

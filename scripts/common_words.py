#!/usr/bin/env python3
"""Write articles/entities/common_words.txt: English words more often written in lower case than
capitalised, from the statistical model's own word table.

    .venv/bin/python scripts/common_words.py        # after the model package changes

The vectors of `en_core_web_md` list their 514,157 keys in the order of their frequency in
the text they were trained on (web text): a word's position there is its frequency rank, per
spelling. A lower-case word among the first TOP keys that comes before its capitalised
spelling ("commuters" 26,239th, "Commuters" 99,233rd; "unions" 7,980th, "Unions" 24,974th)
is a common word: capitalised, it is one because a sentence starts with it. Names come
the other way round ("Reuters" 6,950th, "reuters" 302,454th; "Google" 1,785th, "google"
12,265th). `patterns.not_a_name_in` reads the list: a single such word that an article
writes only where a sentence starts is no organisation or place.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from articles.entities import ner  # noqa: E402

TOP = 50_000  # the lower-case spelling among this many most frequent keys
OUTPUT = ROOT / "articles" / "entities" / "common_words.txt"


def main():
    nlp = ner.load_model()
    strings, rank = nlp.vocab.strings, {}
    for position, key in enumerate(nlp.vocab.vectors.key2row):
        if key in strings:
            rank.setdefault(strings[key], position)
    words = sorted(
        word
        for word, position in rank.items()
        if position < TOP
        and len(word) > 1
        and word.isalpha()
        and word.islower()
        and position < rank.get(word.capitalize(), len(rank))
    )
    header = f"# {len(words):,} words: scripts/common_words.py from {ner.model_version()} (top {TOP:,} keys)\n"
    OUTPUT.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{OUTPUT}: {len(words):,} words")


if __name__ == "__main__":
    main()

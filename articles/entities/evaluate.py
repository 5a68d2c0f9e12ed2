"""Scoring the extractor against an annotated set: strict precision, recall and F1.

An annotated set is a folder of seed files (`NN_slug.txt`) and a `gold.json`
mapping each file name to its canonical entities (`{"name": …, "kind": …}`),
written by the rules of tests/data/entities/README.md. An entity counts as
found only with exactly the gold's name and kind. Pure Python: the tests and
scripts/score_entities.py share it.
"""

import json
from collections import Counter
from pathlib import Path

from ..seed import parse_seed
from .extract import extract_entities
from .vocabulary import Vocabulary

KINDS = ("PERSON", "PLACE", "ORG")
STARTER = Path(__file__).resolve().parent / "starter_vocabulary.json"


def starter_vocabulary():
    """The vocabulary a fresh database holds: the starter list, in its order."""
    return Vocabulary(json.loads(STARTER.read_text(encoding="utf-8")))


def load_gold(folder):
    """{file name: {(name, kind), …}} from `folder`/gold.json."""
    gold = json.loads((Path(folder) / "gold.json").read_text(encoding="utf-8"))
    return {name: {(e["name"], e["kind"]) for e in wanted} for name, wanted in gold.items()}


def documents(folder, names):
    """{file name: SeedDocument} for the named files of `folder`."""
    return {name: parse_seed((Path(folder) / name).read_bytes()).document for name in names}


def extract_set(folder, vocabulary, *, ner=True, names=None):
    """{file name: {(name, kind), …}}: what the extractor finds in each annotated article."""
    names = sorted(names if names is not None else load_gold(folder))
    return {
        name: {(e.name, e.kind) for e in extract_entities(document, vocabulary, ner=ner)}
        for name, document in documents(folder, names).items()
    }


def score(found_by_file, gold):
    """Per-kind and micro precision, recall and F1 over sets of (name, kind)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for name, want in gold.items():
        got = found_by_file.get(name, set())
        for kind in KINDS:
            tp[kind] += sum(1 for e in got & want if e[1] == kind)
            fp[kind] += sum(1 for e in got - want if e[1] == kind)
            fn[kind] += sum(1 for e in want - got if e[1] == kind)
    table = {kind: _prf(tp[kind], fp[kind], fn[kind]) for kind in KINDS}
    table["micro"] = _prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return table


def _prf(tp, fp, fn):
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def format_table(table):
    """The score table as aligned text lines."""
    lines = ["kind     precision  recall     F1   (tp/fp/fn)"]
    for kind, row in table.items():
        lines.append(
            f"{kind:8} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f}"
            f"   ({row['tp']}/{row['fp']}/{row['fn']})"
        )
    return "\n".join(lines)


def errors(found_by_file, gold):
    """{file name: (missed, spurious)}: the gold entities not found and the found ones not in the gold."""
    return {
        name: (sorted(want - found_by_file.get(name, set())), sorted(found_by_file.get(name, set()) - want))
        for name, want in gold.items()
    }

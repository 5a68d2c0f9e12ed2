"""Write gold.json (and aliases.json) from tools/annotations.txt.

gold.json has exactly the layout of tests/data/entities_heldout/gold.json:
{"NN_slug.txt": [{"name": ..., "kind": ...}, ...]}, one entity per line,
PERSON first, then PLACE, then ORG, in the order annotated.
aliases.json is a side file (not read by any scorer): the other forms the
text uses for a canonical entity (surnames, acronyms defined in the text,
short names, sentence-initial particles).
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KIND = {"P": "PERSON", "L": "PLACE", "O": "ORG"}


def parse(path=HERE / "annotations.txt"):
    gold, aliases, current, last = {}, {}, None, None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or (line.startswith("#") and not line.startswith("## ")):
            continue
        if line.startswith("## "):
            current = line[3:].strip()
            if current in gold:
                raise SystemExit(f"line {lineno}: {current} twice")
            gold[current], aliases[current] = [], []
        elif line.startswith("  = "):
            if last is None:
                raise SystemExit(f"line {lineno}: alias before any entity")
            last["aliases"].append(line[4:])
        else:
            code, _, name = line.partition(" ")
            if code not in KIND or current is None:
                raise SystemExit(f"line {lineno}: cannot read {line!r}")
            gold[current].append({"name": name, "kind": KIND[code]})
            last = {"name": name, "kind": KIND[code], "aliases": []}
            aliases[current].append(last)
    for name in aliases:
        aliases[name] = [a for a in aliases[name] if a["aliases"]]
    return gold, aliases


def dump_gold(gold):
    order = {"PERSON": 0, "PLACE": 1, "ORG": 2}
    lines = ["{"]
    files = sorted(gold)
    for i, name in enumerate(files):
        entities = sorted(gold[name], key=lambda e: order[e["kind"]])
        lines.append(f"  {json.dumps(name, ensure_ascii=False)}: [")
        for j, e in enumerate(entities):
            comma = "," if j < len(entities) - 1 else ""
            item = json.dumps({"name": e["name"], "kind": e["kind"]}, ensure_ascii=False)
            lines.append(f"    {item}{comma}")
        lines.append("  ]" + ("," if i < len(files) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    gold, aliases = parse()
    (ROOT / "gold.json").write_text(dump_gold(gold), encoding="utf-8")
    (ROOT / "aliases.json").write_text(
        json.dumps(dict(sorted(aliases.items())), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote gold.json: {len(gold)} articles, {sum(map(len, gold.values()))} entities")

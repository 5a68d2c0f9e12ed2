"""Validate the sealed entity set: article files and gold.json (and aliases.json).

Usage: python3 tools/check.py [FOLDER] [--candidates]

FOLDER is the set to check (default: this set; tests/data/entities_fresh checks itself with it).

Checks, mirroring the held-out set's own rules (tests/data/entities_heldout):
- every article is UTF-8 without BOM, LF only, no final newline, in the seed
  layout (headline, blank, dek, blank, body paragraphs, "Author: NAME", blank,
  bio), 250-600 words; if the repository's articles/seed.py is there, parse_seed must
  accept it without warnings;
- gold.json is {file: [{"name", "kind"}]} with exactly one key per article;
- kinds are PERSON/PLACE/ORG; no (name, kind) listed twice;
- no name has a leading "the", a possessive, an unexpanded US/UK/EU/UN/WHO,
  a handle/URL, starts with neither a letter nor a digit (7plus, 3M), or has no letter;
- every gold name occurs as whole words, exactly as written, in the dek, body,
  byline or bio (the headline alone is not evidence), allowing only the rules'
  listed expansions (US -> United States etc., also inside names);
- no nesting: a gold name must occur at least once outside every longer gold name;
- aliases.json: every alias belongs to a gold entity and occurs in the article.
--candidates prints, per article, capitalised words that lie outside every
gold name and alias, for review by hand.
"""

import importlib.util
import json
import re
import sys
from pathlib import Path

ROOT = Path(next((a for a in sys.argv[1:] if not a.startswith("--")), Path(__file__).resolve().parent.parent))
KINDS = ("PERSON", "PLACE", "ORG")
EXPANSIONS = {
    "United States": ("US", "U.S.", "America"),
    "United Kingdom": ("UK", "Britain"),
    "European Union": ("EU",),
    "United Nations": ("UN",),
    "World Health Organization": ("WHO",),
}
UNEXPANDED = ("US", "U.S.", "UK", "EU", "UN", "WHO")
SEED_PY = Path(__file__).resolve().parents[4] / "articles" / "seed.py"  # the repository this set lives in

errors = []


def error(msg):
    errors.append(msg)


def written_forms(name):
    forms = [name]
    for full, shorts in EXPANSIONS.items():
        if full in name:
            forms += [name.replace(full, short) for short in shorts]
    return forms


def spans(form, text):
    return [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(form) + r"(?!\w)", text)]


def split_article(name, raw):
    """Return (headline, dek, body, author, bio) or None, checking the layout."""
    if raw.startswith(b"\xef\xbb\xbf"):
        error(f"{name}: BOM")
    if b"\r" in raw:
        error(f"{name}: CR in file")
    if raw.endswith(b"\n"):
        error(f"{name}: final newline")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        error(f"{name}: not UTF-8 ({exc})")
        return None
    words = len(text.split())
    if not 250 <= words <= 600:
        error(f"{name}: {words} words, outside 250-600")
    blocks = text.split("\n\n")
    if any("\n" in b for b in blocks):
        error(f"{name}: a paragraph spans lines or blank lines are doubled")
    author_idx = [i for i, b in enumerate(blocks) if b.startswith("Author: ")]
    if len(author_idx) != 1 or author_idx[0] != len(blocks) - 2:
        error(f"{name}: expected one 'Author: NAME' line followed by a one-paragraph bio")
        return None
    headline, dek, *body, author_line, bio = blocks
    if len(body) < 3:
        error(f"{name}: body too short")
    if not headline or not dek or not bio:
        error(f"{name}: missing headline, dek or bio")
    return headline, dek, "\n\n".join(body), author_line[len("Author: ") :], bio


def load_parse_seed():
    sys.dont_write_bytecode = True  # read the project's parser, write nothing beside it
    if not SEED_PY.exists():
        return None
    spec = importlib.util.spec_from_file_location("_seed_for_check", SEED_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.parse_seed


def main():
    show_candidates = "--candidates" in sys.argv
    articles = sorted(p.name for p in ROOT.glob("*.txt"))
    gold = json.loads((ROOT / "gold.json").read_text(encoding="utf-8"))
    aliases_path = ROOT / "aliases.json"
    aliases = json.loads(aliases_path.read_text(encoding="utf-8")) if aliases_path.exists() else {}
    parse_seed = load_parse_seed()

    if not isinstance(gold, dict):
        error("gold.json is not an object")
        gold = {}
    if sorted(gold) != articles:
        error(f"gold keys != articles: missing {set(articles) - set(gold)}, extra {set(gold) - set(articles)}")

    counts = dict.fromkeys(KINDS, 0)
    for name in articles:
        raw = (ROOT / name).read_bytes()
        parts = split_article(name, raw)
        if parts is None:
            continue
        headline, dek, body, author, bio = parts
        if parse_seed is not None:
            parsed = parse_seed(raw)
            doc = parsed.document
            if parsed.warnings or parsed.encoding != "utf-8":
                error(f"{name}: parse_seed warnings {parsed.warnings} encoding {parsed.encoding}")
            if (doc.headline, doc.dek, doc.author) != (headline, dek, author) or not doc.bio:
                error(f"{name}: parse_seed reads the layout differently")
            text = "\n".join([doc.dek, doc.body, doc.author, doc.bio])
        else:
            text = "\n".join([dek, body, author, bio])
        full_text = headline + "\n" + text

        entries = gold.get(name, [])
        if not entries:
            error(f"{name}: no gold entities")
        pairs = []
        for entry in entries:
            if not isinstance(entry, dict) or set(entry) != {"name", "kind"}:
                error(f"{name}: bad entry {entry!r}")
                continue
            pairs.append((entry["name"], entry["kind"]))
        if len(pairs) != len(set(pairs)):
            dupes = sorted({p for p in pairs if pairs.count(p) > 1})
            error(f"{name}: listed twice: {dupes}")
        if author not in {n for n, k in pairs if k == "PERSON"}:
            error(f"{name}: the author {author!r} is not a PERSON in gold")
        for ent, kind in pairs:
            if kind not in KINDS:
                error(f"{name}: {ent} has kind {kind}")
                continue
            counts[kind] += 1
            if ent != ent.strip() or "\n" in ent or not ent:
                error(f"{name}: {ent!r} has stray whitespace")
                continue
            if ent.lower().startswith("the "):
                error(f"{name}: {ent} keeps a leading 'the'")
            if ent.endswith(("’s", "'s")):
                error(f"{name}: {ent} keeps a possessive")
            if any(spans(short, ent) for short in UNEXPANDED):
                error(f"{name}: {ent} is not expanded")
            if not ent[0].isalnum() or not any(c.isalpha() for c in ent):
                error(f"{name}: {ent} does not start with a letter or digit, or has no letter")
            if re.search(r"@|://|www\.|\.(com|org|net|social)\b", ent):
                error(f"{name}: {ent} looks like a handle or URL")
            if re.search(r"\b(Ltd|Inc|Plc|LLC)\.?$", ent):
                error(f"{name}: {ent} keeps a company suffix")
            if not any(spans(form, text) for form in written_forms(ent)):
                error(f"{name}: {ent} ({kind}) is not in the dek/body/byline/bio as written")
        names = {n for n, _ in pairs}
        outer = [s for other in names for form in written_forms(other) for s in spans(form, text)]
        for ent in names:
            alone = [
                (a, b)
                for form in written_forms(ent)
                for a, b in spans(form, text)
                if not any(s <= a and b <= e and (s, e) != (a, b) for s, e in outer)
            ]
            if not alone:
                error(f"{name}: {ent} is only written inside a longer gold name")

        covered = [s for n in names for f in written_forms(n) for s in spans(f, full_text)]
        for item in aliases.get(name, []):
            if (item["name"], item["kind"]) not in set(pairs):
                error(f"{name}: alias entry for {item['name']} ({item['kind']}) which is not in gold")
            for alias in item["aliases"]:
                found = spans(alias, full_text)
                if not found:
                    error(f"{name}: alias {alias!r} of {item['name']} is not in the article")
                covered += found

        if show_candidates:
            cands = []
            for m in re.finditer(r"[A-ZÀ-ÝĀ-ſ][\w’'.-]*", full_text):
                a, b = m.span()
                token = re.sub(r"(’s|'s|[.’'-])+$", "", m.group())
                b = a + len(token)
                if not any(s <= a and b <= e for s, e in covered):
                    cands.append(token)
            print(f"{name}: {' | '.join(sorted(set(cands)))}")

    for msg in errors:
        print("ERROR", msg)
    total = sum(counts.values())
    print(
        f"{len(articles)} articles, {total} gold entities: "
        + ", ".join(f"{counts[k]} {k}" for k in KINDS)
        + (" (parse_seed used)" if parse_seed else " (parse_seed not available)")
    )
    print("clean" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

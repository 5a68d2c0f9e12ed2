"""How news is written: rules that find or settle names from the words around them.

Pure Python. Each rule follows from a habit of news copy, not from any one
article:

- `social_network_spans`: bios say where to follow a writer ("Follow her on X
  @handle", "is on Instagram and Bluesky"): a network named after "on" or
  before a handle is the organisation, whatever the model makes of it;
- `is_dateline`: a paragraph may open with a dateline in capitals
  ("AUCKLAND —"), which is not a name of the sentence after it;
- `person_cue`: people are described ("…, 45,", "…, a farmer", "Mr …");
  `speaker_cue`: people and organisations speak ("… said", "…, who"), places
  do not; `org_cue`: organisations are introduced by what they are ("the
  newspaper …", "rivals including …") and own things ("…’s shares");
- `place_cue`: places follow "in", "near", "from", "districts such as";
- `team_cue`: match reports put a team on either side of one scoreline
  ("Feyenoord beat Ajax 3-1", "a 2-1 win over Wydad") and name its staff
  after it ("the Ajax coach"); a set of scores ("6-4, 6-2") is a tennis
  match between people;
- `introduced_org_spans`: news introduces organisations by what they are
  ("the newspaper Kompas", "ASOS, the online fashion retailer,", "The
  Citizen reported that");
- `org_head_spans`: organisations are named by a head noun and what it is of
  or for ("Ministry of Trade, Industry and Energy", "Supreme Court of the
  Philippines", "Law Society of Kenya"), kept whole so no fragment of the name
  becomes an entity of its own.
"""

import functools
import re
from pathlib import Path

from .canonical import ORG_HEADS_FIRST, ROLE_FIELDS
from .junk import SOCIAL_NETWORKS
from .vocabulary import Vocabulary, is_acronym

# Social networks, matched with the vocabulary in its one pass over the text (`NETWORK_MATCHER`); the
# words around each say whether it is named as a place to follow someone.
NETWORK_MATCHER = Vocabulary((name, "ORG", ()) for name in SOCIAL_NETWORKS)
_NETWORK = "|".join(re.escape(name) for name in sorted(SOCIAL_NETWORKS, key=len, reverse=True))
# "on X", "on Instagram and X", "on X, Threads and Bluesky", "on Strava and on Instagram"
_ON_BEFORE = re.compile(rf"\b(?:on|via)\s+(?:(?:{_NETWORK})(?:,\s*|\s+(?:and|or)\s+(?:on\s+)?))*$")
_HANDLE_AFTER = re.compile(r"\s+(?:(?:at|as)\s+)?@\w")


def social_network_spans(text, matches=None):
    """(start, end, name) of the social networks `text` names as places to follow someone.

    `matches`, if given, are `NETWORK_MATCHER.find(text)`, found in the same pass as another
    vocabulary's.
    """
    if matches is None:
        matches = NETWORK_MATCHER.find(text)
    spans = []
    for start, end, candidates in matches:
        name = candidates[0].name
        if text[start:end] != name or text[end : end + 1] in ("-", "’", "'"):
            continue  # "THREADS", "X-ray"
        if _HANDLE_AFTER.match(text, end) or _ON_BEFORE.search(text[max(0, start - 60) : start]):
            spans.append((start, end, name))
    return spans


_DATELINE = re.compile(r"(?:^|\n)([A-Z][A-Z .’'-]+?)(?:,\s+[^\n—–]{1,40}?)?\s+[—–-]+\s+")


def dateline_spans(text):
    """(start, end) of the datelines that open paragraphs ("AUCKLAND — ", "SUVA, Fiji — ")."""
    return [match.span(1) for match in _DATELINE.finditer(text)]


_PERSON_AFTER = re.compile(
    r"^(?:[’']s\s+(?:wife|husband|son|daughter|mother|father|family|parents|lawyer|lawyers|own|career|death)\b"
    r"|,\s+\d{1,3},"
    r"|,\s+(?:\d{1,3}|a|an|the)\s+(?:[\w’'-]+\s+){0,3}?(?:(?:\d{1,3}-)?year-old|man|woman|boy|girl|mother|father|"
    r"resident|farmer|trader|driver|worker|teacher|lawyer|doctor|nurse|student|singer|rapper|artist|"
    r"painter|writer|author|director|actor|actress|player|striker|midfielder|defender|goalkeeper|batter|"
    r"bowler|captain|coach|rider|runner|founder|chairman|chairwoman|minister|governor|mayor|president|"
    r"commissioner|spokesman|spokeswoman|spokesperson|chief|head|leader|secretary|official|analyst|"
    r"premier|senator|judge|prosecutor|ambassador|envoy|lawmaker|legislator|councillor|MP|"
    r"economist|researcher|scientist|professor|lecturer|engineer|activist|campaigner|economist)\b)",
)
# Teams take "who" in British English ("Inter, who reached the final"): speaking and "who" only tell
# people and organisations from places.
# "told the Dáil", "according to Kompas": people and organisations are told things, places are not.
_ADDRESSEE_BEFORE = re.compile(r"\b(?:told|tells|telling|asked|urged|according\s+to)\s+(?:the\s+)?$")
_SPEAKER_AFTER = re.compile(
    r"^(?:\s+(?:said|says|told|added|asked|argued|insisted|recalled|wrote|explained|admitted|warned)\b"
    r"|,\s+(?:who|whose)\b)"
)
# "Ms …", "19-year-old …", "the rapper …": news introduces a person by age or calling.
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Mx|Dr|Prof|Sir|Dame)\.?|\b\d{1,3}-year-old|\b(?:[Tt]he|[Aa]n?)\s+(?:[\w-]+\s+)?"
    r"(?:rapper|singer|songwriter|actor|actress|painter|poet|novelist|composer|musician|drummer|guitarist|"
    r"footballer|cyclist|sprinter|boxer|comedian|photographer|designer|chef|playwright|filmmaker|dancer))\s+$"
)
# "Manitoba’s premier, Wab Kinew, told", "Its director of climate change resilience, Tavita Su’a, said":
# a role, what it is of, then the person it names, between commas.
_ROLE_BEFORE = re.compile(
    r"\b(?:coach|manager|premier|minister|president|vice-president|chairman|chairwoman|chairperson|chief|"
    r"executive|officer|director|spokesman|spokeswoman|spokesperson|mayor|governor|secretary|founder|co-founder|"
    r"editor|captain|leader|lawyer|attorney|judge|magistrate|prosecutor|ambassador|commissioner|councillor|"
    r"senator|principal|professor|economist|analyst|administrator|superintendent|commander|treasurer|registrar|"
    r"vice-chancellor|dean|rector|curator|conductor|owner|partner|deputy)"
    r"(?:\s+(?:of|for|at|in)\s+(?:[\w’'-]+\s+){0,4}?[\w’'-]+)?,\s+$"
)
_THING_AFTER = re.compile(r"^,\s+which\b")  # "…, which": an organisation or a place, not a person


def person_cue(text, start, end):
    """True when the words around a mention describe a person ("…, 34,", "…, a farmer", "Ms …")."""
    after = text[end : end + 80]
    before = text[max(0, start - 40) : start]
    if _PERSON_AFTER.match(after) or _PERSON_BEFORE.search(before):
        return True
    return after[:1] == "," and before.endswith(", ") and bool(_ROLE_BEFORE.search(text, max(0, start - 80), start))


# "Tāmaki Makaurau, the Māori name for Auckland"; "Kautokeino, or Guovdageaidnu in Northern Sámi", "Aktau
# (Aqtau in the Latin-script Kazakh alphabet)": one name given in another language.
_NAME_FOR = re.compile(r",\s+(?:the|an?|its)\s+(?:[\w’'-]+\s+){0,3}?name\s+(?:for|of)\s+(?:the\s+)?")
_OR_BEFORE = re.compile(r",\s+or\s+|\s+\(")
_IN_A_LANGUAGE = re.compile(r"\s+in\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?[A-Z][\w’'-]*(?:\s+[a-z]+)?\s*[,.;)]")


def name_for(between):
    """True for the words between two names that give the first as a name for the second."""
    return bool(_NAME_FOR.fullmatch(between))


def or_in_a_language(text, first_start, first_end, second_start, second_end):
    """True for "…, or NAME in Northern Sámi,", "… (NAME in the Latin-script Kazakh alphabet)", "In
    Karasjok, or Kárášjohka, one of …": the second name is the first in another language (not the last
    of a list: "Kenya, Uganda, or Tanzania")."""
    between = text[first_end:second_start]
    if not _OR_BEFORE.fullmatch(between):
        return False
    if _IN_A_LANGUAGE.match(text, second_end, second_end + 60):
        return True
    return between[0] == "," and text.startswith(",", second_end) and text[first_start - 2 : first_start] != ", "


_WHO_AFTER = re.compile(r",\s+(?:who|whose)\b")


def who_after(text, end):
    """True for a name "…, who" or "…, whose" follows: a person (or, in British English, a team)."""
    return bool(_WHO_AFTER.match(text, end, end + 10))


def speaker_cue(text, start, end):
    """True for a mention that speaks ("… said", "…, who"): a person or an organisation, never a place."""
    return bool(_SPEAKER_AFTER.match(text[end : end + 20])) or bool(
        _ADDRESSEE_BEFORE.search(text[max(0, start - 20) : start])
    )


_ORG_NOUNS = (
    r"newspaper|newspapers|daily|dailies|weekly|tabloid|magazine|journal|broadcaster|channel|network|website|"
    r"outlet|publisher|agency|company|companies|firm|firms|group|conglomerate|studio|studios|label|bank|banks|"
    r"lender|insurer|retailer|retailers|carrier|airline|airlines|miner|miners|operator|operators|maker|makers|"
    r"rival|rivals|competitor|competitors|platform|app|start-up|startup|utility|brand|brands|developer|"
    r"producer|producers|club|clubs|side|franchise|party|charity|union|regulator|distributor|exporter|body|"
    r"exporters|supplier|suppliers|manufacturer|manufacturers|chain|pollster|fintech|fintechs|giant|"
    r"brokerage|brokerages|broker|brokers|insurers|lenders|carmaker|chipmaker|automaker|conglomerates"
)
# "shares in Mowi", "a stake in Tbilvino": only an organisation is owned in shares, whatever an apposition
# after it says ("Shares in Mowi, the world’s largest salmon farmer, fell": a farmer here is a company).
_SHARES_IN = r"shares\s+(?:in|of)|stake\s+in|subsidiary\s+of"
_OWNED_BEFORE = re.compile(rf"\b(?:{_SHARES_IN})\s+(?:the\s+)?$", re.IGNORECASE)
_ORG_BEFORE = re.compile(
    rf"(?:\b(?:{_ORG_NOUNS})s?\s+(?:(?:including|such\s+as|like|called|named)\s+)?"
    rf"|\b(?:{_SHARES_IN}|owner\s+of|editor\s+of|(?:chief\s+executive|"
    r"ceo|chairman|chairwoman|founder|spokesman|spokeswoman|spokesperson)\s+(?:of|for|at))\s+(?:the\s+)?)$",
    re.IGNORECASE,
)


_ORG_AFTER = re.compile(
    # "Kakao Mobility’s app": what a company has, not a person
    rf"^(?:[’']s\s+(?:shares|share\s+price|shareholders|board|headquarters|staff|employees|website|app|apps|"
    r"platform|subsidiary|subsidiaries|chief\s+executive|revenue|revenues|profits?|customers|subscribers|"
    r"users|listing|valuation|market\s+share|stores|factories|products)\b"
    # "Belaruskali, the state-owned producer", not "Jean Kaseya, the agency’s director general"
    # "The Sametinget, Sweden’s elected Sámi assembly,": a country's or a city's own body
    rf"|,\s+(?:the|a|an)\s+(?:[\w-]+\s+){{0,3}}?(?:{_ORG_NOUNS})\b(?![’'])"
    # "The Sametinget, Sweden’s elected Sámi assembly,"; not "…, Eskom’s group executive for generation"
    rf"|,\s+[A-Z][\w-]*[’']s\s+(?:[\w-]+\s+){{0,3}}?(?:{_ORG_NOUNS}|assembly|parliament|legislature)"
    r"(?=\s*[,.;:)]|\s+(?:that|which|said|says)\b)"
    # "the governing Morena party": a lower-case noun after the name says what it is
    r"|\s+(?:party|company|group|bank|club|newspaper|broadcaster|agency|firm|airline|union|ministry|council|"
    r"foundation|charity|insurer|lender|retailer|conglomerate|coalition|alliance|movement)\b)"
)


# Match reports put a team on either side of one scoreline ("Feyenoord beat Ajax 3-1", "drew 0-0
# with Corinthians", "a 2-1 win over Wydad Casablanca") and name its staff and fans after it ("the
# Ajax coach"). A set of scores ("6-4, 6-2", tennis) is left out: its players are people.
_SCORE = r"(?<![\d.])\d{1,3}[-–]\d{1,3}(?![-–\d])(?!,?\s*\(?\d)"
_WON = r"beat|beats|beating|edged|edges|thrashed|defeated|defeats|routed|stunned|upset|overcame"
_RESULT = r"win|victory|defeat|loss|draw|drew|lost|won"
_TEAM_BEFORE = re.compile(
    rf"(?:\b{_SCORE}\s+(?:{_RESULT})\s+(?:(?:away|at\s+home)\s+)?(?:over|to|against|with)"
    rf"|\b(?:drew|lost|won)\s+{_SCORE}\s+(?:with|to|against)"
    r"|\b(?:at\s+home|away)\s+(?:to|against)"  # "at home to Cerro Largo", "a 3-0 win away to Plaza Colonia"
    # "Inter play Napoli", "Raja lead Wydad": a singular name with a plural verb is a team, and so is its opponent
    r"|(?<![\w’'.-])[A-Z][\w’'.-]*[^\Ws]\s+(?:play|host|face|meet|lead|trail)(?!\s+(?:the\s+)?[a-z]))"
    r"\s+(?:the\s+)?$"
)
# Sports copy gives a team a plural verb ("Inter play Napoli", "Emelec are sixth", "Flamengo now sit
# second"); no person takes one. Not when the name ends a list of subjects ("Ruto and Gachagua have").
_PLURAL_VERB_AFTER = re.compile(
    r"^\s+(?:now\s+|still\s+)?(?:are|were|have|play|host|face|meet|visit|lead|trail|sit|travel\s+to)\s+"
    r"(?!been\b|to\b|a\s+(?:son|daughter|wife|husband)\b)"
)
_SUBJECTS_BEFORE = re.compile(r"(?:[A-Z][\w’'.-]*,?\s+(?:and|&|or)|,)\s+$")
# Only where the name opens a clause: in "families in South Auckland were", the verb is the families'.
_CLAUSE_BEFORE = re.compile(
    r"(?:^|[.!?:;”\"]\s+|\n|[—–]\s+|\b(?:while|and|but|as|when|after|before|since|because|whereas|then)\s+)"
    r"(?:[Tt]he\s+)?$"
)
# "Neptūnas of Klaipėda": a team, then the town it plays for.
_OF_TOWN = r"(?:\s+of\s+[A-Z][\w’'.-]*)?"
_TEAM_AFTER = re.compile(
    rf"^(?:{_OF_TOWN}\s+{_SCORE}"  # "… beat Ajax 3-1", "… beat Neptūnas of Klaipėda 3-1"
    # "Feyenoord beat Ajax 3-1", "Rytas beat Neptūnas of Klaipėda 3-1"
    rf"|\s+(?:{_WON})\s+(?:the\s+)?(?:[A-Z][\w’'.-]*\s+){{1,4}}(?:of\s+[A-Z][\w’'.-]*\s+)?{_SCORE}"
    rf"|\s+(?:drew|lost|won|led|trailed)\s+{_SCORE}"  # "The Crusaders led 24-17"
    rf"|\s+(?:a|an)\s+{_SCORE}\s+(?:{_RESULT}))"  # "gave Raja a 2-1 win"
)
# "Gil Vicente, who are 11th": a singular name with a plural verb is a team (a person "is").
_WHO_ARE_AFTER = re.compile(r"^,\s+who\s+(?:are|were)\s+(?!been\b)")
# "Neptūnas of Klaipėda 3-1": the town after "of" is the team's, not a team.
_TEAM_OF_BEFORE = re.compile(r"[A-Z][\w’'.-]*\s+of\s+$")
# "the Ajax coach": a person has a coach of their own ("Alcaraz’s coach"), not "the … coach".
_STAFF_AFTER = re.compile(
    r"^\s+(?:coach|manager|head\s+coach|fans|supporters|squad|captain|goalkeeper|striker|midfielder|"
    r"defender|winger|academy|defence|defense|back\s+line)\b"
)
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")


def the_before(text, start):
    """True for a name right after "the" ("the Chao Phraya", "the Morowali park"): a place or an
    organisation, never a person, whom news names without an article."""
    return text[max(0, start - 4) : start] in ("the ", "The ")


def team_cue(text, start, end):
    """True for a name a match report gives as a team ("Feyenoord beat Ajax 3-1", "the Ajax coach")."""
    after = text[end : end + 80]
    before = text[max(0, start - 40) : start]
    if _TEAM_AFTER.match(after):
        return not _TEAM_OF_BEFORE.search(before)
    if _WHO_ARE_AFTER.match(after) and not _SUBJECTS_BEFORE.search(before):
        return True  # "… to face Gil Vicente, who are 11th", "the Riders, who were"; not "Ana and Rui, who are"
    if (
        _PLURAL_VERB_AFTER.match(after)
        and _CLAUSE_BEFORE.search(before)
        and not _SUBJECTS_BEFORE.search(before)
        and not text[start:end].endswith("s")
    ):
        return True  # "Inter play Napoli"; a plural name ("the Philippines have") takes a plural verb anyway
    return bool(_TEAM_BEFORE.search(before)) or (bool(_THE_BEFORE.search(before)) and bool(_STAFF_AFTER.match(after)))


_CLUB_AFTER = re.compile(r",\s+(?:the|a|an)\s+(?:[\w’'-]+\s+){0,3}?(?:club|side|team)\b(?![’'])")


def club_cue(text, start, end):
    """True for a name a match report gives as a team ("Barcelona beat Emelec 3-1") or that is introduced
    as a club ("Liverpool, the Montevideo club,"): a city's name that names its club there."""
    return team_cue(text, start, end) or bool(_CLUB_AFTER.match(text, end))


def org_cue(text, start, end):
    """True when the words around a mention say it is an organisation ("the newspaper …", "…’s shares",
    "rivals including …", "…’s shares"), or a team ("beat Ajax 3-1")."""
    before = text[max(0, start - 60) : start]
    return (
        bool(_ORG_BEFORE.search(before)) or bool(_ORG_AFTER.match(text[end : end + 50])) or team_cue(text, start, end)
    )


def thing_cue(text, start, end):
    """True for "…, which": an organisation or a place is described, never a person."""
    return bool(_THING_AFTER.match(text[end : end + 10]))


_PLACE_BEFORE = re.compile(
    # "in Kuching", and the names listed after it: "in Penang, Kedah and Perak" (not "in Monaco, and Mercedes …")
    r"(?:\b(?:[Ii]n|[Nn]ear|[Oo]utside|[Ff]rom|[Aa]cross|[Aa]round|[Tt]owards?|[Tt]hrough)\s+"
    r"(?:(?:[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,2}, ){0,3}[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,2} (?:and|or) )?"
    r"|\b(?:districts?|suburbs?|areas?|towns?|villages?|neighbourhoods?|cities)\s+(?:such\s+as|like|including)\s+"
    r"|\b(?:towns?|villages?|suburbs?|cities|districts?|areas?)\s+of\s+)$"
)


def place_cue(text, start, end):
    """True when the words before a mention say it is a place ("in Mariquita", "districts such as Kolfe")."""
    if text[end : end + 2] in ("’s", "'s"):
        return False  # "in Ruto’s government": a person's, not a place
    return bool(_PLACE_BEFORE.search(text[max(0, start - 80) : start]))


# "through Suez", "across Jutland", "towards Aleppo": what a route passes or heads for may be a canal, a
# strait or a region as well as a town.
_ROUTE_BEFORE = re.compile(r"\b(?:[Tt]hrough|[Aa]cross|[Aa]round|[Tt]owards?)\s+$")


def town_cue(text, start, end):
    """True when the words before a mention say it is a town people live in, work in or come from ("grew up
    in Nokia", "a field station in Nazca", "the towns of Nokia and Ylöjärvi"): a place cue that is no route."""
    return place_cue(text, start, end) and not _ROUTE_BEFORE.search(text, max(0, start - 12), start)


# Every upper-case letter, for a character class: `re` has no Unicode categories ("Š", "Ö", "İ" open names).
_UPPER = "".join(sorted(c for c in map(chr, [*range(0x530), *range(0x1E00, 0x1F00)]) if c.isupper()))
_UPPER_CLASS = "[" + re.escape(_UPPER) + "]"
# The capital first, then a look back at the character before it: twice as fast as looking back first.
_CAPITALISED_RUN = re.compile(rf"{_UPPER_CLASS}(?<![\w’'.-]{_UPPER_CLASS})[\w’'-]*(?: {_UPPER_CLASS}[\w’'-]*)*")


def capitalised_runs(text, start=0):
    """(start, end) of runs of words that each begin with a capital, one space apart, from `start` on."""
    return [match.span() for match in _CAPITALISED_RUN.finditer(text, start)]


def _lines_with(text, start, heads):
    """(start, end) of the lines of `text` (from `start`) where a capitalised word is one of `heads`.

    The name patterns are read over those lines only: most lines hold no head noun,
    and one scan for capitalised words is many times faster than the patterns' own.
    """
    lines = set()
    for match in _CAPITALISED_RUN.finditer(text, start):
        if not heads.isdisjoint(match.group().split(" ")):
            line_end = text.find("\n", match.end())
            lines.add((max(start, text.rfind("\n", 0, match.start()) + 1), len(text) if line_end == -1 else line_end))
    return sorted(lines)


# Head nouns that name an organisation, with what it is of or for after them.
ORG_HEADS = frozenset(
    """
    Ministry Department Council Court Tribunal Union Party Association Institute Institution Society Commission
    Committee Authority Agency Board Federation Foundation University College Bank Fund Forum Coalition Accord
    Alliance Organisation Organization Corporation Company Office Service Services Trust League Network Academy
    Museum Museo Centre Center Secretariat Directorate Inspectorate Assembly Parliament Senate Congress Bureau
    Commissioner Ombudsman Regulator Federación Asociación Confederation Chamber Syndicate Cooperative Consortium
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)
# Roles that end an organisation's name: "Ministry of Health and Finance Minister …" is not one name.
_ROLES = frozenset(
    """
    Minister Ministers President Secretary Chairman Chairwoman Director Governor Mayor Spokesman Spokeswoman
    Spokesperson Chief Judge
    """.split()  # noqa: SIM905
)
_W = r"[A-Z][\w’'&/-]*(?:\.[\w’'&/-]+)*"  # a capitalised word ("S.Paulo", not a full stop)
_RUN = rf"{_W}(?:\s+{_W})*"
_HEAD = "|".join(sorted(ORG_HEADS))
_CONNECT = r"(?:of|for|on|de|del|des|do|da|dos|das|di|della|du)"
_DATE_WORDS = (
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December)\b"
)
# A legislature "for" a party or a seat ("the Punjab Assembly for the PML-N"): the member's, not its name's.
_SEAT_FOR = r"(?<=Assembly)\s+for\s|(?<=Parliament)\s+for\s"
_ORG_NAME = re.compile(
    rf"(?<![\w’'.-])(?:{_W}\s+(?:and|&)\s+)?(?:{_W}\s+){{0,5}}(?:{_HEAD})(?![\w’'-])"
    rf"(?:(?!{_SEAT_FOR})\s+{_CONNECT}\s+(?:the\s+|la\s+|le\s+|los\s+|las\s+)?(?!{_DATE_WORDS}){_RUN}"
    rf"(?:(?:,\s+{_RUN})*(?:,?\s+(?:and|&|y|e)\s+{_RUN}))*"
    rf"(?:\s+(?:of|for)\s+(?:the\s+)?{_RUN})*)?"
)


# Organisations with the head noun first (`canonical.ORG_HEADS_FIRST`): "Parti Pribumi Bersatu Malaysia",
# "Banco Central do Brasil", "Partido dos Trabalhadores", "Universidad de Chile".
_ORG_PARTICLE = r"(?:de\s+los|de\s+las|de\s+la|del|de|da|do|dos|das|di|della|du|des|y|e|et|für)"
_ORG_NAME_HEAD_FIRST = re.compile(
    rf"(?<![\w’'.-])(?:{'|'.join(sorted(ORG_HEADS_FIRST))})(?:\s+(?:{_ORG_PARTICLE}\s+)?(?!{_DATE_WORDS}){_W}){{1,4}}"
)

# Landmarks named by what they are, after a name that may hold particles: "Epifanio de los Santos
# Avenue", "Black Star Square", "Galle Face Green".
PLACE_HEADS = frozenset(
    """
    Avenue Street Road Square Park Bridge Boulevard Lane Stadium Airport Palace Plaza Station Highway
    Expressway Quay Wharf Parque Estadio Green Theatre Theater Place
    """.split()  # noqa: SIM905
)
_PARTICLE = r"(?:de\s+los|de\s+las|de\s+la|del|de|da|do|dos|das|di|van|von|der)"
_PLACE_NAME = re.compile(
    rf"(?<![\w’'.-])(?:{_W}\s+(?:{_PARTICLE}\s+)?){{1,4}}(?:{'|'.join(sorted(PLACE_HEADS))})(?![\w’'-])"
)
# ... and before it, as French, Spanish, Portuguese, Italian, Thai and Malay write them: "Stade Mohammed
# V", "Teatro Colón", "Place de l’Indépendance", "Vía a la Costa", "Wat Arun", "Theatre Royal".
PLACE_HEADS_FIRST = frozenset(
    """
    Stade Estadio Estádio Stadio Stadion Teatro Théâtre Theatre Wat Place Plaza Praça Piazza Parque Avenida
    Rua Calle Vía Jalan Palacio Palais Palazzo Puente Ponte Pont Quai Rue Largo Ensanche Rione Corso Carrer
    Avinguda Lough
    """.split()  # noqa: SIM905
)
_ALL_PLACE_HEADS = PLACE_HEADS | PLACE_HEADS_FIRST
# Every head noun that says what a name is, organisation or place.
ALL_HEADS = ORG_HEADS | ORG_HEADS_FIRST | _ALL_PLACE_HEADS
_PLACE_NAME_HEAD_FIRST = re.compile(
    rf"(?<![\w’'.-])(?:{'|'.join(sorted(PLACE_HEADS_FIRST))})"
    # "Rua XV de Novembro", "Plaza de Mayo": particles before any word of the name
    rf"(?:(?: (?:{_PARTICLE}|a la|la|le|les|l[’']|d[’']|de l[’']|du|des))??(?: ?(?<=[ ’']){_W})){{1,4}}"
)


# News introduces an organisation by what it is: "the newspaper Kompas", "the delivery apps Swiggy and
# Zepto", "ASOS, the online fashion retailer, said", "HELCOM, the intergovernmental body that …",
# "The Citizen reported that".
KIND_NOUNS = frozenset(
    """
    newspaper newspapers daily weekly tabloid magazine broadcaster agency site website portal outlet station
    channel journal company companies firm group conglomerate retailer retailers chain bank lender insurer
    carrier airline miner operator maker producer developer platform app apps studio label brand utility body
    regulator charity party union club franchise fintech giant startup start-up pollster manufacturer supplier
    exporter distributor network brokerage broker carmaker chipmaker automaker
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)
# Public and private bodies are introduced the same way: "Fiskenor, the industry association, said",
# "according to Kartvel, the national statistics office". Only as the apposition's head ("the office
# manager" is a person's calling).
BODY_NOUNS = frozenset(
    """
    association federation office authority watchdog ministry institute council committee commission foundation
    organisation organization cooperative trust fund university hospital school league consortium court tribunal
    """.split()  # noqa: SIM905
)
KIND_NOUNS |= BODY_NOUNS
_OUTLET_WORD = r"[A-Z](?:[\w’'/&-]|\.(?=\w))*"  # "Página/12", "S.Paulo"; a full stop ends it
# Slavic papers are an adjective and a lower-case noun: "Jutarnji list", "Lidové noviny", "Dubrovački vjesnik".
_OUTLET_NOUNS = r"list|listy|noviny|novine|vjesnik|vestnik|vjesti|vijesti|dnevnik|glasnik|gazeta|vesti|novosti"
_OUTLET = re.compile(
    rf"{_OUTLET_WORD}(?: (?:(?:de|del|da|do|di|du|la|le|el|los|las) )?{_OUTLET_WORD}){{0,4}}"
    rf"(?: (?:{_OUTLET_NOUNS})(?![\w’'-]))?"
)


# The noun must head the apposition: "ASOS, the online fashion retailer," but not "Ada Obi, a union official".
def kind_after_pattern(nouns):
    """The apposition after a name whose head is one of `nouns`."""
    return re.compile(
        r",\s+(?:the|a|an)\s+(?:(?!(?:for|of|at|with|to|in|on|from|by)\b)[\w’'-]+\s+){0,3}?"
        rf"(?:{'|'.join(sorted(nouns, key=len, reverse=True))})"
        r"(?=\s*[,.;:)]|\s+(?:that|which|who|whose|based|owned|run|known|with|in|of|for|and|said|says)\b)"
    )


_KIND_AFTER = kind_after_pattern(KIND_NOUNS)
# "Kompas reported on Monday that", "Kauppalehti first reported the size of the round"
_REPORTS_AFTER = re.compile(
    r"\s+(?:(?:first|also|earlier|previously|later)\s+reported\s+the\b|(?:reported|reports)(?:\s+[a-z]+){0,3}?\s+(?:that|on)\b)"
)
# The names of one list: "the apps Swiggy and Zepto", "worked for Bernama and the Star".
_LIST_JOINS = (" and ", " or ", ", ", " and the ", " or the ")


def _listed_after(text, last_end, name_start, name_end):
    """True for a name listed after the last one introduced: "Swiggy and Zepto", "Swiggy, Zepto and Blinkit".
    A comma lists only a name the list goes on after ("Writing in L’Orient-Le Jour, Rita Khalil called"
    is a clause, then its subject)."""
    if last_end < 0:
        return False
    join = text[last_end:name_start]
    if join == ", ":
        return text.startswith((",", " and ", " or "), name_end)
    return join in _LIST_JOINS


# How many words before the kind noun its article may stand: "the tax and customs agency DIAN".
KIND_NOUN_REACH = 5


def introduced_org_spans(text, start=0, runs=None):
    """(start, end) of the organisations `text` introduces by what they are, from `start` on.

    `runs` are `capitalised_runs(text, start)`, if the caller has them.
    """
    spans = []
    last_end = -1  # the end of the last name introduced: "the apps Swiggy and Zepto"
    for run_start, run_end in capitalised_runs(text, start) if runs is None else runs:
        name_start = run_start
        if text.startswith(("The ", "A ", "An "), run_start):
            name_start = text.index(" ", run_start) + 1  # "The Citizen reported": the name follows
            if name_start >= run_end:
                continue
        # Most runs have none of the words around them that the rules need: look before matching.
        words = text[max(0, name_start - 40) : name_start].split()
        after = text[run_end : run_end + 40]
        if not (
            (words and (words[-1].lower() in KIND_NOUNS or words[-1].lower() in _BEFORE_AN_OUTLET))
            or after.startswith((",", " de", " do", " da", " del", " di", " du", " la", " le", " el", " los"))
            or "report" in after
            or (after.startswith(" said") and text[name_start:run_end].isupper())
            or (last_end >= 0 and text[last_end:name_start] in _LIST_JOINS)
        ):
            continue
        match = _OUTLET.match(text, name_start)
        if match is None or not _may_open_org_name(match.group()):
            continue  # "from January, the state power company said", "working for American families"
        name_end = match.end()
        if (
            (
                words
                and words[-1].lower() in KIND_NOUNS
                and {"the", "a", "an"} & {w.lower() for w in words[-1 - KIND_NOUN_REACH : -1]}
            )
            or _kinds_such_as(words)
            or (
                _writes_for(words, text[max(0, name_start - 160) : name_start]) and _WORKPLACE_END.match(text, name_end)
            )
            or (_told(words) and _TOLD_END.match(text, name_end))
            or _KIND_AFTER.match(text, name_end)
            or _listed_after(text, last_end, name_start, name_end)
            or (_opens_sentence(text, run_start) and _REPORTS_AFTER.match(text, name_end))
            or _acronym_addressed(text, words, match.group(), name_end)
        ):
            spans.append((name_start, name_end))
            last_end = name_end
    return sorted(spans + _introduced_brands(text, start))


# A name written as brands are, a lower-case letter before a capital: "bKash", "iROZHLAS", "eKobo".
_BRAND = re.compile(r"(?<![\w’'.@/-])[a-z]{1,3}[A-Z][\w’'-]*")


def _introduced_brands(text, start):
    """(start, end) of brand-cased names introduced by what they are, which no capitalised run holds:
    "The news site iROZHLAS first reported", "bKash, the mobile payments company"."""
    spans = []
    for match in _BRAND.finditer(text, start):
        words = text[max(0, match.start() - 40) : match.start()].split()
        if (
            words and words[-1].lower() in KIND_NOUNS and {"the", "a", "an"} & {w.lower() for w in words[-4:-1]}
        ) or _KIND_AFTER.match(text, match.end()):
            spans.append(match.span())
    return spans


_BEFORE_AN_OUTLET = frozenset({"for", "to", "at", "in", "the", "told", "including", "like", "as", "with"})
_SAID_AFTER = re.compile(r"\s+(?:said|says|told|reported|reports|announced|added|warned)\b")


def _acronym_addressed(text, words, name, end):
    """True for an acronym that speaks or is spoken to: "PVDA said", "told NHK in the interview room",
    "in an interview with TVN24", "according to DIAN". News names no person by capitals alone, and places
    do not speak: an acronym the vocabulary does not know that does is an organisation (a broadcaster,
    a party, an agency)."""
    if len(name) > 8 or not name.isupper() or not is_acronym(name):
        return False
    before = [w.lower() for w in words[-2:]]
    return (
        (before[-1:] == ["told"])
        or before in (["interview", "with"], ["according", "to"])
        or (bool(_SAID_AFTER.match(text, end)) and _opens_clause(text, end - len(name)))
    )


def _opens_clause(text, position):
    """True where a subject may stand: a sentence's or a clause's start ("…, and PVDA said")."""
    before = text[max(0, position - 6) : position]
    return _opens_sentence(text, position) or before.endswith((", ", " and ", " but ", "“", '"'))


def _kinds_such_as(words):
    """True for words before a name that end with a kind of organisation and its examples: "companies such
    as", "telecom groups including", "lenders like"."""
    if len(words) >= 3 and [w.lower() for w in words[-2:]] == ["such", "as"]:
        kind = words[-3]
    elif len(words) >= 2 and words[-1] in ("including", "like"):
        kind = words[-2]
    else:
        return False
    kind = kind.lower()
    return kind in KIND_NOUNS or kind.removesuffix("s") in KIND_NOUNS or kind.removesuffix("ies") + "y" in KIND_NOUNS


# Bios name where a writer works: "has written for the Financial Times and El País", "worked at Wired".
_WRITES = frozenset(
    """
    written writes wrote writing works worked working reported reports reporting contributor contributes
    contributed contributing freelances freelanced columnist correspondent editor reporter published appeared
    appears
    """.split()  # noqa: SIM905
)


_PUBLISHED = frozenset({"published", "appeared", "appears", "writing", "writes", "wrote", "written"})


# A workplace ends the clause or is followed by a word that joins: "worked for Reuters in Brussels", not
# "working for American families".
_WORKPLACE_END = re.compile(
    r"(?:\s*(?:[,.;:)!?”]|$)|\s(?:in|and|or|since|before|until|from|for|as|where|between|during|on|with|is|was|"
    r"has|had|magazine|newspaper)\b)"
)


# "covers shipping and the canal for La Prensa", "is a science reporter in Quito for El Comercio": a
# writer's work, then "for" the outlet, in one sentence.
_WRITER_BEFORE = re.compile(
    r"\b(?:covers|covered|covering|(?:writes|wrote|written|writing|reports|reported|reporting)\s+(?:about|on)|"
    r"reporter|correspondent|journalist|columnist|column|editor)\b[^.!?\n]*\sfor\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _writes_for(words, before=""):
    """True when `words` (those before a name) end with a writer's "written for", "worked at (the)", or
    `before` (the text before the name) is a sentence of a writer's work that ends "… for (the)"."""
    if words and words[-1].lower() == "the":  # "worked for The Standard"
        words = words[:-1]
    if len(words) >= 2 and words[-1] in ("for", "to", "at", "in") and words[-2].lower() in _WRITES:
        # "appeared in Le Monde", "writing in Le Monde", but "a reporter in Quito", "works in Nairobi": a place
        return words[-1] != "in" or words[-2].lower() in _PUBLISHED
    return bool(words) and words[-1] == "for" and bool(_WRITER_BEFORE.search(before))


# "he told Il Mattino.", "told ORF that", "she told Kestrel by telephone": news is told to outlets and
# bodies, and names a person it quotes ("told Ursula von der Leyen, who") otherwise.
_TOLD_END = re.compile(
    r"(?:\.(?!\w)|,?\s+that\b|\s+by\s+(?:tele)?phone\b|\s+in\s+an\s+interview\b|\s+on\s+[A-Z][a-z]+day\b"
    # "told Yle in the corridor", "told Radio Kestrel outside the courtroom": where the source spoke
    r"|\s+(?:in|at|on|outside|during|after)\s+(?:the|a|an|his|her|its|their)\s+[a-z])"
)


def _told(words):
    if words and words[-1].lower() == "the":
        words = words[:-1]
    return bool(words) and words[-1] == "told"


_MONTHS = frozenset("January February March April May June July August September October November December".split())  # noqa: SIM905


def _may_open_org_name(name):
    from .canonical import can_start_name_word, is_demonym

    first = name.split()[0]
    return first not in _MONTHS and can_start_name_word(first) and not (first == name and is_demonym(name))


def _opens_sentence(text, position):
    before = text[max(0, position - 2) : position]
    return position == 0 or before[-1:] == "\n" or before in (". ", "” ", "? ", "! ")


# A body named by its field, then its country: "Health Canada", "Environment and Climate Change Canada",
# "Public Health Scotland", "Natural Resources Wales". The nations of the United Kingdom are no countries to
# the gazetteer, and name such bodies as often as countries do.
_NATIONS = frozenset({"Scotland", "Wales", "England"})
_FIELD_THEN_COUNTRY = re.compile(
    r"(?<![\w’'.-])((?:[A-Z][a-z]+ ){1,4}?(?:and (?:[A-Z][a-z]+ ){1,3})?)([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?![\w’'-])"
)


def national_body_spans(text, start, is_country, org_spans=()):
    """(start, end) of bodies named by their field (words of common English: "Public Health", "Fisheries and
    Oceans") and then a country, from `start` on: "Public Health Scotland", "Environment and Climate Change
    Canada". Where nothing else says so (two fields joined by "and", an organisation the model saw in the
    field's words: `org_spans`, or the words around the whole), "Visiting Canada" is only a sentence."""
    from .canonical import GENERIC_WORDS, can_start_name_word

    spans = []
    for match in _FIELD_THEN_COUNTRY.finditer(text, start):
        field, country = match.group(1).split(), match.group(2)
        field_start, field_end = match.span(1)
        if " " in country and not is_country(country):  # "Public" + "Health Scotland"
            first, country = country.split()
            field.append(first)
            field_end += len(first) + 1
        if not (country in _NATIONS or is_country(country)):
            continue
        words = [w for w in field if w != "and"]
        if (
            not (can_start_name_word(field[0]) or field[0] in _FIELDS)
            or field[0].lower() in GENERIC_WORDS
            or not all(is_common_word(word) for word in words)
            or is_country(" ".join(field + [country]))
        ):
            continue
        if (
            "and" in field
            or any(s <= field_start and field_end - 1 <= e for s, e in org_spans)
            or cue(text, match.start(), match.end()) in ("ORG", "thing", "speaker")
        ):
            spans.append(match.span())
    return spans


def place_head_spans(text, start=0):
    """(start, end) of landmarks named by a head noun ("Black Star Square", "Stade Mohammed V"), from `start` on."""
    spans = []
    lines = _lines_with(text, start, _ALL_PLACE_HEADS)
    for line_start, line_end in lines:
        for match in _PLACE_NAME.finditer(text, line_start, line_end):
            span = _name_within(text, match)
            if span is not None:
                spans.append(span)
    for line_start, line_end in lines:
        for match in _PLACE_NAME_HEAD_FIRST.finditer(text, line_start, line_end):
            if not any(s < match.end() and match.start() < e for s, e in spans):
                spans.append(match.span())
    return sorted(spans)


_SAINTS = frozenset({"St", "St.", "Saint", "Sankt"})


def _name_within(text, match):
    """The span of `match` without the words before it that cannot open a name, or None."""
    from .canonical import can_start_name_word

    words = list(re.finditer(r"\S+", match.group()))
    first = 0
    for index, word in enumerate(words):
        if word.group().endswith(("’s", "'s")) and not (index and words[index - 1].group() in _SAINTS):
            first = index + 1  # "Manila’s Rizal Park": the possessor is another name ("St Peter’s Square" is one)
    while first < len(words) - 1 and not can_start_name_word(words[first].group()):
        first += 1
    if first >= len(words) - 1:
        return None
    return match.start() + words[first].start(), match.end()


def org_head_spans(text, start=0):
    """(start, end) of organisation names built on a head noun, from `start` on.

    "Law Society of Kenya", "Ministry of Trade, Industry and Energy", "Pacific
    Islands Forum": kept whole, so that no word of the name ("Trade", "Kenya")
    becomes an entity of its own. Words before the name that cannot open one
    (titles, "The", possessives) are left out, and so is a role after it.
    """
    from .canonical import can_start_name_word

    def may_open_field(word):
        return can_start_name_word(word) or word in _FIELDS

    spans = []
    for match in (m for line in _lines_with(text, start, ORG_HEADS) for m in _ORG_NAME.finditer(text, *line)):
        words = list(re.finditer(r"\S+", match.group()))
        first = 0
        may_open = may_open_field
        for index, word in enumerate(words):
            if word.group().endswith(("’s", "'s")):
                if not _owner_in_name(word.group()[:-2], words[index + 1 :]):
                    first = index + 1  # "Kenya’s High Court": the possessor is another name ("People’s Party" is one)
                elif word.group()[:-2] not in _PLURAL_OWNERS:
                    may_open = _may_open_office  # "The Attorney General’s Department": the role opens the name
        while first < len(words) and not may_open(words[first].group()):
            first += 1
        first = _shared_head_start(text, match.start(), words, first)
        last = len(words)
        for index, word in enumerate(words):
            if index > first and word.group().strip(",") in _ROLES:
                # Back to the "and" or comma that joined the role's words on: "… and Energy and Finance Minister".
                last = index
                while last > first + 1 and not _joins(words[last - 1].group()):
                    last -= 1
                last = last - 1 if _joins(words[last - 1].group()) else index
                break
        if first >= last:
            continue
        name_start, name_end = match.start() + words[first].start(), match.start() + words[last - 1].end()
        name = text[name_start:name_end].rstrip(",.")
        if " " in name and not ORG_HEADS.isdisjoint(name.split()):
            spans.extend(_coordinated_names(text, name_start, name_start + len(name)))
    for line in _lines_with(text, start, ORG_HEADS_FIRST):
        for match in _ORG_NAME_HEAD_FIRST.finditer(text, *line):
            if not any(s < match.end() and match.start() < e for s, e in spans):
                spans.append(match.span())
    return sorted(spans)


def _shared_head_start(text, offset, words, first):
    """Where a name opening "A and B Council" starts: at A when one head noun serves both words ("Cotton and
    Cashew Council", "Roads and Transport Authority"); at B when A opens the sentence ("Officials and Farmers
    Union leaders"), is a people ("Scottish and Welsh ministers"), ends a longer name ("Kandilli Observatory
    and …") or B is the head alone ("Devin LeMahieu and Assembly Speaker Robin Vos")."""
    from .canonical import is_demonym

    if first + 2 >= len(words) or words[first + 1].group() not in ("and", "&"):
        return first
    word, at = words[first].group(), offset + words[first].start()
    if (
        first + 3 >= len(words)
        or words[first + 2].group() in ORG_HEADS
        or _opens_sentence(text, at)
        or is_demonym(word)
        or word.endswith(("’s", "'s"))
        or _name_word_before(text, at)
    ):
        return first + 2
    return first


_WORD_BEFORE = re.compile(r"([A-Z][\w’'.-]*) $")


def _name_word_before(text, at):
    """True for a capitalised word right before `at` that may end a name ("Kandilli Observatory and …"), not
    an article or a pronoun opening the sentence ("The Education and Youth Board", "Its Roads and …")."""
    from .canonical import can_start_name_word

    match = _WORD_BEFORE.search(text, max(0, at - 30), at)
    return bool(match) and can_start_name_word(match.group(1))


def _coordinated_names(text, start, end):
    """A name built on a head noun, or two joined by "and" when what follows the "and" has a head noun of
    its own: "National University of Mongolia and Oregon State University" is two, "Ministry of Trade,
    Industry and Energy" one."""
    joint = text.rfind(" and ", start, end)
    if joint == -1:
        return [(start, end)]
    left, right = text[start:joint].split(), text[joint + 5 : end].split()
    if len(right) < 2 or ORG_HEADS.isdisjoint(right) or ORG_HEADS.isdisjoint(left) or not right[0][:1].isupper():
        return [(start, end)]
    return [(start, joint), (joint + 5, end)]


# Words that stand before a role ("Education Minister", "Chief Justice") and open the names of bodies too:
# "Education and Youth Board", "Chief Inspectorate of Environmental Protection", "State Council". A role
# after them is no head noun, so "Education Minister Kallas" is never taken for a body.
_FIELDS = ROLE_FIELDS
# Plurals whose possessive belongs to a name: "People’s National Party", "Women’s Institute".
_PLURAL_OWNERS = frozenset({"People", "Women", "Children", "Men", "Workers"})
# The office a role holds: "Attorney General’s Department", "Minnesota Attorney General’s Office".
_ROLE_OFFICES = frozenset({"Office", "Department", "Chambers"})


def _may_open_office(word):
    from .canonical import NOT_NAME_STARTERS

    return word[:1].isupper() and word.lower() not in NOT_NAME_STARTERS


def _owner_in_name(owner, rest):
    """True when a possessive belongs to the name it stands in: a plural ("People’s Party"), or a role
    before the office it holds ("Attorney General’s Office")."""
    from .canonical import TITLES

    if owner in _PLURAL_OWNERS:
        return True
    return bool(rest) and rest[0].group().strip(",.") in _ROLE_OFFICES and owner.lower() in TITLES


def _joins(word):
    return word in ("and", "&", "y", "e") or word.endswith(",")


# A name right after "in", "near" or "outside" (or listed after one: "in Narok and Bomet") is the object of
# that preposition: a verb after it ("… said") has another subject.
_OBJECT_OF_IN = re.compile(r"\b(?:[Ii]n|[Nn]ear|[Oo]utside)\s+(?:[A-Z][\w’'-]*(?: [A-Z][\w’'-]*){0,2},? (?:and|or) )?$")


def object_of_in(text, start):
    """True for a name right after "in", "near" or "outside", or listed after one ("in Narok and Bomet"): where
    something is, never who speaks or acts."""
    return bool(_OBJECT_OF_IN.search(text, max(0, start - 60), start))


# The agent of a passive verb that only people and organisations do ("produced by Toho", "owned by Mowi").
_AGENT_BEFORE = re.compile(
    r"\b(?:produced|published|owned|run|operated|founded|led|directed|financed|funded|sponsored|organi[sz]ed|"
    r"acquired|bought|developed|commissioned|distributed|released|sued|fined|hired|employed)\s+by\s+(?:the\s+)?$"
)
# "… said" after a name right after "in" has another subject (its own name: `score_entities.py --ablate`).
_no_speaker_after_in = object_of_in


def cue(text, start, end):
    """What the words around a mention say it is: "PERSON", "ORG", "thing" (an organisation or a
    place), "speaker" (a person or an organisation), "PLACE", or None; the first that holds."""
    if _OWNED_BEFORE.search(text, max(0, start - 30), start):
        return "ORG"  # "shares in Mowi, the world’s largest salmon farmer,": owned in shares, so no person
    if person_cue(text, start, end):
        return "PERSON"
    if org_cue(text, start, end):
        before = text[max(0, start - 60) : start]
        if not (_ORG_BEFORE.search(before) or team_cue(text, start, end)) and place_cue(text, start, end):
            # "Outside the court in Negombo, a group from … held placards": the comma ends the phrase the
            # place stands in, and what follows is the sentence's subject, not an apposition.
            return "thing"
        return "ORG"
    if thing_cue(text, start, end):
        return "thing"
    if _AGENT_BEFORE.search(text, max(0, start - 30), start):
        return "speaker"  # "produced by Toho": who does things, a person or an organisation, not a place
    if speaker_cue(text, start, end):
        if _no_speaker_after_in(text, start):
            return "PLACE"  # "landowners in Narok and Bomet said": the verb is the landowners', not Bomet's
        return "speaker"
    if place_cue(text, start, end):
        return "PLACE"
    return None


# How news writing shows, where a name stands, that it is no name (`not_a_name_in`).
_OF_TITLE_AFTER = re.compile(r"\s+of\s+(?:the\s+)?[A-Z]")  # "European State| of the Climate report"
_THING_NOUN_AFTER = re.compile(r"(?:\s+\([A-Z]{2,}\))?\s+(?:system|scheme|mechanism|framework)s?\b")
_LOWER_WORD_AFTER = re.compile(r"\s+[a-z]")


def not_a_name_in(text, name, start=0):
    """Why every place `text` writes `name` (from `start`: the title-case headline is no
    evidence) shows it is no organisation or place, or None.

    - it is cut from a longer capitalised title: "its annual European State of the
      Climate report" names a report, not "European State";
    - a lower-case noun after it says what kind of thing it is: "a proposed Pathogen
      Access and Benefit-Sharing (PABS) system" is a system, not an organisation;
    - a single word that opens a sentence or quote before the lower-case noun it
      modifies, and that the article also writes in lower case, is a common word:
      "“Marine ecosystems can cope…” (and "a marine research institute");
    - a single common English word (`is_common_word`: "Commuters", "Unions") that the
      article writes only where a sentence, a quote or a dateline's paragraph starts
      is capitalised by its place, not as a name. (Names of the vocabulary, and people,
      are not second-guessed: `extract` asks only about the model's other names.)
    """
    spots = _word_spots(text, name, start)
    if not spots:
        return None
    if all(_OF_TITLE_AFTER.match(text, end) for _, end in spots) and not any(team_cue(text, s, e) for s, e in spots):
        return "cut from a longer title"  # not a team and its town: "beat Neptūnas of Klaipėda 3-1"
    if all(_THING_NOUN_AFTER.match(text, end) for _, end in spots):
        return "a kind of thing its next word names"
    if " " not in name and _common_word_opening_sentences(text, name, spots):
        return "a common word opening a sentence"
    if " " not in name and is_common_word(name) and all(_starts_sentence(text, begin) for begin, _ in spots):
        return "a common word, written only where a sentence starts"
    return None


@functools.cache
def _common_words():
    path = Path(__file__).with_name("common_words.txt")
    return frozenset(line for line in path.read_text(encoding="utf-8").split() if not line.startswith("#"))


def is_common_word(word):
    """Whether `word`, capitalised ("Commuters"), is a common English word: its lower-case spelling
    is more frequent than this one in the model's word table (common_words.txt, from
    scripts/common_words.py), as "unions" is and "reuters" is not."""
    return word[:1].isupper() and word[1:].islower() and word.lower() in _common_words()


def _starts_sentence(text, position):
    """A sentence, a quote or the paragraph after a dateline ("MANCHESTER — Commuters…") starts here."""
    before = text[max(0, position - 2) : position]
    return _opens_sentence(text, position) or before[-1:] in '“‘"' or before in ("— ", "– ")


def _word_spots(text, word, start=0):
    """(start, end) of each place `text` (from `start`) writes `word` as a whole word (not inside a longer
    word, hyphenated or with an apostrophe): a substring search, no pattern compiled per word."""
    spots = []
    position = text.find(word, start)
    while position != -1:
        end = position + len(word)
        if not _joins_word(text[position - 1 : position] if position else "") and not _joins_word(text[end : end + 1]):
            spots.append((position, end))
        position = text.find(word, position + 1)
    return spots


def _joins_word(character):
    return bool(character) and (character.isalnum() or character in "_’'-")


def _common_word_opening_sentences(text, name, spots):
    if not _word_spots(text, name.lower()):
        return False
    opens = all(_opens_sentence(text, begin) or text[begin - 1 : begin] in '“‘"' for begin, _ in spots)
    return opens and all(_LOWER_WORD_AFTER.match(text, end) for _, end in spots)

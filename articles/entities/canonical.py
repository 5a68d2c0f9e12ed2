"""Canonical names: the string rules that turn raw model spans into index entries.

Pure Python. Each rule answers one question about a name or its surroundings:
what the name is without "the", a possessive or a company suffix
(`clean_name`); what a person's name is without a title (`strip_titles`);
whether a name is noise (`is_noise`), an event or a law rather than an entity
(`is_event_like`); which kind its own words suggest (`kind_from_words`) or its
surroundings suggest (`context_kind`); and which acronyms an article defines
("the Office for National Statistics (ONS)", `acronym_definitions`).
"""

import functools
import re

from . import junk
from .vocabulary import Vocabulary

PERSON, PLACE, ORG = "PERSON", "PLACE", "ORG"

# spaCy labels that name the kinds we index; every other label is not an entity.
KIND_BY_LABEL = {"PERSON": PERSON, "GPE": PLACE, "LOC": PLACE, "FAC": PLACE, "ORG": ORG}
# Labels for names that are not entities but may contain one ("Tour de France", "Treaty of Lima"):
# such a span hides the names nested inside it.
BLOCKING_LABELS = {"EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "LANGUAGE"}

APOSTROPHES = "’'‘`´"


def wordset(text):
    """The lower-cased words of a whitespace-separated list."""
    return {word.lower() for word in text.split()}


# "The", and the qualifiers a sentence puts before a name: "Rival Ericsson", "Fellow Kenyan …", "Former …".
_LEADING_THE = re.compile(
    r"^(?:the|The|THE|Rival|Rivals|Fellow|Former|Ex|Outgoing|Incumbent|Acting|Interim|Embattled|Troubled|"
    r"Struggling|Beleaguered|Newly|State-owned|State-run|Privately-held|Listed)\s+(?=\S)"
)
# Lower-case nouns news puts after the name of a natural feature, a landmark or a quarter to say what it is:
# "the Segura river", "the Reventador volcano", "the Filder plateau", "the Itaipu dam", "the Valle de
# Querétaro aquifer". The name is the place; the noun is not part of it (the rules' "Amazon rainforest"
# keeps its noun, so "rainforest" is not one of them).
FEATURE_NOUNS = frozenset(
    """
    river rivers lake lakes lagoon volcano glacier plateau mountain mountains estuary reservoir aquifer dam
    gate canal motorway expressway peninsula wetlands marshes creek
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)
# A last word that is not part of the name: a particle the model cut the name short after ("Remco
# Evenepoel of"), or a lower-case common noun that says what the name is ("the Gyeonggi province",
# "the Magdalena valley", "the ruling Morena party"; the rules' "Amazon rainforest" keeps its noun).
_TRAILING_WORDS = frozenset(
    wordset(
        """
        of and the for in at on to from with & province region district county state prefecture governorate
        oblast municipality department valley basin delta party area coast island islands peninsula city
        """
    )
)
_POSSESSIVE = re.compile(r"(?:[’']s|(?<=s)[’'])$")
# The legal form after a company's name, in the languages company registers use: "dailyKart Pvt Ltd",
# "Ravi Gardens (Pvt) Ltd", "Jatobá Capital Ltda", "ValoChip Oy", "Storytel AB", "Polvo Rojo Producciones SA
# de CV", "Steppe Cargo LLP", "Maybank Bhd". News names the company without it.
_COMPANY_SUFFIX = re.compile(
    r"(?:,?\s+(?:Ltd\.?|Limited|Inc\.?|Incorporated|plc|PLC|LLC|L\.L\.C\.|LLP|Corp\.?|Co\.|Pvt\.?|\((?:Pvt|Pty)\)|"
    r"Pty|Private\s+Limited|Ltda\.?|Oyj?|AB|ASA|A/S|GmbH|AG|NV|N\.V\.|BV|B\.V\.|SpA|S\.p\.A\.|Srl|SRL|SAS|S\.A\.|SA|"
    r"SA\s+de\s+CV|S\.A\.\s+de\s+C\.V\.|Sdn|Bhd|Berhad|Tbk|KK|K\.K\.))+$"
)
_COMPANY_SUFFIX_AFTER = re.compile(_COMPANY_SUFFIX.pattern.replace("+$", "(?![\\w’'])"))


def company_suffix_after(text, end):
    """True when a company's legal form follows position `end` ("Ravi Gardens| (Pvt) Ltd"): the name
    before it is a company's, whatever its own words say ("Gardens")."""
    return bool(_COMPANY_SUFFIX_AFTER.match(text, end))


def is_company_suffix(name):
    """True for a legal form on its own ("Oy", "Ltd"): what is left when the model cuts it from the name."""
    return bool(_COMPANY_SUFFIX.fullmatch(" " + name))


_EDGE_PUNCTUATION = '"“”«»‹›()[]{}<>,;:!?*•–—-/\\ \t' + APOSTROPHES
_SPACES = re.compile(r"\s+")
_DIGITS_ONLY = re.compile(r"^[\d\s.,%$€£¥/-]+$")

# Fields of government, written before a role ("Education Minister", "Chief Justice"): titles, and the
# first words of bodies' names too ("Education and Youth Board": `patterns._FIELDS`).
ROLE_FIELDS = frozenset(
    """
    Defence Defense Foreign Finance Interior Health Home Economy Trade Agriculture Energy Environment Education
    Transport Justice Labour State Chief
    """.split()  # noqa: SIM905
)
# Words in front of a person's name that are not part of it.
TITLES = wordset(
    """
    Mr Mrs Ms Miss Mx Dr Doctor Prof Professor Sir Dame Lord Lady Baroness Baron Rev Reverend Father Sister
    Brother Pope King Queen Prince Princess Sheikh Sheikha Emir Sultan Crown President Vice Prime Minister
    Chancellor Senator Sen Rep Representative Congressman Congresswoman Governor Gov Mayor Judge Justice
    General Gen Lieutenant Lt Colonel Col Captain Capt Major Maj Sergeant Sgt Admiral Adm Commander Cmdr
    Marshal Chief Secretary Ambassador Deputy Prosecutor Archbishop Bishop Cardinal Rabbi Imam Ayatollah
    Coach Manager Detective Inspector Superintendent Officer Councillor Councilman Councilwoman Alderman
    Speaker Chairman Chairwoman Chair Director Commissioner Attorney Solicitor Executive CEO MP MEP Premier
    Taoiseach Tánaiste Chancellor Saint
    Ratu Tun Datuk Dato Datin Shri Smt Alhaji Alhaja Mallam Haji Hajjah Uncle Aunty Auntie Elder
    Hon Honourable Count Countess Duke Duchess Earl Ms. Mr. Dr.
    Barrister Advocate Counsel Magistrate
    """
) | wordset(" ".join(ROLE_FIELDS))
# Titles that only ever stand before a person's name: "Ratu Semi Naivalu" is a person whatever the model says.
HONORIFICS = wordset(
    """
    Mr Mrs Ms Mx Dr Sir Dame Ratu Sheikh Sheikha Count Countess Baroness Imam Rabbi Ayatollah Alhaji Alhaja
    Mallam Datuk Dato Datin Tun Haji Hajjah Shri Smt
    """
)
# Letters after a person's name that are not part of it: "Conor Mac Aodha SC", "Jane Doe MP".
POST_NOMINALS = {"SC", "QC", "KC", "MP", "MEP", "MLA", "MSP", "TD", "OBE", "MBE", "CBE", "KBE", "DBE", "PhD"}

# Single capitalised words that name a kind of institution or role, not one in particular.
GENERIC_WORDS = wordset(
    """
    Council Commission Committee Government Parliament Ministry Minister Department Agency Authority Board
    Court Bank Fund Union Party House Assembly Cabinet Office Bureau Service Army Navy Police
    Administration Justice State States Republic Kingdom Federation Institute University College
    School Hospital Clinic Company Group Corporation Society Foundation Trust Association Organisation
    Organization Alliance Coalition Movement Front Forces Force Guard City Town Village Region Province County
    District Capital North South East West Northern Southern Eastern Western Central Middle Upper Lower Greater
    President Chancellor Governor Mayor Secretary Chairman Chair Director Prosecutor Judge Senator Premier
    Prime King Queen Prince Pope Minister Ambassador Spokesman Spokeswoman Spokesperson Sources Officials
    Today Yesterday Tomorrow Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """
)

# A last word that makes a name an event, contest, law, plan or treaty rather than an entity.
EVENT_LAST_WORDS = wordset(
    """
    Cup Championship Championships Games Olympics Olympiad Paralympics Marathon Summit Conference Festival
    Biennial Biennale Triennale Expo Fair War Wars Treaty Accord Accords Agreement Pact Initiative Act Bill
    Statute Convention Protocol Declaration Election Elections Referendum Prize Awards Award Derby Classic
    Rally Revolution Crisis Uprising Plan Deal Doctrine Charter Accord Directive Regulation Strategy Grand
    Prix Open Series Week Tournament Trophy Invitational Olympiad Jubilee Massacre Genocide Offensive
    Operation Campaign Ceasefire Truce Memorandum Budget Index Vaccine Syndrome Disease Virus
    """
)
# A first word that makes a name an event or a law ("Tour de France", "Treaty of Lima", "Law on …").
EVENT_FIRST_WORDS = wordset(
    """
    Tour Giro Vuelta Treaty Battle Siege War Operation Law Act Bill Statute Convention Protocol Declaration
    Festival Cup Copa Grand Paris–Roubaix Liège–Bastogne–Liège Battle Massacre Summit Games
    """
)

# Organisations named with the head noun first, as Malay, Spanish, Portuguese, French and Italian name them:
# "Parti Pribumi Bersatu Malaysia", "Banco Central do Brasil", "Partido dos Trabalhadores", "Universidad de
# Chile", "Kementerian Kesihatan".
ORG_HEADS_FIRST = frozenset(
    """
    Parti Partido Partai Partei Partij Partito Banco Banca Banque Universidad Universidade Université
    Università Universiti Universitas Instituto Istituto Museo Musée Museu Ministerio Ministério Ministère
    Ministero Kementerian Comisión Comissão Commissione Fundación Fundação Fondation Fondazione Asociación
    Associação Federación Federação Confederación Sindicato Corporación Compañía Companhia Grupo Gruppo Groupe
    Société Sociedad Sociedade Consejo Conselho Conseil Consiglio Agence Agencia Agência Agenzia Tribunale
    Jabatan Lembaga Suruhanjaya Majlis Persatuan Kesatuan Yayasan Perbadanan Policía Polícia Clube
    """.split()  # noqa: SIM905
)
# Last words that settle an unknown name's kind.
ORG_LAST_WORDS = wordset(
    """
    Bank Ministry University College School Institute Institution Party Council Committee Commission Agency
    Authority Board Court Tribunal Office Department Service Services Police Army Navy Force Forces Guard Corps
    Group Company Corporation Holdings Airlines Airways Association Federation Union Society Foundation Fund
    Trust Organization Organisation Network Times Post News Journal Gazette Herald Telegraph Tribune Press
    Radio Television TV Club FC CF AFC Hospital Clinic Parliament Senate Assembly Congress Government Cabinet
    Bureau Secretariat Reserve Exchange Watch International Alliance Coalition Movement Brigade Brigades
    Laboratory Laboratories Labs Media Studios Motors Pharmaceuticals Pharma Systems Technologies Industries
    Partners Capital Dispatch Magazine Review Observer Guardian Mail Express Standard Chronicle Inquirer
    Bancorp Insurance Airline Railways Railway Authority Inc Ltd plc LLC AG SA NV SpA Society Institute
    Academy Conservatory Museum Library Orchestra Ensemble Team Council Cooperative Co-operative Federation Consortium
    Secretariat Directorate Inspectorate Regiment Battalion Division Command Unit Mission Programme Municipality
    Electric Electronics Energy Power Mining Minerals Resources Metals Nickel Lithium Copper Steel Cement Oil
    Petroleum Gas Telecom Telecoms Communications Mobile Motors Automotive Foods Beverages Brewery Breweries
    Chemicals Logistics Shipping Entertainment Records Pictures Films Broadcasting Cricket Rugby Football
    Athletics Hockey Netball Cycling Daily Weekly Sun Nation Forum Society Commissioner Ombudsman Regulator
    """
)
PLACE_LAST_WORDS = wordset(
    """
    River Sea Ocean Lake Bay Gulf Strait Straits Channel Mountains Mountain Mount Hills Hill Valley Desert
    Island Islands Isles Peninsula Coast Basin Delta Forest Rainforest Park Square Street Avenue Road
    Boulevard Lane Bridge Airport Stadium Arena Palace Castle Cathedral Tower Plaza Province Region County
    District Oblast Prefecture Canal Falls Glacier Reef Highway Harbour Harbor Heights Beach Peak Plateau
    Plain Plains Steppe Archipelago Territory Territories Governorate Borough Parish Township
    Oasis Dam Crossing Pass Gate Quay Wharf Pier Terminal Field Fields Gardens Garden Hall Abbey Temple
    Mosque Church Basilica Monastery Fortress Citadel Wall Mall Market Estate Camp Base Reservoir Springs
    Plant Refinery Mine Courts Parque Estadio Stadion Stadio Layout Nagar Green Junction Station Terminus
    Wharf Docks Precinct Quarter Theatre Theater Place Point Building
    """
)
# First words of place names, in English and in the languages street signs use.
PLACE_FIRST_WORDS = wordset(
    """
    Mount Mt Lake Gulf Isle Cape Fort Port St St. Saint Sainte Lac Avenida Avenue Rua Calle Via Viale Rue
    Plaza Praça Piazza Place Paseo Jalan Estadio Parque Teatro Puerto Porto Monte Rio Río Lago Isla Ilha
    Stade Estádio Stadio Stadion Théâtre Theatre Wat Palacio Palais Palazzo Vía
    Bandar Kampung Kampong Kota Taman Bukit Pulau Sungai Tanjung Kuala Ciudad Bab Wadi Jebel Jabal Ras Sidi
    Playa Punta Cabo Sierra Bahía Laguna Lagoa Ponta Praia
    Largo Ensanche Barrio Bairro Rione Corso Vicolo Carrer Avinguda Lough Loch Glen Ben
    """
)
# German and Dutch streets, squares and quarters are one word with the head at its end: "Königstraße",
# "Marienplatz", "Kurfürstendamm", "Damrak" (not: too short to say), "Leidseplein".
_PLACE_WORD_ENDINGS = ("straße", "strasse", "platz", "gasse", "allee", "damm", "ufer", "plein", "gracht", "straat")
_DENOMINATIONS = wordset(
    "Orthodox Catholic Anglican Methodist Presbyterian Lutheran Baptist Pentecostal Coptic Evangelical Reformed"
    " Apostolic Episcopal Adventist"
)
# "… Reserve" is a bank ("Federal Reserve") unless it keeps nature: "Kawésqar National Reserve".
_NATURE_RESERVES = wordset("National Nature Game Marine Forest Wildlife Biosphere Natural")

# Words around a name that say what it is. Strong cues settle it ("the town of Adré",
# "El Fasher, the capital of …", "writes for Eurasianet"); a preposition only leans ("in Adré").
_DISTANCE = r"\b\d[\d,.]*\s?(?:km|kilometres|kilometers|miles|metres|meters|m)\b"
_PLACE_STRONG_BEFORE = re.compile(
    r"\b(?:town|city|village|capital|region|province|state|county|district|port|outskirts|suburbs?|"
    r"neighbourhood|neighborhood|island|streets|centre|center|municipality|siege|fall|mayor|residents|people)"
    r"\s+of\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Distances are between places: "about 25km from the Corniche", "40 miles north of Tatopani"; "Mussafah is
# about 25km from …", "Ruwais, 240km west of …".
_DISTANCE_BEFORE = re.compile(
    rf"{_DISTANCE}(?:\s+(?:north|south|east|west|north-east|north-west|south-east|south-west))?"
    r"\s+(?:of|from)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_DISTANCE_AFTER = re.compile(
    rf"^(?:,\s+|\s+(?:is|lies|sits|was)\s+(?:about\s+|some\s+|roughly\s+|nearly\s+|only\s+|just\s+)?){_DISTANCE}\s"
)
_PLACE_WEAK_BEFORE = re.compile(r"\b(?:in|near|outside|across|around|inside|towards?)\s+(?:the\s+)?$", re.IGNORECASE)
# "…, the capital", "…, a neighbourhood near …", "the Amhara region", "the Pangyo tech district", "the
# Mamanuca islands", "Centro and Cordón districts"; not "…, the city’s public radio station" (the city's thing).
PLACE_NOUNS_AFTER = (
    r"(?:province|region|oblast|county|district|districts|governorate|prefecture|neighbourhood|neighborhood|"
    r"neighbourhoods|neighborhoods|suburb|suburbs|islands|township|townships)"
)
# A place noun before an organisation's noun, or in a compound, does not head the apposition: "…, the
# state news agency,", "…, the city government", "…, the state-owned producer," are organisations.
_ORG_NOUN_AFTER_PLACE_NOUN = (
    r"(?!\s+(?:(?!(?:of|for|at|with|to|in|on|from|by|and|or|the|a|an|that|which|whose|where)\b)[a-z-]+\s+){0,2}?"
    r"(?:agency|company|companies|firm|utility|producer|operator|monopoly|broadcaster|carrier|airline|bank|"
    r"lender|group|holding|media|newspaper|government|council|authority|board|assembly|court|office)\b)"
)
_PLACE_AFTER = re.compile(  # the noun heads the apposition: not "…, the club of the city"
    r"^(?:,?\s+(?:the|a|an)\s+(?:(?!(?:of|for|at|with|to|in|on|from|by)\b)[\w-]+\s+){0,3}?"
    r"(?:capital|city|town|village|port|region|province|state|county|district|suburb|island|neighbourhood|"
    rf"neighborhood|township)\b(?![’'-]){_ORG_NOUN_AFTER_PLACE_NOUN}"
    # "Savaiʻi, Samoa’s largest island,", "Lagos, Nigeria’s biggest city": a place's own place
    r"|,\s+[A-Z][\w’'-]*[’']s\s+(?:[a-z][\w-]*\s+){0,2}?(?:capital|city|town|port|island|region|province|state)"
    r"(?=\s*[,.;:)]|\s+(?:and|in|on|where|which|since)\b)"
    rf"|\s+(?:[a-z]+\s+)?{PLACE_NOUNS_AFTER}\b(?![’'])(?!\s+(?:council|government|office|court|assembly)\b))",
)
_PLACE_NOUN_AFTER = re.compile(rf"\s+(?:[a-z]+\s+)?{PLACE_NOUNS_AFTER}\b(?![’'])")


_FEATURE_NOUN_AFTER = re.compile(rf"\s+(?:[a-z]+\s+)?(?:{'|'.join(sorted(FEATURE_NOUNS))})\b(?![’'])")


def place_noun_after(text, end):
    """True when a lower-case place noun follows position `end` ("Amhara| region", "Pangyo| tech district",
    "Segura| river")."""
    return bool(_PLACE_NOUN_AFTER.match(text, end) or _FEATURE_NOUN_AFTER.match(text, end))


# Writing for, reporting for, published in: a publication or an employer.
_ORG_STRONG_BEFORE = re.compile(
    r"(?:\b(?:writes|wrote|written|writing|works|worked|working|reporter|correspondent|editor|columnist|"
    r"contributor|contributes|contributed|freelances?|freelanced|reports|reported|reporting)\s+(?:for|to)"
    r"|\b(?:published|appeared|appears|wrote|written)\s+in"
    r"|\b(?:works|worked|analysts?|economists?|researchers?|executives?|editor|correspondent)\s+at)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_ORG_AFTER = re.compile(
    r"^(?:[’']s)?\s+(?:said|says|announced|reported|confirmed|denied|declined|spokesman|spokeswoman|"
    r"spokesperson|chief executive|shares|stock)\b",
    re.IGNORECASE,
)

# "Mohamed Hamdan Dagalo, widely known as Hemedti"
# "…, widely known as Hemedti", "…, the singer who performs as Nitu"
_KNOWN_AS = re.compile(
    # "…, known in Northern Sámi as the Sámediggi"
    r"^,?\s+(?:\w+ly\s+)?(?:known|nicknamed|dubbed|called)(?:\s+in\s+[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)?\s+as\s+"
    r"(?:the\s+)?$|^,?\s+(?:aka|a\.k\.a\.)\s+$"
    r"|^,\s+(?:the|a|an)\s+(?:[\w-]+\s+){1,3}?(?:who|which)\s+(?:performs|performed|sings|raps|records|plays|"
    r"writes|goes)\s+(?:as|by|under)\s+(?:the\s+name\s+)?$"
)

# Function words that may sit inside a name without giving a letter to its acronym.
_NAME_PARTICLES = {
    "of", "for", "the", "and", "in", "on", "at", "de", "du", "des", "la", "le", "les", "el", "del", "della",
    "di", "da", "do", "dos", "das", "y", "e", "&", "to", "against", "und", "für", "van", "von", "der", "den",
}  # fmt: skip
# Particles inside a person's name that never stand alone for the person.
PERSON_PARTICLES = {
    "de", "da", "do", "dos", "das", "du", "del", "della", "der", "den", "van", "von", "al", "el", "bin", "ibn",
    "la", "le", "di", "y", "st", "st.", "jr", "jr.", "sr", "sr.", "ii", "iii", "iv",
    "mac", "nic", "ní", "ó", "ua", "uí", "mhic",  # Irish: "Niamh Ní Bhriain", "Conor Mac Aodha"
    "ap", "ab", "ferch", "verch",  # Welsh: "Rhiannon ap Gwilym"
    "dela", "delos", "los", "las", "dei", "ten", "ter", "zu", "vom",  # "Ana Marie dela Cruz", "Erik ten Hag"
    "arap", "binti", "bint", "ould",  # "son of", "daughter of": "Stephen Kiprotich arap Langat"
}  # fmt: skip

_ACRONYM_IN_PARENS = re.compile(r"\(\s*([A-Z][A-Za-z0-9&.\-]{0,11}[A-Za-z0-9.])\s*\)")
_WORD = re.compile(r"[^\W_][\w’'.\-]*")


def collapse(text):
    return _SPACES.sub(" ", text).strip()


def clean_span(text, start, end):
    """Trim a raw span to its name: (start, end) without "the", possessive, company suffix or edge punctuation.

    Offsets stay in the text's coordinates, so a cleaned span still points at its words.
    """
    while True:
        before = (start, end)
        while start < end and text[start] in _EDGE_PUNCTUATION:
            start += 1
        while end > start and text[end - 1] in _EDGE_PUNCTUATION and not _keeps_final_mark(text, start, end):
            end -= 1
        piece = text[start:end]
        match = _LEADING_THE.match(piece)
        if match:
            start += match.end()
            piece = text[start:end]
        match = _POSSESSIVE.search(piece)
        if match:
            end = start + match.start()
            piece = text[start:end]
        match = _COMPANY_SUFFIX.search(piece)
        if match and match.start() > 0:
            end = start + match.start()
            piece = text[start:end]
        space = piece.rfind(" ")
        if space > 0 and (piece[space + 1 :] in _TRAILING_WORDS or piece[space + 1 :] in FEATURE_NOUNS):
            # A span the model cut short ("Remco Evenepoel of"), or a kind noun after it ("… province").
            end = start + len(piece[:space].rstrip())
            piece = text[start:end]
        end = start + _without_handle_or_quantity(piece)
        end = without_sentence_stop(text, start, end) if end > start else end
        match = _LISTING_AFTER.search(text, start, end)
        if match and match.start() > start:
            end = match.start()  # "UNESCO World Heritage site": the body, then the listing it keeps
        if (start, end) == before:
            return start, end


_HANDLE_START = re.compile(r"(?:\s+(?:at|as|via)\b)?\s*(?:@|https?://|www\.)")


def _without_handle_or_quantity(piece):
    """The length of `piece` without a handle ("Twitter @handle") or a final score or time ("Ajax 3-1")."""
    if "@" in piece or "http" in piece or "www." in piece:
        match = _HANDLE_START.search(piece)
        if match:
            return match.start()
    space = piece.rfind(" ")
    last = piece[space + 1 :]
    # A quantity holds a digit ("3-1", "29C"); "Formula 1" keeps its 1.
    if space > 0 and not last.isalpha() and not last.isdigit() and junk.is_quantity(last):
        return len(piece[:space].rstrip())
    return len(piece)


def _keeps_final_mark(text, start, end):
    # A closing parenthesis that closes one inside the name ("Visma (team)") stays, as does nothing else.
    return text[end - 1] == ")" and "(" in text[start : end - 1]


# A listing an organisation keeps is no part of its name: "a UNESCO World Heritage site" names UNESCO.
_LISTING_AFTER = re.compile(r"\s+World\s+Heritage(?:\s+(?:Site|List))?$")
_UNDOTTED_ACRONYM_STOP = re.compile(r"(?<![\w.])(?=[A-Z0-9&]*[A-Z])[A-Z0-9&]{2,}\.$")


def without_sentence_stop(text, start, end):
    """`end` without a full stop the model took in after an acronym: "he told S4C." is `S4C` (an acronym
    written without stops ends none; "U.S." and "Jr." keep theirs)."""
    if text[end - 1] == "." and _UNDOTTED_ACRONYM_STOP.search(text, start, end):
        return end - 1  # not an initial ("John J.")
    return end


# "the Bank’s Monetary Policy Committee" holds two names, "People’s Daily" one: a plural's possessive
# ("People’s", "Women’s", "Children’s") belongs to the name.
# "… Prosecutor’s Office", "… Attorney General’s Office": the office a role holds is one name.
_POSSESSIVE_INSIDE = re.compile(
    r"(?<!People)(?<!Women)(?<!Children)(?<!Men)(?<!Workers)[’']s\s+(?=[A-Z])(?!Office\b|Department\b|Chambers\b)"
)
_DASH_INSIDE = re.compile(r"\s+[—–]\s+")  # "AUCKLAND — Tamati Ngata": a name never holds a spaced dash
# "Jinnah Postgraduate Medical Centre (JPMC": the model ran into the acronym after the name.
_UNCLOSED_PARENTHESIS = re.compile(r"\s*\((?![^()]*\))[^\n]*")
# "the Shanghai Grand Theatre on People’s Square": a landmark named, then where it stands, is two names.
_LANDMARK_HEADS = (
    "Theatre Theater Hall Museum Stadium Arena Square Tower Palace Station Airport Temple Church Cathedral"
)
_WHERE_A_LANDMARK_STANDS = re.compile(
    "(?:" + "|".join(f"(?<={head})" for head in _LANDMARK_HEADS.split()) + r")\s+(?:on|in|at|near|off)\s+(?=[A-Z])"
)
_INNER_CUTS = (
    ("’'", _POSSESSIVE_INSIDE),
    ("—–", _DASH_INSIDE),
    ("(", _UNCLOSED_PARENTHESIS),
    ((" on ", " in ", " at ", " near ", " off "), _WHERE_A_LANDMARK_STANDS),
)


_SAINT_BEFORE = re.compile(r"(?<![\w’'.-])(?:St\.?|Saint|Sankt)\s+[\w’'-]+$")


def _possessive_in_place_name(text, start, end, match):
    """True for an inner possessive that belongs to a place's name: a saint's ("St Mary’s Church", "St
    John’s Wood"), or one the gazetteer knows whole ("Cox’s Bazar")."""
    if match.re is not _POSSESSIVE_INSIDE:
        return False
    if _SAINT_BEFORE.search(text, max(start, match.start() - 30), match.start()):
        return True
    from . import gazetteer

    word = re.match(r"[\w’'-]+", text[match.end() : end])
    return bool(word) and gazetteer.is_place(text[start : match.end() + word.end()])


def split_span(text, start, end):
    """A model span as name spans: split at line breaks, an inner possessive or spaced dash, an
    unclosed parenthesis, then cleaned.

    "the Bank’s Monetary Policy Committee" holds two names; a span never runs
    across a line break.
    """
    pieces = []
    position = start
    for line in text[start:end].split("\n"):
        line_start, line_end = position, position + len(line)
        position = line_end + 1
        cuts = [line_start]
        inner = []
        for marks, pattern in _INNER_CUTS:
            if any(mark in line for mark in marks):  # most spans have none: no scan at all
                inner.extend(pattern.finditer(text, line_start, line_end))
        if inner and any(mark in line for mark in "’'"):
            inner = [match for match in inner if not _possessive_in_place_name(text, line_start, line_end, match)]
        for match in sorted(inner, key=lambda m: m.start()):
            cuts.extend([match.start(), match.end()])
        cuts.append(line_end)
        for piece_start, piece_end in zip(cuts[::2], cuts[1::2], strict=True):
            piece_start, piece_end = clean_span(text, piece_start, piece_end)
            if piece_end > piece_start:
                pieces.append((piece_start, piece_end))
    return pieces


_OPENING_QUOTES = '“"‘«'
_CLOSING_QUOTES = '”"’»'


def is_quoted(text, start, end):
    """True for a span that is exactly a quotation ("“Troy”"): the title of a song, book or film."""
    return start > 0 and end < len(text) and text[start - 1] in _OPENING_QUOTES and text[end] in _CLOSING_QUOTES


# Words that begin sentences or qualify names without being part of them.
_NOT_NAME_STARTERS = wordset(
    """
    A An The In At On Of For From To By With And But Or As After Before When While Since Like Near Under Over
    About Across Against Along Among Around Between Beyond During Inside Outside Through Toward Towards Until
    Upon Within Without This That These Those It Its He She They We I You His Her Their Our My Your If Then
    There Here Where Why How What Who Whom Whose Which Both Each Every All Some Many Most Much More Few Several
    Also Yet Still Even Only Just Not No Yes Meanwhile However Instead Last Next Early Late New Old
    North South East West Northern Southern Eastern Western Central Greater Upper Lower Inner Outer
    """
)


NOT_NAME_STARTERS = _NOT_NAME_STARTERS

DIRECTIONS = wordset(
    "North South East West Northern Southern Eastern Western Central Upper Lower New Greater Inner Outer Old Little"
    " Great"
)


def can_start_name(word):
    """True for a capitalised word that may be the first word of a longer name ("Sinéad", "Santiago")."""
    lowered = word.lower()
    return (
        word[:1].isupper()
        and not is_acronym_word(word)
        and lowered not in _NOT_NAME_STARTERS
        and lowered not in TITLES
        and lowered not in GENERIC_WORDS
        and not is_demonym(word)
    )


def can_start_name_word(word):
    """True for a word that may open an organisation's name: "Indonesian Forum", not "The Forum"."""
    lowered = word.lower()
    return (
        word[:1].isupper()
        and lowered not in _NOT_NAME_STARTERS
        and lowered not in TITLES
        and lowered not in {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    )


def is_acronym_word(word):
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


# Names the model often takes for entities that are competitions, products, weapons, diseases or
# currencies. Matched against whole cleaned names, ignoring case.
_NOT_ENTITY_NAMES = [
    name.strip()
    for name in """
    Champions League|Europa League|Conference League|Nations League|World Cup|Euros|Olympics|Olympic Games
    Paralympics|Super Bowl|Grand Slam|Ryder Cup|Davis Cup|Six Nations|Tour de France|Giro d’Italia|Vuelta
    Brexit|Covid|Covid-19|COVID|COVID-19|coronavirus|Omicron|HIV|AIDS|MMR|mpox|Ebola|Zika|SARS|MERS
    Bitcoin|Ethereum|euro|Euro|dollar|sterling|yen|yuan|renminbi|rouble|ruble|rupee|peso|franc
    Patriot|HIMARS|ATACMS|Iron Dome|Storm Shadow|Taurus|Leopard|Abrams|F-16|F-35|Shahed|Kalibr|Iskander
    iPhone|iPad|ChatGPT|Gemini|Copilot|Starlink|Windows|Android|Ozempic|Wegovy|Prime Day
    Dow Jones|FTSE 100|S&P 500|Nasdaq Composite|Nikkei|DAX|CAC 40|Hang Seng
    Christmas|Easter|Ramadan|Eid|Diwali|Hanukkah|Thanksgiving|Lent
    World Heritage|World Heritage Site|World Heritage List
    """.replace("\n", "|").split("|")
    if name.strip()
]
NOT_ENTITIES = {name.lower() for name in _NOT_ENTITY_NAMES}
# Matched like vocabulary forms (whole words, a capital first letter), in one automaton pass.
NOT_ENTITY_MATCHER = Vocabulary((name, "", ()) for name in _NOT_ENTITY_NAMES)


def is_not_entity(name):
    return name.lower() in NOT_ENTITIES


# Treaties, battles, wars and races named after a place: "Treaty of Lima", "War of the Pacific", "Tour de France".
_NAMED_AFTER_A_PLACE = re.compile(
    r"\b(?:Treaty|Treaties|Battle|Siege|War|Wars|Convention|Declaration|Protocol|Statute|Act|Peace|"
    r"Tour|Giro|Vuelta|Grand\s+Prix|Accords?|Agreement)\s+(?:of|de|d’|d'|on|for|in)\s+(?:the\s+|la\s+|l’)?"
    r"[A-Z][\w’'\-]*(?:\s+(?:of\s+)?[A-Z][\w’'\-]*)*"
)


_NAMED_AFTER_A_PLACE_WORDS = (
    "Treat", "Battle", "Siege", "War", "Convention", "Declaration", "Protocol", "Statute", "Act ", "Peace",
    "Tour", "Giro", "Vuelta", "Prix", "Accord", "Agreement",
)  # fmt: skip
# Any of those words, anywhere: one regex scan costs about half a substring test per word.
_NAMED_AFTER_A_PLACE_WORD = re.compile("|".join(re.escape(word) for word in _NAMED_AFTER_A_PLACE_WORDS))


def non_entity_spans(text, key=None, *, matches=None):
    """(start, end) of names that are not entities but hold names that would be: events, treaties, products.

    Found by rule, for the spans the statistical model misses (and always
    without it): nothing nested inside one is indexed. `matches`, if given, are
    `NOT_ENTITY_MATCHER.find(text)`, found in the same pass as another vocabulary's.
    """
    spans = []
    if _NAMED_AFTER_A_PLACE_WORD.search(text):
        spans.extend(m.span() for m in _NAMED_AFTER_A_PLACE.finditer(text))
    if matches is None:
        matches = NOT_ENTITY_MATCHER.find(text, key=key)
    spans.extend((m.start, m.end) for m in matches)
    return spans


def clean_name(name):
    start, end = clean_span(name, 0, len(name))
    return collapse(name[start:end])


def strip_titles(name):
    """A person's name without the titles in front of it ("President Vladimir Putin" -> "Vladimir Putin")."""
    words = name.split()
    while len(words) > 1 and words[0].rstrip(".").lower() in TITLES:
        words = words[1:]
    while len(words) > 2 and words[-1].strip(",.") in POST_NOMINALS:
        words = words[:-1]
    return " ".join(words).rstrip(",")


def tokens(name):
    return name.split()


_HEAD_WORDS = wordset("Society Association Institute Council Commission Museum Union Foundation Federation Court Board")


def is_event_like(name):
    words = name.split()
    if not words:
        return False
    first, last = words[0].lower(), words[-1].lower().rstrip(".")
    if first in ORG_LAST_WORDS and len(words) > 2 and words[1].lower() in ("of", "for", "on"):
        return False  # "Institute for the Study of War", "Museum of the Revolution"
    if len(words) > 1 and words[1].lower() in _HEAD_WORDS:
        return False  # "Law Society of Kenya", "War Museum": an organisation named after its field
    if last in EVENT_LAST_WORDS and len(words) > 1:
        return True
    # "Grand Prix", "Tour de France"; not "Grand Palace" or "Grand Ethiopian Renaissance Dam": their last word says
    return first in EVENT_FIRST_WORDS and len(words) > 1 and kind_from_words(name) is None


def is_noise(name, kind):
    """Names no librarian would index: fragments, generic words, numbers, lower-case phrases."""
    if len(name) < 2 or len(name) > 120 or "\n" in name:
        return True
    if _DIGITS_ONLY.match(name):
        return True
    first = next((c for c in name if c.isalnum()), "")
    if not first or not (first.isupper() or first.isdigit() or is_brand_word(name.split()[0])):
        return True
    words = name.split()
    if len(words) > 10 or is_company_suffix(name):
        return True
    if len(words) == 1 and (name.lower() in GENERIC_WORDS or name.lower() in DEMONYMS):
        return True  # "Welsh", "Dutch": a people, even where the model saw a person
    if len(words) == 1 and is_language(name):
        return True  # "signs in Sinhala and Tamil": a language is no entity
    if all(w.lower() in GENERIC_WORDS or w.lower() in _NAME_PARTICLES for w in words):
        return not generic_body_of(words)
    if kind == PERSON:
        if any(c.isdigit() for c in name):
            return True
        if any(_common_word(word) for word in words[1:]):
            return True  # "Kazakh alphabet": a person's name holds no lower-case word but a particle
        if len(words) == 1 and name.lower() in TITLES:
            return True
    return len(words) == 1 and kind != PERSON and is_demonym(name)


# Generic words that head the name of a body (not a role: "Secretary of State", "President of the Republic").
_BODY_WORDS = wordset(
    """
    Council Commission Committee Government Parliament Ministry Department Agency Authority Board Court Bank Fund
    Union Assembly Office Bureau Service Administration Institute University College Federation Foundation
    Trust Association Organisation Organization Alliance Coalition
    """
)


def generic_body_of(words):
    """True for a body named by generic words, a head noun and what it is of: "Council of State" (Belgium's,
    France's, Greece's highest administrative court), "Court of Justice", "Department of State"; never a
    role ("Secretary of State") or generic words side by side ("State Council" in "the State Council")."""
    return len(words) >= 3 and words[0].lower() in _BODY_WORDS and words[1] in ("of", "for")


@functools.cache
def _language_names():
    """The names of the ISO 639-1 languages, without a qualifier ("Malay" of "Malay (macrolanguage)")."""
    import pycountry

    return frozenset(
        re.sub(r" \(.*\)$", "", language.name) for language in pycountry.languages if hasattr(language, "alpha_2")
    )


def names_a_language(name):
    """True for the name of a language (ISO 639-1, from pycountry; "Malay" of "Malay (macrolanguage)"),
    whether or not a place bears it too."""
    return name in _language_names()


def is_language(name):
    """True for the name of a language (ISO 639-1, from pycountry: "Sinhala", "Tamil", "Wolof") that is no
    place the gazetteer knows ("Tonga" is also a country)."""
    if not names_a_language(name):
        return False
    from . import gazetteer

    return not gazetteer.is_place(name)


def _common_word(word):
    """A lower-case word that is no name particle ("alphabet"; not "dela", "d’Estaing", "al-Bashir")."""
    return word[:1].islower() and word.lower() not in PERSON_PARTICLES and not _PARTICLE_JOINED.match(word)


_PARTICLE_JOINED = re.compile(r"^[a-z]{1,4}[’'‐-]")


_DEMONYM_ENDINGS = ("ian", "ians", "ese", "ish", "ean", "eans", "ans")
# Nationality words that do not have the usual endings.
DEMONYMS = wordset(
    """
    Dane Danes Swede Swedes Finn Finns Pole Poles Brit Brits Briton Britons Scot Scots Turk Turks Serb Serbs
    Croat Croats Czech Czechs Slovak Slovaks Swiss Dutch Dutchman French Frenchman Frenchmen British Irish
    Welsh English Thai Thais Greek Greeks Spaniard Spaniards Kurd Kurds Arab Arabs Jew Jews Uzbek Uzbeks
    Kazakh Kazakhs Tajik Tajiks Afghan Afghans Pakistani Pakistanis Iraqi Iraqis Israeli Israelis Saudi Saudis
    Yemeni Yemenis Omani Qatari Qataris Kuwaiti Emirati Emiratis Somali Somalis Bengali Nepali Filipino
    Filipinos Maori Inuit Basque Basques Catalan Catalans Flemish Walloon Cypriot Cypriots Maltese Lao Sami
    Western Westerners Eastern Easterner Northerner Southerner Latino Latinos Latina Hispanic Hispanics
    Sunni Sunnis Shia Shiite Shiites Muslim Muslims Christian Christians Catholic Catholics Hindu Hindus
    Buddhist Buddhists Sikh Sikhs Jewish Islamic Orthodox Protestant Protestants Evangelical Evangelicals
    """
)


def is_demonym(word):
    """A word for a nationality, region or faith ("Belarusian", "Chinese", "Polish", "Dane", "Western")."""
    lowered = word.lower()
    return lowered in DEMONYMS or (lowered.endswith(_DEMONYM_ENDINGS) and len(lowered) > 5)


_BRAND = re.compile(r"^[a-z]{1,5}[A-Z]\w|^[A-Z][A-Z][a-z]{2,}$|[a-z][A-Z]")
_SURNAME_PREFIX = re.compile(r"^(?:Mc|Mac|De|Di|Da|Du|Le|La|Van|Von|Fitz|O[’'])")


def is_brand_word(word):
    """A word written like a brand, never like a person's name: "eBay", "easyJet", "OPay", "YouGov"
    ("McDonald", "DeSantis" and "LaToya" are names)."""
    return bool(_BRAND.search(word)) and not _SURNAME_PREFIX.match(word)


def kind_from_words(name):
    """The kind a name's own words settle ("Dnipro River" is a place, "Swiss National Bank" an org), or None."""
    words = name.split()
    if len(words) == 1 and is_brand_word(name):
        return ORG
    if len(words) == 1 and name.lower().endswith(_PLACE_WORD_ENDINGS) and name[:1].isupper():
        return PLACE  # "Königstraße", "Alexanderplatz"
    if len(words) < 2:
        return None
    last = words[-1].lower().rstrip(".")
    first = words[0].lower()
    if last == "reserve" and words[-2].lower() in _NATURE_RESERVES:
        return PLACE
    if last == "church" and not _DENOMINATIONS.isdisjoint(word.lower() for word in words[:-1]):
        return ORG  # "Ethiopian Orthodox Tewahedo Church", "Catholic Church": the institution, not a building
    if last in ORG_LAST_WORDS:
        return ORG
    if _org_head_of(words):
        return ORG  # "International Fund for Saving the Aral Sea": a body, whatever it is for
    if last in PLACE_LAST_WORDS or first in PLACE_FIRST_WORDS:
        return PLACE
    if words[0] in ORG_HEADS_FIRST:
        return ORG  # "Parti Pribumi Bersatu Malaysia", "Banco Central do Brasil"
    if first in ORG_LAST_WORDS and len(words) > 2 and words[1].lower() in ("of", "for"):
        return ORG  # "University of Edinburgh", "Bank of England", "Institute for the Study of War"
    if is_brand_word(words[0]):
        return ORG  # "myNet Broadband", "NovaAndino Litio": a brand's name, never a person's or a place's
    return None


def _org_head_of(words):
    """True for a name whose head noun, before its first "of" or "for", names a body: "Abu Dhabi Fund for
    Development", "International Fund for Saving the Aral Sea" (a place after the "for" is what it is for)."""
    if "of" not in words and "for" not in words:
        return False  # most names: no loop
    for index, word in enumerate(words[1:-1], start=1):
        if word in ("of", "for"):
            return words[index - 1].lower() in ORG_LAST_WORDS
    return False


STRONG, WEAK = 3.0, 0.75


def context_kind(text, start, end):
    """(kind, weight) when the words right around a mention say what it is, else (None, 0).

    Strong cues settle a name's kind against the model's label; weak ones only
    tip a close vote.
    """
    before = text[max(0, start - 50) : start]
    after = text[end : end + 60]
    if _ORG_STRONG_BEFORE.search(before):
        return ORG, STRONG
    if _PLACE_AFTER.match(after) or _FEATURE_NOUN_AFTER.match(after) or _PLACE_STRONG_BEFORE.search(before):
        return PLACE, STRONG
    if _DISTANCE_BEFORE.search(before) or _DISTANCE_AFTER.match(after):
        return PLACE, STRONG
    if _ORG_AFTER.match(after):
        return ORG, WEAK
    if _PLACE_WEAK_BEFORE.search(before):
        return PLACE, WEAK
    return None, 0


def known_as(text, end, next_start):
    """True when the words between a name and the next one say the next is an alias ("…, known as Hemedti")."""
    return bool(_KNOWN_AS.match(text[end:next_start]))


def initials(words):
    """The capital letters a sequence of name words gives an acronym ("Co-operation" gives C)."""
    return "".join(w[0] for w in words if w and w.lower() not in _NAME_PARTICLES and w[0].isupper())


def acronym_definitions(text):
    """Acronyms defined in `text` as "Full Name (ACR)": list of (full name start, end, acronym, paren start).

    The full name is the run of capitalised words (particles such as "of", "for",
    "the" allowed inside) right before the parenthesis whose initials spell the
    acronym. Definitions whose initials do not match ("Brazil’s development bank
    (BNDES)") are left to the caller, which can pair a model-found name with it.
    """
    found = []
    for match in _ACRONYM_IN_PARENS.finditer(text):
        acronym = match.group(1)
        letters = "".join(c for c in acronym if c.isalpha()).upper()
        if len(letters) < 2:
            continue
        words = list(_WORD.finditer(text[max(0, match.start() - 200) : match.start()]))
        offset = max(0, match.start() - 200)
        if not words or text[offset + words[-1].end() : match.start()].strip():
            continue
        # Walk back over the words before "(", stopping at the first that cannot be part of a name. The
        # initials of the run so far grow a word at a time (they are the words' initials joined).
        run_initials = run_hyphen_initials = ""
        for first in range(len(words) - 1, max(-1, len(words) - 13), -1):
            word = words[first].group()
            if not (word[0].isupper() or word.lower() in _NAME_PARTICLES):
                break
            run_initials = initials((word,)) + run_initials
            run_hyphen_initials = _hyphen_initials((word,)) + run_hyphen_initials
            if not word[0].isupper():
                continue
            if run_initials.upper() == letters or run_hyphen_initials.upper() == letters:
                found.append((offset + words[first].start(), offset + words[-1].end(), acronym, match.start()))
                break
    return found


def _hyphen_initials(words):
    # "Co-operation" may give one letter or two ("OSCE" or "OSCCE"): try both readings.
    parts = [p for w in words for p in re.split(r"[-‐]", w) if p]
    return initials(parts)


_SHORT_NAME_IN_PARENS = re.compile(r"\(\s*((?:[A-Z][\w’'.\-]*\s+)?[A-Z][A-Za-z0-9&.\-]{0,11}[A-Za-z0-9.])\s*\)")


def acronym_after(text, end):
    """The acronym in parentheses right after position `end` ("… Bank (BNDES)", "… (Africa CDC)"), or None."""
    match = _SHORT_NAME_IN_PARENS.match(text, end + 1) if text[end : end + 1] == " " else None
    if match is None:
        return None
    acronym = match.group(1)
    if " " in acronym and not is_acronym_word(acronym.split()[-1]):
        return None
    letters = [c for c in acronym if c.isalpha()]
    if len(letters) < 2 or not letters[0].isupper():
        return None
    return acronym

"""`extract_entities`: the people, places and organisations one article mentions.

    text --(curated vocabulary)----+
         --(statistical model)-----+--> mentions --> canonical entities with counts
         --(acronyms defined)------+

Steps, for one article:
1. The vocabulary (every Entity and its aliases) is matched over headline,
   dek, body and bio. The model reads dek, body and bio, never the title-case
   headline, which fools it ("Peru Sign Border Trade Pact" is not an org).
2. Mentions are chosen longest first, the vocabulary winning ties. A name the
   model calls an event, law or work ("Tour de France", "Treaty of Lima") is
   not an entity but hides the names inside it, as any longer name does
   ("Bank of England" does not add England). The gazetteer (cities,
   countries, regions) corrects the model's places: "Sarawak" labelled as a
   people, "Johor" cut from "Johor Bahru", "in Kuching" missed.
3. Names are cleaned (no "the", possessive, title or company suffix), and
   tied together within the article: acronyms it defines ("Office for National
   Statistics (ONS)"), surnames and honorifics ("Putin", "Mr Putin" for
   "Vladimir Putin"), short forms ("Real" for "Real Madrid"), acronyms inside
   names ("UN Security Council"). A name that is also a vocabulary form takes
   the vocabulary's canonical name and kind.
4. A name several vocabulary entities share ("Amazon") is read in context: the
   words around it, the words of each candidate's aliases, the model's label.
5. Noise (fragments, generic words, demonyms, events, junk, names editors
   rejected: `Vocabulary.is_rejected`) is dropped; the kind of
   a name only the model found is voted by its labels, its own words ("…
   River", "… Bank") and its surroundings ("the town of …").
6. Every remaining entity is counted wherever its forms occur, the headline
   included: the headline adds mentions to what the body established.
7. The byline's author is a person of the article.
"""

import functools
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass

from . import canonical, gazetteer, junk, patterns
from .canonical import ORG, PERSON, PLACE
from .vocabulary import VocabularyEntry, fold, is_acronym, match_key

VOCABULARY = "vocabulary"
MODEL = "model"

_WORD_BEFORE = re.compile(r"(?:^|(?<=[\s“\"(]))([^\W\d_][\w’'-]*) $")
_WINDOW = 160  # characters each side of a mention read to tell namesakes apart
_WORDS = re.compile(r"[^\W\d_]{3,}")

# Words that speak for one kind when a name could be several entities.
_KIND_CUES = {
    ORG: canonical.wordset(
        """company companies firm firms shares shareholders stock investors chief executive ceo founder retailer
        retail sellers seller customers subscribers employees workers warehouse warehouses revenue revenues profit
        profits sales subsidiary platform online ecommerce commerce antitrust regulators regulator lawsuit sued
        merger acquisition brand products services cloud marketplace app apps listed nasdaq corporate executives
        spokesperson statement board"""
    ),
    PLACE: canonical.wordset(
        """river rivers basin rainforest forest forests jungle deforestation region regions city cities town towns
        capital state province country countries border borders coast territory tributary tributaries
        indigenous trees flooding drought wildlife landscape valley mountains lake island village villages
        residents"""
    ),
}


@dataclass(frozen=True)
class FoundEntity:
    name: str
    kind: str
    count: int
    source: str = VOCABULARY  # VOCABULARY: found without the model; MODEL: only the model found it
    # Named only by the byline and the author's bio ("find him on X @…"), not by headline, dek or body:
    # a mention of the article, but no sign of what the article is about ("appears with", related articles).
    byline_only: bool = False


# Origins of a mention, in the order they win a tie for the same words.
BLOCKER = "blocker"  # "Treaty of Lima", "Champions League": not an entity, and hides the names inside it
DEFINITION = "definition"  # "Office for National Statistics" in "Office for National Statistics (ONS)"
ACRONYM = "acronym"  # "ONS", anywhere in that article
_PRIORITY = {BLOCKER: 0, DEFINITION: 1, ACRONYM: 2, VOCABULARY: 3, MODEL: 4}


@dataclass(slots=True)  # an article has dozens of mentions: slots make them quicker to build and read
class _Mention:
    start: int
    end: int
    origin: str  # DEFINITION, ACRONYM, VOCABULARY or MODEL
    candidates: tuple = ()  # vocabulary entries, for vocabulary matches
    label: str = ""  # the model's label, for model spans
    name: str = ""
    kind: str = ""
    kinds: Counter | None = None  # kind votes, for names only the model found (None: no votes)
    dropped: bool = False
    acronym: str = ""  # for DEFINITION and ACRONYM mentions: the acronym defined

    @property
    def length(self):
        return self.end - self.start


def article_text(document):
    """The text extraction reads: headline, dek, body and bio (not the byline)."""
    parts = [document.headline, document.dek, document.body, getattr(document, "bio", "")]
    return "\n\n".join(part for part in parts if part)


def model_text(document):
    """The text the statistical model reads: dek, body and bio (the title-case headline fools it)."""
    return "\n\n".join(part for part in (document.dek, document.body, getattr(document, "bio", "")) if part)


def read_document(document):
    """The model's reading of `document` (`ner.Reading`), for `extract_entities(..., reading=…)`."""
    from .ner import Reading

    return Reading.of(model_text(document))


def extract_entities(document, vocabulary, *, ner=True, reading=None):
    """Entities in `document` (anything with headline, dek, body, author, bio).

    `vocabulary` is a `Vocabulary`. The statistical model's part is its spans in
    the text: `reading`, the model's reading of this text made earlier
    (`read_document`, stored with the article), or, without one, the model reads
    it now; with `ner=False` and no reading the model is not used (the fast path
    for bulk back-fills). The same text, vocabulary and reading always give the
    same entities. Returns FoundEntity items, most mentioned first, then by name.
    """
    headline = canonical.collapse(document.headline or "")
    rest = model_text(document)
    text = f"{headline}\n\n{rest}" if rest else headline
    body_start = len(headline) + 2
    bio_start = len(text) - len(getattr(document, "bio", "") or "")  # the bio ends the text
    if reading is None and ner:
        reading = read_document(document)
    elif reading is not None and not reading.fits(rest):
        raise ValueError("the model's reading is of another text than this document's")
    return _Extraction(text, body_start, vocabulary, document.author or "", reading, bio_start).run()


class _Extraction:
    def __init__(self, text, body_start, vocabulary, author, reading, bio_start):
        self.text = text
        self.body_start = body_start
        self.bio_start = bio_start  # text[bio_start:] is the author's bio (empty: none)
        self.vocabulary = vocabulary
        self.author = canonical.collapse(author)
        self.reading = reading  # the model's spans in text[body_start:], or None: no model
        self.ner = reading is not None
        self.blocked = []  # (start, end) of event/law/work names: nothing nested in them counts
        self.key = match_key(text)  # the text as the vocabulary automata read it
        self.runs = None  # runs of capitalised words, when a step needs them
        self.dateline_places = set()  # the places the datelines name (with the model), as gazetteer keys

    def run(self):
        model = self._model_mentions()
        # The vocabulary and the names that are not entities are found in one pass over the text.
        matches, not_entities, networks = self.vocabulary.find_with(
            (canonical.NOT_ENTITY_MATCHER, patterns.NETWORK_MATCHER), self.text, key=self.key
        )
        text = self.text
        vocabulary = [
            _Mention(start, end, VOCABULARY, candidates)
            for start, end, candidates in matches
            if text[end : end + 1] != "$"  # "US$1.2bn", "NZ$40m": a currency, not the country
        ]
        vocabulary += self._regional_parties(vocabulary) + self._national_branches(vocabulary)
        definitions = self._definitions(model)
        spans = canonical.non_entity_spans(self.text, matches=not_entities)
        blockers = [_Mention(start, end, BLOCKER) for start, end in spans]
        author = self._author_mentions() + self._social_networks(networks)
        candidates = vocabulary + model + definitions + self._acronym_mentions(definitions) + author + blockers
        # Steps that only tidy what the model found are skipped without it.
        mentions = self._choose(self._join_neighbours(candidates) if model else candidates)
        self._name(mentions)
        self._people(mentions)
        if model:
            self._short_forms(mentions)
            self._shortened_names(mentions)
            self._names_in_part(mentions)
            self._known_as(mentions)
        self._resolve_ambiguous(mentions)
        self._vote_kinds(mentions)
        self._spell_out_acronyms(mentions)
        if model:
            self._other_names(mentions)
            mentions = self._headline_names(mentions)
        kept = [m for m in mentions if not m.dropped and m.name and m.kind]
        return self._count(kept)

    # 1-2. Candidate mentions, then the longest non-overlapping ones.

    def _author_mentions(self):
        """The byline's author named in full in the text, as the vocabulary would match them.

        A new author is in no vocabulary yet, so "Valentina Colombo" in her bio would only
        be found as the place "Colombo"; once ingest has stored her, relinking finds her
        name through the vocabulary. Matching it here, by the vocabulary's own rules
        (whole words, a capital first, one line), makes both give the same mentions.
        """
        if not self.author or any(e.kind == PERSON for e in self.vocabulary.lookup(self.author)):
            return []  # no byline, or the vocabulary finds the author itself
        key = match_key(self.author).strip()
        if not key:
            return []
        entry = VocabularyEntry(self.author, PERSON)
        padded = f" {self.key} "
        mentions = []
        start = padded.find(f" {key} ")
        while start != -1:
            end = start + len(key)  # `padded` is one longer at the front: start is the text's offset
            if self.text[start : start + 1].isupper() and "\n" not in self.text[start:end]:
                mentions.append(_Mention(start, end, VOCABULARY, candidates=(entry,)))
            start = padded.find(f" {key} ", end)
        return mentions

    def _regional_parties(self, vocabulary):
        """A party the vocabulary knows after a region's demonym is the region's own party, named as
        written: "a Scottish Labour councillor", "the Welsh Conservatives" (not the Labour Party)."""
        found = []
        for mention in vocabulary:
            if len(mention.candidates) != 1 or not mention.candidates[0].name.endswith(" Party"):
                continue
            match = _WORD_BEFORE.search(self.text, max(0, mention.start - 30), mention.start)
            word = match and match.group(1)
            if word and canonical.is_demonym(word) and word[:1].isupper() and word not in _NATIONS:
                name = canonical.collapse(self.text[match.start(1) : mention.end])
                found.append(_Mention(match.start(1), mention.end, VOCABULARY, (VocabularyEntry(name, ORG),)))
        return found

    def _national_branches(self, vocabulary):
        """An organisation the vocabulary knows, then a country, is its national branch, named as written:
        "Transparency International Kenya", "Transparency International Sri Lanka"."""
        places = {m.start: m for m in vocabulary if len(m.candidates) == 1 and m.candidates[0].kind == PLACE}
        found = []
        for mention in vocabulary:
            if len(mention.candidates) != 1 or mention.candidates[0].kind != ORG:
                continue
            place = places.get(mention.end + 1)
            if (
                place is not None
                and self.text[mention.end] == " "
                and not _word_char_at(self.text, place.end)
                and self.text[place.end : place.end + 1] not in ("’", "'", "-")
                and gazetteer.is_country(place.candidates[0].name)
            ):
                name = self.text[mention.start : place.end]
                found.append(_Mention(mention.start, place.end, VOCABULARY, (VocabularyEntry(name, ORG),)))
        return found

    def _social_networks(self, matches):
        """ "Follow her on X @handle", "is on Instagram and Bluesky": the networks, as organisations."""
        return [
            _Mention(start, end, VOCABULARY, candidates=(VocabularyEntry(name, ORG),))
            for start, end, name in patterns.social_network_spans(self.text, matches)
        ]

    def _model_mentions(self):
        if not self.ner:
            return []
        mentions = []
        offset = self.body_start
        datelines = patterns.dateline_spans(self.text)
        # "WINNIPEG — Winnipeg city council voted": the dateline names the place the story is told from.
        self.dateline_places = {gazetteer.key(self.text[start:end]) for start, end in datelines}
        for span in self.reading.spans:
            start, end = offset + span.start, offset + span.end
            if canonical.is_quoted(self.text, start, end):
                self.blocked.append((start, end))  # “Troy”: a title in quotation marks names a work
                continue
            for piece_start, piece_end in canonical.split_span(self.text, start, end):
                if any(d_start <= piece_start < d_end for d_start, d_end in datelines):
                    continue  # "AUCKLAND —": a dateline, not a name
                for part_start, part_end in _place_parts(self.text, piece_start, piece_end, span.label):
                    if span.label in _PLACE_LABELS:  # "Baden" of "Baden-Württemberg": the whole compound
                        part_start, part_end = _hyphenated_place(self.text, part_start, part_end)
                        part_end = _particle_tail(self.text, part_end)  # "San Pedro" + "del Pinatar"
                    mentions.append(_Mention(part_start, part_end, MODEL, label=span.label))
        mentions = self._join_at_particles(mentions)
        mentions.extend(self._gazetteer_places(mentions, offset))
        # "Public Health" + "Scotland", "Environment and Climate Change Canada": a body, its field, its country.
        org_spans = [(m.start, m.end) for m in mentions if m.label == "ORG"]
        mentions.extend(
            _Mention(start, end, MODEL, label="ORG")
            for start, end in patterns.national_body_spans(self.text, offset, gazetteer.is_country, org_spans)
        )
        mentions.extend(self._outlets(mentions, offset))
        # Organisations named by a head noun, whole: "Law Society of Kenya", not "Law Society" and "Kenya".
        mentions.extend(
            _Mention(start, end, MODEL, label="ORG") for start, end in patterns.org_head_spans(self.text, offset)
        )
        # Landmarks likewise: "Epifanio de los Santos Avenue", not "Epifanio" and "Santos Avenue".
        mentions.extend(
            _Mention(start, end, MODEL, label="FAC") for start, end in patterns.place_head_spans(self.text, offset)
        )
        mentions.sort(key=lambda m: (m.start, -m.end))
        return self._join_acronym_units(mentions)

    def _gazetteer_places(self, mentions, offset):
        """Places the gazetteer knows that the model took for a people, cut short or missed.

        "Sarawak" labelled like "Malaysian" is the state (a demonym has a demonym's
        ending); "Johor" before "Bahru" is the start of the city's name; "in Kuching",
        which the model missed, is the city. Returns the mentions to add; relabels and
        extends `mentions` in place.
        """
        text = self.text
        covered = bytearray(len(text))
        for mention in mentions:
            if mention.label in _NO_NAME_LABELS and _placed_town(text, mention.start, mention.end):
                mention.label = "GPE"  # "in Thurso" read as a date, "in Turbo" as a product: a town the text places
            if text.startswith(("’s ", "'s "), mention.end) and text[mention.end + 3 : mention.end + 4].isupper():
                # "Mohale" + "’s Hoek": a place the gazetteer knows with a possessive inside, whatever the label
                longer = _gazetteer_run(text, mention.start, mention.end)
                if longer != mention.end and " " in text[mention.end : longer]:  # not "Peru’s" alone
                    mention.end, mention.label = longer, "GPE"
            if mention.label in ("NORP", "GPE", "LOC"):
                # Only a capitalised word right after the span can make it a longer name
                after = text[mention.end : mention.end + 2]
                followed = after[:1] == " " and after[1:].isupper()
                longer = _gazetteer_run(text, mention.start, mention.end) if followed else mention.end
                if longer != mention.end:
                    mention.end, mention.label = longer, "GPE"
                elif mention.label == "NORP":
                    surface = text[mention.start : mention.end]
                    if (not canonical.is_demonym(surface) and gazetteer.is_place(surface)) or (
                        " " not in surface and canonical.place_noun_after(text, mention.end)
                    ):
                        mention.label = "GPE"  # "the Amhara region": a region named after its people
            covered[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
        added = []
        for start, end in self._runs():
            start = _after_sentence_starters(text, start, end)  # "In Kuching", "From Aqaba"
            if covered.find(1, start, end) != -1:
                continue
            if _named_feature(text, start, end):
                added.append(_Mention(start, end, MODEL, label="LOC"))  # "the Lez river": whatever the gazetteer holds
                continue
            if not patterns.place_cue(text, start, end):
                continue
            end = _gazetteer_run(text, start, start)
            if end > start and text[start:end].lower() not in text:  # "Split", "split": a word, too
                added.append(_Mention(start, end, MODEL, label="GPE"))
        return added

    def _outlets(self, mentions, offset):
        """Organisations introduced by what they are ("the daily Le Soleil", "ASOS, the online retailer,").

        A model span with the same words takes the label ORG (the model calls outlets
        events, places, people); a name it missed is added. Returns the mentions to add.
        """
        by_span = {(m.start, m.end): m for m in mentions}
        added = self._teams(mentions)
        for start, end in patterns.introduced_org_spans(self.text, offset, self._runs()):
            start, end = canonical.clean_span(self.text, start, end)
            words = self.text[start:end].split()
            if not words or words[0].rstrip(".").lower() in canonical.TITLES:
                continue  # "Health Minister reported that", "Mr Okafor reported that": people
            mention = by_span.get((start, end))
            if mention is not None:
                mention.label = "ORG"
            elif end > start:
                added.append(_Mention(start, end, MODEL, label="ORG"))
        return added

    def _teams(self, mentions):
        """Teams a match report names around a scoreline that the model missed ("the Crusaders 27-24", "drew
        0-0 with Corinthians", "the Chiefs coach"), as ORG mentions. A name the model found keeps its
        label: its kind is voted with the same cues, against what else the article says of it."""
        if not _DIGIT.search(self.text):
            return []  # no scoreline
        covered = bytearray(len(self.text))
        people = set()  # the words of names the model calls people: "Sinner beat Alcaraz 7-5" is a tennis match
        for mention in mentions:
            covered[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
            if mention.label == "PERSON":
                people.update(self.text[mention.start : mention.end].split())
        spans = []
        text = self.text
        for start, end in self._runs():
            if not (_DIGIT.search(text, max(0, start - 40), end + 60) or text.startswith(_STAFF, end)):
                continue  # no scoreline near it, no "… coach" after it
            start = _after_sentence_starters(text, start, end)
            name = text[start:end]
            if start >= end or not _may_be_name_word(name.split()[0]):
                continue
            if covered.find(1, start, end) != -1 or people.intersection(name.split()):
                continue
            if (" " in name or not name.endswith(("an", "ine", "ese", "ish"))) and patterns.team_cue(
                self.text, start, end
            ):  # "the Argentine coach" is no team
                spans.append(_Mention(start, end, MODEL, label="ORG"))
        return spans

    def _runs(self):
        """(start, end) of the runs of capitalised words in dek, body and bio (computed once)."""
        if self.runs is None:
            self.runs = patterns.capitalised_runs(self.text, self.body_start)
        return self.runs

    def _join_at_particles(self, mentions):
        """Two people side by side, or with a name particle between them, are one: "Darragh Mac" + "Giolla
        Phádraig", "Abba Gebre" + "Kidan Welde Mariam", "Ana Marie" + dela + "Cruz" (news separates two
        people's names with words or punctuation)."""
        joined = []
        for mention in mentions:
            previous = joined[-1] if joined else None
            if previous is not None and previous.label == mention.label == "PERSON":
                gap = self.text[previous.end : mention.start]
                if gap == " " or (gap[:1] == gap[-1:] == " " and gap.strip() in canonical.PERSON_PARTICLES):
                    previous.end = mention.end
                    continue
            joined.append(mention)
        return joined

    def _join_acronym_units(self, mentions):
        """An acronym org right before a place is one name: "NHS Lothian", "BBC Scotland"."""
        joined = []
        for mention in mentions:
            previous = joined[-1] if joined else None
            if (
                previous is not None
                and previous.label == "ORG"
                and mention.label in ("GPE", "LOC")
                and self.text[previous.end : mention.start] == " "
                and is_acronym(self.text[previous.start : previous.end])
            ):
                previous.end = mention.end
                continue
            joined.append(mention)
        return joined

    def _join_neighbours(self, candidates):
        """A one-word name right before a name the model found is part of it: "Sinéad O’Connor", "Santiago Bernabéu".

        The model sometimes splits a name it does not know, or misses its first
        word, which the vocabulary then matches on its own (Santiago, the city).
        Only in running text: title-case headlines put names side by side.
        """
        by_start = {m.start: m for m in candidates if m.origin == MODEL and canonical.KIND_BY_LABEL.get(m.label)}
        # One-word names the model found elsewhere in the article: "O’Connor" after "Sinéad",
        # "Bernabéu" after "Santiago".
        single_words = {
            self.text[m.start : m.end]: m.label
            for m in candidates
            if m.origin == MODEL and canonical.KIND_BY_LABEL.get(m.label) and " " not in self.text[m.start : m.end]
        }
        joined = self._join_first_names(candidates) + self._full_names(candidates)
        for first in candidates:
            if first.origin not in (MODEL, VOCABULARY) or first.start < self.body_start:
                continue
            second = by_start.get(first.end + 1)
            if second is None and self.text[first.end : first.end + 1] == " ":
                next_word = re.match(r"[\w’'-]+", self.text[first.end + 1 :])
                label = next_word and single_words.get(next_word.group())
                if label:
                    second = _Mention(first.end + 1, first.end + 1 + next_word.end(), MODEL, label=label)
            if second is None or second is first or self.text[first.end] != " ":
                continue
            word = self.text[first.start : first.end]
            if " " in word or not canonical.can_start_name(word) or not _LETTERS_ONLY.fullmatch(word):
                continue  # "A$6m. Jeremy Rockliff": an amount is no first name
            if word.endswith(_POSSESSIVES):
                continue  # "Peru’s Ministry of Culture": the owner is a name of its own
            if first.origin == MODEL and first.label == second.label and second.label != "PERSON":
                continue  # two places or two orgs side by side are usually two names
            joined.append(_Mention(first.start, second.end, MODEL, label=second.label))
        return candidates + joined

    def _join_first_names(self, candidates):
        """A capitalised word no one claims right before a person: the first name ("Thandiwe Mokoena", "Áile
        Márjá Somby-Gaup").

        The model often finds only the family name of a name it does not know,
        most of all at the start of a sentence, or leaves out a first name it does not know.
        """
        claimed = bytearray(len(self.text))
        for mention in candidates:
            claimed[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
        joined = []
        for mention in candidates:
            if mention.origin != MODEL or mention.start < self.body_start + 2:
                continue
            if mention.label != "PERSON" and not patterns.person_cue(self.text, mention.start, mention.end):
                continue
            if self.text[mention.start - 1] != " ":
                continue
            several = " " in self.text[mention.start : mention.end]
            if several and (mention.label != "PERSON" or self.text.count(" ", mention.start, mention.end) > 2):
                continue
            match = _WORD_BEFORE.search(self.text, max(0, mention.start - 40), mention.start)
            if match is None or claimed.find(1, match.start(), match.end()) != -1:
                continue
            if several and self.text[max(0, match.start(1) - 2) : match.start(1)] != ", ":
                continue  # "the president of the Sámi Parliament, Áile Márjá Somby-Gaup": an apposition's name
            if match.group(1).endswith(("’s", "'s")):
                continue  # "Manitoba’s Wab Kinew": the possessor is another name
            if canonical.can_start_name(match.group(1)) and not self.vocabulary.lookup(match.group(1)):
                joined.append(_Mention(match.start(1), mention.end, MODEL, label="PERSON"))
        return joined

    def _full_names(self, candidates):
        """People named in full where the model saw no name, or only the family name.

        "Mayor Gergely Karácsony says", "Maroš Šefčovič, the EU trade commissioner,",
        "Count István Széchenyi, who": two to four capitalised words after a title,
        or described as a person, or speaking ("…, who", "… said") while their last
        word stands alone elsewhere in the article ("Šefčovič told reporters").
        """
        text = self.text
        claimed = bytearray(len(text))  # 1: a name of several words or a vocabulary name sits there
        alone = set()  # one-word names the model found: family names, perhaps
        for mention in candidates:
            if mention.origin == MODEL and " " not in text[mention.start : mention.end]:
                alone.add(text[mention.start : mention.end])
            else:
                claimed[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
        found = []
        for start, end in self._runs():
            if text.find(" ", start, end) == -1:
                continue  # one word (most runs): no full name
            titled = False
            while start < end:
                space = text.find(" ", start, end)
                word = text[start:space].rstrip(".").lower() if space != -1 else ""
                if word not in canonical.NOT_NAME_STARTERS and word not in canonical.TITLES:
                    break
                titled = titled or word in canonical.TITLES
                start = space + 1
            words = text[start:end].split(" ")
            if not 2 <= len(words) <= 4 or claimed.find(1, start, end) != -1:
                continue
            if not all(_may_be_name_word(word) for word in words):
                continue
            spoken = patterns.who_after(text, end) or (patterns.speaker_cue(text, start, end) and words[-1] in alone)
            if not (titled or spoken or patterns.person_cue(text, start, end)):
                continue
            name = text[start:end]
            if canonical.kind_from_words(name) is not None or self.vocabulary.lookup(name):
                continue  # "Energy Transfer Partners", a name the vocabulary knows
            if not gazetteer.is_place(name):  # "Santa Cruz"
                found.append(_Mention(start, end, MODEL, label="PERSON"))
        return found

    def _choose(self, candidates):
        # Longest first; on equal length definitions, then acronyms, then the vocabulary win.
        order = sorted(candidates, key=lambda m: (m.start - m.end, _PRIORITY[m.origin], m.start))
        taken = bytearray(len(self.text))  # 1 where a chosen mention sits
        chosen, at = [], {}  # at: (start, end) -> the mention chosen there (no two chosen ones overlap)
        for mention in order:
            if taken.find(1, mention.start, mention.end) != -1:
                # The model's label for exactly the span another mention took is still evidence of its
                # kind. (Looked up by span: a scan of the chosen ones was quadratic in an article's
                # mentions, and a 1,000,000-character article outlasted a job part's timeout, QA F19.)
                other = at.get((mention.start, mention.end))
                if mention.origin == MODEL and other is not None and not other.label:
                    other.label = mention.label
                continue
            taken[mention.start : mention.end] = b"\x01" * (mention.end - mention.start)
            chosen.append(mention)
            at.setdefault((mention.start, mention.end), mention)
        chosen.sort(key=lambda m: m.start)
        return chosen

    def _definitions(self, model):
        """Acronyms the article defines, as DEFINITION mentions of the full names."""
        found = {}
        body = self.text[self.body_start :]
        for start, end, acronym, _ in canonical.acronym_definitions(body):
            start, end = canonical.clean_span(self.text, self.body_start + start, self.body_start + end)
            if end > start and acronym not in found:
                found[acronym] = (start, end)
        # A name the model found right before an acronym in parentheses defines it even when
        # the letters are not its initials: "Brazilian Development Bank (BNDES)", "… (Africa CDC)".
        for mention in model:
            if mention.label == "ORG" and " " in self.text[mention.start : mention.end]:
                acronym = canonical.acronym_after(self.text, mention.end)
                if acronym and acronym not in found:
                    found[acronym] = (mention.start, mention.end)
        definitions = []
        for acronym, (start, end) in found.items():
            same = next((m for m in model if (m.start, m.end) == (start, end)), None)
            definition = _Mention(start, end, DEFINITION, label=same.label if same else "", acronym=acronym)
            definitions.append(definition)
        return definitions

    def _acronym_mentions(self, definitions):
        """Every occurrence of an acronym the article defines (exact case, whole words)."""
        mentions = []
        text = self.text
        for definition in definitions:
            acronym = definition.acronym
            start = text.find(acronym)
            while start != -1:
                end = start + len(acronym)
                if not _word_char_at(text, start - 1) and not _word_char_at(text, end):
                    mentions.append(_Mention(start, end, ACRONYM, acronym=acronym))
                start = text.find(acronym, end)
        return mentions

    # 3. Names.

    def _name(self, mentions):
        for mention in mentions:
            if mention.origin == BLOCKER:
                mention.dropped = True
                self.blocked.append((mention.start, mention.end))
                continue
            if mention.origin == ACRONYM:
                continue  # named after its definition, once that has a name and a kind
            if mention.origin == VOCABULARY:
                if len(mention.candidates) == 1:
                    mention.name, mention.kind = mention.candidates[0].name, mention.candidates[0].kind
                    if mention.kind == PLACE and self.ner and self._names_a_club(mention):
                        mention.kind = ORG  # "Barcelona beat Emelec 3-1": the city's club, under the city's name
                continue
            surface = canonical.collapse(self.text[mention.start : mention.end])
            label_kind = canonical.KIND_BY_LABEL.get(mention.label)
            if label_kind == PLACE and surface[-1:] == ".":  # "RALEIGH, N.C. —": the state, by its name
                surface = gazetteer.state_after_city(self.text, mention.start, mention.end) or surface
            if mention.origin == DEFINITION:
                # "Chama Cha Mapinduzi (CCM)": people are not given acronyms in news, bodies are
                label_kind = (label_kind if label_kind != PERSON else None) or canonical.kind_from_words(surface) or ORG
            elif label_kind is None and mention.label not in canonical.BLOCKING_LABELS:
                mention.dropped = True  # dates, numbers, demonyms…: neither entities nor names that hide any
                continue
            elif label_kind is None and surface.split()[0] in _HEADS_FIRST:
                label_kind = canonical.kind_from_words(surface)  # "Teatro Degollado" is no work of art
            if label_kind in (PERSON, PLACE) and canonical.is_brand_word(surface.split()[0]):
                label_kind = ORG  # "myNet", "NovaAndino Litio": written as brands are
            if label_kind in (PLACE, ORG) and _honorific_first(surface):
                label_kind = PERSON  # "Ratu Semi Naivalu", "Sheikh Hasina": the model's place or org is a person
            name = canonical.strip_titles(surface) if label_kind == PERSON else surface
            name = self._expand_inner_acronym(name)
            entries = self.vocabulary.lookup(name)
            if entries:
                mention.candidates = entries
                if len(entries) == 1:
                    mention.name, mention.kind = entries[0].name, entries[0].kind
                continue
            mention.name = name
            if label_kind is None or canonical.is_event_like(name) or canonical.is_not_entity(name):
                mention.kind = ""  # a blocker: kept only if it turns out to be a surname (below)
                self.blocked.append((mention.start, mention.end))
                continue
            mention.kinds = Counter({label_kind: 1})

    def _names_a_club(self, mention):
        """True for a city the vocabulary knows that a match report names as a team there."""
        return (
            mention.start >= self.body_start
            and " " not in mention.name
            and self.text[mention.start : mention.end] == mention.name
            and patterns.club_cue(self.text, mention.start, mention.end)
            and not gazetteer.is_country(mention.name)
        )

    def _expand_inner_acronym(self, name):
        """ "UN Security Council" -> "United Nations Security Council": common acronyms are spelt out in names."""
        words = name.split()
        if len(words) < 2 or not is_acronym(words[0]):
            return name
        entries = self.vocabulary.lookup(words[0])
        if len(entries) == 1 and entries[0].name != words[0] and " " in entries[0].name:
            return " ".join([entries[0].name, *words[1:]])
        return name

    def _people(self, mentions):
        """Surnames, honorifics and nicknames of people named in full elsewhere in the article."""
        people, variants = self._people_named_in_full(mentions)
        towns = _towns_lived_in(self.text, mentions) if people else set()
        # The same names recur all through an article: each surface is cleaned and looked up once.
        cleaned = {}
        person_for = {}
        previous = None
        for mention in mentions:
            if mention.origin in (ACRONYM, DEFINITION):
                previous = mention
                continue
            target = None
            if mention.origin == MODEL or mention.kind in (PERSON, ""):
                raw = self.text[mention.start : mention.end]
                surface = cleaned.get(raw)
                if surface is None:
                    surface = cleaned[raw] = canonical.strip_titles(canonical.clean_name(raw))
            else:
                surface = None  # a place or an organisation the vocabulary named: not a surname
            if surface is not None and surface in variants:
                target = variants[surface]
            elif surface is not None and surface not in people:
                any_word = mention.label == "PERSON"
                if (surface, any_word) not in person_for:
                    person_for[(surface, any_word)] = _person_for(surface, people, any_word=any_word)
                target = person_for[(surface, any_word)]
                if (
                    target is not None
                    and mention.label != "PERSON"
                    and mention.kind != PERSON
                    and canonical.context_kind(self.text, mention.start, mention.end)[0] == PLACE
                ):
                    target = None  # "Jackson, Mississippi" is the city, not Deborah Jackson
                if (
                    target is not None
                    and surface in towns
                    and not patterns.person_cue(self.text, mention.start, mention.end)
                    and (
                        patterns.object_of_in(self.text, mention.start)
                        or not patterns.speaker_cue(self.text, mention.start, mention.end)
                    )
                ):
                    target = None  # "the churches of Lalibela", "in Lalibela": the town, not King … Lalibela
            if (
                target is None
                and mention.label == "PERSON"  # first: without the model, no mention has a label
                and previous is not None
                and self._is_person(previous)
                and canonical.known_as(self.text, previous.end, mention.start)
            ):
                target = previous.name  # "Mohamed Hamdan Dagalo, widely known as Hemedti"
            if target is not None:
                mention.name, mention.kind, mention.candidates = target, PERSON, ()
                mention.kinds = None
                mention.dropped = False
                self._unblock(mention)
            elif mention.kind == "" and not mention.kinds and not mention.candidates:
                mention.dropped = True  # an event, law or work: it only hid what is nested in it
            previous = mention

    def _people_named_in_full(self, mentions):
        """(the article's people named in full, {other spelling: the spelling that stands}) for _people()."""
        people = {m.name for m in mentions if self._is_person(m) and len(m.name.split()) >= 2}
        if self.ner:  # only names the model found can be re-read
            people |= self._named_by_surname(mentions, people)
        if self.author:
            people.add(self.author)
        # A name that opens with a particle ("Von der Leyen", "De Klerk") is a family name, not a full name.
        people = {p for p in people if not canonical.is_noise(p, PERSON) and p.split()[0].lower() not in _PARTICLES}
        # "Ahmad Zaki" is not a second person beside "Ahmad Zaki bin Hassan": the given names stand for him.
        people -= {" ".join(given) for given in map(_given_names, people) if given}
        # "Hernández Cruz", "Abi Saab", "Abebe Tadesse": the last or first words of a longer name stand for it.
        people -= _short_names(people)
        # "Md Rafiqul Islam" after "Mohammad Rafiqul Islam": one person, spelt two ways.
        variants = _spelling_variants(people, lambda: self._first_places(mentions))
        people -= variants.keys()
        return people, variants

    def _first_places(self, mentions):
        """{name: where the article first writes it} for the people of `mentions`; the byline's author first."""
        places = {self.author: -1} if self.author else {}
        for mention in mentions:
            if mention.name and self._is_person(mention):
                places.setdefault(mention.name, mention.start)
        return places

    def _named_by_surname(self, mentions, people):
        """Names the model gave another kind whose family name stands alone as a person's: people.

        News names a person in full once, then by family name ("Priyank Kharge …
        Kharge said"); organisations and places are not referred to by their last
        word. A full name whose later word is used alone by the model as a person, or
        speaks ("… said") is a person, whatever the model made of the full name.
        """
        speakers = set()
        for mention in mentions:
            surface = self.text[mention.start : mention.end]
            if mention.origin != MODEL or not surface[:1].isupper():
                continue
            if " " not in surface and (
                mention.label == "PERSON" or patterns.speaker_cue(self.text, mention.start, mention.end)
            ):
                speakers.add(surface)
            elif mention.label == "PERSON" and surface.count(" ") == 1:
                speakers.add(surface)  # a family name of two words: "Albuquerque Lins said"

        if not speakers:
            return set()
        found = set()
        for mention in mentions:
            words = mention.name.split()
            if (
                mention.origin == MODEL
                and not mention.candidates
                and mention.kinds
                and 2 <= len(words) <= 4
                and mention.name not in people
                and canonical.kind_from_words(mention.name) is None
                and (
                    any(word in speakers for word in words[1:]) or (len(words) > 2 and " ".join(words[-2:]) in speakers)
                )
                and all(word[:1].isupper() or word in _PARTICLES for word in words)
                and not patterns.the_before(self.text, mention.start)  # "the Ila Touba motorway": no person
                and not gazetteer.is_place(mention.name)  # "Santiago de Querétaro": a city, whatever "Querétaro" did
            ):
                mention.kinds = Counter({PERSON: 1})
                found.add(mention.name)
        return found

    @staticmethod
    def _is_person(mention):
        return mention.kind == PERSON or (
            not mention.kind and bool(mention.kinds) and mention.kinds.most_common(1)[0] == (PERSON, 1)
        )

    def _unblock(self, mention):
        self.blocked = [span for span in self.blocked if span != (mention.start, mention.end)]

    def _short_forms(self, mentions):
        """A one-word name the model found that starts a longer name of the article ("Real" -> "Real Madrid")."""
        longer = defaultdict(set)
        for mention in mentions:
            if mention.name and " " not in mention.name and _ARABIC_ARTICLE.match(mention.name):
                # "Hilal" for "Al-Hilal": the article is dropped as it is from "al-Bashir"
                longer[(_ARABIC_ARTICLE.sub("", mention.name), "article")].add(mention.name)
            if mention.name and len(mention.name.split()) >= 2 and (mention.kinds or mention.kind):
                kind = mention.kind or mention.kinds.most_common(1)[0][0]
                if kind in (ORG, PLACE):
                    longer[(mention.name.split()[0], kind)].add(mention.name)
                    words = mention.name.split()
                    # "Bernabéu" for "Santiago Bernabéu", never "Aqaba" for "Gulf of Aqaba": what a name
                    # is "of" is another thing.
                    if words[0].lower() not in canonical.DIRECTIONS and words[-2] not in _CONNECTORS:
                        longer[(words[-1], kind)].add(mention.name)
                    for word in mention.name.split()[1:]:
                        if word.lower() in canonical.GENERIC_WORDS and kind == ORG:
                            longer[(word, "generic")].add(mention.name)
        towns = _towns_by_cue(self.text, mentions)
        for mention in mentions:
            if mention.origin != MODEL or not mention.kinds or " " in mention.name or mention.candidates:
                continue
            if canonical.place_noun_after(self.text, mention.end):
                continue  # "the Segura river" is not the Segura Hydrographic Confederation: the noun says a place
            kind = mention.kinds.most_common(1)[0][0]
            if _town_of_its_own(mention) or mention.name in towns:
                continue  # "Apia" beside "Apia Park": a town the model saw as one is a place of its own
            targets = longer.get((mention.name, kind)) or longer.get((mention.name, "generic"))
            if not targets:
                targets = longer.get((mention.name, "article"))  # "Nassr’s coach" is Al-Nassr's
            if not targets and canonical.is_brand_word(mention.name):  # "MyNet" opening a sentence: "myNet"
                targets = longer.get((mention.name[:1].lower() + mention.name[1:], kind))
            if not targets and kind == PERSON:  # "Raja lead Wydad": the model's person is "Raja Casablanca"
                targets = longer.get((mention.name, ORG)) if len(longer.get((mention.name, ORG), ())) == 1 else None
            if targets and len(targets) == 1:
                mention.name = next(iter(targets))

    def _shortened_names(self, mentions):
        """A body's name written again without a middle word is the same body: "the Ethiopian Orthodox
        Church" after "the Ethiopian Orthodox Tewahedo Church" (same first and last words, in order)."""
        names = {
            m.name
            for m in mentions
            if m.origin == MODEL and not m.candidates and m.name.count(" ") >= 2 and not m.dropped
        }
        names = {name for name in names if canonical.kind_from_words(name) == ORG}
        if len(names) < 2:
            return  # the usual case
        renamed = {}
        for name in names:
            words = name.split()
            targets = [
                other
                for other in names
                if len(other.split()) > len(words)
                and other.split()[0] == words[0]
                and other.split()[-1] == words[-1]
                and _in_order(words, other.split())
            ]
            if len(targets) == 1:
                renamed[name] = targets[0]
        for mention in mentions:
            if mention.name in renamed and mention.origin == MODEL:
                mention.name = renamed[mention.name]

    def _names_in_part(self, mentions):
        """A body named in full once, then by its first or last words, is one body: "the Supreme Court"
        after "the Wisconsin Supreme Court", "Lviv Polytechnic" after "Lviv Polytechnic National University"
        (the one longer organisation of the article that begins or ends with those words)."""
        names = {
            m.name for m in mentions if m.origin == MODEL and not (m.dropped or m.candidates) and _open_kind(m) == ORG
        }
        longer = [name.split() for name in names if name.count(" ") >= 2]
        if not longer:
            return  # the usual case
        renamed = {}
        for name in names:
            words = name.split()
            if len(words) < 2:
                continue
            targets = [w for w in longer if len(w) > len(words) and words in (w[: len(words)], w[-len(words) :])]
            if len(targets) == 1:
                renamed[name] = " ".join(targets[0])
        for mention in mentions:
            if mention.origin == MODEL and mention.name in renamed and _open_kind(mention) == ORG:
                mention.name = renamed[mention.name]  # "Ha Tinh" read as a place stays the province

    def _known_as(self, mentions):
        """A body's or a place's other name given right after its full name is an alias of it: "the Commission
        to Investigate Allegations of Bribery or Corruption, known as the Bribery Commission", "Lough Neagh,
        known in Irish as Loch nEathach"."""
        previous = None
        for mention in mentions:
            if mention.dropped or not mention.name:
                continue
            if (
                previous is not None
                and mention.origin == MODEL
                and not mention.candidates
                and (
                    previous.kind
                    or canonical.kind_from_words(previous.name)  # "Lough Neagh", whatever the model's label
                    or (previous.kinds and previous.kinds.most_common(1)[0][0])
                )
                in (ORG, PLACE)
                and canonical.known_as(self.text, previous.end, mention.start)
            ):
                mention.name, mention.kind, mention.kinds = previous.name, previous.kind, previous.kinds
            previous = mention

    # 4. Namesakes.

    def _resolve_ambiguous(self, mentions):
        article_words = None
        in_article = {}  # (entry, surface) -> its overlaps with the whole article: a namesake recurs
        for mention in mentions:
            if mention.dropped or mention.name or len(mention.candidates) < 2:
                continue
            if article_words is None:
                words = Counter(_WORDS.findall(fold(self.text)))
                article_words = (words, " ".join(words))
            entry = self._best_reading(mention, article_words, in_article)
            mention.name, mention.kind = entry.name, entry.kind

    def _best_reading(self, mention, article_words, in_article):
        window = Counter(_WORDS.findall(fold(self.text[max(0, mention.start - _WINDOW) : mention.end + _WINDOW])))
        window = (window, " ".join(window))
        surface = self.text[mention.start : mention.end]
        surface_words = set(_WORDS.findall(fold(surface)))
        label_kind = canonical.KIND_BY_LABEL.get(mention.label)
        determiner = self.text[max(0, mention.start - 4) : mention.start].lower() == "the "
        best, best_score = None, None
        for rank, entry in enumerate(mention.candidates):
            signature = self.vocabulary.words(entry) - surface_words
            cues = _KIND_CUES.get(entry.kind, set())
            article = in_article.get((entry, surface))
            if article is None:
                article = in_article[(entry, surface)] = (
                    _overlap(signature, *article_words),
                    _overlap(cues, *article_words),
                )
            score = 3.0 * _overlap(signature, *window) + 1.0 * article[0]
            # The article's general drift only breaks ties: local evidence decides.
            score += 1.0 * _overlap(cues, *window) + min(1.0, 0.25 * article[1])
            if label_kind == entry.kind:
                score += 1.5
            if determiner and entry.kind == PLACE:
                score += 1.0  # "the Amazon", "the Jordan": places take the article, companies rarely do
            key = (score, -rank)
            if best_score is None or key > best_score:
                best, best_score = entry, key
        return best

    # 5. Kinds and noise.

    def _vote_kinds(self, mentions):
        votes, cues = self._votes(mentions)
        decided = {}
        for name, counter in votes.items():
            # "Ravi Gardens (Pvt) Ltd": a name written with a legal form is a company's, whatever its words say.
            by_words = ORG if cues[name]["company"] else canonical.kind_from_words(name)
            if by_words is None and not counter.get(PERSON):
                by_words = self._national_body(name)
            if by_words is None and self.ner and _gazetteer_says_place(name, cues[name], counter):
                by_words = PLACE  # "Bushenyi", "in Cyberjaya": a place the gazetteer knows
            if by_words is None and self.dateline_places and gazetteer.key(name) in self.dateline_places:
                by_words = PLACE  # "WINNIPEG — … Winnipeg’s weather": the dateline's city
            if by_words is not None:
                counter[by_words] += 3
            if not counter:
                continue
            kind = max(counter, key=lambda k: (counter[k], k == ORG, k == PLACE))
            kind = _kind_by_cues(kind, cues[name], by_words)
            if kind == PLACE and by_words is None and _speaking_full_name(name, cues[name]):
                kind = PERSON  # "said Nomvula Sithole, who runs a stall": places do not speak, people do
            if " " not in name and canonical.is_brand_word(name):
                kind = ORG  # "eKobo", "OPay": written as brands are, never as people's names
            if kind == PERSON and _family_name_only(name) and not cues[name][PERSON]:
                # News names a person in full, or describes one known by one name ("the singer Tems",
                # "Thiaguinho, 24,"): a lone word ("Drumcondra") or a name opening with a particle ("Al
                # Ain") that nothing describes, and no one's family name here, is a place, a body or a word.
                counter.pop(PERSON)
                if cues[name][PLACE] and not cues[name][ORG]:
                    counter[PLACE] += 3  # "in Mona", "the Constant Spring, Mona and Half Way Tree divisions"
                if not counter:
                    continue
                kind = max(counter, key=lambda k: (counter[k], k == ORG, k == PLACE))
            if canonical.is_noise(name, kind) or canonical.is_event_like(name) or self._people_of_a_place(name):
                continue
            if kind == PERSON and len(name.split()) > 5:
                continue
            decided[name] = kind
        for mention in mentions:
            if mention.dropped or mention.kind or not mention.name:
                continue
            kind = decided.get(mention.name)
            if kind is None:
                mention.dropped = True
            else:
                mention.kind = kind

    def _votes(self, mentions):
        """Kind votes (labels, surroundings) and cues for each name whose kind is still open."""
        votes = defaultdict(Counter)
        cues = defaultdict(Counter)  # name -> how often the words around it said person, place…
        voted = {m.name for m in mentions if not (m.dropped or m.kind) and m.name}
        settled = {name for name in voted if canonical.kind_from_words(name) is not None}
        for mention in mentions:
            if mention.dropped or mention.name not in voted or mention.kind not in ("", PERSON):
                continue
            if canonical.company_suffix_after(self.text, mention.end):
                cues[mention.name]["company"] += 1
            if mention.name not in settled:  # "… River", "eBay": its own words settle it, not its cues
                # Family names already tied to the name count too: "Zourabichvili told the crowd".
                cue = patterns.cue(self.text, mention.start, mention.end)
                if cue:
                    cues[mention.name][cue] += 1
                if cue == "speaker" and patterns.who_after(self.text, mention.end):
                    cues[mention.name]["who"] += 1
            if mention.kind:
                votes[mention.name][PERSON] += 1  # its family name stood for it: "Alemu, who had never run"
                continue
            kinds = mention.kinds
            if kinds and kinds.get(PERSON) and patterns.the_before(self.text, mention.start):
                # "the Chao Phraya": news writes no "the" before a person. A name of several words is a place
                # (a river, a region); one word ("the Althingi", "the Marakana") is left to other evidence.
                kinds = Counter({PLACE: kinds[PERSON]}) if " " in mention.name else Counter()
            votes[mention.name].update(kinds)
            context, weight = canonical.context_kind(self.text, mention.start, mention.end)
            if context is not None and (
                weight == canonical.STRONG or not (mention.kinds and mention.kinds.get(PERSON))
            ):
                votes[mention.name][context] += weight
        for name, kind in (self._list_kinds(mentions) if votes else {}).items():
            if name in votes:
                votes[name][kind] += 2
        return votes, cues

    def _list_kinds(self, mentions):
        """{name: kind} for names whose list says what they are: news lists things of one kind ("the
        Strikers, the Tigers, Durbar Rajshahi and the Express"; "in Korhogo, Bondoukou and Séguéla"), so in
        a list of three or more where one kind holds a majority (two or more), a name only the model
        found, with no head noun of its own ("… Institute of …"), takes it."""
        found = {}
        named = [m for m in mentions if not m.dropped and m.name]
        if all(m.kind for m in named):
            return found  # every name already has its kind (most articles without the model)
        for members in self._lists(named):
            kinds = [m.kind or canonical.kind_from_words(m.name) or _label_kind(m) for m in members]
            counts = Counter(k for k in kinds if k)
            (kind, count), *rest = counts.most_common() or [(None, 0)]
            if count < 2 or (rest and rest[0][1] == count):
                continue
            for mention, own in zip(members, kinds, strict=True):
                if own != kind and not mention.kind and patterns.ALL_HEADS.isdisjoint(mention.name.split()):
                    found[mention.name] = kind
        return found

    def _lists(self, named):
        """The lists of three or more names `named` holds: "A, B and C", "the A, the B, and the C"; one
        "and" ends a list, and ", and" closes only a list that commas began ("in Fairview Cove, and Fisheries
        … will" is two clauses)."""
        lists, current, commas, closed = [], named[:1], False, False
        for previous, mention in zip(named, named[1:], strict=False):
            gap = mention.start - previous.end <= 10 and _LIST_GAP.fullmatch(self.text, previous.end, mention.start)
            comma, conjunction = (gap.group(1), gap.group(2)) if gap else (None, None)
            if gap and (comma or conjunction) and not closed and (commas or not (comma and conjunction)):
                current.append(mention)
                commas = commas or not conjunction
                closed = bool(conjunction)
            else:
                lists.append(current)
                current, commas, closed = [mention], False, False
        lists.append(current)
        return [members for members in lists if len(members) >= 3]

    def _people_of_a_place(self, name):
        """True for the people of a place, named after it ("Aucklanders", "Icelanders", "Londoners"): a
        demonym, not an entity."""
        if " " in name or not name.endswith("ers") or len(name) < 7:
            return False
        place = name[:-3]
        return gazetteer.is_place(place) or any(e.kind == PLACE for e in self.vocabulary.lookup(place))

    def _national_body(self, name):
        """ORG for a name made of a brand or a field and a place the vocabulary knows: "Airtel Kenya",
        "Athletics Kenya", "Vale Indonesia" (a company's or a sport's national body), else None."""
        words = name.split()
        if len(words) != 2 or words[0].lower() in _NOT_A_BODY or not words[0][:1].isupper():
            return None  # "Blue Nile", "County Cork", "North Kivu" are places
        if not any(entry.kind == PLACE for entry in self.vocabulary.lookup(words[-1])):
            return None
        if self.vocabulary.lookup(words[0]):
            return None  # "Kenya Uganda", "Lagos Nigeria": two names the vocabulary knows
        return ORG

    def _spell_out_acronyms(self, mentions):
        definitions = {m.acronym: m for m in mentions if m.origin == DEFINITION}
        for mention in mentions:
            if mention.origin != ACRONYM:
                continue
            definition = definitions.get(mention.acronym)
            if definition is None:
                # The full name lost to a longer name around it: the acronym is read like any other word.
                entries = self.vocabulary.lookup(mention.acronym)
                definition = _Mention(0, 0, VOCABULARY, name=entries[0].name, kind=entries[0].kind) if entries else None
            if definition is None or definition.dropped or not definition.kind:
                mention.dropped = True
            else:
                mention.name, mention.kind = definition.name, definition.kind

    def _other_names(self, mentions):
        """A name given as another's name in another language is an alias of it: "Tāmaki Makaurau, the
        Māori name for Auckland", "Kautokeino, or Guovdageaidnu in Northern Sámi", "Aktau (Aqtau in the
        Latin-script Kazakh alphabet)". The name the article uses stands for both."""
        named = [m for m in mentions if not m.dropped and m.name and m.kind]
        for first, second in zip(named, named[1:], strict=False):
            between = self.text[first.end : second.start]
            if patterns.name_for(between):
                first.name, first.kind = second.name, second.kind
            elif (
                second.origin == MODEL
                and patterns.or_in_a_language(self.text, first.start, first.end, second.start, second.end)
                and first.kind in (PLACE, ORG)
            ):
                second.name, second.kind = first.name, first.kind

    def _headline_names(self, mentions):
        """Names the body established, found in the headline, win over shorter vocabulary matches there.

        "Real Madrid Edge Inter Milan": once the body has named Inter Milan, the
        headline's "Milan" is part of that name, not the city.
        """
        forms = {}
        for mention in mentions:
            if mention.start >= self.body_start and not mention.dropped and mention.kind and " " in mention.name:
                forms.setdefault(mention.name, mention)
                forms.setdefault(canonical.collapse(self.text[mention.start : mention.end]), mention)
        if not forms:
            return mentions
        headline = self.text[: max(0, self.body_start - 2)]
        forms = {form: mention for form, mention in forms.items() if form in headline}
        if not forms:
            return mentions
        pattern = _alternation(forms)
        added = []
        for match in pattern.finditer(headline):
            inside = [m for m in mentions if m.start < match.end() and match.start() < m.end]
            if any(m.length >= match.end() - match.start() for m in inside):
                continue
            for other in inside:
                other.dropped = True
            source = forms[match.group()]
            added.append(_Mention(match.start(), match.end(), source.origin, name=source.name, kind=source.kind))
        return sorted(mentions + added, key=lambda m: m.start)

    # 6-7. Counting.

    def _count(self, mentions):
        counts = Counter()
        sources = {}
        in_text = set()  # names found in headline, dek or body (the others: only in the byline and bio)
        for mention in mentions:
            key = (mention.name, mention.kind)
            counts[key] += 1
            if mention.start < self.bio_start:
                in_text.add(key)
            if mention.origin != MODEL or sources.get(key) == VOCABULARY:
                sources[key] = VOCABULARY
            else:
                sources[key] = MODEL
        author = None
        if self.author:
            entries = self.vocabulary.lookup(self.author)
            person = next((e for e in entries if e.kind == PERSON), VocabularyEntry(self.author, PERSON))
            author = _Mention(0, 0, VOCABULARY, name=person.name, kind=PERSON)
            counts[(person.name, PERSON)] += 1  # the byline
            sources[(person.name, PERSON)] = VOCABULARY
        self._count_other_forms(mentions, counts, author, in_text)
        _brand_spellings(counts, sources, in_text)
        curated = {m.name for m in mentions if m.origin == VOCABULARY}  # names the vocabulary matched
        found = [
            FoundEntity(name, kind, count, sources[(name, kind)], byline_only=(name, kind) not in in_text)
            for (name, kind), count in counts.items()
            if not junk.is_junk(name, kind)
            and not self.vocabulary.is_rejected(name)  # editors deleted it as no entity
            # A name the vocabulary holds is curated, not second-guessed: the path without the model
            # (ingest --no-ner, relinking), where nearly every name is one, keeps its speed.
            and (kind == PERSON or name in curated or not patterns.not_a_name_in(self.text, name, self.body_start))
        ]
        found.sort(key=lambda e: (-e.count, e.name, e.kind))
        return found

    def _stands_as_no_name(self, name, kind):
        return kind != PERSON and patterns.not_a_name_in(self.text, name, self.body_start) is not None

    def _count_other_forms(self, mentions, counts, author, in_text):
        """Occurrences no mention covers of a form the article gave an entity: surnames, short forms, the author.

        Adds to `in_text` the entities one of them names before the bio."""
        owners = defaultdict(set)
        # Forms the vocabulary automaton already looked for everywhere need no second look.
        fresh = set()
        seen = set()  # a name recurs many times in an article, mostly in the same words
        for mention in [*mentions, *([author] if author else [])]:
            key = (mention.name, mention.kind)
            surface = self.text[mention.start : mention.end] if mention.end > mention.start else mention.name
            is_fresh = mention.origin != VOCABULARY or mention is author
            if (surface, key, is_fresh) in seen:
                continue  # everything below depends on these alone
            seen.add((surface, key, is_fresh))
            owners[surface].add(key)
            owners[mention.name].add(key)
            if is_fresh:
                fresh.update((surface, mention.name))
            if mention.kind == PERSON:
                for surname in _surnames(mention.name):
                    owners[surname].add(key)
                    fresh.add(surname)
        forms = {
            form: keys.pop()
            for form, keys in owners.items()
            if len(keys) == 1
            and form in fresh
            and len(form) > 1
            and form.lower() not in canonical.GENERIC_WORDS
            and form.lower() not in canonical.TITLES
        }
        if not forms:
            return
        covered = bytearray(len(self.text))
        for start, end in [(m.start, m.end) for m in mentions] + self.blocked:
            covered[start:end] = b"\x01" * (end - start)
        # Every occurrence of every form (a few dozen forms: a search each beats building an
        # automaton per article); whole words only, the longest where they overlap.
        text = self.text
        hits = []
        for form in forms:
            start = text.find(form)
            while start != -1:
                end = start + len(form)
                if (
                    not _word_char_at(text, start - 1)
                    and not _word_char_at(text, end)
                    and (start == 0 or text[start - 1] not in "’'")
                ):
                    hits.append((start, -len(form), form))
                start = text.find(form, start + 1)
        hits.sort()
        for start, minus_length, form in hits:
            end = start - minus_length
            if covered.find(1, start, end) == -1:
                counts[forms[form]] += 1
                covered[start:end] = b"\x01" * (end - start)
                if start < self.bio_start:
                    in_text.add(forms[form])


def _place_parts(text, start, end, label):
    """A place span with a comma inside is two names: "Jackson, Mississippi", "Eskom, South Africa"."""
    if label not in ("GPE", "LOC") or ", " not in text[start:end]:
        return [(start, end)]
    parts, position = [], start
    for part in text[start:end].split(", "):
        if part:
            parts.append((position, position + len(part)))
        position += len(part) + 2
    return parts


_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC", "NORP"})
# "-Württemberg", "-Alpes-Côte d’Azur", "-on-Wye": capitalised words a hyphen joins on, with the small
# words of compound place names between them ("Hay-on-Wye", "Châlons-en-Champagne", "Stratford-upon-Avon").
_HYPHENATED_AFTER = re.compile(
    r"(?:-(?:(?:on|upon|sur|en|le|la|les|de|du|des|am|an|im|in|under|by)-)?[A-Z][\w’']*)+(?: d[’'][A-Z][\w’']*)?"
)
_HYPHENATED_BEFORE = re.compile(r"(?<![\w’'-])[A-Z][\w’']*-$")


def _hyphenated_place(text, start, end):
    """(start, end) of a place span widened to the compound its hyphens join: the model splits words at
    hyphens ("Baden" of "Baden-Württemberg", "Neretva County" of "Dubrovnik-Neretva County", "Provence" of
    "Provence-Alpes-Côte d’Azur"). Two places the gazetteer knows joined by a hyphen are a route, not one
    name ("the Stuttgart-Ulm line"), unless the gazetteer knows the compound too."""
    after = _HYPHENATED_AFTER.match(text, end)
    before = _HYPHENATED_BEFORE.search(text, max(0, start - 40), start) if text[start - 1 : start] == "-" else None
    if after is None and before is None:
        return start, end
    new_start = before.start() if before else start
    new_end = after.end() if after else end
    if gazetteer.is_place(text[new_start:new_end]):
        return new_start, new_end
    first = text[new_start : start - 1] if before else text[start:end]
    rest = text[end + 1 : new_end] if after else text[start:end]
    if gazetteer.is_place(first) and gazetteer.is_place(rest):
        return start, end  # a route between two places
    return new_start, new_end


# Romance place names go on after a particle: "San Pedro del Pinatar", "Santo Antônio Além do Carmo",
# "Campo de Cartagena"; the model often stops before it.
_PARTICLE_TAIL = re.compile(r" (?:del|de la|de las|de los|de|do|da|dos|das|di|della|du|des) [A-Z][\w’'-]*(?![\w’'-])")


def _particle_tail(text, end):
    """The end of a place span that a particle and a capitalised word continue ("San Pedro| del Pinatar"),
    else `end` (also when the word is a possessor: "… de Ana’s" names someone else's thing)."""
    match = _PARTICLE_TAIL.match(text, end)
    if match is None or text[match.end() : match.end() + 2] in ("’s", "'s"):
        return end
    return match.end()


def _town_of_its_own(mention):
    """True for a one-word name the model labels a town and the gazetteer knows: no short form of a longer
    name ("Apia" is not "Apia Park")."""
    return mention.label == "GPE" and gazetteer.is_place(mention.name)


# The model's labels for what is no name of a person, place or organisation (a date, a product, a people).
_NO_NAME_LABELS = frozenset(
    {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "PRODUCT", "EVENT", "WORK_OF_ART", "NORP"}
)
_CALENDAR = canonical.wordset(
    """january february march april may june july august september october november december monday tuesday
    wednesday thursday friday saturday sunday christmas easter"""
)
_ALL_CAPITALISED = re.compile(r"[^\W\d_][^\s\d]*(?: [^\W\d_][^\s\d]*)*")


def _placed_town(text, start, end):
    """True for a span the model gave a label for no name ("Thurso" a date, "Turbo" a product, "Gurjaani" a
    people) that is a town the gazetteer knows, written after a place cue ("in Thurso", "near Turbo"), made
    of capitalised words, and no month, weekday, demonym or language ("in March", "in Malay")."""
    surface = text[start:end]
    if not (_ALL_CAPITALISED.fullmatch(surface) and all(word[:1].isupper() for word in surface.split())):
        return False
    if surface.lower() in _CALENDAR or canonical.is_demonym(surface) or canonical.names_a_language(surface):
        return False  # "in March", "in Malay" (written in a language, not in the Malaysian town)
    if not patterns.town_cue(text, start, end):
        return False
    return gazetteer.is_place(surface) or gazetteer.is_town(surface)


def _towns_by_cue(text, mentions):
    """The one-word names the gazetteer knows that some mention of the article places ("grew up in Nokia",
    "a field station in Nazca"): a town of its own, whatever the model's label, and no short form of a
    longer name built on it ("Nokia Arena", "Nazca Lines")."""
    return {
        mention.name
        for mention in mentions
        if mention.origin == MODEL
        and mention.name
        and " " not in mention.name
        and gazetteer.is_place(mention.name)  # a set look-up: before the pattern, which few names reach
        and patterns.town_cue(text, mention.start, mention.end)
    }


def _towns_lived_in(text, mentions):
    """The one-word names the gazetteer knows that the article writes right after "in", "near" or "outside"
    ("the diocese in Lalibela"): a town, also where a person of the article bears it as a family name ("King
    Gebre Meskel Lalibela"). People are "in" a place, not "in" a person; "from Johnson" may be a letter."""
    return {
        surface
        for mention in mentions
        if mention.origin == MODEL
        and " " not in (surface := text[mention.start : mention.end])
        and not text.startswith(_POSSESSIVES, mention.end)
        and gazetteer.is_place(surface)  # a set look-up: before the pattern, which few names reach
        and patterns.object_of_in(text, mention.start)
    }


def _named_feature(text, start, end):
    """True for a name between "the" and a lower-case noun that says it is a place ("the Lez river", "the
    Reventador volcano", "the Ensanche Naco district"): news names rivers, mountains and quarters so."""
    return (
        start < end
        and text[max(0, start - 4) : start] in ("the ", "The ")
        and canonical.can_start_name(text[start:end].split(" ")[0])
        and canonical.place_noun_after(text, end)
    )


def _honorific_first(surface):
    words = surface.split()
    return (
        len(words) >= 2
        and words[0].rstrip(".").lower() in canonical.HONORIFICS
        and canonical.kind_from_words(surface) is None
    )


_LETTERS_ONLY = re.compile(r"[^\W\d_]+(?:[’'-][^\W\d_]+)*")  # "Jean-Pierre", "O’Connor"; not "A$6m."
_MONTHS = canonical.wordset("January February March April May June July August September October November December")


def _may_be_name_word(word):
    """A word that may be part of a person's name: a particle, or a capitalised word that is no title,
    generic word, demonym, acronym or month."""
    lowered = word.lower()
    return lowered in canonical.PERSON_PARTICLES or (canonical.can_start_name(word) and lowered not in _MONTHS)


def _after_sentence_starters(text, start, end):
    """`start` moved past the capitalised words at the start of a run that cannot open a name ("In", "The")."""
    while start < end:
        space = text.find(" ", start, end)
        if space == -1 or text[start:space].lower() not in canonical.NOT_NAME_STARTERS:
            break
        start = space + 1
    return start


def _gazetteer_run(text, start, end):
    """The end of the longest place name the gazetteer knows that starts at `start`, is at least
    `end` long and is made of whole capitalised words ("Johor" + "Bahru"); `end` if none is."""
    words = list(re.finditer(r"[^\W\d_][\w’'-]*", text[start : start + 60]))
    best = end
    for count in range(len(words[:3]), 0, -1):
        stop = start + words[count - 1].end()
        if stop < end:
            break
        piece = text[start:stop]
        if (
            any(not w.group()[:1].isupper() for w in words[:count])
            or " ".join(w.group() for w in words[:count]) != piece
        ):
            continue
        if stop > best and gazetteer.is_place(piece):
            return stop
        if stop == best:
            break
    return best


def _brand_spellings(counts, sources, in_text):
    """ "EBay" opening a sentence is the "eBay" the article writes elsewhere: one name, as the brand spells it.

    `counts` and `sources` are keyed by (name, kind); the capitalised spelling's count joins the brand's,
    and where it stands (`in_text`: the keys named before the bio) too.
    """
    brands = {name: kind for name, kind in counts if name[:1].islower() and " " not in name}
    if not brands:
        return  # the usual case
    for name, kind in list(counts):
        brand = name[:1].lower() + name[1:]
        if name[:1].isupper() and brand in brands and (name, kind) in counts:
            key = (brand, brands[brand])
            counts[key] += counts.pop((name, kind))
            source = sources.pop((name, kind))
            sources[key] = VOCABULARY if VOCABULARY in (source, sources[key]) else source
            if (name, kind) in in_text:
                in_text.add(key)


# Between the names of one list: "A, B and C", "A, the B, and the C".
_LIST_GAP = re.compile(r"(,)?(?: (and|or|&))? (?:the )?")


def _open_kind(mention):
    """The kind a mention has or leads with so far (its vocabulary kind, else its first vote), or None."""
    return mention.kind or (mention.kinds.most_common(1)[0][0] if mention.kinds else None)


def _label_kind(mention):
    return mention.kinds.most_common(1)[0][0] if mention.kinds else None


def _kind_by_cues(kind, cues, by_words):
    """The kind the words around a name's mentions settle, over the model's labels.

    Described as a person ("…, who", "…, 34, a farmer") and never as an organisation:
    a person. Introduced as an organisation ("the newspaper …", "rivals including …")
    and never described as a person: an organisation. Only ever found after "in",
    "near" or "districts such as", never speaking or described: a place.
    """
    if by_words is not None:
        return kind  # "… River", "… Bank": the name's own words said it
    if cues[PERSON] and not (cues[ORG] or cues["thing"]):
        return PERSON
    if kind == PERSON and cues["thing"] and not cues[PERSON]:
        return ORG  # "Starwave, which is based in Seongsu-dong": not a person; a place would have had a cue
    if cues[ORG] and not cues[PERSON]:
        return ORG
    if kind == PERSON and cues[PLACE] and not (cues[PERSON] or cues["speaker"]):
        return PLACE
    return kind


def _family_name_only(name):
    """True for a name of one word, or opening with a name particle ("Al Ain", "De Kuip"): at most a
    family name, never a person's name in full."""
    return " " not in name or name.split()[0].lower() in _PARTICLES


def _speaking_full_name(name, cues):
    """True for a name of two to four words that could each be a person's, that "who" follows (not
    "which": "…, who runs a stall") where nothing around it says place, and that the gazetteer does not
    know. Buildings speak for institutions ("Aso Rock said"); places and buildings take no "who"."""
    words = name.split()
    return (
        cues["who"] > 0
        and not cues[PLACE]
        and 2 <= len(words) <= 4
        and all(_may_be_name_word(word) for word in words)
        and not gazetteer.is_place(name)
    )


def _gazetteer_says_place(name, cues, votes):
    """True for a name the gazetteer knows as a place, that nothing around it describes as a person or
    organisation or makes speak, and that either follows a place cue ("in Cyberjaya") or the model took
    for a person only ("Bushenyi"). A name the model calls an organisation with no place cue stays one:
    companies and clubs are named after towns ("Nokia", "Mercedes")."""
    if cues[PERSON] or cues[ORG] or cues["speaker"]:
        return False
    if not (cues[PLACE] or (votes.get(PERSON) and not votes.get(ORG))):
        return False
    if gazetteer.is_place(name):
        return True
    # A town too small for the city list ("in Grindavík", "Rosendal" the model took for a person); a word of
    # three letters is more often an abbreviation or a word that opens a sentence ("Que.", "Ash fell").
    return (cues[PLACE] or len(name) > 3) and gazetteer.is_town(name)


def _word_char_at(text, position):
    return 0 <= position < len(text) and (text[position].isalnum() or text[position] == "_")


def _alternation(forms):
    """A regex for any of `forms` as whole words, the longest first."""
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(rf"(?<![\w’'])(?:{alternatives})(?!\w)")


_PARTICLES = canonical.PERSON_PARTICLES
_POSSESSIVES = ("’s", "'s")
# Demonyms of a whole country's party, not a region's branch: "British Labour" is Labour.
_NATIONS = {"British", "American", "English"}
# Words that open the names of landmarks and organisations, as other languages write them.
_HEADS_FIRST = patterns.PLACE_HEADS_FIRST | canonical.ORG_HEADS_FIRST
_CONNECTORS = {"of", "de", "del", "da", "do", "di", "du", "des", "for", "on", "and", "&"}
# First words of place names made of a word and a place ("Blue Nile", "County Cork", "Upper Egypt").
_NOT_A_BODY = (
    canonical.DIRECTIONS
    | canonical.PLACE_FIRST_WORDS
    | canonical.PLACE_LAST_WORDS
    | canonical.GENERIC_WORDS
    | canonical.wordset("Blue White Red Black Green Yellow Golden Grand Rural Urban Coastal Metro Metropolitan")
)
_ARABIC_ARTICLE = re.compile(r"^(?:al|el|ad|ag|an|ar|as|ash|at|az|ul)[-‐]", re.IGNORECASE)


def _name_words(name):
    """A person's name as words, an Arabic article dropped ("Omar al-Bashir" -> Omar, Bashir), particles
    in lower case: a sentence may begin with them ("Van der Merwe made 41" is Jacques van der Merwe)."""
    return list(_name_word_tuple(name))


@functools.lru_cache(maxsize=8192)  # asked of every person of an article for every name read as a surname
def _name_word_tuple(name):
    return tuple(
        word.lower() if word.lower() in canonical.PERSON_PARTICLES else _ARABIC_ARTICLE.sub("", word)
        for word in name.split()
    )


# The words after a team's name that `patterns.team_cue` reads as its staff ("the Ajax coach").
_STAFF = tuple(
    f" {word}"
    for word in """
    coach manager head fans supporters squad captain goalkeeper striker midfielder defender winger academy
    """.split()  # noqa: SIM905
)
_PATRONYMIC = {"bin", "binti", "bint", "bt", "bte", "ibni", "arap"}
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=8192)  # asked of every person of an article, for every name read as a surname
def _given_names(name):
    """The words before a patronymic ("Ahmad Zaki" of "Ahmad Zaki bin Hassan"), which stand for the
    person in Malay usage; [] for other names."""
    words = name.split()
    for index, word in enumerate(words[1:], 1):
        if word.lower() in _PATRONYMIC:
            return _name_words(" ".join(words[:index]))
    return []


def _surnames(name):
    """Words that stand alone for a person: the last ("al-Bashir"), and it without an Arabic article ("Bashir")."""
    words = [w for w in name.split() if w.lower() not in canonical.PERSON_PARTICLES]
    if len(words) < 2:
        return set()
    return {words[-1], _name_words(words[-1])[0]}


def _short_names(people):
    """The names of `people` made of the last or the first two or more words of another's: a family name
    of two words ("Hernández Cruz" of María José Hernández Cruz, "Abi Saab"), or a given name and a
    father's ("Abebe Tadesse" of Abebe Tadesse Gebremariam)."""
    words = {name: _name_words(name) for name in people}
    short = set()
    for name, mine in words.items():
        count = len(mine)
        if count < 2:
            continue
        if any(len(theirs) > count and mine in (theirs[-count:], theirs[:count]) for theirs in words.values()):
            short.add(name)
    return short


def _spelling_variants(people, first_places):  # first_places: called for {name: where first written}
    """{name: the name it spells another way} for people named twice in one article in two spellings.

    Transliterations differ in their vowels ("Mohamed", "Muhammad"; "Chaudhry", "Chaudhary") and
    abbreviations drop them ("Md"): two names with as many words, each word with the same consonants
    and the same first and last letter, are one person. Hyphenated syllables ("Ji-hoon", "Ji-hyun")
    are told apart by their vowels, and are left alone. The name the article writes first stands,
    unless it is abbreviated.
    """
    groups = defaultdict(list)
    for name in people:
        key = _skeleton(name)
        if key is not None:
            groups[key].append(name)
    variants = {}
    places = None  # read only when two names spell one person (rare)
    for names in groups.values():
        if len(names) < 2:
            continue
        places = first_places() if places is None else places
        names.sort(key=lambda n: (any(not _VOWELS.intersection(w.lower()) for w in n.split()), places.get(n, 0)))
        variants.update((name, names[0]) for name in names[1:])
    return variants


_VOWELS = frozenset("aeiouy")
_SILENT = frozenset("aeiouyhw")


@functools.lru_cache(maxsize=8192)
def _skeleton(name):
    """A person's name as its words' first letters, consonants and last letters, or None for a name
    of one word or with hyphenated syllables."""
    words = name.split()
    if len(words) < 2 or any("-" in word or "‐" in word for word in words):
        return None
    key = []
    for word in words:
        letters = [c for c in unicodedata.normalize("NFKD", word.lower()) if c.isalpha()]
        if not letters:
            return None
        consonants = [c for c in letters if c not in _SILENT]
        collapsed = [c for i, c in enumerate(consonants) if i == 0 or c != consonants[i - 1]]
        key.append((letters[0], "".join(collapsed), letters[-1]))
    return tuple(key)


def _person_for(surface, people, *, any_word):
    """The one person of `people` whose name ends with `surface` (or, if `any_word`, contains it as a word)."""
    words = _name_words(surface)
    if not words or len(words) > 4 or any(not w[:1].isupper() for w in words if w not in canonical.PERSON_PARTICLES):
        return None
    if all(word in canonical.PERSON_PARTICLES for word in words):
        return None
    matches = [
        p
        for p in people
        if p != surface
        and (
            _name_words(p)[-len(words) :] == words
            or _given_names(p) == words
            or (len(words) >= 2 and _name_words(p)[: len(words)] == words)
        )
    ]
    if len(matches) == 1:
        return matches[0]
    if not matches and len(words) == 1 and not canonical.is_demonym(words[0]):
        # A family name written first ("Lee" for Lee Jae-myung, "Nakagawa" for Nakagawa Rieko), or, for a
        # name the model calls a person, any of its words.
        matches = [p for p in people if p.split()[0] == words[0] and len(p.split()) >= 2]
        if any_word and not matches:
            matches = [p for p in people if words[0] in p.split()[:-1]]
        if len(matches) == 1:
            return matches[0]
    return None


def _in_order(words, longer):
    """True when `words` are some of `longer`'s words, in the same order."""
    rest = iter(longer)
    return all(word in rest for word in words)


def _overlap(words, counter, blob):
    """How many of `words` occur in `counter`, a long word also matching inside a longer one ("deforestation").

    `blob` is the counter's words joined by spaces, for the substring test.
    """
    return sum(1 for word in words if word in counter or (len(word) >= 5 and word in blob))

#!/usr/bin/env python3
"""Write a deterministic synthetic news corpus in the seed format.

    python scripts/generate_corpus.py --articles 100000 --output var/corpus --seed 1

The same --articles/--seed always writes byte-identical files, so benchmarks on
different machines or days load the same archive. Files are written one at a
time (memory stays flat) into numbered sub-folders of 1,000 files each, and the
entity list the corpus draws on is written beside them as `entities.json`
(objects with `name`, `kind` and `aliases`) to be loaded as vocabulary first:

    python manage.py load_entities var/corpus/entities.json
    python manage.py ingest_seeds var/corpus --workers 2

What the corpus is like, so that search and entity pages meet realistic data:
- bodies of 300–1,500 words (most between 500 and 1,000; the last paragraph may run
  a little over), in paragraphs;
- ~200 authors with bios, some carrying an @handle;
- a few thousand recurring people, places and organisations (the starter
  vocabulary's real ones first, then generated ones), drawn with a Zipf-like
  skew so the most common appear in a large share of articles, as `United
  States` does in real news; acronym aliases (`EU`, `NGB`) and accented names
  (`São Paulo`, `Kraków`) occur in the text;
- one or two topics per article shaping its vocabulary, plus a Zipf-distributed
  general vocabulary and a long tail of rare words, so common words match tens
  of percent of the archive and rare words a handful of articles;
- `Published:` dates spread over 20 years (more articles in later years), and a
  `Tags:` line on about 40% of the files (the rest get derived tags on ingest).
"""

import argparse
import bisect
import datetime
import itertools
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STARTER_VOCABULARY = ROOT / "articles" / "entities" / "starter_vocabulary.json"
FILES_PER_FOLDER = 1000
FIRST_YEAR, YEARS = 2005, 20

FIRST_NAMES = """
Anna Maria Elena Sofia Laura Julia Clara Ingrid Astrid Greta Lena Nina Olga Irina Natalia Ewa Agnieszka Katarzyna
Marta Lucia Carmen Isabel Ana Beatriz Camila Valentina Fatima Aisha Amina Leila Yasmin Priya Ananya Mei Yuki Hana
Min-jun Ji-woo Grace Emily Sarah Rachel Hannah Claire Chloe Amelie Marie Zoe Ines Joana Helena Eva Ruth Miriam
John James Robert Michael David Thomas Daniel Peter Paul Mark Andrew Martin Stefan Lukas Jan Piotr Tomasz Andrzej
Mikhail Sergei Dmitri Alexei Ivan Oleksandr Taras Viktor Jose Juan Carlos Luis Miguel Pedro Joao Rafael Diego
Mateo Ahmed Omar Karim Youssef Hassan Ali Raj Arjun Vikram Wei Chen Hiroshi Kenji Takeshi Kwame Kofi Chidi Emeka
Lars Erik Nils Sven Bjorn Olaf Henrik Jens Pierre Jean Louis Antoine Francois Giovanni Marco Luca Matteo Hugo
Oscar Felix Leon Noah Elias Samuel Benjamin Nathan Patrick Sean Conor Liam Declan Aidan Kieran Rhys Owen Gareth
José Łukasz Zoë Renée André Søren Jürgen Björn Ángel Iñaki Dóra Małgorzata Tomáš Jiří Çelik
""".split()  # noqa: SIM905 - word lists read better as text

LAST_NAMES = """
Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White
Harris Clark Lewis Robinson Walker Young Allen King Wright Scott Green Baker Adams Nelson Hill Campbell Mitchell
Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy Cook Rogers Morgan
Peterson Cooper Reed Bailey Bell Gomez Kelly Howard Ward Cox Diaz Richardson Wood Watson Brooks Bennett Gray
Kowalski Nowak Wisniewski Wojcik Kaminski Lewandowski Zielinski Szymanski Novak Horvat Kovac Petrov Ivanov
Smirnov Popov Volkov Sokolov Kuznetsov Shevchenko Bondarenko Kovalenko Melnyk Tkachenko Muller Schmidt Schneider
Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Neumann Schwarz Zimmermann Braun
Dubois Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia Fernandez Lopez Martinez Sanchez Perez Gonzalez
Rodriguez Silva Santos Oliveira Souza Pereira Costa Ferreira Almeida Carvalho Rossi Russo Ferrari Esposito
Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Andersson Johansson Karlsson Nilsson Eriksson
Larsson Olsen Hansen Jensen Nielsen Pedersen Solberg Haugen Berg Lindqvist Nakamura Tanaka Suzuki Takahashi
Watanabe Yamamoto Kim Lee Park Choi Jung Kang Cho Wang Li Zhang Liu Yang Huang Zhao Wu Zhou Sun Singh Kumar
Sharma Patel Gupta Khan Rahman Hussain Ahmed Okafor Mensah Adeyemi Okonkwo Mwangi Otieno Kamau Haddad Nasser
Mansour Khalil Yilmaz Kaya Demir Sahin Özdemir Müller Nuñez Peña Sørensen Łukasiewicz Dvořák Śliwa Ó'Brien
""".split()  # noqa: SIM905 - word lists read better as text

REAL_PLACES = """
São Paulo|Rio de Janeiro|Bogotá|Medellín|Lima|Santiago|Buenos Aires|Montevideo|Quito|La Paz|Mexico City|Monterrey|
Zürich|Geneva|Kraków|Łódź|Gdańsk|Wrocław|Poznań|Warsaw|Prague|Brno|Bratislava|Budapest|Vienna|Munich|Düsseldorf|
Cologne|Hamburg|Berlin|Frankfurt|Malmö|Göteborg|Stockholm|Oslo|Bergen|Copenhagen|Aarhus|Helsinki|Tallinn|Riga|
Vilnius|Minsk|Kyiv|Kharkiv|Odesa|Lviv|Moscow|St. Petersburg|Tbilisi|Yerevan|Baku|Istanbul|Ankara|İzmir|Athens|
Thessaloniki|Sofia|Bucharest|Belgrade|Zagreb|Ljubljana|Sarajevo|Skopje|Tirana|Rome|Milan|Naples|Turin|Madrid|
Barcelona|Valencia|Seville|Málaga|Lisbon|Porto|Paris|Lyon|Marseille|Nantes|Brussels|Antwerp|Amsterdam|Rotterdam|
Dublin|Cork|London|Manchester|Birmingham|Glasgow|Edinburgh|Cardiff|Belfast|Reykjavík|New York|Washington|Chicago|
Los Angeles|San Francisco|Houston|Miami|Boston|Toronto|Montreal|Vancouver|Ottawa|Cairo|Alexandria|Lagos|Abuja|
Nairobi|Mombasa|Addis Ababa|Accra|Dakar|Johannesburg|Cape Town|Durban|Casablanca|Tunis|Algiers|Beirut|Damascus|
Amman|Baghdad|Tehran|Riyadh|Jeddah|Dubai|Abu Dhabi|Doha|Karachi|Lahore|Delhi|Mumbai|Bengaluru|Chennai|Kolkata|
Dhaka|Colombo|Kathmandu|Bangkok|Hanoi|Ho Chi Minh City|Jakarta|Manila|Kuala Lumpur|Singapore|Beijing|Shanghai|
Shenzhen|Hong Kong|Taipei|Seoul|Busan|Tokyo|Osaka|Sydney|Melbourne|Auckland|Wellington|Baltic Sea|North Sea|
Mediterranean|Black Sea|Danube|Rhine|Amazon|Andes|Alps|Atacama Desert|Sahel|Arctic|Antarctica|Greenland|Crimea|
Donbas|Bavaria|Catalonia|Silesia|Scotland|Wales|Texas|California|Florida|Ontario|Quebec|Patagonia|Siberia|Kashmir
""".replace("\n", "").split("|")

ORG_STEMS = """
Energy Water Grain Rail Port Steel Mining Shipping Housing Health Transport Aviation Fisheries Forestry Telecom
Pension Insurance Textile Copper Lithium Solar Wind Nuclear Hydrogen Chemical Pharmaceutical Railway Postal Farm
""".split()  # noqa: SIM905 - word lists read better as text
ORG_FORMS = [
    ("National {stem} Agency", True),
    ("{place} {stem} Authority", True),
    ("{stem} Workers' Union", False),
    ("Federation of {stem} Industries", True),
    ("{place} Institute of {stem} Research", True),
    ("{name} {stem} Group", False),
    ("{name} Holdings", False),
    ("{name} Bank", False),
    ("{name} Motors", False),
    ("{name} Pharma", False),
    ("{place} University", False),
    ("{place} City Council", False),
    ("{place} Chamber of Commerce", False),
    ("Ministry of {stem}", False),
    ("Party of {virtue}", True),
]
VIRTUES = "Progress Renewal Justice Freedom Unity Labour Democracy Reform Solidarity Prosperity".split()  # noqa: SIM905

SYLLABLES = "ka lo ri ven ta mor sel dan bri ost ul ne vik tar on es lin qua zor pel av mir gen hal dru cor fen".split()  # noqa: SIM905, E501

# Topic vocabularies: words a story on the topic uses, most characteristic first.
TOPICS = {
    "politics": "election parliament minister government president vote voters coalition opposition party "
    "campaign ballot reform cabinet mandate referendum senator legislation candidate poll majority scandal "
    "resignation lawmakers constitution governor mayor budget debate",
    "diplomacy": "summit talks treaty ambassador diplomat diplomatic bilateral negotiations delegation envoy "
    "agreement accord embassy visit communique alliance mediation consulate dialogue ministers",
    "conflict": "troops military army missile ceasefire drills invasion offensive shelling soldiers frontline "
    "artillery drone defence attack casualties brigade airstrike border refugees convoy",
    "sanctions": "sanctions embargo sanction restrictions export controls blacklist assets frozen penalties "
    "compliance loophole enforcement measures oligarchs potash",
    "economy": "economy inflation growth recession unemployment markets gdp prices wages consumers output "
    "forecast deficit debt investors productivity demand spending survey slowdown recovery",
    "central banks": "interest rate monetary policy rate cut rate rise central bank bond yields lending "
    "mortgage borrowing liquidity governor tightening easing currency",
    "trade": "trade tariff tariffs exports imports shipments customs quota supply chain freight cargo "
    "containers deal dispute surplus",
    "energy": "energy gas oil electricity grid pipeline power plant nuclear reactor turbines solar wind "
    "refinery barrels lithium battery coal hydrogen utilities",
    "climate": "climate emissions carbon warming renewable drought heatwave floods wildfire glacier "
    "temperatures rainfall adaptation biodiversity coastline",
    "technology": "technology software chips semiconductor data centre artificial intelligence startup "
    "platform algorithm cloud cybersecurity hackers smartphone robotics satellite",
    "health": "health hospital vaccine virus disease outbreak patients pandemic doctors nurses clinic "
    "treatment infection dengue malaria mosquito surgery",
    "science": "scientists research researchers study telescope laboratory experiment discovery species "
    "fossil genome physics astronomers journal",
    "sport": "league tournament championship coach olympic football marathon athletics cycling tennis "
    "cricket rugby stadium striker goalkeeper medal record season",
    "culture": "museum festival film music exhibition novel theatre art artists gallery biennial concert "
    "orchestra painter director premiere",
    "courts": "court judge trial verdict lawsuit prosecutors ruling appeal defendant jury testimony "
    "sentence lawyers acquittal",
    "migration": "migrants migration refugees asylum border crossings deportation visas camps smugglers",
}

GENERAL = """
said year week month day people country government officials report plan new first last people city region
million billion percent number time week state group company public local national international second next
last told statement spokesperson added according expected months years early late part support end course
since while after before during against between among under over around about across through without toward
increase decline rise fall change growth pressure concern risk decision move effort issue problem question
service system policy programme project measure figure data level rate cost price share value market sector
industry business workers families residents community leaders experts analysts critics officials authorities
agency committee council board commission office department ministry institute centre network union party
announced warned agreed rejected approved proposed argued insisted acknowledged confirmed denied described
expected estimated reported suggested promised planned urged called launched opened closed raised cut built
major small large key main former senior current recent significant important difficult strong weak higher
lower long short local regional global public private economic political social financial official annual
""".split()  # noqa: SIM905 - word lists read better as text

# Rare content words: a long tail that gives searches for specific things realistic, small hit counts.
TAIL = """
aqueduct archipelago bellwether blueprint bottleneck brinkmanship cartel catalyst conglomerate contingency
crossroads cul-de-sac dividend dossier dynasty ecosystem embezzlement epicentre flashpoint foothold gridlock
hallmark harbinger heyday impasse juggernaut landslide lynchpin manifesto maverick milestone moratorium
narrative nexus overhaul paradigm patchwork quagmire rapprochement reshuffle roadmap safeguard showdown
stalemate stopgap tailwind tightrope turnaround upheaval watershed whistleblower windfall yardstick zeitgeist
almanac barometer carousel cathedral chandelier citadel compass coral dune estuary ferry fjord glacier granary
harbour lagoon lighthouse meadow monastery observatory orchard pavilion quarry reservoir sanctuary shipyard
tram tunnel viaduct vineyard warehouse wetland
""".split()  # noqa: SIM905 - word lists read better as text


def zipf_cumulative(n, exponent, offset=1.0):
    """Cumulative weights of a Zipf-like distribution over ranks 0..n-1."""
    return list(itertools.accumulate(1.0 / (rank + offset) ** exponent for rank in range(n)))


def pick(rng, items, cumulative):
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def pick_distinct(rng, items, cumulative, count):
    chosen, seen = [], set()
    for _ in range(count * 20):
        if len(chosen) == count:
            break
        item = pick(rng, items, cumulative)
        if id(item) not in seen:
            seen.add(id(item))
            chosen.append(item)
    return chosen


def pseudo_word(rng, syllables=(2, 3)):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(*syllables)))


def acronym(name):
    return "".join(word[0] for word in name.replace("'", "").split() if word[0].isupper())


def build_entities(rng, count):
    """The corpus's entities, most frequent first: [{"name", "kind", "aliases"}]."""
    starter = json.loads(STARTER_VOCABULARY.read_text(encoding="utf-8"))
    entities, taken = [], set()

    def add(name, kind, aliases=()):
        if (name.lower(), kind) in taken or len(entities) >= count:
            return
        taken.add((name.lower(), kind))
        entities.append({"name": name, "kind": kind, "aliases": list(aliases)})

    for name, kind, aliases in starter:
        add(name, kind, aliases)
    generated = []
    for place in REAL_PLACES:
        generated.append((place, "PLACE", ()))
    people_wanted = count // 2
    people = set()
    while len(people) < people_wanted:
        people.add(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
    generated.extend((person, "PERSON", ()) for person in sorted(people))
    acronyms = set()
    for _ in range(count):
        form, with_acronym = rng.choice(ORG_FORMS)
        name = form.format(
            stem=rng.choice(ORG_STEMS),
            place=rng.choice(REAL_PLACES),
            name=pseudo_word(rng).capitalize(),
            virtue=rng.choice(VIRTUES),
        )
        short = acronym(name)
        aliases = ()
        if with_acronym and len(short) >= 3 and short not in acronyms:
            acronyms.add(short)
            aliases = (short,)
        generated.append((name, "ORG", aliases))
    while len(generated) < count:
        generated.append(
            (pseudo_word(rng, (2, 3)).capitalize() + rng.choice(["", "ville", " Bay", "grad"]), "PLACE", ())
        )
    rng.shuffle(generated)
    for name, kind, aliases in generated:
        add(name, kind, aliases)
    return entities


def build_authors(rng, count):
    authors, names = [], set()
    while len(authors) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name in names:
            continue
        names.add(name)
        beat = rng.choice(sorted(TOPICS))
        city = rng.choice(REAL_PLACES[:120])
        bio = f"{name} covers {beat} for Newsroom from {city}."
        if rng.random() < 0.4:
            handle = "".join(c for c in name.lower() if c.isascii() and c.isalpha())[:12]
            bio += f" Follow them on Twitter @{handle}{rng.randint(1, 99)}."
        authors.append((name, bio, beat))
    return authors


class Corpus:
    def __init__(self, seed, entity_count=3000, author_count=200):
        rng = random.Random(f"newsroom-corpus:{seed}")  # noqa: S311 - reproducible on purpose
        self.seed = seed
        self.entities = build_entities(rng, entity_count)
        self.entity_cumulative = zipf_cumulative(len(self.entities), 1.05, offset=2.0)
        self.authors = build_authors(rng, author_count)
        self.author_cumulative = zipf_cumulative(len(self.authors), 0.6)
        self.topics = sorted(TOPICS)
        self.topic_words = {topic: TOPICS[topic].split() for topic in self.topics}
        self.topic_cumulative = {t: zipf_cumulative(len(w), 0.9) for t, w in self.topic_words.items()}
        self.general_cumulative = zipf_cumulative(len(GENERAL), 0.8)
        self.rare = TAIL + sorted({pseudo_word(rng, (3, 4)) for _ in range(30000)})
        rng.shuffle(self.rare)
        self.rare_cumulative = zipf_cumulative(len(self.rare), 1.0, offset=20.0)
        self.headlines = set()

    def article(self, index):
        """The seed text of article `index` (deterministic for this corpus's seed)."""
        rng = random.Random(f"newsroom-article:{self.seed}:{index}")  # noqa: S311
        topics = rng.sample(self.topics, rng.choice([1, 1, 2]))
        author, bio, beat = pick(rng, self.authors, self.author_cumulative)
        if rng.random() < 0.5:
            topics[0] = beat
        entities = pick_distinct(rng, self.entities, self.entity_cumulative, rng.randint(3, 12))
        words_wanted = min(1500, max(300, int(rng.lognormvariate(6.6, 0.4))))
        writer = _Writer(self, rng, topics, entities)
        headline = writer.headline()
        while headline.lower() in self.headlines:
            headline = writer.headline()
        self.headlines.add(headline.lower())
        dek = writer.sentence(lead=True)
        paragraphs, words = [], 0
        while words < words_wanted:
            paragraph = " ".join(writer.sentence() for _ in range(rng.randint(2, 5)))
            paragraphs.append(paragraph)
            words += paragraph.count(" ") + 1
        published = datetime.date(FIRST_YEAR, 1, 1) + datetime.timedelta(days=int(365.25 * YEARS * rng.random() ** 0.7))
        lines = [headline, "", dek, "", "\n\n".join(paragraphs), "", f"Author: {author}", f"Published: {published}"]
        if rng.random() < 0.4:
            tags = [*topics, *(e["name"] for e in entities[:1] if e["kind"] == "PLACE")]
            lines.append("Tags: " + ", ".join(tags))
        lines += ["", bio, ""]
        return "\n".join(lines)


class _Writer:
    """Sentences for one article: its topics' words, its entities, general and rare words."""

    def __init__(self, corpus, rng, topics, entities):
        self.corpus, self.rng, self.topics, self.entities = corpus, rng, topics, entities
        self.named = set()

    def topic_word(self):
        topic = self.rng.choice(self.topics)
        return pick(self.rng, self.corpus.topic_words[topic], self.corpus.topic_cumulative[topic])

    def general_word(self):
        return pick(self.rng, GENERAL, self.corpus.general_cumulative)

    def rare_word(self):
        return pick(self.rng, self.corpus.rare, self.corpus.rare_cumulative)

    def entity(self):
        entity = self.entities[min(int(self.rng.expovariate(0.5)), len(self.entities) - 1)]
        name = entity["name"]
        if entity["kind"] == "PERSON" and name in self.named and self.rng.random() < 0.6:
            return name.split()[-1]
        self.named.add(name)
        if entity["aliases"] and self.rng.random() < 0.35:
            return self.rng.choice(entity["aliases"])
        return name

    def noun_phrase(self):
        r = self.rng.random()
        if r < 0.3:
            return f"the {self.topic_word()}"
        if r < 0.55:
            return f"the {self.general_word()} {self.topic_word()}"
        if r < 0.7:
            return f"a {self.rare_word()}"
        return f"the {self.topic_word()} {self.general_word()}"

    def clause(self):
        rng = self.rng
        subject = self.entity() if rng.random() < 0.45 else self.noun_phrase()
        verb = self.general_word()
        parts = [subject, verb, self.noun_phrase()]
        for _ in range(rng.randint(0, 3)):
            parts += [rng.choice(["of", "in", "for", "with", "on", "after", "over", "and"]), self.noun_phrase()]
        if rng.random() < 0.3:
            parts += ["in", self.entity()]
        return " ".join(parts)

    def sentence(self, lead=False):
        rng = self.rng
        text = self.clause()
        if not lead and rng.random() < 0.25:
            text = f"“{text[0].upper()}{text[1:]},” {self.entity()} said"
        elif rng.random() < 0.3:
            text += f", {rng.choice(['while', 'as', 'because', 'although'])} {self.clause()}"
        return text[0].upper() + text[1:] + "."

    def headline(self):
        words = [self.entity(), self.general_word(), self.topic_word(), self.rng.choice(["as", "after", "over"])]
        words += [self.topic_word(), self.general_word()]
        if self.rng.random() < 0.5:
            words += ["in", self.entity()]
        return " ".join(w if w[:1].isupper() else w.capitalize() for w in words)


def generate(articles, output, seed, *, entity_count=3000, author_count=200, progress=None):
    """Write `articles` seed files and entities.json under `output`; return the file count."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(seed, entity_count=entity_count, author_count=author_count)
    lines = ",\n".join(json.dumps(entity, ensure_ascii=False) for entity in corpus.entities)
    (output / "entities.json").write_text(f"[\n{lines}\n]\n", encoding="utf-8")
    for index in range(articles):
        folder = output / f"{index // FILES_PER_FOLDER:04d}"
        if index % FILES_PER_FOLDER == 0:
            folder.mkdir(exist_ok=True)
        (folder / f"{index:07d}.txt").write_text(corpus.article(index), encoding="utf-8")
        if progress and (index + 1) % 1000 == 0:
            progress(index + 1, articles)
    return articles


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 2)[2])
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--articles", type=int, default=10000, metavar="N", help="how many articles (default 10,000)")
    parser.add_argument("--output", required=True, metavar="DIR", help="folder to write into (created if missing)")
    parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    parser.add_argument("--entities", type=int, default=3000, metavar="N", help="distinct entities (default 3,000)")
    parser.add_argument("--authors", type=int, default=200, metavar="N", help="distinct authors (default 200)")
    parser.add_argument("--quiet", action="store_true", help="no progress on standard error")
    args = parser.parse_args(argv)
    if args.articles < 0 or args.entities < 200 or args.authors < 1:
        parser.error("--articles must be >= 0, --entities >= 200 and --authors >= 1")

    def progress(done, total):
        sys.stderr.write(f"\r{done:,}/{total:,} articles")
        sys.stderr.flush()

    count = generate(
        args.articles,
        args.output,
        args.seed,
        entity_count=args.entities,
        author_count=args.authors,
        progress=None if args.quiet else progress,
    )
    if not args.quiet:
        sys.stderr.write("\n")
    print(f"wrote {count:,} articles and entities.json to {args.output}")


if __name__ == "__main__":
    main()

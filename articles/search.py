"""Search: PostgreSQL full-text search over published articles, with facets and entity awareness.

    /search/?q=sanctions+belarus&tag=energy&year=2023&sort=newest&page=2

How a request is answered (a fixed number of queries, whatever the number of hits):
1. `read_request` validates the parameters (a SearchError, shown with status 400, for bad ones).
2. Filters named by slug (author, tag, entity) are looked up in one query, among those with
   public articles (`in_use`): any other slug is a 400 that names nothing.
3. One query parses the words (`websearch_to_tsquery`: "quoted phrases", OR, -word; English
   stemming; accents ignored) and finds the entities the whole query names (name, alias or a
   person's surname) and that public articles mention: they lead the results as cards.
4. One query probes how many hits there are; one statement then counts them, computes the
   facets and ranks the page.
5. One query fetches the page's articles with highlighted headline, dek and body snippet
   and their tags (compiled once per process, planned once per connection: MARKED_RESULTS).
6. Only when nothing matched: one query for near spellings among the names of entities and
   tags that public articles carry (nothing known only from drafts is ever named).

Designed for 100,000+ articles, where a common word matches tens of thousands, so that the
work per request stays bounded (see scripts/bench_search.py for the numbers):
- Hits are read from SearchEntry, a narrow row per article (status, date, author, a small
  ranking vector, tag and entity ids; the full vector out of line, used only through its
  GIN index), not from the articles table whose rows carry the text.
- A probe counts the hits in bucket 0, a fixed pseudo-random 1/64 of the archive with its
  own small partial index. Up to about EXACT_LIMIT hits, everything is exact: every hit is
  counted, faceted and ranked.
- With more, counts and facets come from the hits in 1/8 (or 1/64) of the archive, read
  through a partial index, scaled and marked as estimates; and ranking covers the hits
  published since the date that leaves about RANK_CANDIDATES of them (found by the probe,
  read through the words index, which holds each entry's date beside its words, so no
  document is read), followed by older hits, newest first.
- Filters without words (a tag, an entity, a year: /search/?tag=politics) are probed, counted
  and faceted the same way, through the samples' own indexes over the date; their hits are
  not ranked but listed newest first, and a page's ids are read in the date's order, as far
  as the deepest page shown at most. Words that only exclude (?q=-nuclear&tag=energy) are one
  more condition on such a listing; alone, with no filter, they search nothing.
- Ranking is `ts_rank` over the small vector (headline A, dek and tags B, author and the
  body's twelve most frequent words D), never over the whole body's vector, which would
  be unpacked for every hit. Recency breaks ties.
- Snippets run `ts_headline` over a window of the body around the first match only.

SQL on purpose, and every reader's statement over the search entries is here (the search
page's, and those of /trends/ and the API; writes.py writes them): `websearch_to_tsquery`,
ranking over the small vector, facets counted with `unnest` in the statement that ranks the
page, the bucket samples' partial indexes, the date as the words index holds it
(published_since()) and row-value keyset conditions are PostgreSQL's,
beyond what the ORM's SearchQuery says; what the ORM says as well (the filters' look-up,
the page's articles and headlines) goes through it. The visibility rule is
`models.public_sql()`, compiled from published().

Snippets are escaped before any markup is added: `ts_headline` marks matches with
private-use sentinel characters (first stripped from the article text), the whole snippet
is HTML-escaped, then the sentinels become <mark> tags.
"""

import datetime
import difflib
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.paginator import InvalidPage, Page
from django.db import connection
from django.db.models import BigIntegerField, BooleanField, F, Func, TextField, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Replace
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from .entities.vocabulary import is_acronym
from .models import SEARCH_CONFIG as CONFIG
from .models import (
    Article,
    Author,
    Entity,
    EntityStats,
    SearchEntry,
    SlugRedirect,
    Tag,
    in_use_sql,
    public_sql,
)
from .pagecache import depends_on
from .paginator import CountedPaginator
from .prepared import PreparedQuery
from .textcleanup import clean_line

MAX_QUERY_LENGTH = 200
MAX_FILTERS = 5  # per kind of filter
MAX_PAGE_DIGITS = 6  # ?page= beyond 999,999 is not a page
# Search shows the first 50 pages of results (1,000 articles), as large search engines stop
# too: a page deeper than that ranks every hit before it, each a new address the cache
# cannot help with. Readers narrow the search instead (a year, a tag, an author).
MAX_PAGES = 50
EXACT_LIMIT = 3000  # up to about this many hits, counts, facets and ranking are exact
RANK_CANDIDATES = 2000  # with more, about this many of the most recent hits are ranked
FACET_SIZE = 8  # items per facet (per kind for entities)
SUGGESTIONS = 3
SUGGESTION_SIMILARITY = 0.5  # pg_trgm word_similarity a near spelling needs
SNIPPET_WINDOW, SNIPPET_LEAD = 700, 200  # characters of the body given to ts_headline; how many before the match
SORTS = {"relevance": "best match", "newest": "newest first"}

# Markers for ts_headline: private-use characters, removed from the text before highlighting.
MARK_START, MARK_STOP = "\ue000", "\ue001"

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,100}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
WORD_RE = re.compile(r"\w+")
# A minus sign where a word may begin (not "x-ray"), before the word or "phrase" it excludes.
EXCLUSION_RE = re.compile(r'(?<!\w)-[-\s"(]*\w')


def clean_query(text):
    """What a reader typed, as searched and shown back: control and invisible characters out (a
    right-to-left override would reverse the page's title), as ingest cleans names
    (articles/textcleanup.py); one line, single spaces."""
    return clean_line(CONTROL_RE.sub(" ", text))


class SearchError(Exception):
    """A request the search cannot answer as asked; the message is shown to the reader (status 400)."""


class SearchMoved(Exception):
    """A filter names an old address of a merged or renamed author, tag or entity: `query` is the
    same search with its new one (the view answers with a permanent redirect, as the pages do)."""

    def __init__(self, query):
        super().__init__(query)
        self.query = query


@dataclass
class SearchRequest:
    q: str = ""
    sort: str = "relevance"
    authors: list = field(default_factory=list)  # slugs
    tags: list = field(default_factory=list)
    entities: list = field(default_factory=list)
    year: int | None = None

    @property
    def has_filters(self):
        return bool(self.authors or self.tags or self.entities or self.year)

    def params(self, **changes):
        """The query string for this request with `changes` (a list value replaces, None removes)."""
        values = {
            "q": self.q or None,
            "author": self.authors,
            "tag": self.tags,
            "entity": self.entities,
            "year": self.year,
            "sort": self.sort if self.sort != "relevance" else None,
        }
        values.update(changes)
        pairs = []
        for key, value in values.items():
            if isinstance(value, list | tuple):
                pairs += [(key, v) for v in value]
            elif value is not None:
                pairs.append((key, value))
        return urlencode(pairs)


def read_request(get):
    """A SearchRequest from request.GET; raises SearchError for parameters that make no sense."""
    raw = get.get("q", "")
    if "\x00" in raw:
        raise SearchError("The search contains a NUL character, which cannot be searched for.")
    q = clean_query(raw)
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchError(
            f"Searches are limited to {MAX_QUERY_LENGTH} characters; this one has {len(q):,}. "
            "Try the few words that matter most."
        )
    sort = get.get("sort") or "relevance"
    if sort not in SORTS:
        raise SearchError(f"Results can be sorted by {' or '.join(SORTS)}, not “{sort[:50]}”.")
    request = SearchRequest(q=q, sort=sort)
    for name, target in (("author", request.authors), ("tag", request.tags), ("entity", request.entities)):
        values = [v for v in get.getlist(name) if v]
        if len(values) > MAX_FILTERS:
            raise SearchError(f"At most {MAX_FILTERS} {name} filters can be combined.")
        for value in values:
            if not SLUG_RE.match(value):
                raise SearchError(f"“{value[:50]}” is not a valid {name} (filters use the names in page addresses).")
            if value not in target:
                target.append(value)
    if len(request.authors) > 1:
        raise SearchError("An article has one author: filter by one author at a time.")
    year = get.get("year")
    if year:
        # Any year a date can hold: a facet offers each year the results hold (0001 too, an old typo).
        if not year.isascii() or not year.isdigit() or len(year) > 4 or not 1 <= int(year) <= 9999:
            raise SearchError(f"“{year[:50]}” is not a year.")
        request.year = int(year)
    return request


@dataclass
class Facet:
    name: str
    title: str
    items: list  # FacetItem


@dataclass
class FacetItem:
    label: str
    count: int
    url: str
    active: bool = False
    approximate: bool = False


@dataclass
class EntityCard:
    entity: Entity
    article_count: int
    matched: str  # the form that matched


@dataclass
class SearchResults:
    request: SearchRequest
    total: int = 0
    approximate_facets: bool = False
    sample_size: int = 0
    ranked_count: int = 0  # hits ranked by relevance (all, or the most recent when there are many)
    recent_ranked: bool = False  # whether only the ranked_count most recent hits are ranked by relevance
    shown_limit: int = 0  # articles the MAX_PAGES pages hold, when there are more hits (else 0)
    articles: list = field(default_factory=list)
    page: object = None
    facets: list = field(default_factory=list)
    cards: list = field(default_factory=list)
    active_filters: list = field(default_factory=list)  # (kind label, label, removal url)
    suggestions: list = field(default_factory=list)  # (text, url)
    notice: str = ""  # why the results are not a plain text match
    searched: bool = False  # whether there was anything to search for


class Search:
    """One search over the published archive: `Search(request).run(page_number)`."""

    per_page = settings.ARTICLES_PER_PAGE

    def __init__(self, request):
        self.request = request
        self.tsquery_text = None  # the words to match, or None for "no text condition"
        self.excluded_text = None  # words that only exclude (-word), beside a filter: a condition, not ranked
        self.filter_ids = {"author": [], "tag": [], "entity": []}
        self.lexemes = []  # the words of the query as stored (stemmed, unaccented), for snippets
        self.cutoff = None  # with many hits: the date from which on hits are ranked
        self.ranked_count = 0

    # The steps, in order.

    def run(self, page_number=1):
        request = self.request
        results = SearchResults(request=request)
        if request.has_filters:
            self._resolve_filters(results)
        if request.q:
            self._analyse_query(results)
        if self.tsquery_text is None and not self.filter_ids["entity"] and not request.has_filters:
            return results  # nothing to search for: the page explains why
        results.searched = True
        # ?page=last: the deepest page shown, the last page of any search with a thousand hits or
        # more (the costly ones: one statement then); fewer hits are counted again, cheaply.
        first = MAX_PAGES if page_number == "last" else page_number
        if first < 1:
            raise Http404("No such page")
        if first > MAX_PAGES:
            if not self._hits_beyond(MAX_PAGES * self.per_page):
                raise Http404("No such page")  # fewer results than the pages shown: as any listing's page
            raise SearchError(
                f"Search shows the first {MAX_PAGES} pages of results. To see other articles, narrow the "
                "search: add a word, or choose a year, a topic or an author."
            )
        ids = self._hits_facets_and_page(results, offset=(first - 1) * self.per_page, limit=self.per_page)
        paginator = CountedPaginator([], self.per_page, count=min(results.total, MAX_PAGES * self.per_page))
        if results.total > MAX_PAGES * self.per_page:
            results.shown_limit = MAX_PAGES * self.per_page  # "Page 50 of 50" must not read as all of them
        try:
            number = paginator.validate_number(paginator.num_pages if page_number == "last" else page_number)
        except InvalidPage as exc:
            raise Http404("No such page") from exc
        if number != first:  # ?page=last of fewer pages: now that the count is known
            ids = self._hits_facets_and_page(
                SearchResults(request=request), offset=(number - 1) * self.per_page, limit=self.per_page
            )
        results.articles = self.articles(ids)
        results.page = Page(results.articles, number, paginator)
        if results.total == 0 and self.tsquery_text is not None and not results.cards:
            results.suggestions = self._suggestions()
        return results

    def _resolve_filters(self, results):
        request = self.request
        # Only authors, tags and entities with public articles (in_use()): any other slug is "no
        # such filter", whether it names nothing or a name known only from drafts. One query.
        named = [
            model.objects.in_use()
            .filter(slug__in=slugs)
            .order_by()
            .annotate(filter_kind=Value(kind, TextField()))
            .values_list("filter_kind", "id", "slug", "name")
            for kind, model, slugs in (
                ("author", Author, request.authors),
                ("tag", Tag, request.tags),
                ("entity", Entity, request.entities),
            )
        ]
        rows = named[0].union(*named[1:], all=True)
        found = {(kind, slug): (pk, name) for kind, pk, slug, name in rows}
        for kind, slugs in (("author", request.authors), ("tag", request.tags), ("entity", request.entities)):
            for slug in slugs:
                if (kind, slug) not in found:
                    _follow_old_address(request, kind, slug, slugs)
                    raise SearchError(f"There is no {kind} “{slug}”: remove that filter to search again.")
                pk, name = found[(kind, slug)]
                self.filter_ids[kind].append(pk)
                remaining = [s for s in slugs if s != slug]
                results.active_filters.append((kind.capitalize(), name, "?" + request.params(**{kind: remaining})))
        if request.year:
            results.active_filters.append(("Year", str(request.year), "?" + request.params(year=None)))

    def _analyse_query(self, results):
        """Parse the words; find entities the whole query names."""
        q = self.request.q
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH query AS (
                    SELECT websearch_to_tsquery(%s::regconfig, %s) AS words, newsroom_search_key(%s) AS key
                )
                SELECT numnode(query.words), querytree(query.words), e.id, e.public_count,
                       tsvector_to_array(to_tsvector(%s::regconfig, %s))
                  FROM query
                  LEFT JOIN LATERAL (  -- only entities public articles mention: no card names a draft's
                      SELECT e.id, st.article_count AS public_count
                        FROM {Entity._meta.db_table} e
                        JOIN {EntityStats._meta.db_table} st ON st.entity_id = e.id
                       WHERE query.key <> '' AND newsroom_search_keys(e.name, e.kind, e.aliases) @> ARRAY[query.key]
                         AND {in_use_sql(Entity, "e")}
                       ORDER BY public_count DESC, e.name
                       LIMIT 3
                  ) e ON true
                """,
                [CONFIG, q, q, CONFIG, q],
            )
            rows = cursor.fetchall()
        nodes, tree, self.lexemes = rows[0][0], rows[0][1], rows[0][4]
        counts = {row[2]: row[3] for row in rows if row[2] is not None}
        if counts:
            entities = Entity.objects.in_bulk(list(counts))
            for pk, count in sorted(counts.items(), key=lambda item: (-item[1], entities[item[0]].name)):
                matched = _matched_form(q, entities[pk])
                if matched and count > 0:  # an entity with no public article has no page to link to
                    results.cards.append(EntityCard(entities[pk], count, matched))
        if nodes and tree != "T":
            self.tsquery_text = q
        elif _only_excluded(q, nodes):
            # "-belarus" asks for the articles without Belarus: never its card or its articles.
            results.cards = []
            if nodes and self.request.has_filters:
                # Beside a filter it narrows the filter's articles, listed as a filter's are (newest first).
                self.excluded_text = q
                results.notice = (
                    "A word after a minus sign (-word) only excludes: these are the articles with these "
                    "filters without it."
                )
            else:
                results.notice = "Add a word to look for: a word after a minus sign (-word) only excludes articles."
        elif results.cards:
            # Only stop words ("WHO"), but they name an entity: show the articles that mention it.
            entity = results.cards[0].entity
            self.filter_ids["entity"].append(entity.pk)
            results.notice = f"“{q}” is too common a word to search for: these are the articles that mention {entity}."
        elif WORD_RE.search(q):
            results.notice = f"“{q}” has only very common words, which every article uses. Try something more specific."
        else:
            results.notice = "Type some words to search for: punctuation and symbols alone match nothing."

    def _where(self):
        """The SQL condition for a hit (over `articles_searchentry AS s`) and its parameters."""
        start = end = None
        if self.request.year:
            tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            start = datetime.datetime(self.request.year, 1, 1, tzinfo=tz)
            if self.request.year < 9999:  # the last year a date holds has no next one
                end = datetime.datetime(self.request.year + 1, 1, 1, tzinfo=tz)
        return entry_condition(
            q=self.tsquery_text or self.excluded_text,  # "-word" alone is `document @@ !'word'`
            author_ids=self.filter_ids["author"],
            tag_ids=self.filter_ids["tag"],
            entity_ids=self.filter_ids["entity"],
            start=start,
            end=end,
        )

    def matching(self):
        """The SQL condition for this search's hits (over `articles_searchentry AS s`) and its parameters.

        For pages that count the same hits their own way (/trends/ counts them per month). The
        words are taken as typed: the caller checks that they are more than stop words.
        """
        self.tsquery_text = self.request.q or None
        return self._where()

    def probe_words(self):
        """(numnode, querytree) of the words as typed and the number of hits in bucket 0 (1/64 of
        the archive), in one query: numnode 0 means only stop words, querytree "T" only -word."""
        where, params = self.matching()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT numnode(w), querytree(w),
                           (SELECT count(*) FROM {SearchEntry._meta.db_table} s WHERE {where} AND s.bucket = 0)
                      FROM websearch_to_tsquery(%s::regconfig, %s) AS w""",
                [*params, CONFIG, self.request.q],
            )
            return cursor.fetchone()

    def hits_by_month(self, sample):
        """{first day of a month: hits published that month}, counted among the entries `sample`
        takes (a condition from sample_for(); the caller scales the counts)."""
        where, params = self.matching()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SET LOCAL jit = off;
                    SELECT date_trunc('month', s.published_at AT TIME ZONE %s)::date, count(*)
                      FROM {SearchEntry._meta.db_table} s WHERE {where} AND {sample} GROUP BY 1""",
                [settings.TIME_ZONE, *params],
            )
            return dict(cursor.fetchall())

    def _rank(self):
        """The ranking expression and its parameters, and the ORDER BY over (rank, published_at, id)."""
        if self.tsquery_text is not None and self.request.sort == "relevance":
            # Most hits of a common word match only in the body: skip ts_rank for those.
            return (
                "CASE WHEN s.rank_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
                "THEN ts_rank(s.rank_vector, websearch_to_tsquery(%s::regconfig, %s)) ELSE 0 END",
                [CONFIG, self.tsquery_text, CONFIG, self.tsquery_text],
                "rank DESC, published_at DESC, id DESC",
            )
        return "0::real", [], "published_at DESC, id DESC"

    def _hits_beyond(self, limit):
        """Whether more than `limit` articles match (a page past the last shown: a 400 then, else a 404).

        One query reading at most limit + 1 entries."""
        where, params = self._where()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {SearchEntry._meta.db_table} s WHERE {where} LIMIT %s) hits",
                [*params, limit + 1],
            )
            return cursor.fetchone()[0] > limit

    def _hits_facets_and_page(self, results, *, offset, limit):
        """Count the hits, compute the facets and rank the page's ids, in one statement.

        Up to about EXACT_LIMIT hits, everything is exact. With more, counts and facets come
        from the hits in a fixed 1/8 or 1/64 of the archive (read through partial indexes) and
        are scaled; ranking covers the hits published since the date that leaves about
        RANK_CANDIDATES of them, and older hits follow, newest first.
        """
        scale, counted, counted_params, ranked, ranked_params = self._hits_and_ranked(offset + limit)
        order = self._rank()[2]
        with connection.cursor() as cursor:
            # For this statement only: no JIT compilation (it costs more than it saves here), room
            # to keep thousands of hits in memory, and the entity facet's thousands of counted ids
            # joined to the entities by hashing (the planner, taking unnest() for 10 rows, looked
            # each one up through the primary key).
            cursor.execute(
                _facets_sql(counted, ranked, order),
                [*counted_params, *ranked_params, limit, offset, settings.TIME_ZONE],
            )
            rows = cursor.fetchall()
        by_facet = {}
        for facet, key, count, label, slug, kind in rows:
            by_facet.setdefault(facet, []).append((key, count, label, slug, kind))
        page_ids = [key for key, _place, *_ in sorted(by_facet.get("page", []), key=lambda r: r[1])]
        ((self.ranked_count, counted, *_),) = by_facet["total"]
        results.total = counted * scale
        results.sample_size = counted
        results.approximate_facets = scale != 1
        results.ranked_count = self.ranked_count if scale != 1 else results.total
        results.recent_ranked = self.cutoff is not None and self.request.sort == "relevance"
        if self.cutoff is not None and len(page_ids) < limit:
            # Past the ranked recent hits: older ones, newest first.
            skip = max(0, offset - self.ranked_count)
            page_ids += self._older_ids(skip, limit - len(page_ids))
        results.facets += self._facets(by_facet, scale)
        return page_ids

    def _hits_and_ranked(self, through):
        """The SELECTs of the hits to count (all, or a sample) and of those to rank, with their
        parameters and the sample's scale: (scale, counted, counted_params, ranked, ranked_params).

        `through`: how many hits the page needs in order (its offset and its length). Without
        words (filters only) many hits are listed newest first, not ranked: the first `through`
        of them in the date's order, whatever their number.
        """
        where, params = self._where()
        rank, rank_params, _order = self._rank()
        table = SearchEntry._meta.db_table
        columns = "s.article_id AS id, s.author_id, s.published_at, s.tag_ids, s.entity_ids"
        self.cutoff = None
        estimate, cutoff = probe(where, params)
        if estimate <= EXACT_LIMIT:
            counted = f"SELECT {columns}, {rank} AS rank FROM {table} s WHERE {where}"
            return 1, counted, [*rank_params, *params], "SELECT id, published_at, rank FROM hits", []
        scale, bucket = sample_for(estimate)
        counted = f"SELECT {columns}, 0 AS rank FROM {table} s WHERE {where} AND {bucket}"
        if self.tsquery_text is None:
            newest = (
                f"SELECT s.article_id AS id, s.published_at, {rank} AS rank FROM {table} s WHERE {where} "
                "ORDER BY s.published_at DESC, s.article_id DESC LIMIT %s"
            )
            return scale, counted, params, newest, [*rank_params, *params, through]
        self.cutoff = cutoff
        since = f" AND {published_since('s')}" if cutoff else ""
        ranked = f"SELECT s.article_id AS id, s.published_at, {rank} AS rank FROM {table} s WHERE {where}{since}"
        return scale, counted, params, ranked, [*rank_params, *params, *([cutoff] if cutoff else [])]

    def _facets(self, by_facet, scale):
        """The facets of the results (author, tag, people, places, organisations, year) from the statement's rows."""
        request = self.request
        approximate = scale != 1

        def item(label, count, kind, value, values):
            active = value in values
            return FacetItem(
                label=label,
                count=count * scale,
                approximate=approximate,
                active=active,
                url="?" + request.params(**{kind: [v for v in values if v != value] if active else [*values, value]}),
            )

        facets = []
        for kind, title, chosen in (("author", "Author", request.authors), ("tag", "Tag", request.tags)):
            rows = sorted(by_facet.get(kind, []), key=lambda r: (-r[1], r[2]))
            if rows:
                facets.append(Facet(kind, title, [item(r[2], r[1], kind, r[3], chosen) for r in rows]))
        for kind, title in (
            (Entity.Kind.PERSON, "People"),
            (Entity.Kind.PLACE, "Places"),
            (Entity.Kind.ORG, "Organisations"),
        ):
            rows = sorted((r for r in by_facet.get("entity", []) if r[4] == kind), key=lambda r: (-r[1], r[2]))
            if rows:
                items = [item(r[2], r[1], "entity", r[3], request.entities) for r in rows]
                facets.append(Facet(kind.lower(), title, items))
        years = sorted(by_facet.get("year", []), key=lambda r: -r[0])
        if years:
            items = [
                FacetItem(
                    label=str(r[0]),
                    count=r[1] * scale,
                    approximate=approximate,
                    active=request.year == r[0],
                    url="?" + request.params(year=None if request.year == r[0] else r[0]),
                )
                for r in years
            ]
            facets.append(Facet("year", "Year", items))
        return facets

    def _older_ids(self, skip, limit):
        """Hits published before the ranked window (estimated mode), newest first."""
        where, params = self._where()
        since = " AND s.published_at < %s" if self.cutoff else " AND false"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT s.article_id FROM {SearchEntry._meta.db_table} s WHERE {where}{since} "
                "ORDER BY s.published_at DESC, s.article_id DESC LIMIT %s OFFSET %s",
                [*params, *([self.cutoff] if self.cutoff else []), limit, skip],
            )
            return [row[0] for row in cursor.fetchall()]

    def articles(self, ids):
        """The articles with these ids, in this order, with highlighted title, dek and snippet."""
        if not ids:
            return []
        if self.tsquery_text is not None:
            prefixes = sorted({lexeme[:-1] if len(lexeme) > 4 else lexeme for lexeme in self.lexemes})
            articles = MARKED_RESULTS.fetch(list(ids), self.tsquery_text, prefixes)
        else:
            articles = Article.objects.filter(pk__in=ids).for_listing()
        by_id = {article.pk: article for article in articles}
        ordered = [by_id[pk] for pk in ids if pk in by_id]
        for article in ordered:
            if self.tsquery_text is not None:
                article.title_html = highlight(article.title_marked)
                article.dek_html = highlight(article.dek_marked)
                article.snippet_html = highlight(article.snippet_marked)
            else:
                article.title_html, article.dek_html = escape(article.title), escape(article.dek)
                article.snippet_html = escape(_opening(article.body))
        return ordered

    def _suggestions(self):
        """Near spellings from the names of entities and tags that public articles carry (pg_trgm),
        as (text, url) pairs: a name known only from drafts is never suggested."""
        words = [w for w in WORD_RE.findall(self.request.q) if len(w) >= 3][:6]
        if not words:
            return []
        with connection.cursor() as cursor:
            # A lower threshold than pg_trgm's default 0.6, for this statement's transaction only:
            # "Lukashanko" is 0.57 like "Lukashenko". The best few are kept, by similarity.
            cursor.execute(
                f"""
                SELECT set_config('pg_trgm.word_similarity_threshold', '{SUGGESTION_SIMILARITY}', true);
                SELECT w.i, best.name, best.similarity
                  FROM unnest(%s::text[]) WITH ORDINALITY AS w(word, i)
                 CROSS JOIN LATERAL (
                     SELECT c.name, c.similarity FROM (
                         SELECT e.name, word_similarity(newsroom_search_key(w.word), newsroom_search_key(e.name))
                                AS similarity
                           FROM {Entity._meta.db_table} e
                          WHERE newsroom_search_key(w.word) <%% newsroom_search_key(e.name)
                            AND {in_use_sql(Entity, "e")}
                         UNION ALL
                         SELECT t.name, word_similarity(newsroom_search_key(w.word), newsroom_search_key(t.name))
                           FROM {Tag._meta.db_table} t
                          WHERE newsroom_search_key(w.word) <%% newsroom_search_key(t.name)
                            AND {in_use_sql(Tag, "t")}
                     ) c
                     ORDER BY c.similarity DESC, length(c.name), c.name
                     LIMIT %s
                 ) best
                 ORDER BY w.i, best.similarity DESC
                """,
                [words, SUGGESTIONS],
            )
            rows = cursor.fetchall()
        options, known = {}, set()
        for index, name, _similarity in rows:
            word = words[index - 1]
            replacement = _closest_words(word, name)
            if _key(replacement) == _key(word):
                known.add(word)  # spelled like a name or tag already: leave it alone
            else:
                options.setdefault(word, []).append(replacement)
        options = {word: replacements for word, replacements in options.items() if word not in known}
        suggestions = []
        for rank in range(SUGGESTIONS):
            text = self.request.q
            changed = False
            for word, replacements in options.items():
                replacement = replacements[min(rank, len(replacements) - 1)]
                text, n = re.subn(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)
                changed = changed or bool(n)
            if changed and text not in (s for s, _ in suggestions) and text != self.request.q:
                suggestions.append((text, "?" + self.request.params(q=text)))
        return suggestions


def _follow_old_address(request, kind, slug, slugs):
    """Raise SearchMoved if `slug` is an old address (a merge, a slug change) of a public row of `kind`."""
    redirect = SlugRedirect.objects.with_public_target().filter(kind=kind, old_slug=slug).first()
    if redirect is not None:
        new = redirect.target.slug
        raise SearchMoved(request.params(**{kind: list(dict.fromkeys(new if s == slug else s for s in slugs))}))


def _facets_sql(counted, ranked, order):
    """The one statement of a search: the hits (`counted`), those ranked (`ranked`, in `order`),
    the page's ids and the facets; parameters: counted's, ranked's, limit, offset, time zone."""
    return f"""
        SET LOCAL jit = off;
        SET LOCAL work_mem = '32MB';
        SET LOCAL enable_nestloop = off;
        WITH hits AS MATERIALIZED (
            {counted}
        ), ranked AS MATERIALIZED (
            {ranked}
        ), page AS (
            SELECT id, published_at, rank FROM ranked ORDER BY {order} LIMIT %s OFFSET %s
        ), authors AS (
            SELECT h.author_id AS key, count(*) AS n FROM hits h
             WHERE h.author_id IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {FACET_SIZE}
        ), years AS (
            SELECT extract(year FROM h.published_at AT TIME ZONE %s)::bigint AS key, count(*) AS n
              FROM hits h GROUP BY 1
        ), tags AS (
            SELECT t.key, count(*) AS n FROM hits h, unnest(h.tag_ids) AS t(key)
             GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {FACET_SIZE}
        ), entities AS (
            SELECT e.id AS key, e.kind, e.name, e.slug, c.n,
                   row_number() OVER (PARTITION BY e.kind ORDER BY c.n DESC, e.name) AS place
              FROM (SELECT m.entity_id, count(*) AS n
                      FROM hits h, unnest(h.entity_ids) AS m(entity_id)
                     GROUP BY 1) c
              JOIN {Entity._meta.db_table} e ON e.id = c.entity_id
        )
        SELECT 'total', (SELECT count(*) FROM ranked), (SELECT count(*) FROM hits), NULL, NULL, NULL
        UNION ALL
        SELECT 'page', id, row_number() OVER (ORDER BY {order}), NULL, NULL, NULL FROM page
        UNION ALL
        SELECT 'author', x.key, x.n, u.name, u.slug, NULL
          FROM authors x JOIN {Author._meta.db_table} u ON u.id = x.key
        UNION ALL
        SELECT 'year', key, n, NULL, NULL, NULL FROM years
        UNION ALL
        SELECT 'tag', x.key, x.n, t.name, t.slug, NULL FROM tags x JOIN {Tag._meta.db_table} t ON t.id = x.key
        UNION ALL
        SELECT 'entity', key, n, name, slug, kind FROM entities WHERE place <= {FACET_SIZE}
    """


def probe(where, params):
    """Hits of `where` among the 1/64 of entries in bucket 0 (a small index of their own).

    Returns the estimated number of hits, and the date from which on about
    RANK_CANDIDATES hits were published (None when there are fewer).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*), (array_agg(s.published_at ORDER BY s.published_at DESC))[%s]
              FROM {SearchEntry._meta.db_table} s WHERE {where} AND s.bucket = 0
            """,
            [max(1, RANK_CANDIDATES // 64), *params],
        )
        count, cutoff = cursor.fetchone()
    return count * 64, cutoff


def sample_for(estimate, exact_up_to=None, eighth_up_to=None):
    """How to count about `estimate` hits: (scale, SQL condition over `s`).

    Every hit up to `exact_up_to` (default about EXACT_LIMIT); beyond, the hits in a fixed
    1/8 of the archive (up to `eighth_up_to` hits, default 8 × EXACT_LIMIT, so about
    EXACT_LIMIT are read) or 1/64, each read through its own partial index, to multiply by
    the scale.
    """
    if estimate <= (EXACT_LIMIT if exact_up_to is None else exact_up_to):
        return 1, "true"
    if estimate <= (8 * EXACT_LIMIT if eighth_up_to is None else eighth_up_to):
        return 8, "s.bucket < 8"
    return 64, "s.bucket = 0"


def published_since(alias, placeholder="%s"):
    """SQL for "the entry `alias` was published at or after the time given as `placeholder`",
    for hits of words: only the words-and-date GIN index (searchentry_words_date_idx) matches it.

    Written on published_at itself, the condition would also match the btree index over the
    date, which the planner prefers for a few thousand rows: it does not count the cost of
    unpacking each row's stored document (kilobytes, out of line) to test the words, about
    25 µs a row. The GIN index tests words and date together without reading a document (a
    common word's 2,000 most recent hits at 10,000 articles: 2 ms instead of 50-150 ms).
    The index holds the time as UTC wall-clock time (models.PublishedUTC), in the same order.
    """
    return f"timezone('UTC', {alias}.published_at) >= timezone('UTC', {placeholder}::timestamptz)"


def _snippet(text, prefixes):
    """ts_headline over a window of the body around its first match, not over the whole body.

    ts_headline parses all the text it is given: a window of SNIPPET_WINDOW characters
    costs a tenth of a 5,000-character body. The window starts a little before the
    first occurrence of any query word's stem (case ignored; accents too, when the plain
    text has no occurrence: "sao" in "São"); ts_headline then marks the exact matches in it.
    """
    options = (
        f'StartSel={MARK_START}, StopSel={MARK_STOP}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'
    )
    return RawSQL(  # noqa: S611 - only constants are formatted in; values are parameters
        f"""
        (SELECT CASE WHEN w.at > {SNIPPET_LEAD} + 1 THEN '… ' ELSE '' END
                || ts_headline(
                       %s::regconfig,
                       translate(substr(w.body, greatest(1, w.at - {SNIPPET_LEAD}), {SNIPPET_WINDOW}), %s, ''),
                       websearch_to_tsquery(%s::regconfig, %s),
                       %s)
                || CASE WHEN greatest(1, w.at - {SNIPPET_LEAD}) + {SNIPPET_WINDOW} <= length(w.body)
                        THEN ' …' ELSE '' END
           FROM (SELECT b.body,
                        coalesce((SELECT min(p) FROM unnest(%s::text[]) AS l, strpos(lower(b.body), l) AS p
                                   WHERE p > 0),
                                 (SELECT min(p) FROM unnest(%s::text[]) AS l,
                                                     strpos(lower(newsroom_unaccent(b.body)), l) AS p
                                   WHERE p > 0),
                                 1) AS at
                   FROM (SELECT {Article._meta.db_table}.body) b
                 OFFSET 0) w)
        """,
        [CONFIG, MARK_START + MARK_STOP, CONFIG, text, options, prefixes, prefixes],
        output_field=TextField(),
    )


def _marked_results(ids, text, prefixes):
    """The articles with these ids (a list, one array parameter), with title, dek and snippet
    marked where they match `text`: what a search with words lists. Compiled once per process
    and prepared once per connection (MARKED_RESULTS): building and compiling this QuerySet
    took 3 ms of Python on every search, more than PostgreSQL took to run it."""
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    marks = {"start_sel": MARK_START, "stop_sel": MARK_STOP, "config": CONFIG}
    ids = Value(ids, output_field=ArrayField(BigIntegerField()))
    listed = Func(F("pk"), ids, arg_joiner=" = ANY(", template="%(expressions)s)", output_field=BooleanField())
    return (
        Article.objects.filter(listed)
        .for_listing()
        .annotate(
            title_marked=SearchHeadline(_unmarked("title"), query, highlight_all=True, **marks),
            dek_marked=SearchHeadline(_unmarked("dek"), query, highlight_all=True, **marks),
            snippet_marked=_snippet(text, prefixes),
        )
    )


MARKED_RESULTS = PreparedQuery("search_results", _marked_results, values=3)


def highlight(marked):
    """HTML for text with ts_headline's sentinel marks: everything escaped, marks as <mark>."""
    html = escape(marked or "")
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>"))  # noqa: S308 - escaped above


def _unmarked(field_name):
    """The field with any sentinel characters removed, so only ts_headline's marks remain."""
    return Replace(Replace(F(field_name), Value(MARK_START), Value("")), Value(MARK_STOP), Value(""))


def _opening(body, words=40):
    found = body.split()
    return " ".join(found[:words]) + (" …" if len(found) > words else "")


def _only_excluded(q, nodes):
    """Whether `q` matches nothing by itself, having words after a minus sign (-word, -"a phrase").

    With lexemes (`nodes`), PostgreSQL's parse said so (querytree "T"). With none ("-WHO",
    "the -WHO": stop words), a minus sign where a word begins says so: whatever is left beside
    the excluded words is stop words, and the excluded entity is not what the reader asked for.
    """
    return bool(nodes) or bool(EXCLUSION_RE.search(q))


def _matched_form(query, entity):
    """The name or alias of `entity` that `query` names, or "" when it only matches a stop-word-like acronym.

    Acronyms match as in article text, by their case ("WHO", not "who"), except for
    queries of four or more letters ("nato").
    """
    key = _key(query)
    person_surname = entity.name.split()[-1] if entity.kind == Entity.Kind.PERSON else None
    for form in [entity.name, *entity.aliases, *([person_surname] if person_surname else [])]:
        if _key(form) != key:
            continue
        if is_acronym(form) and len(key) < 4 and not any(c.isupper() for c in query):
            continue
        return form
    return ""


def _key(text):
    """Python twin of the SQL newsroom_search_key, for comparing forms already fetched."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[.'’]", "", text)
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


def _closest_words(word, name):
    """The part of `name` that best replaces `word`: one of its words, or all of it."""
    parts = name.split()
    if len(parts) == 1:
        return name
    best = max(parts, key=lambda part: difflib.SequenceMatcher(None, _key(word), _key(part)).ratio())
    if difflib.SequenceMatcher(None, _key(word), _key(best)).ratio() >= 0.6:
        return best
    return name


class SearchView(TemplateView):
    """/search/: results, facets and entity cards for ?q=…, or a page explaining what went wrong."""

    template_name = "articles/search.html"
    cache_query_params = ("q", "author", "tag", "entity", "year", "sort", "page")  # what the page cache keys on

    def get(self, request, *args, **kwargs):
        # (No catch-up of scheduled articles: search applies the visibility rule as it reads, and
        # the page cache renders pages anew while one is due.)
        depends_on("search")  # any change to articles, authors, tags or entities
        page = request.GET.get("page") or "1"
        if page != "last":
            if not page.isascii() or not page.isdigit() or len(page) > MAX_PAGE_DIGITS:
                raise Http404("No such page")
            page = int(page)
        try:
            search_request = read_request(request.GET)
            results = Search(search_request).run(page)
        except SearchMoved as moved:  # ?tag=conflict after conflict was merged into politics
            return HttpResponsePermanentRedirect("?" + moved.query)
        except SearchError as exc:
            context = self.get_context_data(error=str(exc), search=SearchRequest(q=_safe_echo(request)))
            return self.render_to_response(context, status=400)
        context = self.get_context_data(results=results, search=search_request)
        if results.page is not None:
            context.update(
                page_obj=results.page,
                paginator=results.page.paginator,
                is_paginated=results.page.paginator.num_pages > 1,
            )
            context["sort_links"] = [
                (
                    label,
                    "?" + search_request.params(sort=None if key == "relevance" else key),
                    key == search_request.sort,
                )
                for key, label in SORTS.items()
            ]
        return self.render_to_response(context)


def _safe_echo(request):
    """The query as typed, cleaned enough to show back in the search box of an error page."""
    return clean_query(request.GET.get("q", ""))[:MAX_QUERY_LENGTH]


# The API's reads of the search entries (/api/v1/articles/ with words or filters; articles/api/
# queries.py): the same entries, visibility and bounded ranking as the search page, walked by
# keyset (the key of the last item shown is the next page's cursor) instead of by page number.

RANK_SCALE = 1_000_000  # relevance is ts_rank rounded to millionths: an integer a cursor can carry exactly


def entry_condition(*, q=None, author_ids=None, tag_ids=None, entity_ids=None, kind=None, start=None, end=None):
    """The condition on the search entries (`s`) for these filters, and its parameters, for the
    search page and the API: public entries, matching the words `q`, by one of the authors, with
    every tag and every entity (the entry's ids, GIN-indexed), mentioning an entity of `kind`,
    published in [start, end)."""
    where, params = [public_sql("s")], []  # published(), on the entry's copies of status and date
    if q:
        where.append("s.document @@ websearch_to_tsquery(%s::regconfig, %s)")
        params += [CONFIG, q]
    if author_ids:
        where.append("s.author_id = ANY(%s)")
        params.append(list(author_ids))
    if tag_ids:
        where.append("s.tag_ids @> %s::bigint[]")
        params.append(tag_ids)
    if entity_ids:
        where.append("s.entity_ids @> %s::bigint[]")
        params.append(entity_ids)
    if kind:
        where.append(f"EXISTS (SELECT 1 FROM {Entity._meta.db_table} e WHERE e.id = ANY(s.entity_ids) AND e.kind = %s)")
        params.append(kind)
    if start:
        where.append("s.published_at >= %s")
        params.append(start)
    if end:
        where.append("s.published_at < %s")
        params.append(end)
    return " AND ".join(where), params


def entry_keys(where, params, *, oldest_first, after, limit):
    """(published_at, article id) of the next `limit` entries matching `where`, newest (or oldest)
    first, after the key `after` (None: from the start)."""
    if oldest_first:
        past, order = "(s.published_at, s.article_id) > (%s, %s)", "s.published_at, s.article_id"
    else:
        past, order = "(s.published_at, s.article_id) < (%s, %s)", "s.published_at DESC, s.article_id DESC"
    if after:
        where, params = f"{where} AND {past}", [*params, *after]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.published_at, s.article_id FROM {SearchEntry._meta.db_table} s WHERE {where} "
            f"ORDER BY {order} LIMIT %s",
            [*params, limit],
        )
        return cursor.fetchall()


def ranked_entry_keys(where, params, q, *, cursor, limit):
    """Keys (cutoff, rank, published_at, article id) of the next `limit` entries matching `where`
    by relevance to `q`, bounded as the search page bounds it.

    With more than about RANK_CANDIDATES hits (a common word), only the hits published since
    the date that leaves about that many are ranked; older hits follow, newest first, with
    rank -1. The cursor carries that date, so later pages keep the order of the first one.
    """
    cutoff = cursor[0] if cursor else probe(where, params)[1]
    rank_sql = (
        "CASE WHEN s.rank_vector @@ websearch_to_tsquery(%s::regconfig, %s) "
        f"THEN round(ts_rank(s.rank_vector, websearch_to_tsquery(%s::regconfig, %s)) * {RANK_SCALE})::bigint "
        "ELSE 0 END"
    )
    rank_params = [CONFIG, q, CONFIG, q]
    table = SearchEntry._meta.db_table
    ranked_where, older_where = f"{where} AND {published_since('s')}", f"{where} AND s.published_at < %s"
    ranked_params, older_params = [*rank_params, *params, cutoff], [*params, cutoff]
    if cutoff is None:  # few hits: rank them all
        ranked_where, ranked_params = where, [*rank_params, *params]
        older_where, older_params = "false", []
    after, after_params = "true", []
    if cursor:
        _cutoff, rank, when, pk = cursor
        after, after_params = "(r.rank, r.published_at, r.article_id) < (%s, %s, %s)", [rank, when, pk]
        if rank < 0:  # past the ranked hits: walk the older ones from the cursor on
            ranked_where, ranked_params = "false", rank_params
            older_where += " AND (s.published_at, s.article_id) < (%s, %s)"
            older_params += [when, pk]
    with connection.cursor() as db:
        db.execute(
            f"""
            SELECT r.rank, r.published_at, r.article_id FROM (
                SELECT {rank_sql} AS rank, s.published_at, s.article_id FROM {table} s WHERE {ranked_where}
                UNION ALL
                (SELECT -1, s.published_at, s.article_id FROM {table} s WHERE {older_where}
                  ORDER BY s.published_at DESC, s.article_id DESC LIMIT %s)
            ) r
             WHERE {after}
             ORDER BY r.rank DESC, r.published_at DESC, r.article_id DESC LIMIT %s
            """,
            [*ranked_params, *older_params, limit, *after_params, limit],
        )
        keys = db.fetchall()
    return [(cutoff, rank, when, pk) for rank, when, pk in keys]

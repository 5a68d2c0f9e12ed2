"""Trends: how often the archive mentions people, places, organisations and words, over time.

    /trends/?entity=vladimir-putin&entity=european-union&q=sanctions&per=share&by=month
    /trends/csv/?…the same…   the numbers as CSV

One line per series (up to MAX_ENTITIES entities and one search term) over months, or
over years when the series span more than YEARLY_AFTER months (`by=month` or `by=year`
chooses); `per=share` divides each
month's count by the number of public articles published that month, so a growing
archive does not make everything rise.

Where the numbers come from, in a fixed number of queries whatever is asked:
- an entity's articles per month are the reader statistics' EntityMonth rows (public
  articles only; entities that no public article mentions are unknown here, as on the
  rest of the site), and all public articles per month are MonthCount's: one query for
  both, after one that finds the entities by slug;
- a search term's articles per month are counted over the search entries, with the
  search page's own condition (`Search.matching()`): one query parses the words and
  probes how many hits there are, one counts them per month. With many hits (a common
  word) they are counted in the search page's fixed samples of the archive and scaled
  (`search.sample_for`), and the page says so. Spread over months, a sample leaves few
  hits a month, so the thresholds are higher than the search page's totals': every hit
  up to 4 × EXACT_LIMIT, the 1/8 sample up to 64 × EXACT_LIMIT (where the search page
  takes the 1/64 one past 8 × EXACT_LIMIT); either way at most about 8 × EXACT_LIMIT
  entries are read.

The chart is SVG built here (no JavaScript), with the same numbers as a table and CSV.
"""

import csv
import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import BigIntegerField, F, Func, Value
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from . import changes, search
from .models import (
    Entity,
    EntityMonth,
    EntityPair,
    MonthCount,
    SearchKey,
    SearchKeys,
    SlugRedirect,
)
from .pagecache import depends_on, key
from .search import MAX_QUERY_LENGTH, SLUG_RE, Search, SearchRequest, clean_query, sample_for
from .views import SITE_NAME, ReaderPageMixin

MAX_ENTITIES = 5
PER = {"count": "number of articles", "share": "share of all articles"}
BY = {"": "", "month": "by month", "year": "by year"}
YEARLY_AFTER = 120  # months: longer spans are charted by year
SUGGESTIONS = 8


class TrendsError(Exception):
    """A request the trends page cannot chart; the message is shown to the reader (status 400)."""


class TrendsMoved(Exception):  # noqa: N818 - not an error: the chart has a new address
    """The chart names entities by old addresses (renamed or merged): its address is now the one
    with these slugs (a 301, like the entity pages' old addresses)."""

    def __init__(self, slugs):
        super().__init__(slugs)
        self.slugs = slugs


@dataclass
class TrendsRequest:
    entities: list = field(default_factory=list)  # slugs, in the order asked, without repeats
    q: str = ""
    per: str = "count"
    by: str = ""  # "month" or "year"; "" chooses by the span

    @property
    def empty(self):
        return not (self.entities or self.q)

    def params(self, **changes):
        """The query string of this chart with `changes` (a list value replaces, None removes)."""
        values = {
            "entity": self.entities,
            "q": self.q or None,
            "per": self.per if self.per != "count" else None,
            "by": self.by or None,
        }
        values.update(changes)
        pairs = []
        for name, value in values.items():
            if isinstance(value, list | tuple):
                pairs += [(name, v) for v in value]
            elif value is not None:
                pairs.append((name, value))
        return urlencode(pairs)


def read_request(get):
    """A TrendsRequest from request.GET; raises TrendsError for parameters that make no sense."""
    slugs = []
    for value in get.getlist("entity"):
        if not value:
            continue
        if not SLUG_RE.match(value):
            raise TrendsError(
                f"“{value[:50]}” is not the address of a person, place or organisation "
                "(use the name in its page address, as in /entities/european-union/)."
            )
        if value not in slugs:
            slugs.append(value)
    if len(slugs) > MAX_ENTITIES:
        raise TrendsError(
            f"At most {MAX_ENTITIES} people, places or organisations can be charted together; "
            f"this chart asks for {len(slugs)}."
        )
    terms = [v for v in get.getlist("q") if v.strip()]
    if len(terms) > 1:
        raise TrendsError("Chart one search term at a time; it may use OR (“inflation OR prices”).")
    raw = terms[0] if terms else ""
    if "\x00" in raw:
        raise TrendsError("The search term contains a NUL character, which cannot be searched for.")
    q = clean_query(raw)
    if len(q) > MAX_QUERY_LENGTH:
        raise TrendsError(f"Search terms are limited to {MAX_QUERY_LENGTH} characters; this one has {len(q):,}.")
    per = get.get("per") or "count"
    if per not in PER:
        raise TrendsError(
            f"“{per[:50]}” is not a way to chart: per=share charts each line as a share of all "
            "articles published in the period; without per=, the chart counts articles."
        )
    by = get.get("by") or ""
    if by not in BY:
        raise TrendsError(f"“{by[:50]}” is not a period: by=month or by=year (without by=, years past ten years).")
    return TrendsRequest(entities=slugs, q=q, per=per, by=by)


@dataclass
class Series:
    label: str
    kind: str  # "Person", "Place", "Organisation" or "Search term"
    url: str  # the entity's page, or the search
    by_month: dict  # first day of month -> articles
    slug: str = ""  # entities only
    scale: int = 1  # > 1: counted in a 1/scale sample of the archive, so estimated
    counts: list = field(default_factory=list)  # per period, once the periods are known
    shares: list = field(default_factory=list)  # percent of all public articles per period

    @property
    def estimated(self):
        return self.scale > 1

    @property
    def total(self):
        return sum(self.counts)


@dataclass
class Trends:
    request: TrendsRequest
    series: list = field(default_factory=list)
    periods: list = field(default_factory=list)  # first day of each month (or year)
    yearly: bool = False
    totals: list = field(default_factory=list)  # public articles per period
    entity_ids: list = field(default_factory=list)

    @property
    def share(self):
        return self.request.per == "share"

    @property
    def estimated(self):
        return next((s for s in self.series if s.estimated), None)

    def values(self, series):
        return series.shares if self.share else series.counts

    def period_label(self, index, short=False):
        period = self.periods[index]
        if self.yearly:
            return str(period.year)
        return f"{period:%b %Y}" if short else f"{period:%B %Y}"

    def period_code(self, index):
        """2024-06 (or 2024): how the CSV names a period."""
        period = self.periods[index]
        return str(period.year) if self.yearly else f"{period:%Y-%m}"


def compute(request):
    """The Trends for a TrendsRequest: every series counted per period. Raises TrendsError."""
    trends = Trends(request=request)
    entities = _entities(request.entities)
    trends.entity_ids = [entity.pk for entity in entities]
    entity_months, all_months = _month_counts(trends.entity_ids)
    for entity in entities:
        trends.series.append(
            Series(
                label=entity.name,
                kind=entity.get_kind_display(),
                url=entity.get_absolute_url(),
                by_month=entity_months.get(entity.pk, {}),
                slug=entity.slug,
            )
        )
    if request.q:
        by_month, scale = term_months(request.q)
        search_url = reverse("articles:search") + "?" + urlencode({"q": request.q})
        trends.series.append(Series(request.q, "Search term", search_url, by_month, scale=scale))
    _periods(trends, all_months)
    return trends


def _entities(slugs):
    """The public entities with these slugs, in this order; TrendsError names the first unknown one."""
    if not slugs:
        return []
    found = {entity.slug: entity for entity in Entity.objects.in_use().filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        moved = dict(
            SlugRedirect.objects.with_public_target()
            .filter(kind=SlugRedirect.Kind.ENTITY, old_slug__in=missing)
            .values_list("old_slug", "entity__slug")
        )
        if len(moved) == len(missing):  # renamed or merged since the chart's address was shared
            raise TrendsMoved([moved.get(slug, slug) for slug in slugs])
        # The same answer for a slug that never existed and for an entity no public
        # article mentions: the page never tells a name that only drafts hold.
        slug = next(slug for slug in missing if slug not in moved)
        raise TrendsError(f"There is no person, place or organisation “{slug}” in the archive.")
    return [found[slug] for slug in slugs]


def _month_counts(entity_ids):
    """({entity id: {month: articles}}, {month: all public articles}), in one query."""
    entities = EntityMonth.objects.filter(entity_id__in=entity_ids, count__gt=0).order_by()
    everything = MonthCount.objects.filter(count__gt=0).order_by().annotate(entity_id=Value(None, BigIntegerField()))
    rows = entities.values_list("entity_id", "month", "count").union(
        everything.values_list("entity_id", "month", "count"), all=True
    )
    by_entity, all_months = {}, {}
    for entity_id, month, count in rows:
        if entity_id is None:
            all_months[month] = count
        else:
            by_entity.setdefault(entity_id, {})[month] = count
    return by_entity, all_months


def term_months(q):
    """({month: public articles matching `q`}, scale): exact when scale is 1, else estimated.

    Two queries: the words parsed and the hits probed in the search page's 1/64 sample,
    then the count per month (of every hit, or of a sample: `search.sample_for`).
    TrendsError when the words cannot be searched for (only stop words, only -word).
    """
    words = Search(SearchRequest(q=q))
    nodes, tree, probed = words.probe_words()
    if not nodes or tree == "T":
        raise TrendsError(_unsearchable(q, nodes))
    # Spread over months, a sample leaves few hits a month: every hit up to 4 × EXACT_LIMIT, the
    # 1/8 sample up to 64 × EXACT_LIMIT (both read at most ~8 × EXACT_LIMIT entries, 10-30 ms).
    limit = search.EXACT_LIMIT
    scale, sample = sample_for(probed * 64, exact_up_to=4 * limit, eighth_up_to=64 * limit)
    return {month: count * scale for month, count in words.hits_by_month(sample).items()}, scale


def _unsearchable(q, nodes):
    if nodes:
        return f"“{q}” only excludes words (-word): add a word to chart."
    return f"“{q}” has only very common words, which every article uses: there is nothing to chart."


def _periods(trends, all_months):
    """Fill in the periods (every month, or year, the series span) and each series' counts and shares."""
    months = sorted({month for series in trends.series for month, n in series.by_month.items() if n})
    if not months:
        return
    first, last = months[0], months[-1]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    trends.yearly = trends.request.by == "year" or (not trends.request.by and span > YEARLY_AFTER)
    if trends.yearly:
        trends.periods = [datetime.date(year, 1, 1) for year in range(first.year, last.year + 1)]
    else:
        trends.periods = [_add_months(first, i) for i in range(span)]
    index = {period: i for i, period in enumerate(trends.periods)}

    def per_period(by_month):
        counts = [0] * len(trends.periods)
        for month, n in by_month.items():
            i = index.get(month.replace(month=1) if trends.yearly else month)
            if i is not None:
                counts[i] += n
        return counts

    trends.totals = per_period(all_months)
    for series in trends.series:
        counts = per_period(series.by_month)
        if series.estimated:  # a scaled sample can overshoot a quiet month
            counts = [min(n, total) for n, total in zip(counts, trends.totals, strict=True)]
        series.counts = counts
        series.shares = [n / total * 100 if total else 0.0 for n, total in zip(counts, trends.totals, strict=True)]


def _add_months(month, n):
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def entity_named(text):
    """The public entity a reader means by `text`: its name, an alias or a person's surname (case,
    accents and dots ignored), the most mentioned when several answer to it. TrendsError when none."""
    name = clean_query(text.replace("\x00", " "))[:MAX_QUERY_LENGTH]
    keys = SearchKeys(F("name"), F("kind"), F("aliases"))
    entity = (
        Entity.objects.in_use()
        .alias(keys=keys)
        .filter(keys__contains=Func(SearchKey(Value(name)), template="ARRAY[%(expressions)s]"))
        .order_by("-stats__article_count", "name")
        .first()
    )
    if entity is None:
        raise TrendsError(f"No person, place or organisation called “{name}” is in the archive.")
    return entity


def suggestions(trends):
    """Entities to add: those most often mentioned with the charted ones (or the most mentioned of all)."""
    if not trends.entity_ids:
        return list(Entity.objects.in_use().order_by("-stats__article_count", "name")[:SUGGESTIONS])
    pairs = (
        EntityPair.objects.filter(entity__in=trends.entity_ids, other__stats__article_count__gt=0)
        .exclude(other__in=trends.entity_ids)
        .select_related("other")
        .order_by("-count", "other_id")[: SUGGESTIONS * MAX_ENTITIES]
    )
    chosen = {}
    for pair in pairs:
        chosen.setdefault(pair.other_id, pair.other)
    return list(chosen.values())[:SUGGESTIONS]


# --- the chart ---------------------------------------------------------------------------

WIDTH, HEIGHT = 760, 330
LEFT, RIGHT, TOP, BOTTOM = 64, 170, 14, 40  # margins: y-axis labels left, line labels right
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
LABEL_GAP = 17  # least vertical distance between two line labels
LABEL_CHARS = 20


def nice_ticks(peak, count=4, *, whole=False):
    """Round values from 0 to at least `peak` for a y axis: 0, 250, 500, 750, 1000 (`whole`: no fractions)."""
    if peak <= 0:
        return [0, 1]
    raw = max(peak / count, 1) if whole else peak / count
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else _small_magnitude(raw)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0]
    while ticks[-1] < peak:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _small_magnitude(raw):
    magnitude = 1.0
    while magnitude > raw:
        magnitude /= 10
    return magnitude


def format_value(value, share):
    if not share:
        return f"{int(value):,}"
    if value == 0:
        return "0%"
    if value >= 10:
        return f"{value:.0f}%"
    return f"{value:.2g}%" if value < 1 else f"{value:.1f}%"


def chart_svg(trends):
    """The chart as SVG markup: grid and y axis, period labels, a line per series and its label.

    Plain string building: every value is a number computed here or text passed through
    escape(); colours and dash patterns come from trends.css by class (series-0…), so
    the policy's style-src needs nothing inline.
    """
    if not trends.periods:
        return ""
    ticks = nice_ticks(max(max(trends.values(s), default=0) for s in trends.series), whole=not trends.share)
    top = ticks[-1]
    n = len(trends.periods)

    def x(i):
        return round(LEFT + (PLOT_W / 2 if n == 1 else i * PLOT_W / (n - 1)), 1)

    def y(value):
        return round(TOP + PLOT_H - value / top * PLOT_H, 1)

    parts = [_grid(ticks, y, trends.share), _period_labels(trends, x)]
    ends = []
    for number, series in enumerate(trends.series):
        values = trends.values(series)
        points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
        parts.append(f'<g class="trends-series series-{number}">')
        parts.append(f'<polyline class="trends-line" points="{points}"></polyline>')
        if n <= 36:  # few enough points to mark each one
            parts.extend(
                f'<circle class="trends-dot" cx="{x(i)}" cy="{y(v)}" r="3"></circle>' for i, v in enumerate(values)
            )
        parts.append("</g>")
        ends.append((y(values[-1]), number, series))
    parts.append(_line_labels(ends, x(n - 1)))
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped labels only


def _grid(ticks, y, share):
    parts = []
    for tick in ticks:
        parts.append(
            f'<line class="trends-grid" x1="{LEFT}" y1="{y(tick)}" x2="{LEFT + PLOT_W}" y2="{y(tick)}"></line>'
            f'<text class="trends-tick" x="{LEFT - 8}" y="{y(tick) + 5}" text-anchor="end">'
            f"{escape(format_value(tick, share))}</text>"
        )
    return "".join(parts)


def _period_labels(trends, x):
    """At most about eight labels under the axis: years (or months, for short monthly spans)."""
    n = len(trends.periods)
    if trends.yearly or n < 24:
        candidates = list(range(n))
    else:
        candidates = [i for i, period in enumerate(trends.periods) if period.month == 1]
    step = max(1, -(-len(candidates) // 8))
    parts = []
    for i in candidates[::step]:
        text = trends.period_label(i, short=True) if not trends.yearly and n < 24 else str(trends.periods[i].year)
        base = TOP + PLOT_H
        parts.append(
            f'<line class="trends-tick-mark" x1="{x(i)}" y1="{base}" x2="{x(i)}" y2="{base + 5}"></line>'
            f'<text class="trends-period" x="{x(i)}" y="{base + 24}" text-anchor="middle">{escape(text)}</text>'
        )
    return "".join(parts)


def _line_labels(ends, x_end):
    """Each line's name beside its last point, moved apart so that none overlap."""
    ends.sort(key=lambda item: (item[0], item[1]))
    placed = []
    for wanted, _number, _series in ends:
        placed.append(max(wanted, placed[-1] + LABEL_GAP) if placed else wanted)
    overflow = placed[-1] - (TOP + PLOT_H) if placed else 0
    if overflow > 0:  # pushed below the plot: shift the stack up, keeping the gaps
        placed = [p - overflow for p in placed]
        for i in range(len(placed) - 2, -1, -1):
            placed[i] = min(placed[i], placed[i + 1] - LABEL_GAP)
    parts = []
    for (_wanted, number, series), label_y in zip(ends, placed, strict=True):
        text = series.label if len(series.label) <= LABEL_CHARS else series.label[: LABEL_CHARS - 1] + "…"
        parts.append(
            f'<text class="trends-label series-{number}" x="{x_end + 8}" y="{round(label_y + 5, 1)}">'
            f"{escape(text)}</text>"
        )
    return "".join(parts)


def table_rows(trends):
    """The table's body: a row per period, a cell per series (count, and share with per=share)."""
    rows = []
    for i in range(len(trends.periods)):
        cells = []
        for series in trends.series:
            count = f"{series.counts[i]:,}"
            if trends.share:
                cells.append(f"<td>{escape(format_value(series.shares[i], True))} <small>({count})</small></td>")
            else:
                cells.append(f"<td>{count}</td>")
        rows.append(
            f'<tr><th scope="row">{escape(trends.period_label(i))}</th>{"".join(cells)}'
            f"<td>{trends.totals[i]:,}</td></tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 - numbers and escaped labels only


def describe(trends):
    """A sentence per series for the legend (and, after its name, the chart's text alternative): total, peak."""
    lines = []
    for series in trends.series:
        values = trends.values(series)
        peak_index = max(range(len(values)), key=lambda i: (values[i], i))  # the latest among equals
        peak = series.counts[peak_index]
        about = "about " if series.estimated else ""
        lines.append(
            f"{about}{series.total:,} article{'' if series.total == 1 else 's'}; "
            f"most in {trends.period_label(peak_index)} ({about}{format_value(values[peak_index], trends.share)}"
            f"{'' if trends.share else (' article' if peak == 1 else ' articles')})."
        )
    return lines


# --- the views ---------------------------------------------------------------------------


class TrendsMixin:
    """Reads the request and computes the trends; errors become TrendsError."""

    cache_query_params = ("entity", "q", "per", "by")  # what the page cache keys on

    def trends_or_error(self):
        request = read_request(self.request.GET)
        try:
            trends = compute(request)
        except TrendsMoved as moved:
            entities = list(dict.fromkeys(moved.slugs))  # two charted entities may have been merged
            moved.url = self.request.path + "?" + request.params(entity=entities)
            raise
        keys = ["archive"]  # the public articles per month
        for pk in trends.entity_ids:
            keys += [key("entity", pk), key("entity-list", pk)]
        if request.q:
            keys.append("search")  # any change to the searched text
        depends_on(*keys)
        return trends


class TrendsView(TrendsMixin, ReaderPageMixin, TemplateView):
    """/trends/: the chart, its legend, a table of the numbers, links to share and download them."""

    template_name = "articles/trends.html"
    page_description = "Chart how often the archive mentions people, places, organisations and words, month by month."

    def get(self, request, *args, **kwargs):
        try:
            added = request.GET.get("add", "")
            if added.strip():  # the form's "Add": the chart with that entity, at its own address
                asked = read_request(request.GET)
                if len(asked.entities) >= MAX_ENTITIES:
                    raise TrendsError(f"The chart already has {MAX_ENTITIES} people, places or organisations.")
                slug = entity_named(added).slug
                entities = asked.entities if slug in asked.entities else [*asked.entities, slug]
                return redirect(request.path + "?" + asked.params(entity=entities))
            self.trends = self.trends_or_error()
        except TrendsMoved as moved:
            return HttpResponsePermanentRedirect(moved.url)
        except TrendsError as exc:
            self.trends = None
            context = self.get_context_data(error=str(exc))
            return self.render_to_response(context, status=400)
        return self.render_to_response(self.get_context_data())

    def get_page_title(self):
        if self.trends and self.trends.series:
            return f"{' · '.join(s.label for s in self.trends.series)} over time — Trends — {SITE_NAME}"
        return f"Trends — {SITE_NAME}"

    def get_canonical_path(self):
        query = self.trends.request.params() if self.trends else ""
        return self.request.path + (f"?{query}" if query else "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        trends = self.trends
        context["trends"] = trends
        context["max_entities"] = MAX_ENTITIES
        if trends is None:
            return context
        request = trends.request
        suggested = [] if len(request.entities) >= MAX_ENTITIES else suggestions(trends)
        depends_on(*(key("entity", e.pk) for e in suggested), *([] if trends.entity_ids else ["entities"]))
        context.update(
            suggested=[(e, "?" + request.params(entity=[*request.entities, e.slug])) for e in suggested],
            csv_url=reverse("articles:trends_csv") + "?" + request.params(),
            by_links=[
                (label, "?" + request.params(by=name), name == "year" if trends.yearly else name == "month")
                for name, label in BY.items()
                if name
            ],
            per_links=[
                (label, "?" + request.params(per=None if name == "count" else name), name == request.per)
                for name, label in PER.items()
            ],
        )
        if trends.periods:
            context.update(
                chart=chart_svg(trends),
                rows=table_rows(trends),
                legend=list(
                    zip(range(len(trends.series)), trends.series, describe(trends), self.removal_links(), strict=True)
                ),
                width=WIDTH,
                height=HEIGHT,
                first=trends.period_label(0),
                last=trends.period_label(len(trends.periods) - 1),
            )
        return context

    def removal_links(self):
        """For each series, the chart without it."""
        request = self.trends.request
        links = []
        for series in self.trends.series:
            if series.slug:
                links.append("?" + request.params(entity=[s for s in request.entities if s != series.slug]))
            else:
                links.append("?" + request.params(q=None))
        return links


class TrendsCSVView(TrendsMixin, View):
    """/trends/csv/: the chart's numbers, a row per period (plain text 400 for a bad request)."""

    def get(self, request, *args, **kwargs):
        changes.catch_up(request)  # the counts are the reader statistics': scheduled articles due join first
        try:
            trends = self.trends_or_error()
        except TrendsMoved as moved:
            return HttpResponsePermanentRedirect(moved.url)
        except TrendsError as exc:
            return HttpResponse(str(exc) + "\n", status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = "-".join([*trends.request.entities, *(["search"] if trends.request.q else [])])[:80] or "archive"
        response["Content-Disposition"] = f'attachment; filename="trends-{name}.csv"'
        write_csv(trends, response)
        return response


def write_csv(trends, out):
    """A header row, then a row per period: its articles, and each series' articles and share (%)."""
    writer = csv.writer(out)
    header = ["period", "all articles"]
    for series in trends.series:
        estimated = " (estimated)" if series.estimated else ""
        header += [f"{series.label}: articles{estimated}", f"{series.label}: % of all articles{estimated}"]
    writer.writerow([_cell(text) for text in header])
    for i in range(len(trends.periods)):
        row = [trends.period_code(i), trends.totals[i]]
        for series in trends.series:
            row += [series.counts[i], f"{series.shares[i]:.3f}"]
        writer.writerow(row)


def _cell(text):
    """A text cell that a spreadsheet will not run as a formula (a search term is the reader's own text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

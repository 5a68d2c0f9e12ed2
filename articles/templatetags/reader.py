"""Template helpers for the public pages: page links, JSON-LD, the entity timeline chart."""

import datetime
import functools
import json
from urllib.parse import urlencode

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end a <script> element or start markup, escaped the way
# django.utils.html.json_script does it.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """`data` as a <script type="application/ld+json"> element, safe inside HTML.

    A data block: browsers never execute it, so the Content-Security-Policy (which allows
    no inline script) does not apply to it, and it needs no nonce.
    """
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    body = mark_safe(text.translate(_SCRIPT_ESCAPES))  # noqa: S308 - escaped above
    return format_html('<script type="application/ld+json">{}</script>', body)


@register.simple_tag
def article_card(article, heading_level=2):
    """An article's card in a listing: headline, dek, byline, date and tags.

    Built in Python rather than by including a template: a listing shows twenty cards,
    and the include and its two dozen variable lookups per card were half the time of
    rendering a cold listing page. Every text is escaped by format_html().
    """
    author = article.author
    byline = format_html('By <a href="{}">{}</a> · ', author.get_absolute_url(), author.name) if author else ""
    tags = article.listing_tags
    tag_list = ""
    if tags:
        items = format_html_join("", '<li><a href="{}">{}</a></li>', ((t.get_absolute_url(), t.name) for t in tags))
        tag_list = format_html('<ul class="tags" aria-label="Topics">\n    {}\n  </ul>', items)
    return format_html(
        '<article class="card">\n'
        '  <h{level} class="card-title"><a href="{url}">{title}</a></h{level}>\n'
        '  <p class="dek">{dek}</p>\n'
        '  <p class="meta">\n    {byline}\n    <time datetime="{iso}">{date}</time>\n  </p>\n'
        "  {tags}\n"
        "</article>\n",
        level=int(heading_level),
        url=article.get_absolute_url(),
        title=article.title,
        dek=article.dek,
        byline=byline,
        iso=iso_datetime(article.published_at),
        date=long_date(article.published_at),
        tags=tag_list,
    )


@register.filter
def long_date(value):
    """'7 June 2024' in the site's time zone: the `date:"j F Y"` filter at a fraction of its cost
    (a listing formats forty dates; the site is English-only)."""
    if not value:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.day} {value:%B %Y}"


@register.filter
def iso_datetime(value):
    """An ISO 8601 time for <time datetime> and meta tags, in the site's time zone, to the second
    (HTML allows at most three digits of a fraction of a second; readers need none)."""
    if not value:
        return ""
    return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(timespec="seconds")


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query string for page `number` (page 1 has no ?page=), other parameters kept.

    The other parameters are encoded once per request (a page links to up to ten pages, and
    copying and encoding the QueryDict each time cost more than the rest of the pagination)."""
    request = context["request"]
    others = getattr(request, "_page_url_others", None)
    if others is None:
        query = request.GET.copy()
        query.pop("page", None)
        others = request._page_url_others = query.urlencode()
    if int(number) > 1:
        page = urlencode({"page": number})  # as QueryDict.urlencode() writes it
        encoded = f"{others}&{page}" if others else page
    else:
        encoded = others
    return f"?{encoded}" if encoded else request.path


@register.simple_tag
def page_window(page_obj, around=2):
    """Page numbers to link around the current one, with None for a gap: [1, None, 7, 8, 9, None, 40]."""
    last = page_obj.paginator.num_pages
    current = page_obj.number
    wanted = {1, last} | set(range(max(1, current - around), min(last, current + around) + 1))
    pages, previous = [], 0
    for number in sorted(wanted):
        if number - previous > 1:
            pages.append(None)
        pages.append(number)
        previous = number
    return pages


def _add_month(month, n=1):
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


@functools.lru_cache(maxsize=4096)
def _month_label(month):
    """'August 2024': letters, a space and digits, nothing HTML escapes (a timeline labels hundreds)."""
    return f"{month:%B %Y}"


def _articles(count):
    return f"{count} article{'' if count == 1 else 's'}"


@register.inclusion_tag("includes/_timeline.html")
def timeline(months, name, max_months=120):
    """A bar chart of articles per month, as inline SVG, with a text alternative and a data table.

    `months` is [(first day of month, count)] in date order (months without
    articles may be missing). Shows the span from the first to the last month, at
    most the last `max_months` of it. The repeated parts (up to 120 bars and table
    rows) are built here rather than in a template loop, which would cost several
    milliseconds per page for a ten-year timeline.
    """
    if not months:
        return {"bars": ""}
    series, truncated = _month_series(months, max_months)
    peak_month, peak = max(series, key=lambda item: (item[1], item[0]))
    width, height = 600, 120
    slot = width / len(series)
    return {
        "name": name,
        "bars": _bars_html(series, slot, peak, height),
        "labels": _labels_html(series, slot, width, height),
        "rows": _rows_html(series),
        "width": width,
        "height": height,
        "view_height": height + 24,
        "first": _month_label(series[0][0]),
        "last": _month_label(series[-1][0]),
        "peak": peak,
        "peak_month": _month_label(peak_month),
        "total": _articles(sum(count for _, count in series)),
        "truncated": truncated,
    }


def _month_series(months, max_months):
    """Every month from the first to the last (at most the last `max_months`), with 0 where none."""
    counts = dict(months)
    first, last = months[0][0], months[-1][0]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    truncated = span > max_months
    if truncated:
        first = _add_month(last, -(max_months - 1))
        span = max_months
    return [(m, counts.get(m, 0)) for m in (_add_month(first, i) for i in range(span))], truncated


# Plain string building below: every value is a number we computed, a month's label (letters
# and digits: _month_label) or a label passed through escape(); format_html() on several
# hundred values took ~10 ms a page.


def _bars_html(series, slot, peak, height):
    gap = 1 if len(series) > 60 else 2
    bars = []
    for index, (month, count) in enumerate(series):
        if not count:
            continue
        bar_height = round(count / peak * (height - 4), 1)
        bars.append(
            f'<rect class="timeline-bar" x="{round(index * slot + gap / 2, 2)}" y="{round(height - bar_height, 1)}" '
            f'width="{round(max(slot - gap, 0.5), 2)}" height="{bar_height}">'
            f"<title>{_month_label(month)}: {_articles(count)}</title></rect>"
        )
    return mark_safe("".join(bars))  # noqa: S308 - numbers and month labels only


def _labels_html(series, slot, width, height):
    """At most four month labels under the bars; those at the edges stay inside the drawing."""
    labels = []
    for i in range(0, len(series), max(1, -(-len(series) // 4))):
        x = i * slot + slot / 2
        anchor = "start" if x < 45 else "end" if x > width - 45 else "middle"
        labels.append(
            f'<text class="timeline-label" x="{round(max(x - slot / 2, 0) if anchor == "start" else x, 1)}" '
            f'y="{height + 20}" text-anchor="{anchor}">{escape(series[i][0].strftime("%b %Y"))}</text>'
        )
    return mark_safe("".join(labels))  # noqa: S308 - numbers and escaped labels only


def _rows_html(series):
    return mark_safe(  # noqa: S308 - numbers and month labels only
        "".join(
            f'<tr><th scope="row">{_month_label(month)}</th><td>{count}</td></tr>'
            for month, count in reversed(series)
            if count
        )
    )

"""Template helpers for the public pages: page links, JSON-LD, the entity timeline chart."""

import datetime
import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end a <script> element or start markup, escaped the way
# django.utils.html.json_script does it.
_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """`data` as a <script type="application/ld+json"> element, safe inside HTML."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text.translate(_SCRIPT_ESCAPES)))  # noqa: S308 - escaped above


@register.simple_tag(takes_context=True)
def page_url(context, number):
    """The current URL's query string for page `number` (page 1 has no ?page=), other parameters kept."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    if int(number) > 1:
        query["page"] = number
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else context["request"].path


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


@register.inclusion_tag("includes/_timeline.html")
def timeline(months, name, max_months=120):
    """A bar chart of articles per month, as SVG geometry plus a text alternative.

    `months` is [(first day of month, count)] in date order (months without
    articles may be missing). Shows the span from the first to the last month, at
    most the last `max_months` of it.
    """
    if not months:
        return {"bars": []}
    counts = dict(months)
    first, last = months[0][0], months[-1][0]
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    truncated = span > max_months
    if truncated:
        first = _add_month(last, -(max_months - 1))
        span = max_months
    series = [(m, counts.get(m, 0)) for m in (_add_month(first, i) for i in range(span))]
    peak_month, peak = max(series, key=lambda item: (item[1], item[0]))
    width, height, gap = 600, 120, 1 if span > 60 else 2
    slot = width / span
    bars = []
    for index, (month, count) in enumerate(series):
        bar_height = round(count / peak * (height - 4), 1) if peak else 0
        bars.append(
            {
                "month": month,
                "count": count,
                "x": round(index * slot + gap / 2, 2),
                "width": round(max(slot - gap, 0.5), 2),
                "y": round(height - bar_height, 1),
                "height": bar_height,
            }
        )
    step = max(1, -(-span // 4))  # at most four labels
    labels = []
    for i in range(0, span, step):
        x = i * slot + slot / 2
        # Keep the labels at the edges inside the drawing.
        anchor = "start" if x < 45 else "end" if x > width - 45 else "middle"
        labels.append(
            {
                "x": round(max(x - slot / 2, 0) if anchor == "start" else x, 1),
                "anchor": anchor,
                "text": series[i][0].strftime("%b %Y"),
            }
        )
    return {
        "name": name,
        "bars": bars,
        "labels": labels,
        "width": width,
        "height": height,
        "first": series[0][0],
        "last": series[-1][0],
        "peak": peak,
        "peak_month": peak_month,
        "total": sum(count for _, count in series),
        "truncated": truncated,
        "rows": [bar for bar in reversed(bars) if bar["count"]],
    }

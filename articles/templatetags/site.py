"""Template tags of the site's frame (base.html), which every page renders.

`{% route "articles:home" %}` is `{% url "articles:home" %}` reversed once per process and
script prefix (articles/routes.py): the frame links ten routes, and Django's url tag reverses
each on every page — about half the time of rendering the frame around an article's stored
parts (articles/parts.py).

`|truncated:300` is Django's `|truncatechars:300`, the same text, without its work for a text
already short enough (most descriptions): Django's translates its ellipsis and walks the text
character by character on every call, three times a page, a fifth of the frame's rendering.
"""

import unicodedata

from django import template
from django.template.defaultfilters import stringfilter, truncatechars

from ..routes import route_path

register = template.Library()


@register.simple_tag
def route(view_name):
    """The address of a route without arguments."""
    return route_path(view_name)


@register.filter(is_safe=True)
@stringfilter
def truncated(value, length):
    """truncatechars: `value` cut to `length` characters with an ellipsis. A text of at most `length`
    code points has at most `length` characters (combining marks do not count), so truncatechars
    would return it whole, in its NFC form."""
    if len(value) <= int(length):
        return unicodedata.normalize("NFC", value)
    return truncatechars(value, length)

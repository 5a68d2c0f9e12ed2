"""Template tags of the site's frame (base.html), which every page renders.

`{% route "articles:home" %}` is `{% url "articles:home" %}` reversed once per process and
script prefix (articles/routes.py): the frame links ten routes, and Django's url tag reverses
each on every page — about half the time of rendering the frame around an article's stored
parts (articles/parts.py).
"""

from django import template

from ..routes import route_path

register = template.Library()


@register.simple_tag
def route(view_name):
    """The address of a route without arguments."""
    return route_path(view_name)

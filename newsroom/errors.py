"""Project-wide error views.

A 403 inside the admin gets the admin's own page, with a way back to its front page.
A request that fails because the database is unreachable gets a plain 503 page
(with Retry-After) instead of a 500; every other failure gets the 500 page.
Neither template touches the database, and neither ever shows a traceback.
"""

import logging
import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseServerError
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc):
    """True for the errors a lost or refused database connection raises."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


def _context():
    # The hashed name when the manifest is there; the plain name (WhiteNoise serves both) when not,
    # so an error page never fails for want of collectstatic.
    try:
        return {"stylesheet": static("css/error.css")}
    except ValueError:
        return {"stylesheet": f"{settings.STATIC_URL}css/error.css"}


@requires_csrf_token
def server_error(request, template_name="500.html"):
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.error("database unavailable: %s %s", request.method, request.path)
        response = HttpResponse(loader.get_template("503.html").render(_context()), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template(template_name).render(_context()))


@requires_csrf_token
def permission_denied(request, exception, template_name="403.html"):
    """The admin's 403 page inside the admin (with its header and a link to its front page);
    the site's own elsewhere."""
    from django.contrib import admin

    if not request.path.startswith(reverse("admin:index")):
        return defaults.permission_denied(request, exception, template_name)
    context = {**admin.site.each_context(request), "title": "Not allowed"}
    return HttpResponseForbidden(loader.render_to_string("admin/403.html", context, request))

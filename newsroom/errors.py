"""Project-wide error views.

A request that fails because the database is unreachable gets a plain 503 page
(with Retry-After) instead of a 500; every other failure gets the 500 page.
Neither template touches the database, and neither ever shows a traceback.
"""

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def database_unavailable(exc):
    """True for the errors a lost or refused database connection raises."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
    )


@requires_csrf_token
def server_error(request, template_name="500.html"):
    from django.http import HttpResponse, HttpResponseServerError

    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        logger.error("database unavailable: %s %s", request.method, request.path)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())

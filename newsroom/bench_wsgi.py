"""WSGI entry for `scripts/bench.py` only: the site's settings and middleware, with one minimal view.

The benchmark serves it with the same gunicorn settings as the site (`gunicorn
newsroom.bench_wsgi`, reading gunicorn.conf.py) to measure the ceiling a Django page can
reach on the machine: `/minimal/` answers a few bytes through the full middleware stack,
with no query and no template, and outside the page cache (which would otherwise add its
content-state query and a cache read, lowering the ceiling).
The site itself (`gunicorn newsroom.wsgi`) never routes here.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def minimal(request):
    return HttpResponse("Hello from Django.\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("minimal/", minimal, name="minimal")]

# This module is the URLconf: everything else (middleware, database, logging) is the site's.
settings.ROOT_URLCONF = __name__
settings.PAGE_CACHE_EXCLUDE = [*settings.PAGE_CACHE_EXCLUDE, "/minimal/"]
application = get_wsgi_application()

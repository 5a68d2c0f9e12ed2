"""Time /api/v1/articles/?page_size=20 built with django-ninja (the API as shipped) and with
Django REST framework (+ drf-spectacular for its schema), on the same archive, in-process.

    DATABASE_URL=postgres:///newsroom_100k_copy .venv/bin/python scripts/localenv.py -- \\
        .venv/bin/python scripts/compare_api_libraries.py [--requests 200] [--warmup 10]

DRF is not a dependency of the project: install it into the virtualenv for this script only
(`.venv/bin/pip install djangorestframework drf-spectacular`). Both versions read the same rows
with the same QuerySets (`articles.api.queries`: public articles, newest first, author, tags and
entities prefetched), count scheduled articles first and go through the page cache (a miss:
it is emptied before every request), and give nearly the same JSON (DRF's items lack the
`api_url` links); what differs is the library's part: parameter
parsing and validation, serialisation and rendering. DRF's is the idiomatic one: nested
serializers and its CursorPagination. Each request is "cold" (the cache emptied first, so the
page cache never answers) and goes through the whole middleware stack with the test client.
Prints the median and 95th percentile per library, the query count, and the machine's load.
"""

import argparse
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def drf_urlconf():
    """A URLconf with the project's routes plus /drf/articles/, the DRF twin of /api/v1/articles/."""
    from django.db.models import Prefetch
    from django.urls import path
    from rest_framework import serializers
    from rest_framework.generics import ListAPIView
    from rest_framework.pagination import CursorPagination
    from rest_framework.renderers import JSONRenderer

    from articles import changes
    from articles.api.queries import KIND_NAMES
    from articles.models import Article, Mention
    from articles.pagecache import depends_on
    from newsroom import urls as project_urls

    class Ref(serializers.Serializer):
        name = serializers.CharField()
        slug = serializers.CharField()
        url = serializers.SerializerMethodField()

        def get_url(self, obj):
            return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    class MentionSerializer(serializers.Serializer):
        name = serializers.CharField(source="entity.name")
        kind = serializers.SerializerMethodField()
        slug = serializers.CharField(source="entity.slug")
        mentions = serializers.IntegerField(source="count")

        def get_kind(self, obj):
            return KIND_NAMES[obj.entity.kind]

    class ArticleSerializer(serializers.ModelSerializer):
        url = serializers.SerializerMethodField()
        author = Ref(allow_null=True)
        tags = Ref(source="listing_tags", many=True)
        entities = MentionSerializer(source="mentions.all", many=True)

        class Meta:
            model = Article
            fields = ["slug", "url", "title", "dek", "published_at", "author", "tags", "entities"]

        def get_url(self, obj):
            return self.context["request"].build_absolute_uri(obj.get_absolute_url())

    class Pages(CursorPagination):
        ordering = ("-published_at", "-id")
        page_size_query_param = "page_size"
        max_page_size = 100

    class ArticleList(ListAPIView):
        """As the ninja route does: scheduled articles counted first, the answer kept by the page cache."""

        cache_query_params = ("page_size", "cursor")
        serializer_class = ArticleSerializer
        pagination_class = Pages
        renderer_classes = [JSONRenderer]
        authentication_classes = []
        permission_classes = []

        def get_queryset(self):
            mentions = Prefetch(
                "mentions", queryset=Mention.objects.select_related("entity").order_by("-count", "entity__name")
            )
            return Article.objects.published().for_listing().prefetch_related(mentions).defer("body")

        def list(self, request, *args, **kwargs):
            changes.catch_up()
            depends_on("search")
            return super().list(request, *args, **kwargs)

    module = type(sys)("compare_api_urls")
    module.urlpatterns = [path("drf/articles/", ArticleList.as_view()), *project_urls.urlpatterns]
    sys.modules["compare_api_urls"] = module
    return "compare_api_urls"


def time_urls(client, urls, requests, warmup):
    """Median and p95 (ms) per url, requests interleaved (a, b, b, a, a, b…) so that both meet the
    same background load on a shared machine; the cache is emptied before each one."""
    from django.core.cache import cache

    timings = {url: [] for url in urls}
    for number in range(warmup + requests):
        for url in urls if number % 2 == 0 else urls[::-1]:
            cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code, response.content[:200])
            if number >= warmup:
                timings[url].append(elapsed)
    result = {}
    for url, values in timings.items():
        values.sort()
        result[url] = (statistics.median(values), values[max(0, math.ceil(0.95 * len(values)) - 1)])
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["API_RATE_LIMIT"] = str(10**9)
    import django

    django.setup()
    import ninja
    import rest_framework
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    versions = {
        "/api/v1/articles/?page_size=20": f"django-ninja {ninja.__version__}",
        "/drf/articles/?page_size=20": f"DRF {rest_framework.__version__}",
    }
    load_before = os.getloadavg()
    with override_settings(ROOT_URLCONF=drf_urlconf()):
        queries = {}
        for url in versions:
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            queries[url] = len(captured)  # now: the next request resets the log it reads
        timings = time_urls(client, list(versions), args.requests, args.warmup)
    load = os.getloadavg()
    print(
        f"/api/v1/articles/?page_size=20, {args.requests} cold requests each (interleaved); "
        f"load average {load_before[0]:.2f} before, {load[0]:.2f} after"
    )
    for url, label in versions.items():
        median, p95 = timings[url]
        print(f"  {label:24} {queries[url]} queries  median {median:6.1f} ms  p95 {p95:6.1f} ms")


if __name__ == "__main__":
    main()

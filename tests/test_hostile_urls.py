"""Every public URL, attacked: hostile path segments, page numbers, dates, search queries,
methods and headers get a 4xx answer (400 or 404 where the value is meaningful), never a 500.

The routes come from the URLconf itself (everything outside /admin/, plus the admin's
login page), so a new route is attacked as soon as it exists; a route with a kind of
parameter this file does not know fails `test_every_route_is_covered` until one is added.
Run with -s to see how many requests were tried.
"""

import datetime
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.views.generic import RedirectView

from articles.models import Entity
from articles.sitemaps import SITEMAPS

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = pytest.mark.django_db

TRIED = []  # one entry per request, for the count printed at the end

# Path segments: %-encoded as a client would send them (the test client passes them as is).
HOSTILE_SEGMENTS = [
    "%00",
    "abc%00def",
    "..",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "..%5C..%5Cwindows%5Cwin.ini",
    "%2e%2e%2f%2e%2e%2fnewsroom%2fsettings.py",
    "a" * 5000,
    "-" * 300,
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
    "%27%20OR%20%271%27%3D%271",
    "1%3B%20DROP%20TABLE%20articles_article%3B--",
    "%7B%7B%20settings.SECRET_KEY%20%7D%7D",
    "%FF%FE",  # not UTF-8
    "%C0%AE%C0%AE",  # overlong UTF-8 for ".."
    "%E2%80%AEevil",  # right-to-left override
    "%E2%80%8B",  # zero-width space
    "%F0%9F%94%A5",  # emoji
    "99999999999999999999999",
    "-1",
    "%20",
    "%0D%0ASet-Cookie:%20x=1",
]
HOSTILE_YEARS = ["0000", "0001", "9999", "10000", "-001", "abcd", "20%00", "2024.5", "99999999999999999999"]
HOSTILE_MONTHS = ["00", "13", "99", "1", "-1", "ab", "%00", "123"]
HOSTILE_PAGES = [
    "0",
    "-1",
    "-99999999999999999999",
    "99999999999999999999",
    "9" * 5000,
    "abc",
    "1.5",
    "1e3",
    "0x10",
    "%00",
    "1%00",
    "%EF%BC%91",  # a full-width digit one
    "%D9%A1",  # an Arabic-Indic digit one
    "last%00",
    "%20",
    "1%20OR%201=1",
]
HOSTILE_QUERIES = [
    '"',
    '""""',
    "'",
    "\\",
    "\\\\\\'",
    "!",
    "&",
    "|",
    "!!!&&&|||",
    "a & !b | (c <-> d)",
    "foo:*",
    "(((((",
    ")",
    "<->",
    "-",
    "- - -",
    "OR",
    "OR OR OR",
    '"unclosed phrase',
    "x" * 10_000,
    "word " * 100,
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200b\u200d\ufeff",
    "🔥" * 50,
    "' OR 1=1 --",
    "'; DROP TABLE articles_article; --",
    "1) UNION SELECT password FROM auth_user --",
    "<script>alert(1)</script>",
    "{{ settings.SECRET_KEY }}",
    "%s %d %n",
    "\ue000marked\ue001",
    "\r\n\t",
    "ǅ" * 200,
]
# Other parameters of the search page and the entity list.
HOSTILE_FILTERS = {
    "tag": ["", "%00", "a" * 5000, "../x", "<b>", "x'--"],
    "author": ["%00", "a" * 5000, "<b>"],
    "entity": ["%00", "a" * 300, "x'--"],
    "year": ["0", "-1", "0000", "99999", "abcd", "2024%00", "9" * 5000],
    "sort": ["sideways", "%00", "relevance'--", "a" * 5000],
}
HOSTILE_KINDS = ["", "%00", "people%00", "PEOPLE", "x" * 5000, "<script>", "person"]
METHODS = ["HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT", "PROPFIND"]


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "view_class", None) is not RedirectView:
            # A route that only leads elsewhere (/articles/ -> /) is tested in test_views.
            yield prefix + str(pattern.pattern), pattern.name, pattern.pattern.converters


def public_routes():
    """(route, name, converters) for every route outside the admin."""
    return [route for route in walk(get_resolver().url_patterns) if not route[0].startswith("admin/")]


def fill(route, values):
    """The route with each <converter:name> replaced by values[name]."""
    path = route
    for name, value in values.items():
        start = path.index("<")
        end = path.index(">", start)
        assert path[start + 1 : end].split(":")[-1] == name
        path = path[:start] + value + path[end + 1 :]
    assert "<" not in path, route
    return "/" + path


@pytest.fixture
def archive():
    """One public article with an author, a tag and an entity, last year."""
    published = timezone.now().replace(month=6, day=15) - datetime.timedelta(days=365)
    article = ArticleFactory(
        author=AuthorFactory(name="Hostile Tester"),
        tags=[TagFactory(name="hostility")],
        entities=[EntityFactory(name="Port Hostile", kind=Entity.Kind.PLACE)],
        published_at=published,
    )
    local = timezone.localtime(published)
    return {
        "articles": article.slug,
        "tags": article.tags.get().slug,
        "authors": article.author.slug,
        "entities": article.mentions.get().entity.slug,
        "year": f"{local.year:04d}",
        "month": f"{local.month:02d}",
    }


def valid_values(route, converters, archive):
    values = {}
    for name, converter in converters.items():
        kind = type(converter).__name__
        if kind == "SlugConverter":
            values[name] = archive[route.removeprefix("api/v1/").split("/")[0]]
        elif name == "section":
            values[name] = next(iter(SITEMAPS))
        elif name in ("year", "month"):
            values[name] = archive[name]
        else:
            raise AssertionError(f"{route}: no valid value known for <{name}> ({kind}); add one to this test")
    return values


def hostile_values_for(name, converter):
    if name == "year":
        return HOSTILE_YEARS + HOSTILE_SEGMENTS
    if name == "month":
        return HOSTILE_MONTHS + HOSTILE_SEGMENTS
    return HOSTILE_SEGMENTS


def get(client, url, **extra):
    TRIED.append(url)
    return client.generic("GET", url, **extra)


def assert_safe(response, url, allowed):
    assert response.status_code in allowed, (url[:200], response.status_code)
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html, url[:200]


@pytest.fixture(scope="module", autouse=True)
def report_count():
    yield
    print(f"\nhostile URLs tried: {len(TRIED)}")


def test_every_route_is_covered(archive):
    client = Client()
    routes = public_routes()
    assert len(routes) >= 24
    for route, name, converters in routes:
        url = fill(route, valid_values(route, converters, archive))
        assert get(client, url).status_code == 200, (name, url)


def test_hostile_path_segments_are_404(archive):
    client = Client()
    for route, _name, converters in public_routes():
        valid = valid_values(route, converters, archive)
        for param, converter in converters.items():
            for value in hostile_values_for(param, converter):
                url = fill(route, {**valid, param: value})
                assert_safe(get(client, url), url, {404})
        # Garbage after a valid address.
        base = fill(route, valid)
        for suffix in ["%00", "..%2F..%2Fetc%2Fpasswd", "/../../../etc/passwd", "x" * 5000, ";jsessionid=1"]:
            url = base + suffix
            assert_safe(get(client, url), url, {301, 404})


def test_bad_dates_in_archive_urls_are_404(archive):
    client = Client()
    for url in [
        "/archive/0000/",
        "/archive/0000/01/",
        "/archive/2024/13/",
        "/archive/2024/00/",
        "/archive/9999/99/",
        "/archive/9999/",
        "/archive/9999/12/",
        "/archive/0001/01/",
        "/archive/1970/01/",
        "/archive/2024/1/",
        "/archive/-2024/",
        "/archive/20245/",
        "/archive/2024/02/30/",
    ]:
        assert_safe(get(client, url), url, {404})


def test_hostile_page_numbers(archive):
    """On pages that paginate a hostile ?page= is a 404; elsewhere it is ignored, never a 500."""
    client = Client()
    for route, name, converters in public_routes():
        base = fill(route, valid_values(route, converters, archive))
        # Which parameter pages this route, if any: ?page= for listings and search, ?p= for sitemap sections.
        probe = get(client, base)
        paginates = probe.context is not None and probe.context.get("page_obj") is not None
        page_param = "p" if name == "sitemap_section" else "page"
        meaningful = paginates or name in ("sitemap_section", "search")
        for value in HOSTILE_PAGES:
            url = f"{base}?{page_param}={value}"
            allowed = {404} if meaningful else {200, 404}
            if name == "sitemap_section" and value in ("%EF%BC%91", "%D9%A1"):
                allowed = {200, 404}  # Django's sitemap view reads other scripts' digits as numbers
            if name == "search":
                allowed = {404}
                url = f"{base}?q=energy&page={value}"
            if route.startswith("api/"):
                allowed = {200, 400, 404}  # the API answers a bad parameter with a 400 that names it
            assert_safe(get(client, url), url, allowed)


def test_hostile_search_queries(archive):
    client = Client()
    for q in HOSTILE_QUERIES:
        url = f"/search/?q={quote(q, safe='')}"
        response = get(client, url)
        assert_safe(response, url, {200, 400})
        if "\x00" in q or len(q) > 200:
            assert response.status_code == 400, q[:50]
        assert "<script>alert" not in response.content.decode()
    for name, values in HOSTILE_FILTERS.items():
        for value in values:
            url = f"/search/?q=energy&{name}={value}"
            assert_safe(get(client, url), url, {200, 400})
    # Too many filters, repeated parameters.
    url = "/search/?" + "&".join(f"tag=t{i}" for i in range(50))
    assert_safe(get(client, url), url, {400})
    url = "/search/?" + "&".join("q=x" for _ in range(500))
    assert_safe(get(client, url), url, {200, 400})


def test_hostile_trends_parameters(archive):
    """/trends/ and its CSV: every hostile word, entity, period, share and name is a 200 or a 400."""
    client = Client()
    values = {
        "q": HOSTILE_QUERIES,
        "entity": [*HOSTILE_FILTERS["entity"], "<b>", "../x", "a" * 5000],
        "per": ["", "%00", "SHARE", "share%00", "a" * 5000, "<b>"],
        "by": ["", "%00", "week", "YEAR", "a" * 5000],
        "add": HOSTILE_QUERIES,
    }
    for path in ("/trends/", "/trends/csv/"):
        for name, hostile in values.items():
            for value in hostile:
                # Words as typed (encoded here); the other values are written as they travel.
                url = f"{path}?{name}={quote(value, safe='') if name in ('q', 'add') else value}"
                assert_safe(get(client, url), url, {200, 302, 400})  # (a CSV is an attachment, not HTML)
        for url in (
            path + "?" + "&".join(f"entity=e{i}" for i in range(50)),
            path + "?" + "&".join("q=x" for _ in range(500)),
        ):
            assert_safe(get(client, url), url, {400})


def test_hostile_entity_kinds(archive):
    client = Client()
    for kind in HOSTILE_KINDS:
        url = f"/entities/?kind={kind}"
        assert_safe(get(client, url), url, {404})
    for value in HOSTILE_PAGES:  # one kind in full is paginated
        url = f"/entities/?kind=places&page={value}"
        assert_safe(get(client, url), url, {404})


def test_static_files_cannot_be_escaped(archive):
    client = Client()
    for url in [
        "/static/../newsroom/settings.py",
        "/static/..%2F..%2Fnewsroom%2Fsettings.py",
        "/static/%2e%2e/%2e%2e/newsroom/settings.py",
        "/static/css/site.css%00.txt",
        "/static/css/../../../../etc/passwd",
        "/static/" + "a" * 5000,
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/..;/admin/",
    ]:
        response = get(client, url)
        assert response.status_code in {301, 302, 404}, url
        assert b"SECRET_KEY" not in response.content and b"root:" not in response.content


def test_odd_methods(archive):
    """HEAD answers like GET; OPTIONS lists what is allowed; a write without a CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    routes = [(route, name, converters) for route, name, converters in public_routes()]
    urls = [fill(route, valid_values(route, converters, archive)) for route, name, converters in routes]
    urls.append("/admin/login/")
    for url in urls:
        for method in METHODS:
            TRIED.append(url)
            response = client.generic(method, url, data=b"x=1", content_type="application/x-www-form-urlencoded")
            if method == "HEAD":
                allowed = {200}
            elif method in ("OPTIONS", "TRACE"):
                allowed = {200, 405}  # safe methods: answered like GET (without echoing the request) or refused
            else:
                allowed = {403, 405}  # CSRF refuses unsafe methods before any view runs
            assert response.status_code in allowed, (method, url, response.status_code)
            assert response.status_code < 500


def test_odd_headers(archive, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    article = f"/articles/{archive['articles']}/"
    cases = [
        ({"HTTP_HOST": "h" * 4096}, {400}),
        ({"HTTP_HOST": "evil.example"}, {400}),
        ({"HTTP_HOST": "testserver:http"}, {400}),
        ({"HTTP_HOST": "testserver\r\nX-Injected: 1"}, {400}),
        ({"HTTP_HOST": "testserver@evil.example"}, {400}),
        ({"HTTP_X_FORWARDED_HOST": "evil.example"}, {200}),  # not trusted (USE_X_FORWARDED_HOST is off)
        ({"HTTP_X_FORWARDED_FOR": "not-an-ip, %00, " + "1." * 2000}, {200}),
        ({"HTTP_X_FORWARDED_PROTO": "https" * 1000}, {200}),
        ({"HTTP_COOKIE": "sessionid=" + "a" * 4000 + "; csrftoken=%00"}, {200}),
        ({"HTTP_COOKIE": "sessionid=../../etc/passwd"}, {200}),
        ({"HTTP_ACCEPT": "*/*;q=" + "9" * 4000}, {200}),
        ({"HTTP_ACCEPT_LANGUAGE": "x" * 4000}, {200}),
        ({"HTTP_USER_AGENT": "\x00" + "u" * 8000}, {200}),
        ({"HTTP_IF_MODIFIED_SINCE": "Thu, 99 Foo 0000 99:99:99 GMT"}, {200}),
        ({"HTTP_IF_NONE_MATCH": '"' * 4000}, {200}),
        ({"HTTP_RANGE": "bytes=-99999999999999999999"}, {200}),
        ({"CONTENT_LENGTH": "-1"}, {200}),
    ]
    for headers, allowed in cases:
        for url in ["/", article, "/search/?q=energy", "/feed/", "/healthz"]:
            response = get(client, url, **headers)
            assert response.status_code in allowed, (str(headers)[:80], url, response.status_code)
            assert b"evil.example" not in response.content

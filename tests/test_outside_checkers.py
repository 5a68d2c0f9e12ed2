"""The public pages as outside tools judge them: the Nu HTML Checker (vnu-jar, on Java) finds
no error here, and axe-core no WCAG 2.1 A/AA violation (tests/browser/test_accessibility.py,
in Chromium).

Both checkers come from package.json (`make test` runs `npm ci --ignore-scripts`). Where
one is missing (no npm, no Java, no Chromium) its tests are skipped with the reason;
in CI (CI set, as .ci/run does) they fail instead, so CI never passes without them.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from articles.models import Entity
from articles.views import ArticleListMixin

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

ROOT = Path(__file__).resolve().parents[1]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = bool(os.environ.get("CI"))


def need(condition, reason):
    """Skip without `condition`, or fail in CI, where every checker must run."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI needs this checker: {reason}")
    pytest.skip(reason)


def archive():
    """A small archive with every kind of page filled: timelines over several months, tags,
    an author with a bio, entities of each kind, related articles."""
    author = AuthorFactory(name="Ada Byline", bio="Ada covers energy. @adabyline")
    berlin = EntityFactory(name="Berlin", kind=Entity.Kind.PLACE)
    merkel = EntityFactory(name="Angela Merkel", kind=Entity.Kind.PERSON)
    eu = EntityFactory(name="European Union", kind=Entity.Kind.ORG)
    now = timezone.now()
    articles = []
    for n in range(8):
        articles.append(
            ArticleFactory(
                title=f"Wind farm number {n} opens near Berlin",
                body="Engineers switched on the turbines.\n\nAngela Merkel attended.",
                author=author,
                tags=["energy", "Europe"],
                entities=[berlin, merkel, eu],
                published_at=now - datetime.timedelta(days=35 * n, microseconds=123456),
            )
        )
    TagFactory(name="unused")
    return articles


def public_urls(articles):
    article = articles[0]
    published = timezone.localtime(article.published_at)
    berlin = Entity.objects.get(name="Berlin")
    return [
        "/",
        "/?page=2",
        article.get_absolute_url(),
        "/tags/",
        article.listing_tags[0].get_absolute_url(),
        "/authors/",
        article.author.get_absolute_url(),
        "/entities/",
        "/entities/?kind=places",
        berlin.get_absolute_url(),
        "/archive/",
        f"/archive/{published:%Y}/",
        f"/archive/{published:%Y/%m}/",
        "/search/?q=wind",
        "/search/?q=Berlin",
        "/search/?q=zzyzx",
        "/search/?q=",
        "/trends/?q=Berlin",
        "/trends/",
        f"/trends/?entity={berlin.slug}&q=wind&per=share&by=month",
        "/no-such-page/",
    ]


@pytest.mark.django_db
def test_public_pages_are_valid_html(client, tmp_path, monkeypatch):
    """Every public page validates with 0 errors (the Nu HTML Checker, as the W3C runs it)."""
    need(VNU.exists(), f"the Nu HTML Checker is not installed ({VNU.relative_to(ROOT)}; make test runs npm ci)")
    need(shutil.which("java"), "the Nu HTML Checker needs Java (apt-get install default-jre-headless)")
    # Three to a page, so that /?page=2 exists. (Not the ARTICLES_PER_PAGE setting: views read it
    # when they are imported, and this may be the first test to import them.)
    monkeypatch.setattr(ArticleListMixin, "paginate_by", 3)
    urls = public_urls(archive())
    files = []
    for n, url in enumerate(urls):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        files.append(tmp_path / f"{n:02}.html")
        files[-1].write_bytes(response.content)
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    by_page = {str(f): url for f, url in zip(files, urls, strict=True)}
    errors = [
        f"{by_page.get(m.get('url', '').removeprefix('file:'), m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    assert not errors, "\n".join(errors)

"""Hostile seed files: each is stored correctly or rejected with its reason, the run
always completes, and no page shows hostile text unescaped afterwards.

The corpus lives in tests/data/hostile/; files too big or too odd to commit (a
2 MiB file, a 400 kB paragraph with no line break, a newline in a file name)
are generated here.
"""

import shutil
from pathlib import Path

import pytest

from articles.ingest import ingest_paths
from articles.models import Article, Author, Tag

CORPUS = Path(__file__).resolve().parent / "data" / "hostile"

pytestmark = pytest.mark.django_db

STORED = {
    "legacy-cp1252.txt": "Café Owners in Zürich Protest",
    "utf8-bom.txt": "BOM Headline Survives",
    "utf16-bom.txt": "UTF-16 Headline Survives",
    "mixed-line-endings.txt": "Mixed Endings Headline",
    "nul-bytes.txt": "NUL Bytes Headline",
    "rtl-and-zero-width.txt": "\u202eLTR Override\u202c Headline\u200b With Zero\u200dWidth",
    "emoji-only-headline.txt": "🔥🔥🔥📰",
    "html-js-everywhere.txt": 'Headline <script>alert("x")</script>"><img src=x onerror=alert(1)>',
    "template-syntax.txt": "{{ settings.SECRET_KEY }} {% debug %}",
    "sql-looking.txt": "Robert'); DROP TABLE articles_article;--",
    "odd name with spaces & ünïcödé;rm -rf.txt": "Odd File Name Still Works",
    "UPPERCASE-EXTENSION.TXT": "Uppercase Extension Works",
    "long-paragraph.txt": "A Paragraph of 400 kB",
    "new\nline.txt": "Newline In File Name",
}
REJECTED = {
    "empty.txt": "empty",
    "whitespace-only.txt": "whitespace",
    "image-renamed.txt": "binary file (PNG",
    "random-bytes.txt": "binary",
    "damaged-utf8.txt": "damaged UTF-8 at byte offset",
    "missing-byline.txt": "no Author: line",
    "doubled-byline.txt": "2 Author: lines",
    "empty-author.txt": "has no name",
    "giant-headline.txt": "headline is 479 characters long (limit 300)",
    "bad-published.txt": "Published:",
    "no-body.txt": "no body",
    "only-author.txt": "no headline",
    "giant-file.txt": "over the 1,048,576-byte limit",
}
WARNED = {"legacy-cp1252.txt": "Windows-1252", "nul-bytes.txt": "NUL"}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "hostile"
    shutil.copytree(CORPUS, folder)
    seed = "{}\n\nA dek.\n\n{}\n\nAuthor: Hal Tester\n\nHal Tester writes tests.\n"
    (folder / "giant-file.txt").write_text(seed.format("Giant File", "word " * 420_000), encoding="utf-8")
    (folder / "long-paragraph.txt").write_text(seed.format("A Paragraph of 400 kB", "x" * 400_000), encoding="utf-8")
    (folder / "new\nline.txt").write_text(seed.format("Newline In File Name", "Body."), encoding="utf-8")
    return folder


def test_every_hostile_file_is_stored_or_rejected_with_its_reason(corpus):
    report = ingest_paths([str(corpus)], workers=1)

    failed = {Path(item["path"]).name: item["error"] for item in report.failed}
    assert set(failed) == set(REJECTED)
    for name, reason in REJECTED.items():
        assert reason in failed[name], (name, failed[name])
        assert "\n" not in failed[name]

    assert report.created == len(STORED)
    stored = dict(Article.objects.values_list("title", "source_path"))
    for name, headline in STORED.items():
        assert headline in stored, name
        assert Path(stored[headline]).name == name

    warnings = {Path(item["path"]).name: item["warning"] for item in report.warnings}
    for name, text in WARNED.items():
        assert text in warnings[name]

    assert Article.objects.get(title="A Paragraph of 400 kB").body == "x" * 400_000
    assert "\x00" not in Article.objects.get(title="NUL Bytes Headline").body
    assert Article.objects.get(title="🔥🔥🔥📰").slug.startswith("article-")


def test_no_page_shows_hostile_text_unescaped(corpus, client, settings):
    settings.SECRET_KEY = "a-distinctive-secret-that-must-never-appear"
    ingest_paths([str(corpus)], workers=1)
    pages = ["/"]
    pages += [a.get_absolute_url() for a in Article.objects.all()]
    pages += [a.get_absolute_url() for a in Author.objects.all()]
    pages += [t.get_absolute_url() for t in Tag.objects.all()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        # Template syntax in data is shown as typed, never evaluated.
        if "Template" in html or "settings.SECRET_KEY" in html:
            assert "{{ settings.SECRET_KEY }}" in html or "{{ 7|add:7 }}" in html, url
        assert settings.SECRET_KEY not in html, url
    # The SQL-looking text was stored as text and the tables it names still exist.
    assert Article.objects.filter(title__startswith="Robert'); DROP TABLE").exists()

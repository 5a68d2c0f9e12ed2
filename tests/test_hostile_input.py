"""Hostile seed files: each is stored correctly or rejected with its reason, the run
always completes, and no page shows hostile text unescaped afterwards.

The corpus lives in tests/data/hostile/; files too big or too odd to commit (a
2 MiB file, a 400 kB paragraph with no line break, a newline in a file name,
symbolic links, a named pipe, a folder named like a seed file) are generated here.
Run with -s to see how many hostile files were tried.
"""

import os
import shutil
import unicodedata
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
    # Stored without its invisible characters (articles/textcleanup.py), with a warning.
    "rtl-and-zero-width.txt": "LTR Override Headline With ZeroWidth",
    "emoji-only-headline.txt": "🔥🔥🔥📰",
    "html-js-everywhere.txt": 'Headline <script>alert("x")</script>"><img src=x onerror=alert(1)>',
    "template-syntax.txt": "{{ settings.SECRET_KEY }} {% debug %}",
    "sql-looking.txt": "Robert'); DROP TABLE articles_article;--",
    "odd name with spaces & ünïcödé;rm -rf.txt": "Odd File Name Still Works",
    "UPPERCASE-EXTENSION.TXT": "Uppercase Extension Works",
    "long-paragraph.txt": "A Paragraph of 400 kB",
    "new\nline.txt": "Newline In File Name",
    "legacy-latin1.txt": "Señor Müller Opens a Straße Café",
    "utf16-be-bom.txt": "UTF-16 Big-Endian Survives",
    "bom-crlf-nul.txt": "BOM CRLF NUL Mix",
    "cr-only-line-endings.txt": "Classic Mac Line Endings",
    "html-in-tags.txt": "Hostile Tags Headline",
    # In Unicode's composed form (NFC), like every name and headline (articles/textcleanup.py).
    "combining-marks.txt": unicodedata.normalize("NFC", "Z" + "\u0301\u0316\u0327" * 80 + "algo Headline"),
    "published-year-one.txt": "Published in Year One",
    "published-far-future.txt": "Published in 9999",
    "inside-link.txt": "Linked From Inside the Folder",  # stored once, under the link's target
    "looks-like-a-file.txt/inside.txt": "Inside a Folder Named Like a Seed",
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
    "legacy-iso8859-15.txt": "byte 0xA4 at byte offset 62, which is € in ISO-8859-15 but ¤ in Windows-1252",
    "utf16-no-bom.txt": "looks like UTF-16 without a byte-order mark",
    "utf32-bom.txt": "UTF-32 text is not supported",
    "bom-only.txt": "file contains no text",
    "html-in-published.txt": "Published: on line 8 must be a date",
    "template-in-published.txt": "Published: on line 8 must be a date",
    "too-many-tags.txt": "Tags: on line 8 names 5,000 tags (limit 25)",
    "link-to-passwd.txt": "symbolic link to /etc/passwd, outside the folder",
    "link-outside.txt": "outside the folder: copy what it leads to in instead",
}
WARNED = {
    "legacy-cp1252.txt": "Windows-1252",
    "legacy-latin1.txt": "Windows-1252",
    "nul-bytes.txt": "NUL",
    "bom-crlf-nul.txt": "NUL",
    "rtl-and-zero-width.txt": "invisible and control characters removed",
}
# Not seed files at all: never read, never reported, and the run does not wait on them.
IGNORED = ["named-pipe.txt", "dangling-link.txt", "link-to-dev-zero.txt"]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "hostile"
    shutil.copytree(CORPUS, folder)
    seed = "{}\n\nA dek.\n\n{}\n\nAuthor: Hal Tester\n\nHal Tester writes tests.\n"
    (folder / "giant-file.txt").write_text(seed.format("Giant File", "word " * 420_000), encoding="utf-8")
    (folder / "long-paragraph.txt").write_text(seed.format("A Paragraph of 400 kB", "x" * 400_000), encoding="utf-8")
    (folder / "new\nline.txt").write_text(seed.format("Newline In File Name", "Body."), encoding="utf-8")
    # Links: out of the folder (refused, even when the target is a seed file), inside it (read once).
    outside = tmp_path / "outside.txt"
    outside.write_text(seed.format("Secret Outside the Folder", "Not for publication."), encoding="utf-8")
    (folder / "link-outside.txt").symlink_to(outside)
    (folder / "link-to-passwd.txt").symlink_to("/etc/passwd")
    (folder / "link-to-dev-zero.txt").symlink_to("/dev/zero")
    (folder / "dangling-link.txt").symlink_to(tmp_path / "missing.txt")
    (folder / "inside-link.txt").write_text(seed.format("Linked From Inside the Folder", "Body."), encoding="utf-8")
    (folder / "zz-link-inside.txt").symlink_to(folder / "inside-link.txt")
    os.mkfifo(folder / "named-pipe.txt")  # reading it would wait forever
    (folder / "looks-like-a-file.txt").mkdir()
    (folder / "looks-like-a-file.txt" / "inside.txt").write_text(
        seed.format("Inside a Folder Named Like a Seed", "Body."), encoding="utf-8"
    )
    return folder


def tried(folder):
    return sum(1 for p in folder.rglob("*") if p.name.lower().endswith(".txt") and not p.is_dir())


def test_every_hostile_file_is_stored_or_rejected_with_its_reason(corpus):
    report = ingest_paths([str(corpus)], workers=1)
    print(f"\nhostile files tried: {tried(corpus)}")

    failed = {Path(item["path"]).name: item["error"] for item in report.failed}
    assert set(failed) == set(REJECTED)
    for name, reason in REJECTED.items():
        assert reason in failed[name], (name, failed[name])
        assert "\n" not in failed[name]

    assert report.created == len(STORED)
    stored = dict(Article.objects.values_list("title", "source_path"))
    for name, headline in STORED.items():
        assert headline in stored, name
        assert stored[headline].endswith("/" + name)
    assert not Article.objects.filter(title="Secret Outside the Folder").exists()
    assert report.files == len(STORED) + len(REJECTED)  # the ignored ones are not seed files

    warnings = {Path(item["path"]).name: item["warning"] for item in report.warnings}
    for name, text in WARNED.items():
        assert text in warnings[name]

    assert Article.objects.get(title="A Paragraph of 400 kB").body == "x" * 400_000
    assert "\x00" not in Article.objects.get(title="NUL Bytes Headline").body
    assert Article.objects.get(title="🔥🔥🔥📰").slug.startswith("article-")
    assert Article.objects.get(title="Señor Müller Opens a Straße Café").body.startswith("Prices in £ and ¥ rose; ½")
    assert Article.objects.get(title="BOM CRLF NUL Mix").body == "Body with a stray NUL."
    hostile_tags = set(Article.objects.get(title="Hostile Tags Headline").tags.values_list("name", flat=True))
    assert '<script>alert("tag")</script>' in hostile_tags and "{{ settings.SECRET_KEY }}" in hostile_tags


def test_no_page_shows_hostile_text_unescaped(corpus, client, settings):
    settings.SECRET_KEY = "a-distinctive-secret-that-must-never-appear"
    ingest_paths([str(corpus)], workers=1)
    pages = ["/", "/tags/", "/authors/", "/entities/", "/archive/", "/archive/0001/", "/feed/", "/feed/atom/"]
    pages += ["/sitemap.xml", "/sitemap-articles.xml", "/sitemap-tags.xml", "/search/?q=hostile", "/search/?q=script"]
    pages += [a.get_absolute_url() for a in Article.objects.published()]
    pages += [a.get_absolute_url() for a in Author.objects.in_use()]
    for tag in Tag.objects.in_use():
        pages += [tag.get_absolute_url(), f"{tag.get_absolute_url()}feed/", f"/search/?q=headline&tag={tag.slug}"]
    assert len(pages) > 60
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url
        assert "root:x:0:0" not in html, url
        # Template syntax in data is shown as typed, never evaluated.
        if "Template" in html or "settings.SECRET_KEY" in html:
            assert "{{ settings.SECRET_KEY }}" in html or "{{ 7|add:7 }}" in html, url
        assert settings.SECRET_KEY not in html, url
    # The SQL-looking text was stored as text and the tables it names still exist.
    assert Article.objects.filter(title__startswith="Robert'); DROP TABLE").exists()

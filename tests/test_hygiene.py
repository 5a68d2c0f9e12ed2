"""Input hygiene: invisible characters, symbolic-link races in ingest, address takeovers,
markup typed into the admin, and account names (issue 15's hostile-corpus findings)."""

import contextlib
import io
import os
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from articles.ingest import ingest_paths, read_seed_file
from articles.models import Article, Author, Entity, SlugRedirect, Tag
from articles.roles import EditorError, create_editor
from articles.seed import SeedError
from articles.textcleanup import clean_line, clean_prose

from .factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory
from .test_admin import PASSWORD, article_form, errors_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(create_editor("editor", email="editor@example.org", password=PASSWORD))
    return client


SEED = "{headline}\n\nA dek.\n\nA body paragraph about the harbour.\n\nAuthor: {author}\nTags: {tags}\n\nA bio.\n"


class TestInvisibleCharacters:
    @pytest.mark.parametrize(
        "raw, clean",
        [
            ("Dana\u200b Levi", "Dana Levi"),  # zero-width space
            ("Dana\u00a0 Levi ", "Dana Levi"),  # no-break space
            ("\u202eevil\u202c headline", "evil headline"),  # right-to-left override
            ("inter\u00adnational", "international"),  # soft hyphen
            ("a\u2060b\ufeffc", "abc"),  # word joiner, a stray BOM mid-line
            ("Dana\u200dLevi", "DanaLevi"),  # a joiner between Latin letters
            ("\u200e\u200fLRM RLM\u2066isolate\u2069", "LRM RLMisolate"),  # marks, isolates
            ("Jose\u0301", "José"),  # one spelling: composed
            ("tab\tand\nnewline", "tab and newline"),
            ("Dana\u3164Levi", "Dana Levi"),  # a Hangul filler, which shows as a blank
            ("Da\u034fna Le\ufe0fvi", "Dana Levi"),  # grapheme joiner, a variation selector on a Latin letter
            ("\U000e0041\U000e0042Tags", "Tags"),  # tag characters
        ],
    )
    def test_clean_line(self, raw, clean):
        assert clean_line(raw) == clean

    @pytest.mark.parametrize(
        "kept",
        [
            "می\u200cخواهم",  # Persian: the non-joiner is part of the spelling
            "क्\u200dष",  # Devanagari: the joiner chooses a form
            "👩\u200d💻",  # an emoji sequence
            "❤\ufe0f and 1\ufe0f\u20e3",  # variation selectors: emoji presentation, a keycap
            "ᄒ\u1160ᆫ",  # a Hangul filler inside Hangul
            "Plain ASCII, nothing to do.",
        ],
    )
    def test_joiners_that_scripts_need_stay(self, kept):
        assert clean_line(kept) == kept and clean_prose(kept) == kept

    def test_prose_keeps_lines_and_spacing(self):
        assert clean_prose("One\u200b para.\n\nTwo  \u202eparas.") == "One para.\n\nTwo  paras."

    def test_one_person_is_one_author_whatever_invisible_characters_the_byline_holds(self, seed_dir):
        seed_dir.write("a.txt", SEED.format(headline="Harbour \u202eopens", author="Dana Levi", tags="ports"))
        seed_dir.write("b.txt", SEED.format(headline="Harbour closes", author="Dana\u200b Levi", tags="ports\u200b"))
        seed_dir.write("c.txt", SEED.format(headline="Harbour\u00ad dredged", author="\ufeffDana  Levi", tags="Ports"))
        report = ingest_paths([seed_dir.path], workers=1, ner=False)
        assert report.created == 3, report.failed
        assert list(Author.objects.values_list("name", flat=True)) == ["Dana Levi"]
        assert sorted(Article.objects.values_list("title", flat=True)) == [
            "Harbour closes",
            "Harbour dredged",
            "Harbour opens",
        ]
        assert Tag.objects.filter(name__iexact="ports").count() == 1 and not Tag.objects.filter(name__contains="\u200b")
        warned = {Path(w["path"]).name for w in report.warnings}
        assert warned == {"a.txt", "b.txt", "c.txt"}

    def test_a_file_of_invisible_characters_only_is_refused(self, seed_dir):
        seed_dir.write("ghost.txt", SEED.format(headline="\u200b\u200b", author="Dana Levi", tags="ports"))
        report = ingest_paths([seed_dir.path], workers=1, ner=False)
        assert [f["error"] for f in report.failed] == ["nothing but invisible or control characters in the headline"]

    def test_the_admin_cleans_headlines_names_tags_and_entities(self, editor_client):
        author = AuthorFactory(name="Dana Levi")
        response = editor_client.post(
            "/admin/articles/article/add/",
            article_form(
                title="Port \u202eopens\u202c today",
                dek="A\u200b dek",
                body="First\u200b para.\r\n\r\n\u200b\r\n\r\nSecond \u202epara.",
                author=author.pk,
                tags="energy\u200b, \u200bEnergy, ports",
            ),
        )
        assert response.status_code == 302, errors_of(response)
        article = Article.objects.get()
        assert (article.title, article.dek, article.body) == (
            "Port opens today",
            "A dek",
            "First para.\n\nSecond para.",
        )
        assert sorted(article.tags.values_list("name", flat=True)) == ["energy", "ports"]
        # "Dana<ZWSP> Levi" is the author who exists: a clash, not a second author.
        response = editor_client.post("/admin/articles/author/add/", {"name": "Dana\u200b Levi", "bio": "", "slug": ""})
        assert response.status_code == 200 and "name" in errors_of(response)
        assert Author.objects.count() == 1
        response = editor_client.post(
            "/admin/articles/entity/add/",
            {"name": "Baltic\u200b Port\u202e Authority", "kind": "ORG", "aliases": "B\u200bPA\nBPA", "slug": "bpa"},
        )
        assert response.status_code == 302, errors_of(response)
        entity = Entity.objects.get(name="Baltic Port Authority")
        assert entity.aliases == ["BPA"]


class TestSymbolicLinkRaces:
    def test_a_folder_swapped_for_a_link_after_the_listing_is_not_read_through(self, tmp_path):
        seeds, outside = tmp_path / "seeds", tmp_path / "outside"
        (seeds / "sub").mkdir(parents=True)
        outside.mkdir()
        (seeds / "sub" / "story.txt").write_text(SEED.format(headline="Inside", author="A B", tags="x"))
        (outside / "story.txt").write_text(SEED.format(headline="Secret outside", author="A B", tags="x"))
        listed = str(seeds / "sub" / "story.txt")
        assert read_seed_file(Path(listed), 10_000).startswith(b"Inside")
        # Between the listing and the read, the sub-folder becomes a link out of the folder.
        (seeds / "sub").rename(tmp_path / "moved")
        (seeds / "sub").symlink_to(outside, target_is_directory=True)
        with pytest.raises(SeedError, match="when it was opened"):
            read_seed_file(Path(listed), 10_000)

    def test_a_file_swapped_for_a_link_is_refused(self, tmp_path):
        (tmp_path / "secret.txt").write_text("secret")
        (tmp_path / "story.txt").symlink_to(tmp_path / "secret.txt")
        with pytest.raises(SeedError, match="symbolic link to .*secret.txt, outside the folder"):
            read_seed_file(tmp_path / "story.txt", 10_000)

    def test_a_link_to_a_folder_is_reported_not_skipped_unsaid(self, tmp_path):
        seeds, outside = tmp_path / "seeds", tmp_path / "outside"
        seeds.mkdir()
        outside.mkdir()
        (seeds / "story.txt").write_text(SEED.format(headline="Inside", author="A B", tags="x"))
        (outside / "other.txt").write_text(SEED.format(headline="Outside", author="A B", tags="x"))
        (seeds / "dirlink").symlink_to(outside, target_is_directory=True)
        report = ingest_paths([str(seeds)], workers=1, ner=False, dry_run=True)
        [failure] = report.failed
        assert failure["path"].endswith("dirlink") and "symbolic link to" in failure["error"]
        assert "outside the folder" in failure["error"]

    def test_a_named_pipe_is_refused_without_waiting(self, tmp_path):
        os.mkfifo(tmp_path / "pipe.txt")
        with pytest.raises(SeedError, match="not a regular file"):
            read_seed_file(tmp_path / "pipe.txt", 10_000)

    def test_a_swapping_race_never_reads_outside_the_folder(self, tmp_path):
        seeds, outside = tmp_path / "seeds", tmp_path / "outside"
        (seeds / "sub").mkdir(parents=True)
        outside.mkdir()
        (seeds / "sub" / "story.txt").write_text("inside")
        (outside / "story.txt").write_text("SECRET")
        stop = threading.Event()

        def swap():  # the sub-folder flips between a real folder and a link out of the folder
            link = seeds / "sub"
            while not stop.is_set():
                try:
                    link.rename(tmp_path / "parked")
                    link.symlink_to(outside, target_is_directory=True)
                    time.sleep(0.0002)
                    link.unlink()
                    (tmp_path / "parked").rename(link)
                    time.sleep(0.0002)
                except OSError:
                    pass

        swapper = threading.Thread(target=swap)
        swapper.start()
        read = []
        try:
            for _ in range(3000):
                with contextlib.suppress(SeedError, OSError):
                    read.append(read_seed_file(seeds / "sub" / "story.txt", 100))
        finally:
            stop.set()
            swapper.join()
        assert b"SECRET" not in read
        assert read  # some reads happened while the folder was real


class TestAddressTakeover:
    def test_an_old_address_of_another_story_is_refused_with_its_name(self, editor_client):
        story = ArticleFactory(title="Floods close the coast road", slug="floods-close-the-coast-road")
        SlugRedirect.objects.record("floods", story)
        response = editor_client.post(
            "/admin/articles/article/add/", article_form(title="Floods", slug="floods", dek="d", body="b")
        )
        assert response.status_code == 200
        error = str(errors_of(response)["slug"])
        assert "old address of “Floods close the coast road”" in error and "Old addresses" in error
        assert "floods-2" in error
        assert Client().get("/articles/floods/")["Location"] == story.get_absolute_url()

    def test_a_slug_made_from_the_headline_skips_old_addresses(self, editor_client, seed_dir):
        story = ArticleFactory(title="Floods close the coast road", slug="floods-close-the-coast-road")
        SlugRedirect.objects.record("floods", story)
        response = editor_client.post("/admin/articles/article/add/", article_form(title="Floods", dek="d", body="b"))
        assert response.status_code == 302, errors_of(response)
        assert Article.objects.filter(title="Floods", slug="floods-2").exists()
        seed_dir.write("f.txt", SEED.format(headline="Floods", author="A B", tags="weather"))
        ingest_paths([seed_dir.path], workers=1, ner=False)
        assert Article.objects.filter(title="Floods", slug="floods-3").exists()
        assert Client().get("/articles/floods/")["Location"] == story.get_absolute_url()

    def test_an_article_may_take_back_its_own_old_address(self, editor_client):
        story = ArticleFactory(title="Floods", slug="floods-2026")
        SlugRedirect.objects.record("floods", story)
        response = editor_client.post(f"/admin/articles/article/{story.pk}/change/", article_form(story, slug="floods"))
        assert response.status_code == 302, errors_of(response)
        assert Client().get("/articles/floods/").status_code == 200


class TestMarkupTypedIntoTheAdmin:
    def test_the_editor_is_warned_and_the_slug_leaves_the_markup_out(self, editor_client):
        response = editor_client.post(
            "/admin/articles/article/add/",
            article_form(title="<script>alert('xss')</script> Floods <b>now</b>", dek="d", body="Plain <i>body</i>."),
            follow=True,
        )
        assert response.status_code == 200
        article = Article.objects.get()
        assert article.slug == "alertxss-floods-now"
        warnings = [str(m) for m in response.context["messages"]]
        assert any("headline contains HTML (<script>)" in m for m in warnings), warnings
        assert any("body contains HTML (<i>)" in m for m in warnings), warnings
        page = editor_client.get(article.get_absolute_url()).content.decode()  # a draft: the preview
        assert "&lt;script&gt;" in page and "<script>alert" not in page  # still escaped

    def test_comparisons_are_not_markup(self, editor_client):
        response = editor_client.post(
            "/admin/articles/article/add/",
            article_form(title="Inflation < 2% > forecasts", dek="d", body="b"),
            follow=True,
        )
        assert not [m for m in response.context["messages"] if "HTML" in str(m)]


class TestAccounts:
    @pytest.mark.parametrize(
        "args, message",
        [
            (["bad name"], "user name 'bad name'"),
            (["alice", "--email", "notanemail"], "e-mail address 'notanemail'"),
            (["a" * 151], "at most 150 characters"),
        ],
    )
    def test_createeditor_validates_the_name_and_address_before_asking_for_a_password(self, args, message, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO(""))  # no password: the name is refused first
        with pytest.raises(CommandError, match=message):
            call_command("createeditor", *args, "--password-stdin")
        assert not get_user_model().objects.exists()
        with pytest.raises(EditorError, match="user name"):
            create_editor("bad name", password=PASSWORD)

    def test_createeditor_accepts_a_good_name_and_address(self, monkeypatch):
        monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
        call_command(
            "createeditor", "dana.levi", "--email", "dana@example.org", "--password-stdin", stdout=io.StringIO()
        )
        assert get_user_model().objects.get(username="dana.levi").email == "dana@example.org"

    def test_one_address_cannot_try_username_after_username(self, settings):
        create_editor("editor", email="editor@example.org", password=PASSWORD)
        client = Client(REMOTE_ADDR="198.51.100.20")
        for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT):
            response = client.post("/admin/login/", {"username": f"guess{n}", "password": "wrong"})
            assert response.status_code in (200, 429)
        assert response.status_code == 429  # the last failure reached the address's limit
        # Even a right password for a username it never tried, from that address.
        assert client.post("/admin/login/", {"username": "editor", "password": PASSWORD}).status_code == 429
        # Another address is not affected.
        other = Client(REMOTE_ADDR="198.51.100.21")
        assert other.post("/admin/login/", {"username": "editor", "password": PASSWORD}).status_code == 302

    def test_a_few_failures_from_a_shared_address_lock_nobody_else_out(self, settings):
        create_editor("editor", email="editor@example.org", password=PASSWORD)
        client = Client(REMOTE_ADDR="198.51.100.30")
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post("/admin/login/", {"username": "colleague", "password": "wrong"})
        assert client.post("/admin/login/", {"username": "editor", "password": PASSWORD}).status_code == 302


class TestCleanTextCommand:
    """manage.py clean_text: rows stored before ingest and the admin cleaned text (written here with
    the ORM, as an old version stored them)."""

    @pytest.fixture
    def stored(self):
        clean, dirty = AuthorFactory(name="Dana Levi"), AuthorFactory(name="Dana\u200b Levi")
        other = AuthorFactory(name="\u202eOmar Haddad", bio="Writes\u200b about ports.")
        ports, ports_dirty = TagFactory(name="ports"), TagFactory(name="ports\u2060")
        baltic = EntityFactory(name="Baltic\u00ad Port", kind=Entity.Kind.ORG, aliases=["B\u200bP", "BP"])
        first = ArticleFactory(title="Harbour \u202eopens", author=clean, tags=[ports])
        second = ArticleFactory(
            body="Joined\u200b text.\n\nمی\u200cخواهم", author=dirty, tags=[ports_dirty], entities=[baltic]
        )
        untouched = ArticleFactory(title="Plain story", author=other)
        return {"first": first, "second": second, "untouched": untouched, "dirty": dirty}

    def test_dry_run_reports_and_writes_nothing(self, stored):
        out = io.StringIO()
        call_command("clean_text", "--dry-run", stdout=out)
        text = out.getvalue()
        assert "articles would be cleaned: 2" in text
        assert "author would be merged: 'Dana\\u200b Levi' into 'Dana Levi'" in text
        assert "Dry run" in text
        assert Author.objects.filter(name="Dana\u200b Levi").exists()
        assert Article.objects.get(pk=stored["first"].pk).title == "Harbour \u202eopens"

    def test_cleans_in_place_and_merges_what_is_one(self, stored, client):
        out = io.StringIO()
        call_command("clean_text", stdout=out)
        assert "Cleaned." in out.getvalue()
        first, second = (Article.objects.get(pk=stored[k].pk) for k in ("first", "second"))
        assert first.title == "Harbour opens"
        assert second.body == "Joined text.\n\nمی\u200cخواهم"  # the Persian joiner stays
        assert sorted(Author.objects.values_list("name", flat=True)) == ["Dana Levi", "Omar Haddad"]
        assert second.author.name == "Dana Levi"
        assert Author.objects.get(name="Omar Haddad").bio == "Writes about ports."
        assert list(Tag.objects.values_list("name", flat=True)) == ["ports"]
        baltic = Entity.objects.get(kind=Entity.Kind.ORG, name="Baltic Port")
        assert baltic.aliases == ["BP"]
        # The merged author's address leads to the survivor; search finds the cleaned words.
        assert client.get(stored["dirty"].get_absolute_url()).status_code == 301
        assert client.get("/search/", {"q": "Harbour opens"}).context["results"].total == 1
        out = io.StringIO()
        call_command("clean_text", stdout=out)
        assert "Nothing to clean." in out.getvalue()

    def test_case_variants_are_other_spellings_not_dirt(self):
        """F7: the starter vocabulary's "Nato", "BoJ", "IKEA", "Al-Qaeda" are spellings the vocabulary
        matches (capitals-only names match only as written): clean_text leaves them, and a clean
        database has nothing to clean."""
        nato = EntityFactory(name="NATO", kind=Entity.Kind.ORG, aliases=["Nato", "North Atlantic Treaty Organization"])
        EntityFactory(name="Ikea", kind=Entity.Kind.ORG, aliases=["IKEA"])
        EntityFactory(name="al-Qaeda", kind=Entity.Kind.ORG, aliases=["Al-Qaeda"])
        boj = EntityFactory(name="Bank of Japan", kind=Entity.Kind.ORG, aliases=["BOJ", "BoJ"])
        out = io.StringIO()
        call_command("clean_text", "--dry-run", stdout=out)
        assert "Nothing to clean." in out.getvalue() and "renamed" not in out.getvalue()
        call_command("clean_text", stdout=io.StringIO())
        nato.refresh_from_db(), boj.refresh_from_db()
        assert nato.aliases == ["Nato", "North Atlantic Treaty Organization"] and boj.aliases == ["BOJ", "BoJ"]
        assert Entity.objects.get(name="Ikea").aliases == ["IKEA"]

    def test_an_alias_cleaned_is_reported_as_such_not_as_a_rename(self):
        EntityFactory(name="Baltic Port", kind=Entity.Kind.ORG, aliases=["B\u200bP", "BP"])
        out = io.StringIO()
        call_command("clean_text", "--dry-run", stdout=out)
        assert "entity would be cleaned: 'Baltic Port' (aliases)" in out.getvalue()
        assert "renamed" not in out.getvalue()


def test_a_link_that_cannot_be_followed_any_more_is_reported_not_a_crash(seed_dir, monkeypatch):
    """A link in the folder swapped for a loop between the listing and its resolution: Path.resolve()
    raises (RuntimeError before Python 3.13, OSError after); the run reports the file and goes on."""
    seed_dir.write("real.txt", SEED.format(headline="Real story", author="A B", tags="x"))
    (seed_dir.path / "link.txt").symlink_to(seed_dir.path / "real.txt")
    os.symlink("/nonexistent", seed_dir.path / "zz-outside.txt")  # not a file: never listed
    real_resolve = Path.resolve

    def racing_resolve(self, *args, **kwargs):
        if self.name == "link.txt":
            (seed_dir.path / "link.txt").unlink()
            (seed_dir.path / "link.txt").symlink_to(seed_dir.path / "link.txt")  # now a loop
            raise RuntimeError(f"Symlink loop from {self}")
        return real_resolve(self, *args, **kwargs)

    monkeypatch.setattr(Path, "resolve", racing_resolve)
    report = ingest_paths([seed_dir.path], workers=1, ner=False)
    assert report.created == 1
    assert [Path(f["path"]).name for f in report.failed] == ["link.txt"]
    assert "symbolic link" in report.failed[0]["error"]

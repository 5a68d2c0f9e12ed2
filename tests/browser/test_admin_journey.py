"""An editor's day in a real browser: log in, write an article, publish it, find it on the site.

Runs Debian's Chromium (/usr/bin/chromium) through Playwright against pytest-django's
live server; skipped, with the reason, where Chromium is not installed.
"""

import re

import pytest

from articles.models import Article, Tag
from articles.roles import create_editor
from tests.factories import AuthorFactory

PASSWORD = "plum-kettle-harbour-42"

# The live server sees only committed data, so this test commits (tests/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def reader(browser, live_server):
    """A second browser session, anonymous."""
    context = browser.new_context(base_url=live_server.url)
    yield context.new_page()
    context.close()


def test_editor_writes_tags_and_publishes_an_article(page, reader, live_server):
    create_editor("editor", password=PASSWORD)
    author = AuthorFactory(name="Ada Byline")
    page.set_default_timeout(15_000)

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.locator("#id_title").press_sequentially("Tidal power comes of age")
    assert page.input_value("#id_slug") == "tidal-power-comes-of-age"  # filled in from the headline
    page.fill("#id_dek", "A barrage in the estuary starts turning the tide into electricity.")
    page.fill("#id_body", "The turbines started on Monday.\n\nEngineers expect a steady output.")
    page.click(".field-author .select2-selection")
    page.fill(".select2-search__field", "Ada")
    page.click(".select2-results__option:has-text('Ada Byline')")
    page.fill("#id_tags", "Tidal power")
    page.select_option("#id_status", "draft")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")

    # Publish it from the list with the bulk action.
    page.goto(f"{live_server.url}/admin/articles/article/?q=tidal")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "publish")
    page.click("button[name=index]")
    assert "Publish the 1 selected draft?" in page.text_content("#content")  # confirmed first (QA F9)
    page.click("input[type=submit][value='Yes, I’m sure']")
    assert "Published 1 article" in page.text_content(".messagelist")

    article = Article.objects.get(title="Tidal power comes of age")
    assert article.is_public and article.author == author
    tag = Tag.objects.get(name="Tidal power")

    for url in ["/", tag.get_absolute_url(), author.get_absolute_url()]:
        reader.goto(f"{live_server.url}{url}")
        link = reader.locator("a", has_text=re.compile("Tidal power comes of age"))
        assert link.count() >= 1, url
    reader.click("a:has-text('Tidal power comes of age')")
    assert "Engineers expect a steady output." in reader.text_content("body")

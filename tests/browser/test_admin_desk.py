"""The editor's morning in a real browser: the desk, an edit that publishes, History, and the
article list and form at 1280 and 1600 pixels, where no column's content overflows its cell.

Screenshots go to var/screenshots/admin-*.png for a person to look at.
"""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article, IngestRun
from articles.roles import create_editor
from tests.factories import ArticleFactory, AuthorFactory, EntityFactory

PASSWORD = "plum-kettle-harbour-42"
WIDTHS = [1280, 1600]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Cells whose content is wider than the cell, and whether the table is wider than its box.
OVERFLOW = """(selector) => {
  const table = document.querySelector(selector);
  const cells = [...table.querySelectorAll('th, td')].filter(c => c.scrollWidth > c.clientWidth + 1)
      .map(c => (c.className || c.tagName) + ': ' + c.textContent.trim().slice(0, 40));
  const box = table.parentElement;
  return {cells, tableWider: table.scrollWidth > box.clientWidth + 1, page: document.documentElement.scrollWidth};
}"""


def newsroom_morning():
    author = AuthorFactory(name="Margarethe Vestager-Lindqvist")
    berlin = EntityFactory(name="Berlin")
    long_title = "European Commission approves the North Sea offshore wind grid after a decade of talks"
    for n in range(3):
        ArticleFactory(
            title=f"{long_title} ({n})",
            author=author,
            tags=["energy", "European Union", "offshore wind"],
            entities=[berlin],
            ingested_at=timezone.now(),
        )
    ArticleFactory(
        title="Central bank holds rates as inflation cools", published_at=timezone.now() + datetime.timedelta(hours=3)
    )
    ArticleFactory(title="Budget talks resume in Brussels", status=Article.Status.DRAFT, published_at=None)
    run = IngestRun.objects.begin()
    ArticleFactory(title="Harbour reopens after storm", ingested_at=timezone.now())
    run.failures = [{"path": "seeds/broken.txt", "error": "no Author: line after the body"}]
    run.failed, run.created, run.finished_at = 1, 1, timezone.now()
    run.save()
    ArticleFactory(title="Xq7 Holdings lists its shares", entities=[EntityFactory(name="Xq7 Holdings")])


def log_in(page, live_server):
    create_editor("editor", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def test_morning_desk_publish_and_history(page, live_server, screenshot):
    newsroom_morning()
    page.set_default_timeout(15_000)
    log_in(page, live_server)
    assert page.text_content("#site-name").strip() == "Newsroom"
    assert page.title() == "Newsroom | Newsroom"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"{live_server.url}/admin/")
        screenshot(page, f"admin-desk-{width}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    scheduled = page.locator(".desk-scheduled")
    assert "Central bank holds rates" in scheduled.text_content()
    assert "seeds/broken.txt" in page.text_content(".desk-ingest")
    assert "Xq7 Holdings" in page.text_content(".desk-entities")

    # From the desk to a draft, published with a save.
    page.click(".desk-drafts a:has-text('Budget talks resume')")
    page.select_option("#id_status", "published")
    page.click("input[name=_save]")
    message = page.text_content(".messagelist")
    assert "is live at" in message
    draft = Article.objects.get(title="Budget talks resume in Brussels")
    assert draft.is_public
    screenshot(page, f"admin-published-message-{width}")

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(f"{live_server.url}/admin/articles/article/{draft.pk}/history/")
        history = page.text_content("#change-history")
        assert "Status: Draft → Published" in history and "Publication date: — →" in history
        screenshot(page, f"admin-history-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_article_list_and_form_fit(page, live_server, screenshot, width):
    newsroom_morning()
    # QA F7: one headline with a long unbroken word widened its column for every row.
    days_ago = timezone.now() - datetime.timedelta(days=3)
    ArticleFactory(title="Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft Reports")
    ArticleFactory(title="x" * 300, published_at=days_ago)
    page.set_default_timeout(15_000)
    log_in(page, live_server)
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{live_server.url}/admin/articles/article/")
    screenshot(page, f"admin-article-list-{width}")
    fit = page.evaluate(OVERFLOW, "#result_list")
    assert fit["cells"] == [] and not fit["tableWider"] and fit["page"] <= width, fit
    # The headline gets room: a long one wraps in at most three lines.
    title = page.locator("#result_list .field-title").first
    line = float(page.evaluate("(e) => parseFloat(getComputedStyle(e).lineHeight) || 16", title.element_handle()))
    assert title.bounding_box()["height"] <= 3.5 * line
    ingested = page.locator("#result_list tbody tr", has_text="European Commission").first
    assert "ingest" in ingested.locator(".field-last_change").text_content()

    article = Article.objects.filter(title__startswith="European Commission").first()
    page.goto(f"{live_server.url}/admin/articles/article/{article.pk}/change/")
    screenshot(page, f"admin-article-form-{width}")
    headline = page.locator("#id_title")
    # The whole headline shows in its box.
    assert page.evaluate("(e) => e.scrollWidth <= e.clientWidth", headline.element_handle())
    assert page.locator(".inline-related td.original p").first.text_content().strip() == "Berlin"

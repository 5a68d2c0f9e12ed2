"""A reader's journeys through the site in a real browser (Chromium), with screenshots."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from articles import changes
from articles.models import Entity

from ..factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PARAGRAPHS = (
    "Ministers met in the capital on Tuesday to agree a plan for the coming winter, officials said.\n\n"
    "The talks, which lasted most of the day, covered energy prices, grid repairs and support for households.\n\n"
    "“We have done the work early this year,” one official said. “Nobody wants a repeat of last winter.”"
)


@pytest.fixture
def archive():
    """A small archive: three authors, topics, and entities mentioned over two years."""
    now = timezone.now()
    harbour = EntityFactory(name="Port Elsewhere", kind=Entity.Kind.PLACE)
    minister = EntityFactory(name="Dana Minister", kind=Entity.Kind.PERSON)
    board = EntityFactory(name="Grid Board", kind=Entity.Kind.ORG)
    energy, weather = TagFactory(name="energy"), TagFactory(name="weather")
    writers = [
        AuthorFactory(name="Lena Holm", bio="Lena Holm covers energy and climate. @lenaholm"),
        AuthorFactory(name="Tomás Ruiz", bio="Tomás Ruiz reports on ports and shipping."),
        AuthorFactory(name="Aiko Mori", bio="Aiko Mori writes about weather."),
    ]
    articles = []
    for i in range(26):
        entities = [harbour] + ([minister] if i % 2 else []) + ([board] if i % 3 == 0 else [])
        articles.append(
            ArticleFactory(
                title=f"Winter plan, part {i + 1}: what changes for the harbour towns",
                dek=f"Instalment {i + 1} of our series on how the coast prepares for the cold months.",
                body=PARAGRAPHS,
                author=writers[i % 3],
                tags=[energy] + ([weather] if i % 2 else []),
                entities=entities,
                published_at=now - datetime.timedelta(days=27 * i + 1),
            )
        )
    # The factory writes one article at a time, and an article's related articles are chosen
    # when it is written (articles/related.py), so the first ones would know none of the later
    # ones. An ingest writes a batch at once: do the same here.
    with transaction.atomic():
        changes.apply(articles=[article.pk for article in articles])
    return {"articles": articles, "harbour": harbour, "energy": energy, "writer": writers[0]}


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_home_to_article_to_tag_to_another_article(page, archive, screenshot):
    page.goto("/")
    assert page.title() == "Newsroom — latest articles"
    screenshot(page, "home")
    first = archive["articles"][0]
    page.get_by_role("link", name=first.title).click()
    page.wait_for_url(f"**{first.get_absolute_url()}")
    assert page.locator("h1").inner_text() == first.title
    assert page.get_by_role("heading", name="Related articles").is_visible()
    screenshot(page, "article")

    page.locator(".article-footer .tags").get_by_role("link", name="energy").click()
    page.wait_for_url("**/tags/energy/")
    assert page.locator("h1").inner_text() == "energy"
    screenshot(page, "tag")
    cards = page.locator(".card-title a")
    assert cards.count() == 20  # first page of 26
    cards.nth(3).click()
    page.wait_for_url(re.compile(r"/articles/"))
    heading = page.locator("h1").inner_text()
    assert heading.startswith("Winter plan") and heading != first.title

    # The pager reaches the second page of the tag.
    page.goto("/tags/energy/")
    page.get_by_role("link", name="Older →").click()
    page.wait_for_url("**/tags/energy/?page=2")
    assert page.locator(".card").count() == 6


def test_author_page_from_the_byline(page, archive, screenshot):
    article = archive["articles"][0]
    page.goto(article.get_absolute_url())
    page.locator(".article-header").get_by_role("link", name="Lena Holm").click()
    page.wait_for_url("**/authors/lena-holm/")
    assert page.locator("h1").inner_text() == "Lena Holm"
    assert "covers energy and climate" in page.locator(".bio").inner_text()
    assert page.get_by_role("link", name="@lenaholm on X").get_attribute("href") == "https://x.com/lenaholm"
    assert page.locator(".card").count() == 9
    screenshot(page, "author")


def test_entity_page_draws_its_timeline(page, archive, screenshot):
    harbour = archive["harbour"]
    page.goto(harbour.get_absolute_url())
    assert page.locator("h1").inner_text() == "Port Elsewhere"
    chart = page.get_by_role("img", name="Articles mentioning Port Elsewhere per month")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box["width"] > 200 and box["height"] > 40
    assert page.locator("rect.timeline-bar").count() >= 20
    assert page.get_by_role("link", name="Dana Minister").is_visible()  # appears with
    page.get_by_text("Monthly counts as a table").click()
    assert page.locator(".timeline-data table").is_visible()
    screenshot(page, "entity")
    screenshot(page.locator(".timeline"), "entity-timeline")

    page.goto("/entities/")
    assert page.get_by_role("heading", name="People", exact=True).is_visible()
    screenshot(page, "entities")
    for path, name in [("/tags/", "tags"), ("/authors/", "authors"), ("/archive/", "archive")]:
        page.goto(path)
        assert page.locator("h1").count() == 1
        screenshot(page, name)


def test_phone_sized_screen(browser, live_server, archive, screenshot):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, base_url=live_server.url
    )
    page = context.new_page()
    try:
        page.goto("/")
        assert no_horizontal_scroll(page)
        assert page.get_by_role("navigation", name="Sections").is_visible()
        screenshot(page, "phone-home")
        page.goto(archive["articles"][1].get_absolute_url())
        assert no_horizontal_scroll(page)
        body_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize)")
        assert body_size >= 16
        screenshot(page, "phone-article")
        page.goto(archive["harbour"].get_absolute_url())
        assert no_horizontal_scroll(page)
        assert page.locator(".timeline-chart").bounding_box()["width"] <= 390
        screenshot(page, "phone-entity")
    finally:
        context.close()


def test_the_search_and_trends_forms_fit_a_small_phone(browser, live_server, archive):
    # QA F12: at 320 px the inputs kept their intrinsic width and pushed the button off the screen.
    context = browser.new_context(viewport={"width": 320, "height": 700}, base_url=live_server.url)
    page = context.new_page()
    try:
        for path in ["/search/?q=harbour", f"/trends/?entity={archive['harbour'].slug}"]:
            page.goto(path)
            assert no_horizontal_scroll(page), path
    finally:
        context.close()


def test_keyboard_and_dark_scheme(browser, live_server, archive, screenshot):
    context = browser.new_context(
        color_scheme="dark", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    page = context.new_page()
    try:
        page.goto(archive["articles"][0].get_absolute_url())
        page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Skip to content")
        assert skip.evaluate("element => element === document.activeElement")
        assert skip.is_visible()
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(22, 22, 22)"
        screenshot(page, "article-dark")
    finally:
        context.close()


CONTRAST_JS = """
selectors => {
  const luminance = rgb => {
    const [r, g, b] = rgb.match(/[0-9.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = luminance(getComputedStyle(document.body).backgroundColor);
  return selectors.map(selector => {
    const element = document.querySelector(selector);
    const text = luminance(getComputedStyle(element).color);
    const [light, dark] = [Math.max(text, background), Math.min(text, background)];
    return [selector, (light + 0.05) / (dark + 0.05)];
  });
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_passes_wcag_aa(browser, live_server, archive, scheme):
    context = browser.new_context(color_scheme=scheme, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto(archive["harbour"].get_absolute_url())
        selectors = ["body", "h1", ".dek", ".meta", ".card-title a", ".tags a", ".count", ".kicker a", ".feed-links"]
        for selector, ratio in page.evaluate(CONTRAST_JS, selectors):
            assert ratio >= 4.5, f"{selector}: {ratio:.2f}:1 in the {scheme} scheme"
    finally:
        context.close()


def test_print_stylesheet_keeps_only_the_story(page, archive):
    page.goto(archive["articles"][0].get_absolute_url())
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator(".related").is_visible()
    assert page.locator(".article .body").is_visible()

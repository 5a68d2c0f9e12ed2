"""/trends/ in a real browser under the Content-Security-Policy: the chart drawn with no script and no
inline style, its legend, table and CSV, from an entity page's "Compare over time"; screenshots wide,
on a phone and in the dark scheme."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Entity

from ..factories import ArticleFactory, EntityFactory
from .test_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def archive():
    """Three entities mentioned over two years, one of them more and more, and a word."""
    harbour = EntityFactory(name="Port Elsewhere", kind=Entity.Kind.PLACE)
    minister = EntityFactory(name="Dana Minister", kind=Entity.Kind.PERSON)
    board = EntityFactory(name="Grid Board", kind=Entity.Kind.ORG)
    now = timezone.now()
    for i in range(40):
        entities = [harbour] + ([minister] if i % 3 == 0 else []) + ([board] if i < 12 else [])
        ArticleFactory(
            body="The ferry timetable changes." if i % 4 == 0 else "Quiet week.",
            entities=entities,
            published_at=now - datetime.timedelta(days=18 * i + 1),
        )
    return {"harbour": harbour, "minister": minister, "board": board}


def assert_no_violation(page):
    assert page.evaluate("window.__csp") == []


def test_compare_over_time_draws_the_chart_under_the_policy(browser, live_server, archive, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    try:
        page.goto(archive["harbour"].get_absolute_url())
        page.get_by_role("link", name="Compare over time").click()
        page.wait_for_url("**/trends/?entity=port-elsewhere")
        page.get_by_role("link", name="Add Dana Minister").click()
        page.get_by_label("Add a person, place or organisation").fill("grid board")
        page.get_by_label("A search term").fill("ferry")
        page.get_by_role("button", name="Chart").click()
        page.wait_for_url("**/trends/?entity=port-elsewhere&entity=dana-minister&entity=grid-board&q=ferry")
        page.wait_for_load_state("networkidle")
        assert page.locator(".trends-line").count() == 4 + 4  # the lines and their legend swatches
        chart = page.locator(".trends-chart")
        assert chart.bounding_box()["height"] > 200
        # Coloured from the stylesheet, by class: the policy allows no inline style.
        strokes = page.evaluate(
            "[...document.querySelectorAll('.trends-chart .trends-line')].map(l => getComputedStyle(l).stroke)"
        )
        assert len(set(strokes)) == 4
        assert page.locator(".trends-label").all_inner_texts() != []
        screenshot(page, "trends")
        page.get_by_text("The numbers as a table").click()
        assert page.get_by_role("table").is_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="Download the numbers (CSV)").click()
        assert download.value.suggested_filename == "trends-port-elsewhere-dana-minister-grid-board-search.csv"
        page.get_by_role("link", name="share of all articles").click()
        assert "per=share" in page.url
        assert page.locator(".trends-tick").first.text_content().endswith("%")
        assert_no_violation(page)
    finally:
        context.close()


def test_phone_and_dark_scheme(browser, live_server, archive, screenshot):
    path = f"/trends/?entity={archive['harbour'].slug}&entity={archive['board'].slug}&per=share"
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        color_scheme="dark",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    try:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        # The page does not scroll sideways; the chart keeps readable labels in its own scrolling box.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        label_size = page.evaluate("document.querySelector('.trends-period').getBoundingClientRect().height")
        assert label_size >= 11
        # QA F8: the box opens on the newest months (the chart's right end), usually the point.
        ends = "[...document.querySelectorAll('.trends-scroll, .trends-chart')].map(e => e.getBoundingClientRect())"
        box, chart = page.evaluate(f"{ends}.map(r => [r.left, r.right])")
        assert chart[0] < box[0] and abs(chart[1] - box[1]) <= 1, (box, chart)
        screenshot(page, "phone-trends-dark")
        assert_no_violation(page)
    finally:
        context.close()

"""/api/docs/ in a real browser: the API's reference renders under the site's policy with no
violation and no script, reads on a phone without sideways scrolling, and its routes answer JSON."""

import pytest

from ..factories import ArticleFactory
from .test_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def docs(page):
    ArticleFactory(title="Harbour policy under scrutiny", tags=["policy"])
    page.add_init_script(RECORD_VIOLATIONS)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    response = page.goto("/api/docs/")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    page.console_errors = errors
    return page


def test_reference_renders_under_the_policy(docs, screenshot):
    assert docs.evaluate("window.__csp") == []
    assert docs.console_errors == []
    assert docs.locator("script").count() == 0
    assert docs.locator("h1").inner_text().startswith("Newsroom API")
    routes = docs.locator(".api-route h3").all_inner_texts()
    assert any("/api/v1/articles/{slug}/" in route for route in routes)
    assert len(routes) == 9
    parameters = docs.get_by_role("table", name="Parameters of /api/v1/articles/")
    assert parameters.get_by_role("rowheader", name="page_size").count() == 1
    # The stylesheet applied: the tables are laid out by it, not the browser's defaults.
    assert docs.evaluate("getComputedStyle(document.querySelector('.api-docs table')).borderCollapse") == "collapse"
    screenshot(docs, "api-docs")
    screenshot(docs.locator(".api-route").nth(1), "api-docs-articles-route")


def test_reference_fits_a_phone(docs, screenshot):
    docs.set_viewport_size({"width": 390, "height": 844})
    assert docs.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(docs, "api-docs-phone")


def test_the_schema_it_links_is_json(docs):
    link = docs.get_by_role("link", name="OpenAPI 3 schema")
    response = docs.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.json()["info"]["title"] == "Newsroom API"
    answer = docs.request.get("/api/v1/articles/?tag=policy")
    assert [item["title"] for item in answer.json()["items"]] == ["Harbour policy under scrutiny"]

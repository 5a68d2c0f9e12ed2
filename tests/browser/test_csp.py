"""The Content-Security-Policy in a real browser: the reader's pages and the admin work under it
with no violation, the JSON-LD data block is read under a policy that allows no inline script,
and inline script is blocked (the policy is enforced, not just sent)."""

import pytest
from django.contrib.auth import get_user_model

from articles.models import Article, Entity

from ..factories import ArticleFactory, AuthorFactory, EntityFactory, TagFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "plum-kettle-harbour-42"

# Runs before any page script (injected by the browser itself, so the policy does not apply to it).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
    window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording policy violations and console errors."""
    page.add_init_script(RECORD_VIOLATIONS)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    return page


def visit(page, path, status=200):
    response = page.goto(path)
    assert response.status == status, path
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__csp")
    assert violations == [], (path, violations)
    csp_errors = [e for e in page.console_errors if "Content Security Policy" in e or "Content-Security-Policy" in e]
    assert csp_errors == [], (path, csp_errors)
    return response


@pytest.fixture
def story():
    entity = EntityFactory(name="Port Policy", kind=Entity.Kind.PLACE)
    return ArticleFactory(
        title="Harbour policy under scrutiny",
        author=AuthorFactory(name="Cleo Header"),
        tags=[TagFactory(name="policy")],
        entities=[entity],
    )


def test_reader_pages_load_with_no_violation(watched, story):
    for path in [
        "/",
        "/tags/",
        "/entities/",
        story.mentions.get().entity.get_absolute_url(),  # the SVG timeline
        "/archive/",
        "/search/?q=harbour",
    ]:
        visit(watched, path)
    visit(watched, "/no/such/page/", status=404)


def test_the_article_page_json_ld_is_read_under_a_policy_without_inline_script(watched, story):
    # A data block: never executed, so the policy (no inline script, no nonce) does not apply to it.
    response = visit(watched, story.get_absolute_url())
    assert "nonce" not in response.headers["content-security-policy"]
    data = watched.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["headline"] == story.title
    assert watched.evaluate("window.__csp") == []


def test_inline_script_is_blocked(watched, story):
    visit(watched, story.get_absolute_url())
    ran = watched.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__injected = true";
            document.body.appendChild(script);
            return window.__injected === true;
        }"""
    )
    assert ran is False
    assert any("script-src" in v for v in watched.evaluate("window.__csp"))


def test_the_admin_works_under_the_policy(watched, story):
    # (A superuser: the browser tests' database is emptied between tests, the Editors group with it.)
    get_user_model().objects.create_superuser("editor", email="editor@example.org", password=PASSWORD)
    visit(watched, "/admin/login/")
    watched.fill("#id_username", "editor")
    watched.fill("#id_password", PASSWORD)
    watched.click("input[type=submit]")
    watched.wait_for_selector("#site-name")
    visit(watched, "/admin/")
    visit(watched, "/admin/articles/article/")
    visit(watched, f"/admin/articles/article/{story.pk}/change/")
    # The scripts the form needs ran: the author autocomplete (select2) and the tag suggestions (fetch).
    watched.click(".field-author .select2-selection")
    watched.fill(".select2-search__field", "Cleo")
    watched.wait_for_selector(".select2-results__option:has-text('Cleo Header')")
    watched.locator("#id_tags").press_sequentially(", pol")
    watched.wait_for_load_state("networkidle")
    assert watched.evaluate("window.__csp") == []
    visit(watched, "/admin/articles/article/add/")
    visit(watched, "/admin/articles/entity/")
    assert Article.objects.count() == 1

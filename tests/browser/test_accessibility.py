"""axe-core (from package.json) in Chromium on every public page: no WCAG 2.1 A/AA violation,
in the light and dark schemes and on a phone. Skipped without axe-core, failed in CI."""

import pytest

from tests.test_outside_checkers import AXE, ROOT, archive, need, public_urls


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "scheme, viewport",
    [
        ("light", {"width": 1280, "height": 900}),
        ("dark", {"width": 1280, "height": 900}),
        ("light", {"width": 390, "height": 844}),
    ],
    ids=["light", "dark", "phone"],
)
def test_public_pages_have_no_accessibility_violations(browser, live_server, scheme, viewport):
    """axe-core, WCAG 2.1 A and AA rules, on every public page: no violation."""
    need(AXE.exists(), f"axe-core is not installed ({AXE.relative_to(ROOT)}; make test runs npm ci)")
    urls = public_urls(archive())
    # The pages forbid inline script (Content-Security-Policy); axe is added from outside them.
    context = browser.new_context(viewport=viewport, color_scheme=scheme, base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    found = []
    try:
        for url in urls:
            page.goto(url)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
            )
            found += [
                f"{url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
                for v in result["violations"]
            ]
    finally:
        context.close()
    assert not found, "\n".join(found)

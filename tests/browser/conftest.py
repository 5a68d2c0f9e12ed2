"""Real-browser journeys: Playwright for Python driving Debian's Chromium against pytest-django's live_server.

Skipped, with the reason shown in the test summary, when /usr/bin/chromium or the
playwright package is missing (`apt-get install chromium`; `.ci/run` installs it).

The live server only sees committed rows, so every browser test is marked
`pytest.mark.django_db(transaction=True, serialized_rollback=True)`, like every other test
that commits (tests/conftest.py says why, and puts the migrations' rows back at the end).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "browser tests need the playwright package (pip install -r requirements-dev.txt)"
    elif not CHROMIUM.exists():
        reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason:
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser(django_db_setup):
    from django.db import connections

    # Sync Playwright runs an event loop in this thread; Django would then refuse the
    # test's own (synchronous) database calls without this.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    serialized = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with sync_playwright() as playwright:
        # While that loop runs, Django hands this thread new connection objects (asgiref's
        # Local keeps them per event loop), without the rows serialized when the test database
        # was created: serialized_rollback would then quietly load nothing, and the flush
        # after the test would re-create content types and permissions (tests/conftest.py).
        for alias, contents in serialized.items():
            connections[alias]._test_serialized_contents = contents
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        connections.close_all()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page or locator, name): save a PNG under var/screenshots/ for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(target, name):
        path = str(SCREENSHOTS / f"{name}.png")
        if hasattr(target, "goto"):
            target.screenshot(path=path, full_page=True)
        else:
            target.screenshot(path=path)  # one element

    return take

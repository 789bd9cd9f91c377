"""Browser tests: the real app on a live server, driven in Debian's Chromium by Playwright.

Every page a journey visits is checked with axe-core (WCAG 2.2 A and AA rules) and
photographed into test-artifacts/screenshots/ for reviewers. The app's own
Content-Security-Policy stays on: a page that only works with it off would fail here.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# (setting the scene with tracker.services) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe tags no WCAG 2.2 rule at level A).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if f"{os.sep}e2e{os.sep}" in str(item.path):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def checked_pages():
    """The pages the journeys checked; written to test-artifacts/accessibility-checks.json at the end.

    Screenshots of this run only: last run's pages would mislead a reviewer.
    """
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    checked: list[dict] = []
    yield checked
    if checked:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "accessibility-checks.json").write_text(
            json.dumps(checked, indent=1, ensure_ascii=False), encoding="utf-8"
        )


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core not found at {AXE}: bin/setup installs it from package-lock.json")
    return AXE.read_text(encoding="utf-8") + "\n;0"  # ";0": evaluate() returns nothing big


def _keep_serialized_rollback(launch):
    """Run ``launch`` (which starts Playwright) without losing serialized rollback.

    Django keeps a database connection per thread, but per asyncio context while an event
    loop runs; Playwright's sync API leaves its loop marked as running in this thread
    between calls. From the browser's launch on, this thread's code (the tests, and
    pytest-django's set-up and flush around each of them) gets a second connection object
    to the same test database, one without the copy of the migrated rows (roles, category
    scheme) that Django serialized when it created that database. Give it that copy, so
    each browser test starts from the migrated rows as every other test does.
    """
    from django.db import connections

    serialized = {
        conn.alias: conn._test_serialized_contents
        for conn in connections.all()
        if hasattr(conn, "_test_serialized_contents")
    }
    result = launch()
    for alias, contents in serialized.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents
    return result


@pytest.fixture(scope="session")
def browser(django_db_setup):
    """One headless Chromium for the whole session (Debian's, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: bin/setup installs Debian's chromium package")
    manager = sync_playwright()

    def launch():
        return manager.start().chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )

    browser = _keep_serialized_rollback(launch)
    try:
        yield browser
        browser.close()
    finally:
        manager.__exit__()


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    """The seed report and the demo users, as bin/run loads them.

    The live server reads the database from its own thread, so the tests run
    transactionally: the database is emptied after each, and serialized_rollback puts the
    migrations' rows (roles, the category scheme) back before the next.
    """
    call_command("load_demo", stdout=io.StringIO())


@pytest.fixture
def visit(browser, live_server, axe_source, checked_pages, request):
    """visit(who) opens a fresh browser context (a new person) on the live server."""
    from tests.e2e.browsing import Visitor

    contexts = []
    journey = re.sub(r"^test_", "", request.node.name)
    counter = iter(range(1, 1000))

    def open_visitor(who: str = "visitor"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="en-GB", timezone_id="Europe/London",
            accept_downloads=True,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Visitor(
            context.new_page(), live_server.url, who=who, journey=journey, counter=counter,
            axe_source=axe_source, checked=checked_pages, screenshots=SCREENSHOTS / journey,
        )

    yield open_visitor
    for context in contexts:
        context.close()

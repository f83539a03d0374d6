"""Browser flows: Playwright drives Debian's Chromium against pytest-django's live server.

Playwright never downloads a browser here (`playwright install` is not allowed on these
machines); it launches /usr/bin/chromium. Without it the flows skip, except in CI
(CI=true), where a missing browser must fail the run instead of hiding the flows.
"""

import os
from pathlib import Path

import pytest

from linli.test import build_world

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    # Every test in this folder is a browser flow, so `-m "not e2e"` leaves them all out.
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def browser(monkeypatch):
    """A Chromium for one test.

    Not session-wide on purpose: while Playwright's sync API is started it keeps an asyncio
    loop running in this thread, so every later test in the session (e2e or not) would see a
    running loop, and DJANGO_ALLOW_ASYNC_UNSAFE would leak into them (and into subprocesses
    such as `manage.py check --deploy`). A start per test costs about a second.
    """
    if not CHROMIUM.exists():
        message = f"browser flows need Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        if _in_ci():
            pytest.fail(f"{message}; CI must run them, not skip them", pytrace=False)
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    # That running loop makes Django refuse ORM calls from the test body (build_world,
    # checks after a flow); the live server's own threads are unaffected.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic` first; the live server serves static files
    # straight from the finders, so plain names are what the pages must link to.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


class Problems:
    """What a page reported while a test used it: CSP violations, script errors, failed loads."""

    def __init__(self):
        self.csp: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []

    def watch(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", lambda request: self.failed.append(f"{request.url} ({request.failure})"))
        page.on("response", self._response)

    def _console(self, message):
        if "Content Security Policy" in message.text:
            self.csp.append(message.text)

    def _response(self, response):
        if response.status >= 400 and "/static/" in response.url:
            self.failed.append(f"{response.url} ({response.status})")

    def check(self):
        assert not self.csp, f"Content-Security-Policy violations: {self.csp}"
        assert not self.errors, f"script errors on the page: {self.errors}"
        assert not self.failed, f"static files that did not load: {self.failed}"


@pytest.fixture
def open_page(browser, live_server):
    """open_page(width=…, height=…) gives a page in a fresh context (no cookies) on the live server.

    Each page is watched; when the test ends, a CSP violation, a script error or a static
    file that failed to load fails it.
    """
    contexts = []
    problems = Problems()

    def _open(width: int = 1280, height: int = 800):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems.watch(page)
        return page

    yield _open
    for context in contexts:
        context.close()
    problems.check()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def world(transactional_db):
    # The live server reads the data from its own thread, so it must be committed: the
    # personas are built in a transactional test, not inside a rolled-back transaction.
    return build_world()

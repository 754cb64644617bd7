"""Headless Debian Chromium driven by Playwright, against pytest-django's live server.

``playwright install`` cannot download browsers here, so the tests drive the system's
``/usr/bin/chromium`` (``make setup`` installs it). Set ``PORTAL_SKIP_BROWSER=1`` to skip them
on a machine without it; otherwise a missing Chromium is a failure, never a silent skip.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the tests still use the ORM.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    if os.environ.get("PORTAL_SKIP_BROWSER") == "1":
        pytest.skip("PORTAL_SKIP_BROWSER=1: browser tests skipped")
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make setup` to install Debian's chromium "
            "(or set PORTAL_SKIP_BROWSER=1 to skip the browser tests).",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class PageProblems:
    """What went wrong while a page was used: console errors, failed, refused (4xx/5xx) and
    foreign requests."""

    def __init__(self, page, host):
        self.console_errors = []
        self.failed_requests = []
        self.foreign_requests = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("request", lambda req: self._request(req, host))

    def _console(self, msg):
        # A failed load is reported with its URL by _response; the console line has none.
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            self.console_errors.append(msg.text)

    def _response(self, resp):
        # Chromium probes /favicon.ico by itself, at a moment of its choosing: not a page's fault.
        if resp.status >= 400 and urlsplit(resp.url).path != "/favicon.ico":
            self.failed_requests.append(f"{resp.request.method} {resp.url}: {resp.status}")

    def _failed(self, req):
        # ERR_ABORTED is Chromium cancelling a load because the test moved on (often the
        # favicon); an answer the server got wrong shows up in _response as 4xx/5xx instead.
        if req.failure == "net::ERR_ABORTED":
            return
        self.failed_requests.append(f"{req.method} {req.url}: {req.failure}")

    def _request(self, req, host):
        parts = urlsplit(req.url)
        if parts.scheme in ("http", "https") and parts.hostname != host:
            self.foreign_requests.append(req.url)

    def assert_none(self, page):
        # Late loads (the favicon, htmx polls) are caught too.
        page.wait_for_load_state("networkidle")
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert not csp, f"CSP violations: {csp}"
        assert not self.console_errors, f"console errors: {self.console_errors}"
        assert not self.failed_requests, f"failed requests: {self.failed_requests}"
        assert not self.foreign_requests, f"requests to other hosts: {self.foreign_requests}"


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(chromium, live_server, viewport):
    """A fresh browser context at the viewport, with ``page.problems`` recording trouble."""
    context = chromium.new_context(base_url=live_server.url, locale="zh-CN", **VIEWPORTS[viewport])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.problems = PageProblems(page, urlsplit(live_server.url).hostname)
    page.viewport_name = viewport
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): save a full-page PNG under var/screenshots/ (gitignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{page.viewport_name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take

"""Headless Debian Chromium driven by Playwright, against pytest-django's live server.

``playwright install`` cannot download browsers here, so the tests drive the system's
``/usr/bin/chromium`` (``make setup`` installs it). Set ``PORTAL_SKIP_BROWSER=1`` to skip them
on a machine without it; otherwise a missing Chromium is a failure, never a silent skip.

Every page any browser test opens is audited for accessibility: every browser context made
from the ``chromium`` fixture (``page`` and any a test makes itself) gets axe-core, from the
portal's static files, and ``a11y_audit.js`` in each new document. When the page has loaded,
axe-core and the portal's own checks (ARIA relations that name missing ids, form fields
whose edge is under 3:1) run in it; the next navigation waits until the result is in, so no
page view escapes. A test fails when a page it visited has a serious or critical violation.
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
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
AXE_STATIC = "vendor/axe-core/axe.min.js"
AUDIT_SCRIPT = Path(__file__).with_name("a11y_audit.js")
# How long the end of a test waits for the audit of the pages still open.
AUDIT_TIMEOUT_MS = 20_000


class Auditor:
    """Audits every page of the browser contexts it watches; collects what it found."""

    def __init__(self):
        from django.contrib.staticfiles import finders

        axe = finders.find(AXE_STATIC)
        if not axe:
            pytest.fail(
                f"{AXE_STATIC} is not in the static files: run `make assets` (npm ci) to "
                "install axe-core.",
                pytrace=False,
            )
        self.script = Path(axe).read_text() + "\n;\n" + AUDIT_SCRIPT.read_text()
        self.reset()

    def reset(self):
        """Start afresh for a test (the previous test's contexts are closed by now)."""
        self.contexts = []
        self.owed = {}  # page -> True while its current document owes a result
        self.held = {}  # page -> navigations held until that result is in
        self.views = []  # one dict per audited page view
        self.problems = []  # pages that could not be audited

    def watch(self, context):
        context.expose_binding("__portalA11yReport", self._report)
        context.add_init_script(script=self.script)
        # Static files never navigate a page: leave them alone, for speed.
        context.route(lambda url: "/static/" not in url, self._route)
        self.contexts.append(context)
        close = context.close

        # A context a test closes itself hands in the audit of its last pages first.
        def close_after_audit(**kwargs):
            if context in self.contexts:
                self.finish(context)
                self.contexts.remove(context)
            return close(**kwargs)

        context.close = close_after_audit
        return context

    def _report(self, source, payload):
        page = source["page"]
        if payload["kind"] == "hello":
            self.owed[page] = True
            return
        self.owed[page] = False
        viewport = getattr(page, "viewport_name", None) or f"{payload['width']}px"
        self.views.append({**payload, "viewport": viewport})
        for route in self.held.pop(page, []):
            route.fallback()

    def _route(self, route, request):
        # The visit pages' service worker fetches on the page's behalf: no frame to hold.
        if request.service_worker is not None:
            route.fallback()
            return
        frame = request.frame
        if request.is_navigation_request() and frame.parent_frame is None:
            page = frame.page
            if self.owed.get(page):
                self.held.setdefault(page, []).append(route)
                return
        route.fallback()

    def finish(self, context):
        """Wait until every open page of the context has handed in its audit."""
        for page in list(context.pages):
            if page.is_closed() or not self.owed.get(page):
                continue
            try:
                page.wait_for_function(
                    "() => !window.__portalA11y || window.__portalA11y.reported",
                    timeout=AUDIT_TIMEOUT_MS,
                )
            except Exception as exc:  # noqa: BLE001 - reported as a test failure below
                self.problems.append(f"{page.url}: the audit did not finish ({exc})")

    def failures(self):
        """One paragraph per fault, naming every page view it was found on."""
        lines = list(self.problems)
        faults = {}
        for view in self.views:
            where = f"[{view['viewport']}, {view.get('lang') or '?'}] {view['url']}"
            if view.get("error"):
                lines.append(f"{where}: the audit failed: {view['error']}")
            for v in view.get("violations", ()):
                nodes = tuple(f"{', '.join(n['target'])}: {n['summary']}" for n in v["nodes"])
                key = (v["id"], v["impact"], v["help"], v["count"], nodes)
                faults.setdefault(key, []).append(where)
        for (rule, impact, help_text, count, nodes), pages in faults.items():
            lines.append(f"{rule} ({impact}): {help_text} — {count} element(s) on")
            lines.extend(f"    {where}" for where in pages)
            lines.extend(f"      {node}" for node in nodes)
        return lines


class AuditedBrowser:
    """The browser, whose new contexts are all watched by the auditor."""

    def __init__(self, browser, auditor):
        self._browser = browser
        self.auditor = auditor

    def new_context(self, **kwargs):
        return self.auditor.watch(self._browser.new_context(**kwargs))

    def __getattr__(self, name):
        return getattr(self._browser, name)


_auditor = None


def pytest_runtest_setup(item):
    if _auditor is not None:
        _auditor.reset()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test's own steps: fail it if a page it visited is not accessible."""
    result = yield
    if _auditor is not None:
        for context in list(_auditor.contexts):
            _auditor.finish(context)
        failures = _auditor.failures()
        if failures:
            audited = len(_auditor.views)
            pytest.fail(
                f"accessibility: serious or critical violations on the pages this test "
                f"visited ({audited} page views audited):\n" + "\n".join(failures),
                pytrace=False,
            )
    return result


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
        global _auditor
        _auditor = Auditor()
        try:
            yield AuditedBrowser(browser, _auditor)
        finally:
            _auditor = None
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

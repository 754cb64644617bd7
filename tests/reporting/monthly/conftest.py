"""The browser fixtures and the accessibility audit of tests/browser/, for this part's own
browser test (test_browser.py): the audit's hooks apply per directory, so they are named here."""

from tests.browser.conftest import (  # noqa: F401 - fixtures and hooks for this directory
    chromium,
    pytest_runtest_call,
    pytest_runtest_setup,
    screenshot,
)

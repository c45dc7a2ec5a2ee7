"""The browser fixtures of the portal's journey (a live server with CSRF on, Playwright)."""
from tests.portal.test_browser import live_server, sync_playwright  # noqa: F401

"""What the browser tests (Playwright) share: logging in through the login form."""
import re

from tests.factories import PASSWORD

WORKSPACE = re.compile(r".*/t/[\w-]+/$")


def log_in(page, base, email, lands_on=WORKSPACE, password=PASSWORD):
    """Fill and send the login form at `base`, then wait for the page `lands_on` (a URL
    pattern: by default a workspace's home), or with None only for the next page to load."""
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", password)
    page.locator("main form button[type=submit]").click()
    if lands_on is None:
        page.wait_for_load_state()
    else:
        page.wait_for_url(lands_on)

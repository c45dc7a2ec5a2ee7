"""The demo as a newcomer opens it after `make run`, in a real browser (Debian's Chromium,
headless): the national dashboard at its default filters shows the programme's figures, the
companies page their volunteers and hours, a partner's activities past and upcoming sessions,
and each demo portal login lands on a process with something to do. On failure, screenshots
go to tests/artifacts/."""
import re
from datetime import date, datetime

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.portal.test_browser import (  # noqa: F401  (the browser tests' fixtures)
    ACTION_TIMEOUT_MS,
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    sync_playwright,
)

pytestmark = pytest.mark.browser

COORDINATOR = "coordenacao@demo.rede-mentores.pt"
STAFF = "tecnico1@cm-lisboa.demo.rede-mentores.pt"
# A figure the page shows as a number (a rate with its percent sign).
NUMBER = re.compile(r"^[\d.,\s\u00a0\u202f]+%?$")
PORTAL_LOGIN = re.compile(r"(mentor|mentee) \(portal\)\s+(\S+)\s+/t/(\S+)/portal/")


def test_the_demo_shows_the_programme_at_once(app, demo_network, live_server, sync_playwright, request):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = []

        def page_of(email):
            context = browser.new_context(locale="en")
            context.set_default_timeout(ACTION_TIMEOUT_MS)
            pages.append(context.new_page())
            _log_in(pages[-1], live_server, email)
            return pages[-1]

        try:
            coordinator = page_of(COORDINATOR)
            _check_the_dashboard(coordinator, live_server)
            _check_the_companies(coordinator, live_server)
            _check_the_activities(page_of(STAFF), live_server)
            portal = PORTAL_LOGIN.findall(demo_network)
            assert [role for role, _, _ in portal] == ["mentor", "mentee"]
            for _, email, slug in portal:
                _check_the_portal_landing(page_of(email), slug)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for number, page in enumerate(pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"), full_page=True)
            raise
        finally:
            browser.close()


def _log_in(page, base, email):
    page.goto(f"{base}/login")
    page.fill("#f-email", email)
    page.fill("#f-password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/t/[\w-]+/.*"))


def _positive(text):
    return bool(NUMBER.match(text.strip())) and any(digit in "123456789" for digit in text)


def _check_the_dashboard(page, base):
    """Every headline figure shown (a number above zero); fewer than half of the breakdowns'
    cells empty or rounded away to zero."""
    page.goto(f"{base}/t/coordenacao/dashboard")
    headline = page.locator("dl.headline dd").all_inner_texts()
    assert headline and all(_positive(text) for text in headline), headline
    cells = page.locator("table.stack tbody td.num").all_inner_texts()
    hidden = [text for text in cells if not _positive(text)]
    assert len(cells) >= 50 and len(hidden) < len(cells) / 2, (len(hidden), len(cells))


def _check_the_companies(page, base):
    """The ten companies with their volunteers and hours. Each partner's count of a company's
    volunteers is rounded (a partner has one or two), so a company may show 0 volunteers; their
    sum, and the hours of almost every company, do not vanish."""
    page.goto(f"{base}/t/coordenacao/companies")
    rows = [row.locator("td.num").all_inner_texts() for row in page.locator("main table tbody tr").all()]
    assert len(rows) == 10
    assert sum(_number(volunteers) for volunteers, _ in rows) >= 20, rows
    assert sum(1 for _, hours in rows if _number(hours) > 0) >= 8, rows


def _number(text):
    return float(re.sub(r"[^\d.]", "", text.replace(",", "")) or 0)


def _check_the_activities(page, base):
    """A partner's activities: sessions held (with attendance) and sessions to come."""
    page.goto(f"{base}/t/cm-lisboa/activities/")
    dates = [datetime.strptime(text, "%b %d, %Y").date()
             for text in page.locator("#own-heading ~ table tbody tr td:first-child").all_inner_texts()]
    today = date.today()
    assert any(day < today for day in dates) and any(day > today for day in dates), dates
    held = next(index for index, day in enumerate(dates) if day < today)
    page.locator("#own-heading ~ table tbody tr a").nth(held).click()
    assert page.locator("input[type=radio][value=attended]:checked").count() >= 1


def _check_the_portal_landing(page, slug):
    """Logged in, the participant lands in the portal on their process, with an action waiting."""
    page.wait_for_url(re.compile(rf".*/t/{slug}/portal/.*"))
    assert page.locator(f'a[href^="/t/{slug}/portal/processes/"]').count() >= 1
    page.get_by_text(re.compile("Answer the follow-up questions|Responder às perguntas de acompanhamento")).first \
        .wait_for()

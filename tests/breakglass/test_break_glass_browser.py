"""Break-the-glass in a real browser (Debian's Chromium, headless), CSRF on: the coordinator
asks for one case with a reason, the partner's administrator finds the notification in her
outbox at once, the coordinator reads the case, and two hours later by the app's clock (moved,
not waited for) the same page says the access has ended."""
import re
from datetime import timedelta

import pytest

from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.timeutil import utcnow
from tests.browser import log_in
from tests.factories import make_mentee, make_tenant, make_user
from tests.portal.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, live_server, sync_playwright  # noqa: F401

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000
NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def network_with_a_case(app, monkeypatch):
    moment = {"now": NOW}
    monkeypatch.setitem(app.extensions, "clock", lambda: moment["now"])
    monkeypatch.setitem(app.config, "BREAK_THE_GLASS_ENABLED", True)
    with app.app_context():
        coordination = make_tenant("coordenacao", kind="coordination", name="Coordenação Nacional")
        alfa = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        make_user("coord@example.pt", "Helena Coordenadora", [(coordination, "coordinator")], locale="en")
        make_user("ana@alfa.pt", "Ana Admin", [(alfa, "partner_admin")], locale="en")
        with tenant_context(alfa.id):
            mentee = make_mentee("Amina Idris", email="amina@example.org")
        db.session.commit()
        return {"clock": moment, "alfa_id": alfa.id, "mentee_id": mentee.id}


def _journey(base, world, coordinator, admin):
    log_in(coordinator, base, "coord@example.pt", lands_on=None)
    coordinator.get_by_role("link", name="Break-the-glass access").click()
    coordinator.select_option("#f-tenant_id", str(world["alfa_id"]))
    coordinator.get_by_label("Mentee").check()
    coordinator.fill("#f-participant_id", str(world["mentee_id"]))
    coordinator.fill("#f-reason", "Report of violence at home")
    coordinator.get_by_role("button", name="Open the case").click()
    coordinator.wait_for_url(re.compile(r".*/break-glass/\d+$"))
    assert coordinator.get_by_role("heading", name="Amina Idris").is_visible()
    assert "amina@example.org" in coordinator.content()

    # The administrator is told at once: the message is in her workspace's outbox.
    log_in(admin, base, "ana@alfa.pt", lands_on=None)
    admin.goto(f"{base}/t/alfa/outbox")
    assert admin.get_by_text("Break-the-glass access to one of your cases").first.is_visible()

    world["clock"]["now"] = NOW + timedelta(hours=2, seconds=1)
    coordinator.reload()
    assert coordinator.get_by_text("This access has ended").is_visible()
    assert "Amina Idris" not in coordinator.content()


def test_request_notification_access_and_expiry(app, live_server, network_with_a_case, sync_playwright,  # noqa: F811
                                               request):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = {}
        try:
            for name in ("coordinator", "admin"):
                context = browser.new_context(locale="en")
                context.set_default_timeout(ACTION_TIMEOUT_MS)
                pages[name] = context.new_page()
            _journey(live_server, network_with_a_case, **pages)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for name, page in pages.items():
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
            raise
        finally:
            browser.close()

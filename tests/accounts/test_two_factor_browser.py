"""Two-factor authentication in a real browser (Debian's Chromium, headless), CSRF on, with
the production requirement: a partner administrator sets it up at her first login (QR code
drawn by the server), logs in with a code, then with a recovery code, then loses everything
and another administrator resets it, so she sets it up again. Screenshots in tests/artifacts/
on failure."""
import re
import time

import pyotp
import pytest

from network.core.accounts import two_factor
from network.core.accounts.models import User
from network.core.extensions import db
from tests.browser import log_in
from tests.factories import make_tenant, make_user
from tests.portal.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, live_server, sync_playwright  # noqa: F401

pytestmark = pytest.mark.browser

ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def admins(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", ("coordinator", "partner_admin"))
    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        make_user("ana@alfa.pt", "Ana Admin", [(tenant, "partner_admin")], locale="en")
        bruno = make_user("bruno@alfa.pt", "Bruno Admin", [(tenant, "partner_admin")], locale="en")
        credential = two_factor.start_enrolment(bruno)
        assert two_factor.confirm_enrolment(bruno, pyotp.TOTP(credential.secret).now())
        db.session.commit()
        return {"bruno_secret": credential.secret}


def _code(secret, steps_ahead):
    return pyotp.TOTP(secret).at(time.time(), counter_offset=steps_ahead)


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/login$"))


def test_two_factor_setup_code_recovery_code_and_a_lost_device(app, live_server, admins, sync_playwright,  # noqa: F811
                                                               request):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = {}
        try:
            for name in ("ana", "bruno"):
                context = browser.new_context(locale="en")
                context.set_default_timeout(ACTION_TIMEOUT_MS)
                pages[name] = context.new_page()
            _journey(app, live_server, admins, **pages)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for name, page in pages.items():
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
            raise
        finally:
            browser.close()


def _set_up(ana, base):
    log_in(ana, base, "ana@alfa.pt", lands_on=re.compile(r".*/login/two-factor/setup$"))
    assert ana.locator(".qr-code svg").is_visible()
    secret = ana.locator("#totp-secret").inner_text()
    ana.fill("#f-code", "000000")
    ana.get_by_role("button", name="Turn on two-factor authentication").click()
    ana.get_by_text("This code is not correct.").wait_for()
    ana.fill("#f-code", _code(secret, 0))
    ana.get_by_role("button", name="Turn on two-factor authentication").click()
    ana.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = ana.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    ana.get_by_role("link", name="I have kept them: continue").click()
    ana.wait_for_url(re.compile(r".*/t/alfa/$"))
    return secret, codes


def _journey(app, base, admins, ana, bruno):
    # Enrol: required of a partner administrator, before any page.
    secret, codes = _set_up(ana, base)
    _log_out(ana)

    # Log in with a code from the app.
    log_in(ana, base, "ana@alfa.pt", lands_on=re.compile(r".*/login/code$"))
    ana.fill("#f-code", _code(secret, 1))
    ana.get_by_role("button", name="Continue").click()
    ana.wait_for_url(re.compile(r".*/t/alfa/$"))
    _log_out(ana)

    # The phone is not at hand: a recovery code, once.
    log_in(ana, base, "ana@alfa.pt", lands_on=re.compile(r".*/login/code$"))
    ana.get_by_role("heading", name="Lost your phone?").wait_for()
    ana.fill("#f-code", codes[0])
    ana.get_by_role("button", name="Continue").click()
    ana.get_by_text("You logged in with a recovery code; 9 remain.").wait_for()
    _log_out(ana)

    # Phone and codes lost: another administrator resets it; Ana sets it up again.
    log_in(bruno, base, "bruno@alfa.pt", lands_on=re.compile(r".*/login/code$"))
    bruno.fill("#f-code", _code(admins["bruno_secret"], 1))
    bruno.get_by_role("button", name="Continue").click()
    bruno.wait_for_url(re.compile(r".*/t/alfa/$"))
    bruno.goto(f"{base}/t/alfa/members")
    bruno.locator("tr", has_text="Ana Admin").get_by_role("button", name="Reset two-factor authentication").click()
    bruno.get_by_text("Ana Admin sets up two-factor authentication again at the next login.").wait_for()

    new_secret, _codes = _set_up(ana, base)
    assert new_secret != secret
    with app.app_context():
        ana_id = db.session.scalar(db.select(User.id).where(User.email == "ana@alfa.pt"))
        assert two_factor.remaining_recovery_codes(db.session.get(User, ana_id)) == 10

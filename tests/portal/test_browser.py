"""The whole journey in a real browser (Debian's Chromium, headless), with CSRF on: staff
register a mentor and a mentee and match them; both accept the agreement in the portal, one in
Portuguese and one in English; a meeting is logged, a follow-up answered, both final
evaluations filled in, and the process closes. On failure, screenshots go to tests/artifacts/."""
import re
import shutil
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.processes import services as processes
from tenants.processes.models import MentoringProcess
from tests.browser import log_in
from tests.conftest import REQUIRE_SERVICES
from tests.factories import PASSWORD, make_tenant, make_user

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
JOIN_LINK = re.compile(r"(http://127\.0\.0\.1:\d+/join/\S+)")
ACTION_TIMEOUT_MS = 10_000


@pytest.fixture
def sync_playwright():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if REQUIRE_SERVICES:
            pytest.fail(f"REQUIRE_SERVICES=1 and Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
        pytest.skip("Chromium is not installed (set REQUIRE_SERVICES=1 to make this a failure)")
    from playwright.sync_api import sync_playwright

    return sync_playwright


@pytest.fixture
def live_server(app):
    """The test app served on a free port, in a thread of this process, with CSRF protection
    on as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def partner(app):
    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        make_user("tecnica@alfa.pt", "Teresa Técnica", [(tenant, "staff")], locale="en")
        db.session.commit()
        return {"id": tenant.id, "slug": tenant.slug, "staff": "tecnica@alfa.pt"}


def test_a_mentoring_process_from_registration_to_closing(app, live_server, partner, sync_playwright, request):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        pages = {}
        try:
            for name, locale in (("staff", "en"), ("mentor", "pt-PT"), ("mentee", "pt-PT")):
                context = browser.new_context(locale=locale, viewport={"width": 375, "height": 740})
                context.set_default_timeout(ACTION_TIMEOUT_MS)
                pages[name] = context.new_page()
            _journey(app, live_server, partner, **pages)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for name, page in pages.items():
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{name}.png"), full_page=True)
            raise
        finally:
            browser.close()


def _journey(app, base, partner, staff, mentor, mentee):
    workspace = f"{base}/t/{partner['slug']}"
    log_in(staff, base, partner["staff"])

    mentor_id, mentee_id, process_url = _step_register_both_and_match(staff, workspace)
    process_id = int(process_url.rsplit("/", 1)[1])
    _step_save_the_agreement(staff, process_url)
    join_links = _step_invite_both_to_the_portal(app, staff, workspace, mentor_id, mentee_id)

    # The mentor chooses English with the visible switch; the mentee keeps Portuguese.
    _step_mentor_joins_in_english_and_accepts(mentor, join_links["mentor"])
    _step_mentee_joins_in_portuguese_and_accepts(mentee, join_links["mentee"])

    staff.goto(process_url)
    staff.get_by_role("button", name="Move to: Active").click()
    staff.get_by_text("The process is now: Active.").wait_for()

    _step_mentor_logs_a_meeting(mentor, workspace, process_id)
    _a_month_passes(app, partner["id"], process_id)
    _step_mentee_answers_the_follow_up(mentee, workspace, process_id)
    _step_staff_records_the_follow_up(staff, process_url)
    for page in (mentor, mentee):
        _step_evaluate(page, workspace, process_id)
    _step_close(staff, process_url)
    _check_closed(app, partner, mentee, workspace, process_id)


def _step_register_both_and_match(staff, workspace):
    mentor_id = _register(staff, workspace, "mentor", "Łukasz Nowak", "lukasz@example.pt", ready="available",
                          extra={"#f-training_completed_on": "2026-01-10"})
    mentee_id = _register(staff, workspace, "mentee", "محمد العلي", "mohamed@example.pt", ready="waiting")

    staff.goto(f"{workspace}/matching/mentees/{mentee_id}")
    staff.get_by_role("button", name="Match with Łukasz Nowak").click()
    staff.wait_for_url(re.compile(r".*/processes/\d+$"))
    return mentor_id, mentee_id, staff.url


def _step_save_the_agreement(staff, process_url):
    staff.goto(f"{process_url}/agreement")
    staff.select_option("#f-goal-1-kind", "need")
    staff.fill("#f-goal-1-text", "Encontrar emprego na área da logística")
    staff.fill("#f-mentor_duties", "Encontrar-se todas as semanas.")
    staff.fill("#f-mentee_duties", "Vir preparado.")
    staff.get_by_role("button", name="Save the agreement").click()
    staff.get_by_text("The agreement has been saved").wait_for()


def _step_invite_both_to_the_portal(app, staff, workspace, mentor_id, mentee_id):
    join_links = {}
    for role, participant_id in (("mentor", mentor_id), ("mentee", mentee_id)):
        staff.goto(f"{workspace}/{role}s/{participant_id}")
        staff.get_by_role("button", name="Invite to the portal").click()
        staff.get_by_text("Invitation to the portal sent").wait_for()
        join_links[role] = JOIN_LINK.search(app.extensions["sent_mail"][-1]["body"]).group(1)
    return join_links


def _step_mentor_joins_in_english_and_accepts(mentor, join_link):
    mentor.goto(join_link)
    mentor.get_by_role("button", name="English").click()
    _create_account(mentor, "Łukasz Nowak")
    assert mentor.locator("html").get_attribute("lang") == "en"
    mentor.get_by_role("link", name="Your mentee: محمد العلي").click()
    mentor.get_by_role("button", name="I have read and accept this agreement").click()
    mentor.get_by_text("Thank you: you have accepted the agreement.").wait_for()


def _step_mentee_joins_in_portuguese_and_accepts(mentee, join_link):
    mentee.goto(join_link)
    _create_account(mentee, "محمد العلي")
    assert mentee.locator("html").get_attribute("lang") == "pt-PT"
    mentee.locator(".cards > li > a").click()  # the process, not a pending action
    assert "Łukasz Nowak" in mentee.locator("h1").inner_text()
    mentee.locator("form[action$='/agreement/accept'] button").click()
    mentee.get_by_text("Acordo assinado").first.wait_for()


def _step_mentor_logs_a_meeting(mentor, workspace, process_id):
    mentor.goto(f"{workspace}/portal/processes/{process_id}")
    mentor.get_by_role("link", name="Log a meeting").click()
    mentor.fill("#f-duration_minutes", "90")
    mentor.select_option("#f-mode", "online")
    mentor.get_by_role("button", name="Save the meeting").click()
    mentor.get_by_text("The meeting has been logged.").wait_for()


def _step_mentee_answers_the_follow_up(mentee, workspace, process_id):
    mentee.goto(f"{workspace}/portal/processes/{process_id}")
    mentee.locator("a[href$='/follow-up']").click()
    for radio in mentee.locator("input[name^='progress-'][value='3']").all():
        radio.check()
    mentee.check("input[name='satisfaction'][value='4']")
    mentee.fill("#f-comment", "Já fiz duas entrevistas.")
    mentee.locator("main form button[type=submit]").click()
    mentee.wait_for_url(re.compile(r".*/portal/processes/\d+$"))


def _step_staff_records_the_follow_up(staff, process_url):
    staff.goto(f"{process_url}/follow-ups/new")
    assert staff.is_checked("input[name='mentee_satisfaction'][value='4']")  # started from the answer
    staff.get_by_role("button", name="Save the follow-up").click()
    staff.get_by_text("The follow-up has been recorded.").wait_for()
    staff.get_by_role("button", name="Move to: In final evaluation").click()
    staff.get_by_text("The process is now: In final evaluation.").wait_for()


def _step_evaluate(page, workspace, process_id):
    page.goto(f"{workspace}/portal/processes/{process_id}")
    page.locator("a[href$='/evaluation']").click()
    for radio in page.locator("input[name^='outcome-'][value='met']").all():
        radio.check()
    page.check("input[name='satisfaction'][value='5']")
    page.check("input[name='would_repeat'][value='yes']")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/portal/processes/\d+$"))


def _step_close(staff, process_url):
    staff.goto(process_url)
    assert "Meeting logged" in staff.locator("main").inner_text()
    staff.check("input[name='outcome'][value='goals_met']")
    staff.check("input[name='next_step'][value='end']")
    staff.get_by_role("button", name="Close the process").click()
    staff.get_by_text("The process is closed.").wait_for()


def _check_closed(app, partner, mentee, workspace, process_id):
    mentee.goto(f"{workspace}/portal/processes/{process_id}")
    assert "Encerrado" in mentee.locator("main").inner_text()
    with app.app_context(), tenant_context(partner["id"]):
        process = db.session.get(MentoringProcess, process_id)
        assert (process.state, process.mentor.full_name, process.mentee.full_name) == (
            "closed", "Łukasz Nowak", "محمد العلي")
        assert [meeting.logged_as for meeting in process.meetings] == ["mentor"]


def _register(staff, workspace, role, name, email, ready, extra=None):
    """Register through the form, record the consent and move the status until ready to match."""
    staff.goto(f"{workspace}/{role}s/new")
    staff.fill("#f-full_name", name)
    staff.fill("#f-email", email)
    staff.fill("#f-municipality", "Lisboa")
    for selector, value in (extra or {}).items():
        staff.fill(selector, value)
    staff.get_by_role("button", name="Save", exact=True).click()
    staff.wait_for_url(re.compile(rf".*/{role}s/\d+$"))
    participant_id = int(staff.url.rsplit("/", 1)[1])
    assert name in staff.locator("h1").inner_text()
    staff.select_option("#f-purpose", "programme")
    staff.fill("#f-given_on", date.today().isoformat())
    staff.get_by_role("button", name="Record the consent").click()
    staff.get_by_text("The consent is recorded.").wait_for()
    for status in ("interviewed", ready):
        staff.select_option("#f-status", status)
        staff.get_by_role("button", name="Change the status").click()
        staff.get_by_text("The status is now").wait_for()
    return participant_id


def _create_account(page, name):
    page.fill("#f-name", name)
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/portal/$"))
    assert name in page.locator("h1").inner_text()


def _a_month_passes(app, tenant_id, process_id):
    """The first follow-up falls due a month after the process became active."""
    with app.app_context(), tenant_context(tenant_id):
        process = db.session.get(MentoringProcess, process_id)
        process.activated_on = date.today() - timedelta(days=25)
        process.next_follow_up_on = processes.next_follow_up_due(process)
        db.session.commit()

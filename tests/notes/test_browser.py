"""Case files and meeting reminders in a real browser (Debian's Chromium, headless, CSRF on):
staff write a note and add a file on a mentee's page, find both in the person's data export,
and anonymise the person, after which neither is there; an overdue meeting reminds the mentor
once, whose link stops the next; a scheduled meeting reaches both sides as a calendar
invitation and downloads from the process page. Screenshots on failure go to tests/artifacts/."""
import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.notes.models import CaseAttachment
from tenants.processes import reminders
from tenants.processes import services as processes
from tests.browser import log_in
from tests.factories import make_mentee, make_ready_mentee, make_ready_mentor, make_tenant, make_user
from tests.portal.test_browser import ACTION_TIMEOUT_MS, ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
MEETING_DUE = date(2026, 3, 1)


@pytest.fixture
def partner(app):
    with app.app_context():
        tenant = make_tenant("alfa", kind="municipality", name="Câmara Municipal Alfa")
        staff = make_user("tecnica@alfa.pt", "Teresa Técnica", [(tenant, "staff"), (tenant, "partner_admin")],
                          locale="en")
        with tenant_context(tenant.id):
            mentee = make_mentee("Zara Quinta", email="zara@example.pt", actor=staff)
            process = processes.create_process(make_ready_mentor("Rui Mentor"), make_ready_mentee("Olena Mentee"),
                                               staff, today=date(2026, 2, 20))
            processes.save_agreement(process, {
                "meeting_frequency": "weekly", "mode": "in_person", "mentor_duties": "Meet.", "mentee_duties": "Come.",
                "goals": [{"kind": "need", "text": "Find work", "target_date": None}]}, 0, staff)
            for side in ("mentor", "mentee"):
                processes.accept_agreement(process, side, staff, version=1)
            processes.transition(process, "active", staff, today=date(2026, 2, 20))
            processes.log_meeting(process, {"held_on": date(2026, 2, 22), "duration_minutes": 60, "mode": "online"},
                                  staff, "staff", today=date(2026, 2, 22))
        db.session.commit()
        return {"id": tenant.id, "slug": tenant.slug, "staff": "tecnica@alfa.pt", "mentee_id": mentee.id,
                "process_id": process.id}


def _browse(sync_playwright, request, story):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en", viewport={"width": 390, "height": 844}, accept_downloads=True)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        page = context.new_page()
        try:
            story(page)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            raise
        finally:
            browser.close()


def _stored_keys(app):
    root = Path(app.config["STORAGE_DIR"])
    return {path.name for path in root.rglob("*") if path.is_file()}


def test_a_note_and_a_file_are_added_exported_and_erased(app, live_server, partner, sync_playwright, request,
                                                          tmp_path):
    workspace = f"{live_server}/t/{partner['slug']}"
    record = f"{workspace}/mentees/{partner['mentee_id']}"
    upload = tmp_path / "permit.pdf"
    upload.write_bytes(PDF)
    disguised = tmp_path / "photo.png"
    disguised.write_bytes(b"MZ\x90\x00" + b"\x00" * 60)

    def story(page):
        log_in(page, live_server, partner["staff"])
        page.goto(record)
        _step_add_a_note_and_a_file(page, upload, disguised)
        _step_export_then_erase(page, record)

    before = _stored_keys(app)
    _browse(sync_playwright, request, story)
    with app.app_context(), tenant_context(partner["id"]):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseAttachment)) == 0
    assert _stored_keys(app) == before  # the uploaded file went with the erasure


def _step_add_a_note_and_a_file(page, upload, disguised):
    page.fill("#case-note-body", "Zara's residence permit expires in May.")
    page.get_by_role("button", name="Save the note").click()
    page.get_by_text("The note has been saved.").wait_for()
    page.set_input_files("#case-file-upload", str(disguised))
    page.get_by_role("button", name="Add the file").click()
    page.get_by_text("This file is not a PDF, an image").wait_for()
    page.set_input_files("#case-file-upload", str(upload))
    page.get_by_role("button", name="Add the file").click()
    page.get_by_text("The file has been added.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="permit.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF
    assert download.value.suggested_filename == "permit.pdf"


def _step_export_then_erase(page, record):
    page.goto(f"{record}/privacy")
    export = page.locator("main").inner_text()
    assert "Zara's residence permit expires in May." in export and "permit.pdf" in export

    page.goto(f"{record}/privacy/erase")
    page.fill("#f-reason", "Request of the data subject")
    page.get_by_role("button", name="Anonymise now").click()
    page.goto(record)
    case_file = page.locator("#case-file").inner_text()
    assert "residence permit" not in case_file and "permit.pdf" not in case_file


def test_an_overdue_meeting_reminds_once_stops_on_request_and_a_meeting_is_sent_as_an_invitation(
        app, live_server, partner, sync_playwright, request):
    app.config["PUBLIC_URL"] = live_server
    sent = app.extensions.setdefault("sent_mail", [])

    def run_reminders(day):
        with app.app_context(), tenant_context(partner["id"]):
            reminders.send_workspace_reminders(day)
            db.session.commit()

    def reminders_to(address):
        return [mail for mail in sent if mail["to"] == address and "voltarem a encontrar" in mail["subject"]]

    run_reminders("2026-03-02")
    run_reminders("2026-03-04")  # the same period of the weekly agreement: nothing new
    mentor_address = "rui.mentor.mentor@example.pt"
    (reminder,) = reminders_to(mentor_address)
    assert f"/t/{partner['slug']}/portal/processes/{partner['process_id']}" in reminder["body"]
    stop_link = re.search(r"(http://127\.0\.0\.1:\d+/reminders/stop/\S+)", reminder["body"]).group(1)

    def story(page):
        _step_stop_the_reminders(page, stop_link)
        run_reminders("2026-03-09")  # the next period: the mentee is reminded again, the mentor not
        _step_schedule_the_next_meeting(page, live_server, partner)

    _browse(sync_playwright, request, story)
    assert len(reminders_to(mentor_address)) == 1
    assert len(reminders_to("olena.mentee.mentee@example.pt")) == 2
    _check_the_invitations(sent, mentor_address)


def _step_stop_the_reminders(page, stop_link):
    page.goto(stop_link)
    page.get_by_role("button", name="Stop the meeting reminders").click()
    page.get_by_text("You will receive no more meeting reminders for this mentoring.").wait_for()


def _step_schedule_the_next_meeting(page, live_server, partner):
    log_in(page, live_server, partner["staff"])
    page.goto(f"{live_server}/t/{partner['slug']}/processes/{partner['process_id']}")
    page.fill("#next-meeting-on", "2030-04-02")
    page.fill("#next-meeting-at", "18:30")
    page.fill("#next-meeting-place", "Biblioteca municipal")
    page.get_by_role("button", name="Schedule and send the invitation").click()
    page.get_by_text("The next meeting is scheduled").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the calendar invitation (.ics)").click()
    ics = Path(download.value.path()).read_text()
    assert "METHOD:REQUEST" in ics and "DTSTART;TZID=Europe/Lisbon:20300402T183000" in ics


def _check_the_invitations(sent, mentor_address):
    invitations = [mail for mail in sent if mail["attachments"]]
    assert sorted(mail["to"] for mail in invitations) == ["olena.mentee.mentee@example.pt", mentor_address]
    for mail in invitations:
        (attachment,) = mail["attachments"]
        assert attachment["filename"] == "reuniao.ics" and "BEGIN:VTIMEZONE" in attachment["content"]
        assert "LOCATION:Biblioteca municipal" in attachment["content"]

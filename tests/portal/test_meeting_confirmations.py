"""Verified volunteer hours: a logged meeting confirmed (or disputed) by the mentor and the
mentee in the portal, each in their language; staff see each side's answer; only meetings both
confirmed count, in the company's impact pack too."""
import io
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale
from pypdf import PdfReader

from network.core.accounts.models import User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from network.national.coordination.company_pack import company_pack
from network.national.coordination.pdfs import pack_pdf
from tenants.participants.models import Mentee, Mentor
from tenants.portal import services as portal
from tenants.privacy.erasure import erase_participant
from tenants.privacy.export import subject_access_export
from tenants.processes import services as processes
from tenants.processes.models import Meeting, MeetingConfirmation, MentoringProcess
from tests.factories import login, make_tenant, make_user, two_partner_network
from tests.portal.conftest import walk_process
from tests.privacy.helpers import mentee_with_everything
from tests.processes.conftest import ready_mentee, ready_mentor


def _meeting_in(process_id, staff_email, minutes=90):
    """Takes the process to active and logs a meeting as staff (inside the process's tenant)."""
    staff = db.session.scalar(sa.select(User).where(User.email == staff_email))
    process = db.session.get(MentoringProcess, process_id)
    walk_process(process, staff, "active")
    meeting = processes.log_meeting(process, {"held_on": date.today(), "duration_minutes": minutes,
                                              "mode": "online"}, staff, "staff")
    return meeting.id


def _logged_meeting(app, pair, process_id=None):
    with app.app_context(), tenant_context(pair.tenant):
        meeting_id = _meeting_in(process_id or pair.process, pair.staff)
        db.session.commit()
    return meeting_id


def _answers(app, pair, meeting_id):
    """({side: (answer, reason)}, verified) of the meeting, as stored."""
    with app.app_context(), tenant_context(pair.tenant):
        meeting = db.session.get(Meeting, meeting_id)
        return ({c.side: (c.answer, c.reason) for c in meeting.confirmations}, meeting.is_verified)


def _portal_client(app, email, locale):
    client = app.test_client()
    login(client, email, locale=locale)
    return client


def test_a_meeting_confirmed_by_both_sides_is_verified(app, pair):
    meeting_id = _logged_meeting(app, pair)
    url = f"/t/{pair.slug}/portal/processes/{pair.process}"
    mentor = _portal_client(app, pair.mentor_user, "en")
    page = mentor.get(url).get_data(as_text=True)
    assert "Confirm: this meeting took place" in page and "Your mentee: not answered yet" in page
    page = mentor.post(f"{url}/meetings/answer", data={"meeting": meeting_id, "answer": "confirmed"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Thank you: you have confirmed this meeting." in page and "You: confirmed" in page
    assert _answers(app, pair, meeting_id) == ({"mentor": ("confirmed", None)}, False)

    mentee = _portal_client(app, pair.mentee_user, "pt_PT")
    page = mentee.get(url).get_data(as_text=True)
    assert "Confirmar: este encontro aconteceu" in page and "O seu mentor: confirmou" in page
    mentee.post(f"{url}/meetings/answer", data={"meeting": meeting_id, "answer": "confirmed"})
    assert _answers(app, pair, meeting_id) == ({"mentor": ("confirmed", None), "mentee": ("confirmed", None)}, True)

    staff = _portal_client(app, pair.staff, "en")
    page = staff.get(f"/t/{pair.slug}/processes/{pair.process}").get_data(as_text=True)
    assert "Verified</span>" in page and "Mentor: confirmed" in page and "Mentee: confirmed" in page
    assert "Verified hours (meetings confirmed by both): 1.5 of 1.5 hours logged." in page
    with app.app_context(), tenant_context(pair.tenant):
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.record_type == "Meeting",
                                                                         AuditEvent.record_id == meeting_id)).all()
    assert actions == ["meeting.confirmed", "meeting.confirmed"]


def test_a_disputed_meeting_is_not_verified_and_staff_see_the_dispute(app, pair):
    meeting_id = _logged_meeting(app, pair)
    url = f"/t/{pair.slug}/portal/processes/{pair.process}"
    mentor = _portal_client(app, pair.mentor_user, "en")
    mentor.post(f"{url}/meetings/answer", data={"meeting": meeting_id, "answer": "confirmed"})
    mentee = _portal_client(app, pair.mentee_user, "pt_PT")
    page = mentee.post(f"{url}/meetings/answer", data={"meeting": meeting_id, "answer": "disputed",
                                                       "reason": "Não nos encontrámos nesse dia"},
                       follow_redirects=True).get_data(as_text=True)
    assert "a equipa verá que contestou este encontro" in page
    assert _answers(app, pair, meeting_id) == (
        {"mentor": ("confirmed", None), "mentee": ("disputed", "Não nos encontrámos nesse dia")}, False)

    staff = _portal_client(app, pair.staff, "en")
    page = staff.get(f"/t/{pair.slug}/processes/{pair.process}").get_data(as_text=True)
    assert "<strong>Mentee: disputed</strong> (Não nos encontrámos nesse dia)" in page
    assert "Verified</span>" not in page
    assert "Verified hours (meetings confirmed by both): 0.0 of 1.5 hours logged." in page
    # The mentor sees the dispute, not the mentee's words (those are for the team).
    page = mentor.get(url).get_data(as_text=True)
    assert "Your mentee: disputed" in page and "Não nos encontrámos" not in page


def test_a_participant_answers_only_about_the_meetings_of_their_own_processes(app, pair):
    own = _logged_meeting(app, pair)
    others = _logged_meeting(app, pair, process_id=pair.other_process)
    with app.app_context():
        beta = make_tenant("beta")
        beta_staff = make_user("staff@beta.pt", roles=[(beta, "staff")])
        with tenant_context(beta.id):
            beta_process = processes.create_process(ready_mentor("Bruno Beta"), ready_mentee("Berta Beta"),
                                                    beta_staff)
            beta_meeting = _meeting_in(beta_process.id, beta_staff.email)
        beta_id, beta_process_id = beta.id, beta_process.id
        db.session.commit()
    mentor = _portal_client(app, pair.mentor_user, "en")
    base = f"/t/{pair.slug}/portal/processes"
    for url, meeting_id in ((f"{base}/{pair.process}", others), (f"{base}/{pair.other_process}", others),
                            (f"{base}/{pair.process}", beta_meeting), (f"{base}/{pair.process}", 999999),
                            (f"/t/beta/portal/processes/{beta_process_id}", beta_meeting)):
        response = mentor.post(f"{url}/meetings/answer", data={"meeting": meeting_id, "answer": "confirmed"})
        assert response.status_code == 404, (url, meeting_id)
    with app.app_context():
        for tenant_id in (pair.tenant, beta_id):
            with tenant_context(tenant_id):
                assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingConfirmation)) == 0
    assert mentor.post(f"{base}/{pair.process}/meetings/answer",
                       data={"meeting": own, "answer": "confirmed"}).status_code == 302


def test_the_company_pack_counts_the_verified_hours(app_context):
    company = create_company("Acme Voluntária")
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        process = processes.create_process(ready_mentor(company_id=company.id), ready_mentee(), staff,
                                           today=date(2026, 1, 5))
        walk_process(process, staff, "active", date(2026, 1, 5))
        meetings = [processes.log_meeting(process, {"held_on": date(2026, 2, day), "duration_minutes": minutes,
                                                    "mode": "in_person"}, staff, "staff")
                    for day, minutes in ((2, 60), (9, 90), (16, 120))]
        answers = ({"mentor": "confirmed", "mentee": "confirmed"}, {"mentor": "confirmed", "mentee": "disputed"},
                   {"mentor": "confirmed", "mentee": "confirmed"})
        for meeting, by_side in zip(meetings, answers, strict=True):
            for side, answer in by_side.items():
                portal.answer_meeting(process, side, meeting, {"answer": answer}, staff)
    db.session.commit()
    # One partner, one month, minutes that are multiples of 30 (6 × 5): published as they are.
    pack = company_pack(company, 2026)
    assert (pack.hours, pack.logged_hours) == (3.0, 4.5)
    with force_locale("en"):
        english = " ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pack_pdf(pack))).pages)
    english = " ".join(english.split())
    assert "Verified volunteer hours: 3.0" in english and "Volunteer hours logged: 4.5" in english
    assert "both the volunteer and the person they mentor confirmed" in english
    with force_locale("pt_PT"):
        portuguese = " ".join(" ".join((page.extract_text() or "") for page in
                                       PdfReader(io.BytesIO(pack_pdf(pack))).pages).split())
    assert "Horas de voluntariado verificadas: 3,0" in portuguese


def test_the_answers_are_exported_with_the_person_and_erased_with_them(app_context):
    network = two_partner_network()
    staff = db.session.scalar(sa.select(User).filter_by(email=network.alpha_staff))
    ids = mentee_with_everything(network.alpha.id, staff)  # she disputed a meeting: "Quixley left early"
    db.session.commit()
    with tenant_context(network.alpha.id):
        mentee = db.session.get(Mentee, ids.mentee_id)
        exported = subject_access_export(mentee)["records"]["meeting_confirmations"]
        assert [(row["side"], row["answer"], row["reason"]) for row in exported] == [
            ("mentee", "disputed", "Quixley left early")]
        # Her mentor's export holds their own side only: none here.
        assert subject_access_export(db.session.get(Mentor, ids.mentor_id))["records"]["meeting_confirmations"] == []
        erase_participant(mentee, staff, "Pedido da titular")
        rows = db.session.execute(sa.select(MeetingConfirmation.side, MeetingConfirmation.answer,
                                            MeetingConfirmation.reason)).all()
    # The answer stays for the verified hours; her words go.
    assert [tuple(row) for row in rows] == [("mentee", "disputed", None)]

"""Each mentor and mentee is written to in their own language: chosen at registration, by an
import, by staff, or by them in the portal; used by invitations, reminders and the agreement."""
from datetime import date

import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.mail.delivery import render_message
from network.core.mail.models import OutboxMessage
from network.core.tenancy import tenant_context
from tenants.participants import imports
from tenants.participants.models import Mentee, Mentor
from tenants.processes import reminders
from tenants.processes import services as processes
from tests.casework.conftest import AGREEMENT
from tests.factories import login, make_mentee, make_ready_mentee, make_ready_mentor


def test_staff_register_a_mentee_who_reads_english_and_see_it_on_their_page(app, client, two_partners):
    login(client, two_partners.alpha_staff, locale="en")
    response = client.post("/t/alpha/mentees/new", data={
        "full_name": "Olena Shevchenko", "email": "olena@example.pt", "municipality": "Lisboa",
        "preferred_language": "en", "portuguese_level": "a1",
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Olena Shevchenko is registered." in page
    assert "<dt>Preferred language</dt><dd>English</dd>" in page
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.scalar(sa.select(Mentee.preferred_language)) == "en"


def test_an_english_speaking_mentee_is_invited_in_english_and_a_portuguese_one_in_portuguese(
        app, client, two_partners, sent_mail):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        english = make_mentee("Olena Shevchenko", email="olena@example.pt", preferred_language="en").id
        portuguese = make_mentee("Joana Silva", email="joana@example.pt").id
        db.session.commit()
    login(client, two_partners.alpha_staff, locale="en")
    for mentee_id in (english, portuguese):
        client.post(f"/t/alpha/mentees/{mentee_id}/portal-invitation")
    subjects = {message["to"]: message["subject"] for message in sent_mail}
    assert subjects["olena@example.pt"] == "Your access to the mentoring programme with Câmara Municipal Alfa"
    assert subjects["joana@example.pt"] == \
        "O seu acesso ao programa de mentoria com a organização Câmara Municipal Alfa"


def test_a_reminder_goes_to_each_side_in_their_own_language(app, two_partners):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        process = processes.create_process(make_ready_mentor("Rui Mentor"),
                                           make_ready_mentee("Olena Mentee", preferred_language="en"), None,
                                           today=date(2026, 2, 2))
        processes.save_agreement(process, AGREEMENT, 0, None)
        for side in ("mentor", "mentee"):
            processes.accept_agreement(process, side, None, version=1)
        processes.transition(process, "active", None, today=date(2026, 2, 2))
        reminders.send_workspace_reminders("2026-03-02")  # the follow-up, and the first meeting overdue
        subjects = {message.recipient.split(".")[0]: render_message(message)["subject"]
                    for message in db.session.scalars(sa.select(OutboxMessage).where(
                        OutboxMessage.template == "processes/email/follow_up_due.txt"))}
    assert subjects == {"olena": "Your mentoring follow-up is due",
                        "rui": "Está na hora do acompanhamento da sua mentoria"}


def test_the_printed_agreement_is_in_the_mentees_language_unless_staff_ask_for_another(app, client, two_partners):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        process = processes.create_process(make_ready_mentor("Rui Mentor"),
                                           make_ready_mentee("Olena Mentee", preferred_language="en"), None)
        processes.save_agreement(process, AGREEMENT, 0, None)
        process_id = process.id
        db.session.commit()
    login(client, two_partners.alpha_staff, locale="pt_PT")
    assert '<html lang="en"' in client.get(f"/t/alpha/processes/{process_id}/agreement/print").get_data(as_text=True)
    assert '<html lang="pt-PT"' in client.get(
        f"/t/alpha/processes/{process_id}/agreement/print?lang=pt_PT").get_data(as_text=True)
    detail = client.get(f"/t/alpha/processes/{process_id}").get_data(as_text=True)
    assert "<dt>Língua do mentorando</dt><dd>Inglês</dd>" in detail


def test_an_import_sets_each_persons_language(app, two_partners):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        staff = db.session.scalar(sa.select(User).filter_by(email=two_partners.alpha_staff))
        csv = (b"full_name,email,municipality,preferred_language\n"
               b"Rui Importado,rui@example.pt,Porto,en\nAna Importada,ana@example.pt,Porto,\n")
        started = imports.start_import("mentor", "list.csv", csv, staff)
        imports.confirm_import(started, staff)
        languages = dict(db.session.execute(sa.select(Mentor.full_name, Mentor.preferred_language)).all())
    assert languages == {"Rui Importado": "en", "Ana Importada": "pt_PT"}

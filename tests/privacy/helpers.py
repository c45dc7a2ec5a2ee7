"""A mentee with a distinctive value in every personal field and in every kind of record that
can hold one, and a look through every column of every table for those values."""
import json
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa

from network.core.database import owner_engine
from network.core.extensions import db
from network.core.mail import send_email
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from tenants.activities import services as activities
from tenants.intake import services as intake
from tenants.intake.services import record_interview, withdraw_consent
from tenants.notes import services as notes
from tenants.participants.imports import start_import
from tenants.participants.services import form_data, update_participant
from tenants.portal import services as portal
from tenants.processes import services as processes
from tests.factories import give_consent, make_api_token, make_mentee, make_ready_mentor, make_user

# Every personal value below contains one of these (case-insensitive).
TOKENS = ("quixley", "zorvana", "917771234")


def mentee_with_everything(tenant_id, staff):
    """Inside no tenant context: builds it all in `tenant_id`, returns the ids."""
    tenant = db.session.get(Tenant, tenant_id)
    with tenant_context(tenant_id):
        mentee = make_mentee("Zorvana Quixley-Antiga", email="zorvana.quixley@example.pt", phone="+351917771234",
                             municipality="Vila Quixley", expectations="Quixley hopes to work as a nurse",
                             portuguese_level="a2", languages=[{"code": "ar", "level": "native"}],
                             support_areas=["health"], actor=staff)
        _her_intake(tenant, mentee, staff)
        mentor, process, second = _her_processes(tenant, mentee, staff)
        _her_case_file(mentee, mentor, process, staff)
        activity = activities.save_activity({"kind": "training_mentees", "title": "Formação",
                                             "held_on": date(2024, 1, 20), "place": "Biblioteca",
                                             "audience": "mentees"}, staff)
        activities.invite(activity, [f"mentee:{mentee.id}"], staff)
        start_import("mentee", "lista.csv", b"full_name,email,phone,municipality\n"
                     b"Zorvana Quixley,zorvana.quixley@example.pt,+351917771234,Porto\n"
                     b"Outra Pessoa,outra@example.pt,,Porto\n", staff)
        mentee_id, mentor_id = mentee.id, mentor.id

    account = make_user("zorvana.account@example.pt", "Zorvana Quixley", roles=[(tenant, "mentee")])
    with tenant_context(tenant_id):
        db.session.get(type(mentee), mentee_id).user_id = account.id
    make_api_token(account, [], name="Telemóvel da Zorvana")  # named by her
    # A password reset: an e-mail outside any workspace.
    send_email(account.email, "accounts/email/password_reset.txt", "pt_PT", name=account.name,
               reset_url="http://localhost/")
    db.session.flush()
    return SimpleNamespace(mentee_id=mentee_id, mentor_id=mentor_id, user_id=account.id, process_id=process.id,
                           second_process_id=second.id)


def _her_intake(tenant, mentee, staff):
    # An edit: the audit log keeps the old values.
    update_participant(mentee, form_data(mentee) | {"full_name": "Zorvana Quixley",
                                                    "expectations": "Quixley hopes to study"}, staff)
    give_consent(mentee, staff)
    withdraw_consent(mentee, give_consent(mentee, staff, purpose="sensitive_data"), staff)
    record_interview(mentee, {"held_on": date(2024, 1, 2), "interviewer_id": staff.id, "recommendation": "accept",
                              "notes": "Quixley has two children and asthma"}, staff)
    question = intake.add_partner_question(
        "mentee", {"kind": "text", "prompt_pt": "Notas", "prompt_en": "Notes", "required": False}, staff)
    _, questions = intake.questionnaire("mentee")
    intake.record_intake(mentee, {q.key: None for q in questions} | {question.key: "Quixley: refugee from X"},
                         staff)
    portal.invite_participant(tenant, mentee, staff, 14)
    send_email(mentee.email, "accounts/email/password_reset.txt", "pt_PT", name=mentee.full_name,
               reset_url="http://localhost/")
    mentee.status = "waiting"


def _her_processes(tenant, mentee, staff):
    """A process taken to its end with every record about her, and a second one cancelled."""
    mentor = make_ready_mentor("Marta Mentora")
    process = processes.create_process(mentor, mentee, staff, today=date(2024, 1, 5))
    processes.save_agreement(process, {
        "meeting_frequency": "weekly", "mode": "mixed", "place": "Cafe Quixley",
        "mentor_duties": "Call Zorvana every week", "mentee_duties": "Quixley brings her documents",
        "goals": [{"kind": "need", "text": "Quixley finds a job", "target_date": None}]}, 0, staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, staff, version=1)
    processes.transition(process, "active", staff, today=date(2024, 1, 5))
    meeting = processes.log_meeting(process, {"held_on": date(2024, 1, 12), "duration_minutes": 60, "mode": "online",
                                              "notes": "Zorvana was worried about her permit"}, staff, "staff",
                                    today=date(2024, 1, 12))
    portal.answer_meeting(process, "mentee", meeting, {"answer": "disputed", "reason": "Quixley left early"}, staff)
    goal_id = process.agreement.goals[0].id
    portal.answer_follow_up(process, "mentee", {"satisfaction": 4, "progress": {goal_id: 2},
                                                "comment": "Thank you from Quixley"}, staff,
                            today=date(2024, 2, 1))
    processes.record_follow_up(process, {"held_on": date(2024, 2, 5), "progress": {goal_id: 2},
                                         "issues": "Quixley's landlord", "actions": "Call Zorvana's landlord"},
                               staff)
    processes.transition(process, "in_evaluation", staff)
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(process, side, {"satisfaction": 5, "would_repeat": True,
                                                    "comments": "Quixley grew a lot",
                                                    "goal_outcomes": {goal_id: "met"}}, staff)
    processes.close_process(process, "goals_met", "new_process", staff, today=date(2024, 3, 1))
    second = processes.create_process(make_ready_mentor("Rui Mentor"), mentee, staff, today=date(2024, 3, 2))
    processes.transition(second, "cancelled", staff, reason="Zorvana moved to Quixleyville",
                         today=date(2024, 3, 10))
    # A reminder to her mentor names her.
    send_email(mentor.email, "processes/email/follow_up_due.txt", "pt_PT", name=mentor.full_name,
               pair=mentee.full_name, tenant=tenant.name, due_on=date(2024, 2, 5))
    return mentor, process, second


def _text(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def leftovers(tokens=TOKENS):
    """(table, column, token) of every value in the whole database that holds a token, read as
    the owner (no tenant, no Row-Level Security)."""
    found = []
    with owner_engine().connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(sa.select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    text = _text(value).lower()
                    found += [(table.name, column, token) for token in tokens if token in text]
    return found


def rollup_tables():
    """The national roll-ups, row by row, as stored."""
    with owner_engine().connect() as connection:
        return {table: connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4, 5, 6").all()
                for table in ("rollup_counts", "rollup_national")}


def _her_case_file(mentee, mentor, process, staff):
    # Staff's case file: a note edited (its first text kept), a note on the process, files on
    # both; and a note about her mentor alone, which is not about her.
    note = notes.add_note(mentee, "Quixley told us about her permit", staff)
    notes.edit_note(note, "Quixley's permit expires in May", staff)
    notes.add_note(process, "Zorvana and her mentor get on well", staff)
    notes.add_note(mentor, "Marta is a reliable mentor", staff)
    notes.add_attachment(mentee, "quixley-permit.pdf", b"%PDF-1.4 Quixley's permit", staff, 1024 * 1024)
    notes.add_attachment(process, "plan.pdf", b"%PDF-1.4 a plan with Zorvana", staff, 1024 * 1024)

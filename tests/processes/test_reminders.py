"""Process reminders and the staff digest, computed for the right people on the right days."""
from datetime import date

import sqlalchemy as sa
from flask_babel import force_locale

from network.core.extensions import db
from network.core.mail.delivery import render_message
from network.core.mail.models import OutboxMessage
from tenants.processes import reminders
from tenants.processes import services as processes
from tenants.workspace.digest import send_workspace_digest
from tests.processes.conftest import AGREEMENT, ready_mentee, ready_mentor

DAY = date(2026, 3, 2)


def _active_process(partner, mentor_name, mentee_name, activated_on):
    process = processes.create_process(ready_mentor(mentor_name), ready_mentee(mentee_name), partner.staff,
                                       today=activated_on)
    processes.save_agreement(process, AGREEMENT, 0, partner.staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, partner.staff, version=1)
    processes.transition(process, "active", partner.staff, today=activated_on)
    return process


def _outbox():
    return db.session.execute(sa.select(OutboxMessage.recipient, OutboxMessage.template, OutboxMessage.locale)
                              .order_by(OutboxMessage.id)).all()


def test_a_follow_up_due_today_reminds_both_sides_once_in_their_language(partner):
    due_today = _active_process(partner, "Rui Mentor", "Olena Mentee", date(2026, 2, 2))  # monthly: due 2 March
    _active_process(partner, "Sara Mentora", "Ibrahima Mentee", date(2026, 2, 3))  # due tomorrow
    due_today.mentee.preferred_language = "en"
    assert [kind for kind, _ in reminders.due_reminders(DAY)].count("follow_up_due") == 1

    # (Neither has logged a meeting since February: the overdue meetings are reminded too.)
    reminders.send_workspace_reminders(DAY.isoformat())
    assert sorted(row for row in _outbox() if row.template == "processes/email/follow_up_due.txt") == [
        ("olena.mentee.mentee@example.pt", "processes/email/follow_up_due.txt", "en"),
        ("rui.mentor.mentor@example.pt", "processes/email/follow_up_due.txt", "pt_PT"),
    ]
    assert reminders.send_workspace_reminders(DAY.isoformat()) == 0  # the same day again: nothing new


def test_a_meeting_overdue_is_due_a_nudge_from_the_day_after_it_was_due(partner):
    """Every day it stays overdue is checked (a missed run sends it the next day); the outbox's
    key sends at most one per period (tests/processes/test_meeting_reminders.py)."""
    process = _active_process(partner, "Rui Mentor", "Olena Mentee", date(2026, 2, 20))
    processes.log_meeting(process, {"held_on": date(2026, 2, 22), "duration_minutes": 60, "mode": "online"},
                          partner.staff, "staff", today=date(2026, 2, 22))
    assert process.next_meeting_due_on == date(2026, 3, 1)  # weekly
    assert [kind for kind, _ in reminders.due_reminders(date(2026, 3, 1))] == []
    assert [kind for kind, _ in reminders.due_reminders(DAY)] == ["meeting_overdue"]
    assert reminders.send_workspace_reminders(DAY.isoformat()) == 2
    assert [kind for kind, _ in reminders.due_reminders(date(2026, 3, 3))] == ["meeting_overdue"]
    assert reminders.send_workspace_reminders("2026-03-03") == 0


def test_the_staff_digest_lists_the_follow_ups_due_this_week(partner):
    _active_process(partner, "Rui Mentor", "Olena Mentee", date(2026, 2, 5))  # due 5 March
    _active_process(partner, "Sara Mentora", "Ibrahima Mentee", date(2026, 2, 20))  # due 20 March
    with force_locale("en"):
        assert send_workspace_digest(DAY.isoformat()) == 1
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    follow_ups = message.context["follow_ups"]
    assert [item["mentee"] for item in follow_ups] == ["Olena Mentee"]
    assert message.recipient == partner.staff.email
    message.locale = "en"
    body = render_message(message)["body"]
    assert "Follow-ups due this week:" in body and "Olena Mentee" in body


def test_reminder_e_mails_render_in_the_recipients_language(partner):
    _active_process(partner, "Rui Mentor", "Olena Mentee", date(2026, 2, 2))
    reminders.send_workspace_reminders(DAY.isoformat())
    to_mentor = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.recipient.like("rui%")))
    rendered = render_message(to_mentor)
    assert rendered["subject"] == "Está na hora do acompanhamento da sua mentoria"
    assert "com Olena Mentee está previsto para hoje (02/03/2026)" in rendered["body"]

"""Meeting reminders to the pair (at most one per period of the agreed frequency, in each
person's language, with a portal link and a link that stops them) and the next meeting sent
as a calendar invitation (RFC 5545, Europe/Lisbon, a UID that survives a move)."""
import re
from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.mail.delivery import render_message
from network.core.mail.models import OutboxMessage
from network.core.submit import Refused
from tenants.processes import reminders, scheduling
from tenants.processes import services as processes
from tests.processes.conftest import AGREEMENT, ready_mentee, ready_mentor

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def pair(partner):
    process = processes.create_process(ready_mentor("Rui Mentor"), ready_mentee("Olena Mentee"), partner.staff,
                                       today=date(2026, 2, 20))
    processes.save_agreement(process, AGREEMENT, 0, partner.staff)  # weekly
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, partner.staff, version=1)
    processes.transition(process, "active", partner.staff, today=date(2026, 2, 20))
    processes.log_meeting(process, {"held_on": date(2026, 2, 22), "duration_minutes": 60, "mode": "online"},
                          partner.staff, "staff", today=date(2026, 2, 22))
    process.mentee.preferred_language = "en"  # her own language, whatever the partner's
    return process  # next meeting due on 1 March


def _messages(template):
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.template == template)
                              .order_by(OutboxMessage.id)).all()


def test_an_overdue_meeting_reminds_each_side_once_per_period_in_their_language(pair):
    for day in ("2026-03-02", "2026-03-03", "2026-03-08"):
        reminders.send_workspace_reminders(day)
    sent = _messages("processes/email/meeting_overdue.txt")
    assert sorted((message.recipient, message.locale) for message in sent) == [
        ("olena.mentee.mentee@example.pt", "en"), ("rui.mentor.mentor@example.pt", "pt_PT")]
    reminders.send_workspace_reminders("2026-03-09")  # a week later, still overdue: the next period
    assert len(_messages("processes/email/meeting_overdue.txt")) == 4
    to_mentor = render_message(sent[0] if sent[0].locale == "pt_PT" else sent[1])
    assert to_mentor["subject"] == "Está na hora de voltarem a encontrar-se"
    assert f"/t/alpha/portal/processes/{pair.id}" in to_mentor["body"]
    assert re.search(r"/reminders/stop/\S+", to_mentor["body"])
    assert "To receive no more of these reminders" in render_message(sent[0] if sent[0].locale == "en"
                                                                     else sent[1])["body"]


def test_a_side_that_stopped_the_reminders_gets_none(pair, client):
    reminders.send_workspace_reminders("2026-03-02")
    to_mentor = next(m for m in _messages("processes/email/meeting_overdue.txt") if m.recipient.startswith("rui"))
    stop_path = re.search(r"https?://[^/]+(/reminders/stop/\S+)", render_message(to_mentor)["body"]).group(1)
    db.session.commit()
    assert "Stop the meeting reminders" in client.get(stop_path, headers={"Accept-Language": "en"}).get_data(True)
    assert not db.session.get(type(pair), pair.id).mentor_reminders_off  # opening the link changes nothing
    page = client.post(stop_path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You will receive no more meeting reminders for this mentoring." in page
    assert client.get("/reminders/stop/forged-token").status_code == 404
    db.session.expire_all()
    reminders.send_workspace_reminders("2026-03-09")
    recipients = [m.recipient for m in _messages("processes/email/meeting_overdue.txt")]
    assert recipients.count("rui.mentor.mentor@example.pt") == 1
    assert recipients.count("olena.mentee.mentee@example.pt") == 2


def test_no_overdue_reminder_while_a_next_meeting_is_scheduled(pair, partner):
    scheduling.schedule_next_meeting(pair, {"on": date(2026, 3, 12), "at": time(18, 30), "place": "Café"},
                                     partner.staff, now=NOW)
    reminders.send_workspace_reminders("2026-03-09")
    assert _messages("processes/email/meeting_overdue.txt") == []


def test_a_scheduled_meeting_is_sent_to_both_sides_as_a_calendar_invitation(pair, partner):
    scheduling.schedule_next_meeting(pair, {"on": date(2026, 4, 2), "at": time(18, 30), "place": "Café, Rua 1; Lx"},
                                     partner.staff, now=NOW)
    sent = _messages("processes/email/meeting_invitation.txt")
    assert sorted(m.recipient for m in sent) == ["olena.mentee.mentee@example.pt", "rui.mentor.mentor@example.pt"]
    ics = sent[0].attachments[0]["content"]
    assert sent[0].attachments[0]["content_type"] == "text/calendar; method=REQUEST"
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    assert "METHOD:REQUEST\r\n" in ics and "BEGIN:VTIMEZONE\r\nTZID:Europe/Lisbon\r\n" in ics
    assert "DTSTART;TZID=Europe/Lisbon:20260402T183000\r\n" in ics  # summer time: 17:30 UTC
    assert pair.next_meeting_at == datetime(2026, 4, 2, 17, 30, tzinfo=UTC)
    assert "LOCATION:Café\\, Rua 1\\; Lx\r\n" in ics and "SEQUENCE:0\r\n" in ics
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    assert "Olena" not in ics.split("ATTENDEE")[0]  # the event itself names nobody
    uid = re.search(r"UID:(\S+)\r\n", ics).group(1)

    scheduling.schedule_next_meeting(pair, {"on": date(2026, 4, 3), "at": time(10, 0), "place": None},
                                     partner.staff, now=NOW)
    moved = _messages("processes/email/meeting_invitation.txt")[2:]
    assert len(moved) == 2
    assert f"UID:{uid}\r\n" in moved[0].attachments[0]["content"] and "SEQUENCE:1" in moved[0].attachments[0]["content"]
    rendered = render_message(moved[0])
    assert rendered["attachments"][0]["filename"] == "reuniao.ics"


def test_a_next_meeting_in_the_past_or_on_a_process_not_yet_signed_is_refused(pair, partner, process_in):
    with pytest.raises(Refused, match="must be in the future"):
        scheduling.schedule_next_meeting(pair, {"on": date(2026, 3, 1), "at": time(10, 0)}, partner.staff, now=NOW)
    with pytest.raises(Refused, match="once the agreement is signed"):
        scheduling.schedule_next_meeting(process_in("matched"), {"on": date(2026, 4, 1), "at": time(10, 0)},
                                         partner.staff, now=NOW)

"""Case ownership and the tasks the casework makes due, through the services."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from tenants.casework import services as casework
from tenants.intake import services as intake
from tenants.participants import services as participants
from tenants.processes import services as processes
from tests.casework.conftest import TODAY
from tests.factories import give_consent, make_mentee, make_mentor, make_ready_mentor


def _kinds(tasks):
    return sorted((task.kind, task.subject_id) for task in tasks)


# --- owners -------------------------------------------------------------------

def test_a_case_is_given_to_a_staff_member_of_the_partner_and_the_change_is_audited(partner, process_in):
    process = process_in("matched")
    assert casework.assign_owner(process, partner.colleague.id, partner.staff) is True
    assert casework.assign_owner(process, partner.staff.id, partner.colleague) is True
    db.session.flush()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "owner.assigned")
                                .order_by(AuditEvent.id)).all()
    assert [(event.record_type, event.record_id, event.changes, event.actor_id) for event in events] == [
        ("MentoringProcess", process.id, {"owner_id": None}, partner.staff.id),
        ("MentoringProcess", process.id, {"owner_id": partner.colleague.id}, partner.colleague.id),
    ]
    assert process.owner_id == partner.staff.id


def test_only_the_partners_own_staff_can_be_responsible(partner):
    mentee = make_mentee()
    with pytest.raises(ValidationError) as refused:
        casework.assign_owner(mentee, partner.outsider.id, partner.staff)
    assert refused.value.messages == {"owner_id": ["Choose one of the partner's staff."]}
    assert mentee.owner_id is None
    assert [user.name for user in casework.caseworkers()] == ["Carla Colega", "Tiago Técnico"]


def test_my_caseload_filters_the_mentee_mentor_and_process_lists(partner, process_in):
    mine, theirs = make_mentee("Ana Minha"), make_mentee("Rita Deles")
    make_mentor("Mário Ninguém")
    casework.assign_owner(mine, partner.staff.id, partner.staff)
    casework.assign_owner(theirs, partner.colleague.id, partner.staff)
    db.session.flush()

    def names(role, owner):
        query = participants.ParticipantQuery(owner=owner, user_id=partner.staff.id)
        return [person.full_name for person, _consented in participants.list_participants(role, query).rows]

    assert names("mentee", "mine") == ["Ana Minha"]
    assert names("mentee", "unassigned") == []
    assert names("mentor", "unassigned") == ["Mário Ninguém"]
    process = process_in("matched")
    casework.assign_owner(process, partner.staff.id, partner.staff)
    process_in("matched")
    db.session.flush()
    assert [row.id for row in db.session.scalars(processes.process_query(owner="mine", user_id=partner.staff.id))] \
        == [process.id]


def test_a_new_process_follows_its_mentees_case_worker(partner, process_in):
    mentee = make_mentee("Joana Seguida")
    casework.assign_owner(mentee, partner.colleague.id, partner.staff)
    mentee.status = "waiting"
    give_consent(mentee)
    process = processes.create_process(make_ready_mentor("Rui Mentor"), mentee, partner.staff)
    assert process.owner_id == partner.colleague.id


# --- tasks --------------------------------------------------------------------

def test_each_kind_of_task_appears_for_its_cause_and_disappears_once_resolved(partner, process_in):
    drafted, active, evaluating = process_in("drafted"), process_in("active"), process_in("in_evaluation")
    applicant = make_mentee("Nadia Candidata")
    db.session.flush()
    assert _kinds(casework.tasks(TODAY)) == sorted([
        ("agreement_pending", drafted.id),
        ("follow_up_due", active.id),
        ("meeting_overdue", active.id),
        ("meeting_overdue", evaluating.id),
        ("evaluation_missing", evaluating.id),
        ("mentee_interview", applicant.id),
    ])
    follow_up = next(task for task in casework.tasks(TODAY) if task.kind == "follow_up_due")
    assert (follow_up.due_on, follow_up.name, follow_up.owner_id) == (date(2026, 2, 28), "Mentee 2 – Mentor 2", None)

    for side in ("mentor", "mentee"):
        processes.accept_agreement(drafted, side, partner.staff, version=1)
    processes.log_meeting(active, {"held_on": TODAY, "duration_minutes": 60, "mode": "online"}, partner.staff,
                          "staff", today=TODAY)
    goal_id = active.agreement.goals[0].id
    processes.record_follow_up(active, {"held_on": TODAY, "progress": {goal_id: 2}}, partner.staff, today=TODAY)
    goal_id = evaluating.agreement.goals[0].id
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(evaluating, side, {"satisfaction": 4, "would_repeat": True,
                                                       "goal_outcomes": {goal_id: "met"}}, partner.staff)
    intake.record_interview(applicant, {"held_on": TODAY, "interviewer_id": partner.staff.id,
                                        "recommendation": "accept"}, partner.staff)
    db.session.flush()
    assert _kinds(casework.tasks(TODAY)) == [("meeting_overdue", evaluating.id)]


def test_tasks_go_to_the_case_owner_and_the_rest_are_unassigned(partner, process_in):
    mine, nobodys = process_in("drafted"), process_in("drafted")
    casework.assign_owner(mine, partner.staff.id, partner.colleague)
    db.session.flush()
    assert _kinds(casework.tasks(TODAY, "mine", partner.staff.id)) == [("agreement_pending", mine.id)]
    assert _kinds(casework.tasks(TODAY, "mine", partner.colleague.id)) == []
    assert _kinds(casework.tasks(TODAY, "unassigned")) == [("agreement_pending", nobodys.id)]
    assert casework.tasks(TODAY, "mine", partner.staff.id)[0].owner_name == "Tiago Técnico"
    assert set(casework.tasks_by_owner(TODAY)) == {partner.staff.id, None}


def test_a_snoozed_task_comes_back_on_its_date_and_the_snooze_is_audited(partner, process_in):
    process = process_in("drafted")
    casework.snooze_task("agreement_pending", process.id, TODAY + timedelta(days=3), "The mentee is away",
                         partner.staff, today=TODAY)
    db.session.flush()
    assert casework.tasks(TODAY) == []
    assert casework.tasks(TODAY + timedelta(days=2)) == []
    assert _kinds(casework.tasks(TODAY + timedelta(days=3))) == [("agreement_pending", process.id)]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "task.snoozed"))
    assert (event.actor_id, event.changes) == (partner.staff.id, {
        "kind": "agreement_pending", "subject_id": process.id, "until": (TODAY + timedelta(days=3)).isoformat()})
    with pytest.raises(ValidationError):
        casework.snooze_task("agreement_pending", process.id, TODAY, "Already today", partner.staff, today=TODAY)
    with pytest.raises(LookupError):
        casework.snooze_task("mentee_interview", process.id + 1000, TODAY + timedelta(days=1), "No such mentee",
                             partner.staff, today=TODAY)


def test_the_tasks_take_one_statement_per_kind_however_many_cases(partner, process_in):
    def statements():
        counted = []

        def count(*_args):
            counted.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            casework.tasks(TODAY)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(counted)

    for state in ("drafted", "active", "in_evaluation"):
        process_in(state)
    make_mentee("Uma Candidata")
    db.session.flush()
    few = statements()
    for state in ("drafted", "active", "in_evaluation") * 3:
        casework.assign_owner(process_in(state), partner.staff.id, partner.staff)
    make_mentor("Outro Candidato")
    make_mentee("Outra Candidata")
    db.session.flush()
    assert len(casework.tasks(TODAY)) > 10
    assert statements() == few <= 6

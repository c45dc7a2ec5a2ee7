"""The portal's rules: accounts linked through invitations, "me" and my processes, what I see
of my pair, my contacts, and my answers to a follow-up."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from marshmallow import ValidationError

from network.core.accounts import services as accounts
from network.core.accounts.models import Invitation, User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy.models import Tenant
from tenants.activities.models import Activity, ActivityInvitation, NetworkActivity
from tenants.participants.models import Mentee, Mentor
from tenants.portal import services as portal
from tenants.portal.models import FollowUpAnswer
from tenants.processes import services as processes
from tenants.processes.models import MentoringProcess
from tests.factories import make_user
from tests.portal.conftest import ready_mentee, walk_process
from tests.processes.conftest import AGREEMENT


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _records(email, roles=("mentor", "mentee")):
    return portal.my_records(_user(email), set(roles))


def test_accepting_an_invitation_links_the_account_to_the_record_it_names(pair, in_tenant):
    mentor_user = _user(pair.mentor_user)
    assert db.session.get(Mentor, pair.mentor).user_id == mentor_user.id
    assert [(m.tenant_id, m.role) for m in mentor_user.memberships] == [(pair.tenant, "mentor")]
    assert _records(pair.mentee_user)["mentee"].full_name == "محمد العلي"
    # A role the account does not hold here gives no record.
    assert _records(pair.mentor_user, roles=("mentee",)) == {}


def test_an_invitation_is_refused_without_an_e_mail_or_once_the_person_has_an_account(pair, in_tenant):
    tenant, staff = db.session.get(Tenant, pair.tenant), _user(pair.staff)
    with force_locale("en"):
        with pytest.raises(ValidationError) as already:
            portal.invite_participant(tenant, db.session.get(Mentor, pair.mentor), staff, 14)
        assert "already has access" in str(already.value.messages["_schema"][0])
        phone_only = ready_mentee("Sem Email", "sem@example.pt", phone="+351911111111")
        phone_only.email = None
        with pytest.raises(ValidationError) as no_email:
            portal.invite_participant(tenant, phone_only, staff, 14)
        assert "Record an e-mail address first" in str(no_email.value.messages["_schema"][0])


def test_a_new_invitation_replaces_the_pending_one_and_links_are_used_once(pair, in_tenant):
    tenant, staff = db.session.get(Tenant, pair.tenant), _user(pair.staff)
    newcomer = ready_mentee("Zoë Ærø", "zoe@example.pt")
    first, _ = portal.invite_participant(tenant, newcomer, staff, 14)
    second, _ = portal.invite_participant(tenant, newcomer, staff, 14)
    assert first.status() == "revoked" and portal.pending_invitation(newcomer) == second
    user = make_user("zoe@example.pt", "Zoë Ærø")
    accounts.accept_invitation(second, tenant, user)
    assert newcomer.user_id == user.id
    with pytest.raises(ValidationError):
        accounts.accept_invitation(second, tenant, user)  # reused
    with pytest.raises(ValidationError):
        accounts.accept_invitation(first, tenant, user)  # replaced


def test_an_expired_invitation_links_nothing(pair, in_tenant):
    tenant, staff = db.session.get(Tenant, pair.tenant), _user(pair.staff)
    newcomer = ready_mentee("Inês Expirada", "ines@example.pt")
    invitation, _ = portal.invite_participant(tenant, newcomer, staff, 14)
    invitation.expires_at -= timedelta(days=15)
    with pytest.raises(ValidationError):
        accounts.accept_invitation(invitation, tenant, make_user("ines@example.pt"))
    assert newcomer.user_id is None


def test_an_account_is_linked_to_one_record_per_role_in_a_workspace(pair, in_tenant):
    tenant, staff = db.session.get(Tenant, pair.tenant), _user(pair.staff)
    second_record = ready_mentee("Outro Registo", "outro@example.pt")
    invitation, _ = portal.invite_participant(tenant, second_record, staff, 14)
    invitation.email = pair.mentee_user  # sent to the address of an account already linked
    with force_locale("en"), pytest.raises(ValidationError) as refused:
        accounts.accept_invitation(invitation, tenant, _user(pair.mentee_user))
    assert "already linked to another record" in refused.value.messages[0]


def test_my_processes_are_only_the_ones_i_am_in(pair, in_tenant):
    records = _records(pair.mentee_user)
    assert [process.id for process in portal.my_processes(records)] == [pair.process]
    process, side = portal.my_process(records, pair.process)
    assert process.id == pair.process and side == "mentee"
    assert portal.my_process(records, pair.other_process) == (None, None)
    assert portal.my_process(records, 999_999) == (None, None)
    assert portal.my_processes({}) == []


def test_my_pair_shows_only_a_name_until_they_share_their_contacts(pair, in_tenant):
    process = db.session.get(MentoringProcess, pair.process)
    seen_by_mentor = portal.pair_of(process, "mentor")
    assert (seen_by_mentor.full_name, seen_by_mentor.email, seen_by_mentor.phone) == ("محمد العلي", None, None)
    mentee = db.session.get(Mentee, pair.mentee)
    portal.update_contact(mentee, {"email": mentee.email, "phone": mentee.phone, "shares_contact": True},
                          _user(pair.mentee_user))
    seen_by_mentor = portal.pair_of(process, "mentor")
    assert (seen_by_mentor.email, seen_by_mentor.phone) == ("mohamed@example.pt", "+351912345678")
    assert portal.pair_of(process, "mentee").email is None


def test_correcting_my_contacts_is_audited_and_refuses_another_persons_address(pair, in_tenant):
    mentor, actor = db.session.get(Mentor, pair.mentor), _user(pair.mentor_user)
    changed = portal.update_contact(mentor, {"email": "lukasz.nowak@example.pt", "phone": None,
                                             "shares_contact": False}, actor)
    assert changed == {"email": "lukasz@example.pt"}
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.actor_id, event.record_id) == ("participant.updated", actor.id, mentor.id)
    with force_locale("en"):
        with pytest.raises(ValidationError) as duplicate:
            portal.update_contact(mentor, {"email": "joao@example.pt", "phone": None, "shares_contact": False}, actor)
        assert "already registered" in str(duplicate.value.messages["email"][0])


def _answer(process, satisfaction=4, progress=3):
    return {"satisfaction": satisfaction, "comment": "Tudo bem",
            "progress": {goal.id: progress for goal in process.agreement.goals}}


def test_a_follow_up_opens_for_answers_two_weeks_before_it_is_due(pair, in_tenant):
    activated = date(2026, 3, 15)
    process = walk_process(db.session.get(MentoringProcess, pair.process), _user(pair.staff), "active", activated)
    actor = _user(pair.mentee_user)
    assert portal.next_follow_up(process) == (1, date(2026, 4, 15))
    assert portal.waiting_for_me(process, "mentee", today=date(2026, 3, 31)) == []
    with force_locale("en"), pytest.raises(processes.ProcessRefused) as too_early:
        portal.answer_follow_up(process, "mentee", _answer(process), actor, today=date(2026, 3, 31))
    assert too_early.value.message == "This follow-up is not open for answers now."

    assert portal.waiting_for_me(process, "mentee", today=date(2026, 4, 1)) == ["follow_up"]
    answer = portal.answer_follow_up(process, "mentee", _answer(process), actor, today=date(2026, 4, 1))
    assert (answer.sequence, answer.due_on, answer.side) == (1, date(2026, 4, 15), "mentee")
    assert portal.answerable_follow_up(process, "mentee", today=date(2026, 4, 1)) is None
    assert portal.answerable_follow_up(process, "mentor", today=date(2026, 4, 1)) == (1, date(2026, 4, 15))
    with force_locale("en"), pytest.raises(processes.ProcessRefused) as twice:
        portal.answer_follow_up(process, "mentee", _answer(process), actor, today=date(2026, 4, 2))
    assert twice.value.message == "You have already answered this follow-up."


def test_every_goal_needs_its_progress(pair, in_tenant):
    process = walk_process(db.session.get(MentoringProcess, pair.process), _user(pair.staff), "active")
    data = _answer(process)
    data["progress"].popitem()
    with force_locale("en"), pytest.raises(ValidationError) as missing:
        portal.answer_follow_up(process, "mentor", data, _user(pair.mentor_user),
                                today=date.today() + timedelta(days=40))
    assert missing.value.messages == {"progress": ["Give the progress of every goal."]}


def test_staff_start_the_follow_up_from_the_answers(pair, in_tenant):
    process = walk_process(db.session.get(MentoringProcess, pair.process), _user(pair.staff), "active")
    later = date.today() + timedelta(days=40)
    goals = process.agreement.goals
    mentor_answer = _answer(process, satisfaction=5, progress=2)
    mentee_answer = {**_answer(process, satisfaction=3, progress=2), "progress": {goals[0].id: 2, goals[1].id: 4}}
    portal.answer_follow_up(process, "mentor", mentor_answer, _user(pair.mentor_user), today=later)
    portal.answer_follow_up(process, "mentee", mentee_answer, _user(pair.mentee_user), today=later)
    assert portal.follow_up_form_from_answers(process) == {
        "mentor_satisfaction": "5", "mentee_satisfaction": "3", "progress": {str(goals[0].id): 2},
    }
    assert [answer.side for answer in portal.answers_by_sequence(process)[1]] == ["mentor", "mentee"]

    processes.record_follow_up(process, {"held_on": date.today(), "progress": {g.id: 2 for g in goals}},
                               _user(pair.staff))
    # The next follow-up starts empty: these answers belonged to the first.
    assert portal.follow_up_form_from_answers(process) == {"progress": {}}
    assert db.session.scalar(sa.select(sa.func.count(FollowUpAnswer.id))) == 2


def test_what_waits_for_me_follows_the_process(pair, in_tenant):
    staff = _user(pair.staff)
    process = db.session.get(MentoringProcess, pair.process)
    processes.save_agreement(process, AGREEMENT, 0, staff)
    assert portal.waiting_for_me(process, "mentor") == ["agreement"]
    processes.accept_agreement(process, "mentor", _user(pair.mentor_user), version=1)
    assert portal.waiting_for_me(process, "mentor") == []
    assert portal.waiting_for_me(process, "mentee") == ["agreement"]
    processes.accept_agreement(process, "mentee", _user(pair.mentee_user), version=1)
    processes.transition(process, "active", staff)
    processes.transition(process, "in_evaluation", staff)
    assert portal.waiting_for_me(process, "mentee") == ["evaluation"]
    assert db.session.scalar(sa.select(Invitation.accepted_at).where(Invitation.email == pair.mentee_user))


def test_my_upcoming_activities_are_the_ones_i_am_invited_to(pair, in_tenant):
    today = date(2026, 5, 1)
    mentee = db.session.get(Mentee, pair.mentee)
    workshop = Activity(kind="workshop", audience="participants", title="Troca de talentos: cozinha síria",
                        held_on=date(2026, 5, 20), place="Biblioteca")
    past = Activity(kind="training_mentees", audience="mentees", title="Formação inicial", held_on=date(2026, 4, 1),
                    place="Sede")
    not_mine = Activity(kind="workshop", audience="participants", title="Outra sessão", held_on=date(2026, 5, 2),
                        place="Sede")
    seminar = NetworkActivity(kind="seminar", audience="participants", title="Seminário nacional",
                              held_on=date(2026, 5, 10), place="Lisboa")
    db.session.add_all([workshop, past, not_mine, seminar])
    db.session.flush()
    db.session.add_all([
        ActivityInvitation(activity_id=workshop.id, mentee_id=mentee.id),
        ActivityInvitation(activity_id=past.id, mentee_id=mentee.id),
        ActivityInvitation(network_activity_id=seminar.id, mentee_id=mentee.id),
        ActivityInvitation(activity_id=not_mine.id, mentor_id=pair.mentor),
    ])
    db.session.flush()
    upcoming = portal.my_upcoming_activities(_records(pair.mentee_user), today=today)
    assert [activity.title for activity in upcoming] == ["Seminário nacional", "Troca de talentos: cozinha síria"]
    assert portal.my_upcoming_activities({}, today=today) == []

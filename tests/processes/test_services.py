"""The mentoring process rules, exercised through the services staff and participants use."""
from datetime import date

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import activate_tenant
from tenants.intake.services import withdraw_consent
from tenants.matching.services import confirm_match
from tenants.processes import services
from tenants.processes.models import PROCESS_STATES, MentoringProcess
from tests.factories import make_tenant, make_user
from tests.processes.conftest import AGREEMENT, GOALS, evaluation, ready_mentee, ready_mentor


@pytest.mark.parametrize("from_state", list(PROCESS_STATES))
@pytest.mark.parametrize("to_state", list(PROCESS_STATES))
def test_every_transition_is_allowed_or_refused_by_the_rules(process_in, partner, from_state, to_state):
    process = process_in(from_state)
    assert process.state == from_state
    # A matched process has no accepted agreement yet: the second acceptance signs it
    # (see below), and closing has its own function.
    allowed = (to_state in services.TRANSITIONS[from_state] and to_state != "closed"
               and (from_state, to_state) != ("matched", "agreement_signed"))
    if allowed:
        services.transition(process, to_state, partner.staff, reason="Reason given")
        assert process.state == to_state
    else:
        events_before = len(process.events)
        with pytest.raises(services.ProcessRefused) as refusal:
            services.transition(process, to_state, partner.staff, reason="Reason given")
        assert refusal.value.message
        assert process.state == from_state and len(process.events) == events_before


def test_closing_goes_through_close_process_only(process_in, partner):
    process = process_in("in_evaluation")
    with pytest.raises(services.ProcessRefused, match="Close the process with its outcome"):
        services.transition(process, "closed", partner.staff)


def test_no_signed_agreement_without_both_acceptances(process_in, partner):
    process = process_in("matched")
    services.save_agreement(process, AGREEMENT, 0, partner.staff)
    services.accept_agreement(process, "mentor", partner.staff, version=1)
    with pytest.raises(services.ProcessRefused, match="accepted by the mentor and by the mentee"):
        services.transition(process, "agreement_signed", partner.staff)
    services.accept_agreement(process, "mentee", partner.staff, version=1)
    assert process.state == "agreement_signed"  # the second acceptance signs it


def test_no_active_process_while_the_new_agreement_version_is_not_accepted(process_in, partner):
    process = process_in("agreement_signed")
    services.save_agreement(process, {**AGREEMENT, "meeting_frequency": "fortnightly"}, 1, partner.staff)
    assert process.agreement.version == 2 and not process.agreement.accepted_by_both
    with pytest.raises(services.ProcessRefused):
        services.transition(process, "active", partner.staff)


def test_cancelling_needs_a_reason_and_frees_both_people(process_in, partner):
    process = process_in("active")
    with pytest.raises(services.ProcessRefused, match="Say why"):
        services.transition(process, "cancelled", partner.staff, reason="   ")
    services.transition(process, "cancelled", partner.staff, reason="The mentee moved to Porto")
    assert process.cancel_reason == "The mentee moved to Porto"
    assert process.mentor.status == "available" and process.mentee.status == "waiting"


def test_editing_concurrently_never_overwrites(process_in, partner):
    process = process_in("matched")
    services.save_agreement(process, AGREEMENT, 0, partner.staff)
    # Two staff members opened version 1; the first saves, the second's save is refused.
    services.save_agreement(process, {**AGREEMENT, "place": "Café Central"}, 1, partner.staff)
    with pytest.raises(services.AgreementConflict):
        services.save_agreement(process, {**AGREEMENT, "place": "Junta de freguesia"}, 1, partner.staff)
    assert process.agreement.version == 2 and process.agreement.place == "Café Central"


def test_accepting_an_outdated_version_is_refused(process_in, partner):
    process = process_in("matched")
    services.save_agreement(process, AGREEMENT, 0, partner.staff)
    services.save_agreement(process, AGREEMENT, 1, partner.staff)
    with pytest.raises(services.AgreementConflict):
        services.accept_agreement(process, "mentee", partner.staff, version=1)


def test_matching_needs_current_consent_and_ready_people(partner):
    mentor, mentee = ready_mentor(), ready_mentee()
    withdraw_consent(mentee, mentee.current_consents[0], partner.staff)
    with pytest.raises(services.ProcessRefused, match="no current consent"):
        services.create_process(mentor, mentee, partner.staff)
    other = ready_mentee("Outra Pessoa")
    other.status = "applicant"
    with pytest.raises(services.ProcessRefused, match="not waiting"):
        services.create_process(mentor, other, partner.staff)
    assert db.session.scalar(sa.select(sa.func.count(MentoringProcess.id))) == 0


def test_a_pair_has_one_open_process_at_a_time(partner):
    mentor, mentee = ready_mentor(), ready_mentee()
    services.create_process(mentor, mentee, partner.staff)
    mentee.status = "waiting"  # even if someone set it back by hand
    with pytest.raises(services.ProcessRefused, match="already have an open process"):
        services.create_process(mentor, mentee, partner.staff)


def test_meetings_are_logged_from_the_signed_agreement_on_and_never_in_the_future(process_in, partner):
    matched = process_in("matched")
    with pytest.raises(services.ProcessRefused):
        services.log_meeting(matched, {"held_on": date(2026, 2, 1), "duration_minutes": 60, "mode": "online"},
                             partner.staff, "staff")
    active = process_in("active")
    with pytest.raises(services.ProcessRefused, match="before it happens"):
        services.log_meeting(active, {"held_on": date(2026, 3, 10), "duration_minutes": 60, "mode": "online"},
                             partner.staff, "staff", today=date(2026, 3, 9))
    services.log_meeting(active, {"held_on": date(2026, 3, 2), "duration_minutes": 90, "mode": "phone",
                                  "topics": ["health"]}, partner.staff, "staff", today=date(2026, 3, 3))
    assert active.next_meeting_due_on == date(2026, 3, 9)  # weekly
    assert active.meetings[0].logged_by_id == partner.staff.id


def test_follow_ups_fall_due_on_the_cadence_and_record_progress_per_goal(process_in, partner):
    process = process_in("active")  # activated on 31 January 2026, monthly
    assert services.next_follow_up_due(process) == date(2026, 2, 28)
    goals = process.agreement.goals
    services.record_follow_up(process, {"held_on": date(2026, 3, 1), "mentor_satisfaction": 4,
                                        "mentee_satisfaction": 5, "progress": {goals[0].id: 2, goals[1].id: 0}},
                              partner.staff)
    assert services.next_follow_up_due(process) == date(2026, 3, 31)
    assert process.next_follow_up_on == date(2026, 3, 31)
    assert [item.progress for item in process.follow_ups[0].progress] == [2, 0]
    with pytest.raises(services.ProcessRefused, match="not in the current agreement"):
        services.record_follow_up(process, {"held_on": date(2026, 4, 1), "progress": {999999: 1}}, partner.staff)


def test_closing_needs_both_final_evaluations(process_in, partner):
    process = process_in("in_evaluation")
    services.submit_evaluation(process, "mentor", evaluation(process), partner.staff)
    with pytest.raises(services.ProcessRefused, match="Both the mentor and the mentee"):
        services.close_process(process, "goals_met", "end", partner.staff)
    with pytest.raises(services.ProcessRefused, match="already submitted"):
        services.submit_evaluation(process, "mentor", evaluation(process), partner.staff)


def test_an_evaluation_must_cover_every_goal(process_in, partner):
    process = process_in("in_evaluation")
    partial = evaluation(process)
    partial["goal_outcomes"].popitem()
    with pytest.raises(services.ProcessRefused, match="every goal"):
        services.submit_evaluation(process, "mentee", partial, partner.staff)


@pytest.mark.parametrize("next_step, mentee_status", [("end", "left"), ("new_process", "waiting")])
def test_closing_sets_the_outcome_and_what_happens_to_the_people(process_in, partner, next_step, mentee_status):
    process = process_in("in_evaluation")
    for side in ("mentor", "mentee"):
        services.submit_evaluation(process, side, evaluation(process), partner.staff)
    assert services.close_process(process, "goals_met", next_step, partner.staff) is None
    assert process.state == "closed" and process.outcome == "goals_met"
    assert process.mentor.status == "available" and process.mentee.status == mentee_status


def test_redefining_opens_a_new_process_for_the_pair_with_the_unmet_goals(process_in, partner):
    process = process_in("in_evaluation")
    met, unmet = process.agreement.goals
    for side in ("mentor", "mentee"):
        outcomes = evaluation(process)
        outcomes["goal_outcomes"][unmet.id] = "partly" if side == "mentee" else "met"
        services.submit_evaluation(process, side, outcomes, partner.staff)
    successor = services.close_process(process, "redefined", "redefine", partner.staff)
    assert process.state == "closed" and process.outcome == "redefined"
    assert successor.state == "matched" and successor.redefined_from is process
    assert (successor.mentor, successor.mentee) == (process.mentor, process.mentee)
    assert [goal.text for goal in successor.agreement.goals] == [GOALS[1]["text"]]
    assert process.mentor.status == "matched" and process.mentee.status == "matched"


def test_nothing_to_redefine_when_every_goal_was_met(process_in, partner):
    process = process_in("in_evaluation")
    for side in ("mentor", "mentee"):
        services.submit_evaluation(process, side, evaluation(process), partner.staff)
    with pytest.raises(services.ProcessRefused, match="nothing to redefine"):
        services.close_process(process, "redefined", "redefine", partner.staff)
    with pytest.raises(services.ProcessRefused):
        services.close_process(process, "goals_met", "redefine", partner.staff)


def test_the_timeline_records_every_change_with_who(process_in, partner):
    process = process_in("closed")
    kinds = [event.kind for event in process.events]
    assert kinds[0] == "created" and kinds.count("agreement_accepted") == 2
    assert kinds.count("evaluation_submitted") == 2 and kinds[-1] == "state_changed"
    assert [(e.from_state, e.to_state) for e in process.events if e.kind == "state_changed"] == [
        ("matched", "agreement_signed"), ("agreement_signed", "active"), ("active", "in_evaluation"),
        ("in_evaluation", "closed")]
    assert {event.actor_id for event in process.events} == {partner.staff.id}


def test_a_mentor_takes_several_mentees_up_to_the_partners_limit(partner):
    mentor = ready_mentor()
    for name in ("Primeira Pessoa", "Segunda Pessoa"):
        confirm_match(mentor, ready_mentee(name), partner.staff, "monthly")
    assert services.open_process_count(mentor.id) == 2  # the default limit
    with pytest.raises(services.ProcessRefused, match="already follows 2 mentees"):
        confirm_match(mentor, ready_mentee("Terceira Pessoa"), partner.staff, "monthly")


def test_withdrawing_consent_to_take_part_ends_the_open_processes(process_in, partner):
    process = process_in("active")
    mentee = process.mentee
    withdraw_consent(mentee, mentee.current_consents[0], partner.staff)
    assert process.state == "cancelled"
    assert process.cancel_reason == "Consent to take part was withdrawn."
    assert process.mentor.status == "available"


def test_the_list_finds_a_process_by_either_participants_name_in_any_case(partner):
    today = date(2026, 1, 31)
    amina = services.create_process(ready_mentor("Rui Costa"), ready_mentee("Amina Yusuf"), partner.staff, today=today)
    silva = services.create_process(ready_mentor("Joana Silva"), ready_mentee("Omar Haddad"), partner.staff,
                                    today=today)
    both = services.create_process(ready_mentor("Pedro Silva"), ready_mentee("Lina Silvano"), partner.staff,
                                   today=today)
    db.session.flush()

    def found(search, **filters):
        return [process.id for process in db.session.scalars(services.process_query(search=search, **filters))]

    assert found("amina") == [amina.id]
    assert found("SILVA") == [both.id, silva.id]  # newest first, each process once
    assert found("haddad") == [silva.id]
    assert found("silva", state="closed") == []
    assert found("nobody") == []


@pytest.mark.isolation
def test_the_list_search_never_reaches_another_partners_participants(partner):
    """Another partner's participants of the same name bring none of their processes."""
    services.create_process(ready_mentor("Rui Costa"), ready_mentee("Amina Yusuf"), partner.staff,
                            today=date(2026, 1, 31))
    other = make_tenant("beta")
    other_staff = make_user("staff@beta.pt", "Bruno Técnico", [(other, "staff")])
    activate_tenant(other.id)
    services.create_process(ready_mentor("Amina Costa"), ready_mentee("Zara Yusuf"), other_staff,
                            today=date(2026, 1, 31))
    db.session.flush()
    activate_tenant(partner.tenant.id)
    names = [(process.mentor.full_name, process.mentee.full_name)
             for process in db.session.scalars(services.process_query(search="amina"))]
    assert names == [("Rui Costa", "Amina Yusuf")]

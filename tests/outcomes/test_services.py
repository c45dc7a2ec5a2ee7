"""Outcome answers through the submit path: stored with the measures' version, the state rules,
goal attainment scored at the final evaluation."""
import pytest
import sqlalchemy as sa

from network.core.extensions import db
from tenants.outcomes import measures, services
from tenants.outcomes.models import GoalAttainment, OutcomeAssessment
from tenants.processes import services as processes
from tests.factories import login
from tests.processes.conftest import evaluation

INTAKE = {"employment": "no_work", "portuguese": "a1", "qualification": "not_started", "housing": "temporary",
          "network": "nobody", "rights": "little"}
CLOSING = {"employment": "temporary", "portuguese": "b1", "qualification": "not_needed", "housing": "temporary",
           "network": "some", "rights": "not_at_all"}


def test_answers_are_stored_with_the_version_they_answered(partner, process_in, monkeypatch):
    process = process_in("active")
    services.record_assessment(process, "mentee", "intake", INTAKE, partner.staff)
    db.session.flush()
    # A second version of the measures: what was answered under the first stays under the first.
    monkeypatch.setattr(measures, "VERSIONS", {**measures.VERSIONS, 2: measures.VERSIONS[1]})
    monkeypatch.setattr(services, "CURRENT_VERSION", 2)
    processes.transition(process, "in_evaluation", partner.staff)
    services.record_assessment(process, "mentee", "closing", CLOSING, partner.staff)
    db.session.flush()
    rows = {row.stage: row for row in db.session.scalars(sa.select(OutcomeAssessment))}
    assert (rows["intake"].measures_version, rows["closing"].measures_version) == (1, 2)
    assert rows["intake"].answers == INTAKE
    # Answers of different versions are not compared.
    assert set(services.changes(process).values()) == {None}


def test_change_from_the_start_to_closing(partner, process_in):
    process = process_in("active")
    services.record_assessment(process, "mentee", "intake", INTAKE, partner.staff)
    processes.transition(process, "in_evaluation", partner.staff)
    services.record_assessment(process, "mentee", "closing", CLOSING, partner.staff)
    db.session.flush()
    assert services.changes(process) == {"employment": "improved", "portuguese": "improved", "qualification": None,
                                         "housing": "same", "network": "improved", "rights": "worse"}


def test_stage_rules(partner, process_in):
    active, closed = process_in("active"), process_in("closed")
    with pytest.raises(services.OutcomeRefused):
        services.record_assessment(active, "mentee", "closing", CLOSING, partner.staff)
    with pytest.raises(services.OutcomeRefused):
        services.record_assessment(closed, "mentee", "intake", INTAKE, partner.staff)
    with pytest.raises(services.OutcomeRefused):
        services.record_assessment(closed, "mentor", "intake", {}, partner.staff)


def test_goal_attainment_expected_at_the_agreement_scored_at_the_final_evaluation(partner, process_in):
    process = process_in("active")
    goals = [goal.id for goal in process.agreement.goals]
    services.save_expectations(process, {goals[0]: {"expected_outcome": "A contract of 3 months", "weight": 1},
                                         goals[1]: {"expected_outcome": "A business plan", "weight": 2}},
                               partner.staff)
    with pytest.raises(services.OutcomeRefused):
        services.score_goals(process, {goals[0]: 1, goals[1]: 0}, partner.staff)
    processes.transition(process, "in_evaluation", partner.staff)
    with pytest.raises(services.OutcomeRefused):
        services.save_expectations(process, {goals[0]: {"expected_outcome": "Changed", "weight": 1}}, partner.staff)
    with pytest.raises(services.Refused):
        services.score_goals(process, {goals[0]: 1}, partner.staff)
    services.score_goals(process, {goals[0]: 1, goals[1]: -1}, partner.staff)
    db.session.flush()
    assert services.t_score(process) == pytest.approx(measures.gas_t_score([1, -1], [1, 2]))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GoalAttainment)) == 2


def test_staff_record_the_answers_on_the_outcomes_page(app, client, partner, process_in):
    process = process_in("in_evaluation")
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(process, side, evaluation(process), partner.staff)
    db.session.commit()
    login(client, partner.staff.email, locale="en")
    page = f"/t/{partner.tenant.slug}/processes/{process.id}/outcomes"
    text = client.get(page).get_data(as_text=True)
    assert "Would you mentor again?" in text and "What is your work situation?" in text
    bad = client.post(f"{page}/mentor/closing", data={"hours_given": "-3", "satisfaction": "4", "mentor_again": "yes"})
    assert bad.status_code == 400 and "Enter a number from 0 to 2000." in bad.get_data(as_text=True)
    good = client.post(f"{page}/mentor/closing", data={"hours_given": "30", "satisfaction": "4", "mentor_again": "yes"})
    assert good.status_code == 302
    refused = client.post(f"{page}/mentor/intake", data={"hours_given": "1", "satisfaction": "4", "mentor_again": "no"})
    assert refused.status_code == 409 and "Mentors answer at closing only." in refused.get_data(as_text=True)
    row = db.session.scalar(sa.select(OutcomeAssessment))
    assert (row.side, row.stage, row.answers) == ("mentor", "closing", {"hours_given": 30, "satisfaction": "4",
                                                                         "mentor_again": "yes"})

"""Recording the outcome measures of a process, and reading them back. Flask-free; every
change marks the partner's roll-ups stale (the impact figures are counted from these rows)."""
import sqlalchemy as sa
from flask_babel import gettext as _

from network.core.changes import mark_rollups_stale
from network.core.extensions import db
from network.core.submit import Refused
from network.core.timeutil import utcnow
from tenants.outcomes.measures import CURRENT_VERSION, VERSIONS, change, current_measures, gas_t_score
from tenants.outcomes.models import GoalAttainment, OutcomeAssessment

# When each stage may be answered: the start until the final evaluation, the closing from the
# final evaluation on (staff may complete it after closing, with both evaluations at hand).
STAGE_STATES = {
    "intake": ("matched", "agreement_signed", "active", "in_evaluation"),
    "closing": ("in_evaluation", "closed"),
}


class OutcomeRefused(Refused):
    status = 409


def assessments(process):
    """{(side, stage): OutcomeAssessment} of a process."""
    rows = db.session.scalars(sa.select(OutcomeAssessment).where(OutcomeAssessment.process_id == process.id))
    return {(row.side, row.stage): row for row in rows}


def attainments(process):
    """{goal id: GoalAttainment} of the process's goals."""
    rows = db.session.scalars(sa.select(GoalAttainment).where(GoalAttainment.process_id == process.id))
    return {row.goal_id: row for row in rows}


def record_assessment(process, side, stage, answers, actor):
    """Store (or correct) one side's answers at one stage, under the current measures."""
    if side == "mentor" and stage != "closing":
        raise OutcomeRefused(_("Mentors answer at closing only."))
    if process.state not in STAGE_STATES[stage]:
        raise OutcomeRefused(_("These answers cannot be recorded in the process's current state."))
    row = assessments(process).get((side, stage))
    if row is None:
        row = OutcomeAssessment(process_id=process.id, side=side, stage=stage)
        db.session.add(row)
    row.measures_version = CURRENT_VERSION
    row.answers = dict(answers)
    row.recorded_at = utcnow()
    row.recorded_by_id = actor.id if actor is not None else None
    mark_rollups_stale()
    return row


def save_expectations(process, expectations, actor):
    """`{goal id: {"expected_outcome": text, "weight": n}}` for the current agreement's goals."""
    agreement = process.agreement
    if agreement is None or not process.is_open or process.state == "in_evaluation":
        raise OutcomeRefused(_("Expected outcomes are written with the agreement, before the final evaluation."))
    goals = {goal.id for goal in agreement.goals}
    if not expectations or not set(expectations) <= goals:
        raise Refused(_("Describe the expected outcome of the agreement's goals."), field="expectations")
    existing = attainments(process)
    for goal_id, values in expectations.items():
        row = existing.get(goal_id) or GoalAttainment(process_id=process.id, goal_id=goal_id)
        row.expected_outcome = values["expected_outcome"]
        row.weight = values.get("weight") or 1
        db.session.add(row)
    mark_rollups_stale()
    return process


def score_goals(process, scores, actor):
    """The final evaluation's GAS scores, `{goal id: -2..+2}`, one for every goal with an expected outcome."""
    if process.state not in STAGE_STATES["closing"]:
        raise OutcomeRefused(_("Goals are scored at the final evaluation."))
    existing = attainments(process)
    if not existing or set(scores) != set(existing):
        raise Refused(_("Score every goal that has an expected outcome."), field="scores")
    for goal_id, score in scores.items():
        row = existing[goal_id]
        row.score, row.scored_at = score, utcnow()
        row.scored_by_id = actor.id if actor is not None else None
    mark_rollups_stale()
    return process


def t_score(process):
    """The process's GAS T-score, or None until every goal with an expected outcome is scored."""
    rows = list(attainments(process).values())
    if not rows or any(row.score is None for row in rows):
        return None
    return gas_t_score([row.score for row in rows], [row.weight for row in rows])


def changes(process):
    """{indicator code: "improved" | "same" | "worse" | None} from the mentee's start to closing."""
    answered = assessments(process)
    intake, closing = answered.get(("mentee", "intake")), answered.get(("mentee", "closing"))
    measures = current_measures()
    if intake is None or closing is None or intake.measures_version != closing.measures_version:
        return {indicator.code: None for indicator in measures.mentee}
    measures = VERSIONS[intake.measures_version]
    return {indicator.code: change(indicator, intake.answers.get(indicator.code), closing.answers.get(indicator.code))
            for indicator in measures.mentee}

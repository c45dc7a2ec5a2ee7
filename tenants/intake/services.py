"""Intake, free of Flask request objects: the questionnaire, consent (recorded, withdrawn: a
withdrawal of consent to take part ends the open processes, through the processes package) and
interviews (whose recommendation moves the applicant's status)."""
import sqlalchemy as sa
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError, pre_load

from network.core.accounts.models import Membership, User
from network.core.audit.services import record_event
from network.core.changes import mark_rollups_stale
from network.core.extensions import db
from network.core.tenancy import current_tenant_id
from network.core.timeutil import utcnow
from network.core.validation import FormSchema, choice_field, text_field
from tenants.intake.models import IntakeResponse, PartnerQuestion, Question, QuestionSet
from tenants.participants.models import MATCHING_CONSENT, ROLES, Consent, Interview
from tenants.participants.services import has_current_consent, set_status
from tenants.processes.services import cancel_open_processes_of

INTERVIEWER_ROLES = ("partner_admin", "staff")
ANSWER_LENGTHS = {"text": 300, "long_text": 4000}


# --- the questionnaire -------------------------------------------------------

def published_question_set(role):
    """The network-wide questions a participant of `role` answers now: the latest published version."""
    return db.session.scalar(
        sa.select(QuestionSet)
        .where(QuestionSet.role == role, QuestionSet.published_at.is_not(None))
        .order_by(QuestionSet.version.desc())
        .limit(1)
    )


def partner_questions(role, include_retired=False):
    query = sa.select(PartnerQuestion).where(PartnerQuestion.role == role)
    if not include_retired:
        query = query.where(PartnerQuestion.active.is_(True))
    return db.session.scalars(query.order_by(PartnerQuestion.position, PartnerQuestion.id)).all()


def questionnaire(role):
    """(network question set or None, every question to ask: the network's, then the partner's)."""
    question_set = published_question_set(role)
    network_questions = list(question_set.questions) if question_set else []
    return question_set, network_questions + list(partner_questions(role))


class IntakeFormSchema(FormSchema):
    @pre_load
    def blanks_are_missing(self, data, **kwargs):
        return {key: value for key, value in data.items() if value != ""}


def _answer_field(question):
    optional = {} if question.required else {"load_default": None}
    if question.kind in ANSWER_LENGTHS:
        return text_field(ANSWER_LENGTHS[question.kind], required=question.required, **optional)
    return choice_field([value for value, _ in question.choice_options()], required=question.required, **optional)


def answers_schema(questions):
    """A schema for these questions: one field per question, named by its key."""
    return IntakeFormSchema.from_dict({question.key: _answer_field(question) for question in questions})()


def _answer_labels(question, value):
    if value is None or question.kind in ANSWER_LENGTHS:
        return {"answer_pt": value, "answer_en": value}
    labels = {}
    for locale, key in (("pt_PT", "answer_pt"), ("en", "answer_en")):
        with force_locale(locale):
            labels[key] = str(dict(question.choice_options())[value])
    return labels


def answers_as_asked(questions, data):
    """The answers as an intake response stores them: each with its question as it was asked."""
    return [
        {"key": question.key, "prompt_pt": question.prompt_pt, "prompt_en": question.prompt_en,
         "value": data.get(question.key), **_answer_labels(question, data.get(question.key))}
        for question in questions
    ]


def record_intake(participant, data, actor):
    """Store the answers with the questions as they were asked."""
    question_set, questions = questionnaire(participant.role)
    if not questions:
        raise ValidationError({"_schema": [_l("There is no questionnaire to answer yet.")]})
    response = IntakeResponse(
        question_set_id=question_set.id if question_set else None, answers=answers_as_asked(questions, data),
        recorded_by_id=actor.id if actor else None, **{ROLES[participant.role].link_column: participant.id},
    )
    db.session.add(response)
    db.session.flush()
    record_event("intake.recorded", actor, participant, changes={"intake_response_id": response.id})
    return response


def latest_intake(participant):
    link = ROLES[participant.role].link(IntakeResponse)
    return db.session.scalar(
        sa.select(IntakeResponse).where(link == participant.id)
        .order_by(IntakeResponse.recorded_at.desc(), IntakeResponse.id.desc()).limit(1)
    )


def previous_answers(response):
    """A stored response as form values, to start a new one from."""
    return {answer["key"]: answer["value"] or "" for answer in response.answers} if response else {}


# --- what a partner adds -----------------------------------------------------

def _choices(data):
    """Choices typed one per line, the same in both languages' order."""
    if data["kind"] != "choice":
        return []
    pt_lines = [line.strip() for line in (data.get("choices_pt") or "").splitlines() if line.strip()]
    en_lines = [line.strip() for line in (data.get("choices_en") or "").splitlines() if line.strip()]
    if len(pt_lines) < 2 or len(pt_lines) != len(en_lines):
        raise ValidationError(
            {"choices_pt": [_l("Write at least two options, one per line, as many in each language.")]})
    return [{"value": f"c{number}", "pt": pt, "en": en} for number, (pt, en) in enumerate(zip(pt_lines, en_lines), 1)]


def add_partner_question(role, data, actor):
    last = db.session.scalar(sa.select(sa.func.max(PartnerQuestion.position)).where(PartnerQuestion.role == role))
    question = PartnerQuestion(
        role=role, kind=data["kind"], prompt_pt=data["prompt_pt"], prompt_en=data["prompt_en"],
        choices=_choices(data), required=data["required"], position=(last or 0) + 1,
    )
    db.session.add(question)
    db.session.flush()
    record_event("intake.question_added", actor, question)
    return question


def retire_partner_question(question, actor):
    """Retired questions are no longer asked; answers already given keep their text."""
    question.active = False
    record_event("intake.question_retired", actor, question)


# --- what the coordination team manages --------------------------------------

def question_sets(role):
    return db.session.scalars(
        sa.select(QuestionSet).where(QuestionSet.role == role).order_by(QuestionSet.version.desc())
    ).all()


def draft_question_set(role):
    """The unpublished next version, started from the published one."""
    draft = db.session.scalar(
        sa.select(QuestionSet).where(QuestionSet.role == role, QuestionSet.published_at.is_(None))
    )
    if draft is None:
        published = published_question_set(role)
        draft = QuestionSet(role=role, version=(published.version if published else 0) + 1)
        if published:
            draft.questions = [
                Question(kind=q.kind, prompt_pt=q.prompt_pt, prompt_en=q.prompt_en, choices=q.choices,
                         required=q.required, position=q.position)
                for q in published.questions
            ]
        db.session.add(draft)
        db.session.flush()
    return draft


def add_network_question(role, data):
    draft = draft_question_set(role)
    position = max((question.position for question in draft.questions), default=0) + 1
    question = Question(kind=data["kind"], prompt_pt=data["prompt_pt"], prompt_en=data["prompt_en"],
                        choices=_choices(data), required=data["required"], position=position)
    draft.questions.append(question)
    db.session.flush()
    return question


def remove_draft_question(question):
    if question.question_set.published_at is not None:
        raise ValidationError({"_schema": [_l("A published version cannot change: edit the draft.")]})
    db.session.delete(question)


def publish_question_set(question_set):
    if question_set.published_at is not None:
        raise ValidationError({"_schema": [_l("This version is already published.")]})
    if not question_set.questions:
        raise ValidationError({"_schema": [_l("Add at least one question before publishing.")]})
    question_set.published_at = utcnow()


# --- consent -----------------------------------------------------------------

def _owner(participant):
    return {ROLES[participant.role].link_column: participant.id}


def record_consent(participant, data, actor):
    if any(consent.purpose == data["purpose"] for consent in participant.current_consents):
        raise ValidationError({"purpose": [_l("This consent is already recorded and current.")]})
    consent = Consent(
        purpose=data["purpose"], text_version=data["text_version"], given_on=data["given_on"],
        recorded_by_id=actor.id if actor else None, **_owner(participant),
    )
    db.session.add(consent)
    db.session.flush()
    db.session.expire(participant, ["consents"])
    record_event("consent.given", actor, participant, changes={"consent_id": consent.id, "purpose": consent.purpose})
    return consent


def get_consent(participant, consent_id):
    consent = db.session.get(Consent, consent_id)
    if consent is None or getattr(consent, ROLES[participant.role].link_column) != participant.id:
        return None
    return consent


def withdraw_consent(participant, consent, actor):
    """Withdrawal is kept (who, when) and takes effect at once: the gate and the lists read it."""
    if not consent.is_current:
        raise ValidationError({"consent": [_l("This consent was already withdrawn.")]})
    consent.withdrawn_at = utcnow()
    consent.withdrawn_by_id = actor.id if actor else None
    db.session.flush()
    db.session.expire(participant, ["consents"])
    record_event("consent.withdrawn", actor, participant,
                 changes={"consent_id": consent.id, "purpose": consent.purpose})
    if consent.purpose == MATCHING_CONSENT and not has_current_consent(participant):
        # Without consent to take part, the processes package ends their open processes.
        cancel_open_processes_of(participant, actor, gettext("Consent to take part was withdrawn."))


# --- interviews --------------------------------------------------------------

def interviewers(tenant_id):
    """The tenant's staff who may be named as interviewer."""
    return db.session.scalars(
        sa.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.tenant_id == tenant_id,
            Membership.role.in_(INTERVIEWER_ROLES),
            Membership.active.is_(True),
            User.active.is_(True),
        )
        .distinct()
        .order_by(User.name)
    ).all()


_INTERVIEW_OUTCOMES = {
    # recommendation -> status per role; a mentor accepted before the training waits as "interviewed".
    "accept": {"mentor": "available", "mentee": "waiting"},
    "decline": {"mentor": "left", "mentee": "left"},
    "refer_elsewhere": {"mentor": "left", "mentee": "left"},
}
INTERVIEWABLE_STATUSES = ("applicant", "interviewed")


def status_after_interview(participant, recommendation):
    status = _INTERVIEW_OUTCOMES[recommendation][participant.role]
    if status == "available" and participant.training_completed_on is None:
        return "interviewed"
    return status


def record_interview(participant, data, actor):
    if participant.status not in INTERVIEWABLE_STATUSES:
        raise ValidationError({"recommendation": [_l("Only applicants can be interviewed.")]})
    if data["interviewer_id"] not in {user.id for user in interviewers(current_tenant_id())}:
        raise ValidationError({"interviewer_id": [_l("Choose one of the options.")]})
    interview = Interview(
        held_on=data["held_on"], interviewer_id=data["interviewer_id"], notes=data.get("notes"),
        recommendation=data["recommendation"], recorded_by_id=actor.id if actor else None, **_owner(participant),
    )
    db.session.add(interview)
    db.session.flush()
    db.session.expire(participant, ["interviews"])
    record_event("interview.recorded", actor, participant,
                 changes={"interview_id": interview.id, "recommendation": interview.recommendation})
    mark_rollups_stale()
    new_status = status_after_interview(participant, data["recommendation"])
    if new_status != participant.status:
        set_status(participant, new_status, actor)
    return interview

"""The demo's people registered: the people of the walkthrough (`demo_people`) one by one
through the registration form's schema and services, then their questionnaire, consent and
interview through theirs; everyone else through the same schema and the set-based
registration a confirmed import uses (three partners import their waiting list as staff do:
upload, check, confirm), with the questionnaire, the consent and the interview of the ready
ones written as rows on their days, audited as the services audit them. Each person is then
dated by the day they registered."""
import random
from datetime import timedelta

import sqlalchemy as sa
from marshmallow import validate

from network.core.audit.services import record_events
from network.core.extensions import db
from network.core.spreadsheets import csv_bytes
from network.core.tenancy import current_tenant_id
from network.national.demo_history import at
from tenants.intake.models import IntakeResponse
from tenants.intake.services import (
    answers_as_asked,
    answers_schema,
    questionnaire,
    record_consent,
    record_intake,
    record_interview,
    status_after_interview,
)
from tenants.participants.imports import IMPORT_COLUMNS, LIST_SEPARATOR, confirm_import, start_import
from tenants.participants.models import PARTICIPANT_MODELS, ROLES, Consent, Interview
from tenants.participants.schemas import PARTICIPANT_SCHEMAS
from tenants.participants.services import create_participant, insert_participants

# What people write in the questionnaire's open questions.
INTAKE_TEXTS = {
    "mentor": ("Numa sessão de apresentação na câmara municipal.", "Por uma colega que já foi mentora.",
               "Quero partilhar o que aprendi e ajudar alguém a começar uma vida nova.",
               "Conhecer outras culturas e ser útil na minha cidade."),
    "mentee": ("Encontrar trabalho na minha área e aprender português.", "Tratar dos documentos de residência.",
               "Encontrar uma casa com contrato para a minha família.", "Tenho dois filhos pequenos."),
}
# Partners whose applicants of one role came in a list they imported (a spreadsheet).
IMPORTED_LISTS = {"cm-porto": "mentee", "cm-amadora": "mentor", "cm-sintra": "mentee"}


def register(plan, staff, imported_role):
    """Everyone of the plan, the applicants of `imported_role` through an import of a list."""
    rng = random.Random(f"{plan.seed_key}/intake")
    for role, people in plan.people.items():
        schema = PARTICIPANT_SCHEMAS[role]()
        walkthrough = plan.walkthrough_people[role]
        imported = [person for person in people if not person.ready] if role == imported_role else []
        listed = [person for person in people if person not in imported and person not in walkthrough]
        for person in walkthrough:
            person.participant = create_participant(role, schema.load(person.data), staff)
        if listed:
            _insert(role, listed, [schema.load(person.data) for person in listed], staff)
        if imported:
            _import(role, imported, staff)
        _intake(role, walkthrough, staff, rng)
        _intake_rows(role, [person for person in listed if person.ready], staff, rng)
        _backdate(role, people)


def _insert(role, people, rows, staff):
    ids, _ = insert_participants(role, rows, staff, None)
    model = PARTICIPANT_MODELS[role]
    loaded = {participant.id: participant for participant in db.session.scalars(
        sa.select(model).where(model.id.in_(ids)))}
    for person, participant_id in zip(people, ids):
        person.participant = loaded[participant_id]


def _intake_rows(role, people, staff, rng):
    """The questionnaire, the consent to take part and the interview of many people, as rows."""
    if not people:
        return
    question_set, questions = questionnaire(role)
    schema, link, tenant_id = answers_schema(questions), ROLES[role].link_column, current_tenant_id()
    records = {IntakeResponse: [], Consent: [], Interview: []}
    for person in people:
        owner = {"tenant_id": tenant_id, "mentor_id": None, "mentee_id": None, link: person.participant.id,
                 "recorded_by_id": staff.id, "recorded_at": at(person.registered, 11)}
        answers = answers_as_asked(questions, schema.load(_answers(schema, role, rng)))
        records[IntakeResponse].append({**owner, "question_set_id": question_set.id, "answers": answers})
        records[Consent].append({**owner, "purpose": "programme", "text_version": "2026-01",
                                 "given_on": person.registered})
        records[Interview].append({**owner, "held_on": person.registered + timedelta(days=3),
                                   "interviewer_id": staff.id, "recommendation": "accept", "notes": None})
    for model, rows in records.items():
        db.session.execute(sa.insert(model.__table__), rows)
    ids = [person.participant.id for person in people]
    model_name = PARTICIPANT_MODELS[role].__name__
    for action in ("intake.recorded", "consent.given", "interview.recorded"):
        record_events(action, staff, model_name, ids)
    table = PARTICIPANT_MODELS[role].__table__
    db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("person_id"))
                       .values(status=sa.bindparam("new_status")),
                       [{"person_id": person.participant.id,
                         "new_status": status_after_interview(person.participant, "accept")} for person in people])


def _intake(role, people, staff, rng):
    """The questionnaire answered, the consent to take part given and the interview held, each
    through its service, on the day the person registered (the interview three days later)."""
    schema = answers_schema(questionnaire(role)[1])
    for person in people:
        record_intake(person.participant, schema.load(_answers(schema, role, rng)), staff)
        record_consent(person.participant, {"purpose": "programme", "text_version": "2026-01",
                                            "given_on": person.registered}, staff)
        record_interview(person.participant, {"held_on": person.registered + timedelta(days=3),
                                              "interviewer_id": staff.id, "recommendation": "accept",
                                              "notes": None}, staff)


def _answers(schema, role, rng):
    """An answer to each question of the questionnaire (its fields: text or one of its choices)."""
    answers = {}
    for key, answer_field in schema.fields.items():
        choices = next((validator.choices for validator in answer_field.validators
                        if isinstance(validator, validate.OneOf)), None)
        answers[key] = rng.choice(list(choices)) if choices else rng.choice(INTAKE_TEXTS[role])
    return answers


def _backdate(role, people):
    db.session.flush()
    table = PARTICIPANT_MODELS[role].__table__
    moments = [{"person_id": person.participant.id, "moment": at(person.registered)} for person in people]
    db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("person_id"))
                       .values(created_at=sa.bindparam("moment"), updated_at=sa.bindparam("moment"))
                       .execution_options(synchronize_session=False), moments)


def _import(role, people, staff):
    """The partner's waiting list, imported from a spreadsheet as staff do (upload, check, confirm)."""
    columns = [column for column in IMPORT_COLUMNS[role] if any(person.data.get(column) for person in people)]
    rows = [columns] + [[_cell(person.data.get(column)) for column in columns] for person in people]
    listed = start_import(role, f"lista-de-espera-{role}s.csv", csv_bytes(rows), staff)
    confirm_import(listed, staff)
    model = PARTICIPANT_MODELS[role]
    by_email = dict(db.session.execute(sa.select(model.email, model.id).where(
        model.email.in_([person.data["email"] for person in people]))).all())
    for person in people:
        person.participant = db.session.get(model, by_email[person.data["email"]])


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(f"{item['code']}:{item['level']}" if isinstance(item, dict) else str(item)
                                   for item in value)
    return str(value)



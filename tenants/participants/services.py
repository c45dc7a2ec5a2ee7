"""The rules about mentors and mentees, free of Flask request objects.

Other features call: `can_be_matched(participant)` (the consent gate), `mark_matched`,
`ready_for_matching(role)`, and `has_current_consent(participant, purpose)`.
Every change is written to the tenant's audit log with the old values of what changed.
"""
import math
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy.orm import selectinload

from network.core.audit.models import AuditEvent
from network.core.audit.services import record_event, record_events
from network.core.changes import mark_rollups_stale
from network.core.extensions import db
from network.core.reference.models import Company, SupportArea
from network.core.reference.services import support_areas_by_code
from network.core.submit import register_clashes
from network.core.tenancy import current_tenant_id
from network.core.timeutil import utcnow
from tenants.activities.models import Activity, NetworkActivity
from tenants.participants.models import (
    DEFAULT_PREFERRED_LANGUAGE,
    LANGUAGE_MODELS,
    MATCHING_CONSENT,
    PARTICIPANT_MODELS,
    PORTUGUESE,
    READY_FOR_MATCHING,
    ROLES,
    STATUS_MOVES,
    SUPPORT_AREA_MODELS,
    Consent,
)
from tenants.transfers import duplicates

PAGE_SIZE = 25

_DUPLICATE_MESSAGES = {
    "mentor": {
        "email": _l("A mentor with this e-mail address is already registered."),
        "phone": _l("A mentor with this phone number is already registered."),
    },
    "mentee": {
        "email": _l("A mentee with this e-mail address is already registered."),
        "phone": _l("A mentee with this phone number is already registered."),
    },
}
# The same, when two people register the same person at the same moment.
register_clashes({f"uq_{role}s_tenant_id_{field}": (field, message)
                  for role, messages in _DUPLICATE_MESSAGES.items() for field, message in messages.items()})


# --- registering and editing -------------------------------------------------

def mail_locale(participant, tenant=None):
    """The language to write to a participant in: their own, recorded on their record (at
    registration, by staff, or by them in the portal)."""
    return participant.preferred_language


def create_participant(role, data, actor):
    check_not_registered(role, data)
    participant = PARTICIPANT_MODELS[role](status="applicant")
    _apply(participant, data, support_areas_by_code())
    db.session.add(participant)
    db.session.flush()
    record_event("participant.created", actor, participant)
    # Not stored on the row: the view tells the staff, and only that.
    participant.may_be_registered_elsewhere = duplicates.check_new(participant, data, actor)
    mark_rollups_stale()
    return participant


def insert_participants(role, rows, actor, import_id):
    """Register many validated participants at once (a confirmed import): the same rows the
    form creates, written with a few set-based statements into the current tenant."""
    model, link = PARTICIPANT_MODELS[role], f"{role}_id"
    tenant_id, now, areas = current_tenant_id(), utcnow(), support_areas_by_code()
    ids = db.session.scalars(
        sa.insert(model).returning(model.id, sort_by_parameter_order=True),
        [{field: _value(data, field) for field in _SCALAR_FIELDS[role]}
         | {"tenant_id": tenant_id, "status": "applicant", "created_at": now, "updated_at": now} for data in rows],
    ).all()
    languages = [
        {"tenant_id": tenant_id, link: participant_id, "language_code": code, "level": level}
        for participant_id, data in zip(ids, rows) for code, level in _languages_of(role, data)
    ]
    support_areas = [
        {"tenant_id": tenant_id, link: participant_id, "support_area_id": areas[code].id, **_rank(role, rank)}
        for participant_id, data in zip(ids, rows) for rank, code in enumerate(data["support_areas"], start=1)
    ]
    for child_model, child_rows in ((LANGUAGE_MODELS[role], languages), (SUPPORT_AREA_MODELS[role], support_areas)):
        if child_rows:
            db.session.execute(sa.insert(child_model), child_rows)
    record_events("participant.imported", actor, model.__name__, ids, changes={"import_id": import_id})
    mark_rollups_stale()
    return ids, duplicates.check_imported(role, ids, rows, actor)


def update_participant(participant, data, actor):
    check_not_registered(participant.role, data, exclude_id=participant.id)
    before = _snapshot(participant)
    _apply(participant, data, support_areas_by_code())
    after = _snapshot(participant)
    changed = {field: old for field, old in before.items() if after[field] != old}
    if changed:
        participant.updated_at = utcnow()
        record_event("participant.updated", actor, participant, changes=changed)
        mark_rollups_stale()
    # After the record's own changes: the check's queries flush them once (one version a save).
    participant.may_be_registered_elsewhere = duplicates.check_changed(
        participant, data, actor, name_changed="full_name" in changed)
    return changed


def check_not_registered(role, data, exclude_id=None):
    """Duplicate people (the same e-mail or phone in this workspace) are reported, not stored."""
    model = PARTICIPANT_MODELS[role]
    errors = {}
    for field in ("email", "phone"):
        value = data.get(field)
        if not value:
            continue
        query = sa.select(model.id).where(getattr(model, field) == value)
        if exclude_id is not None:
            query = query.where(model.id != exclude_id)
        if db.session.scalar(query) is not None:
            errors[field] = [_DUPLICATE_MESSAGES[role][field]]
    if errors:
        raise ValidationError(errors)


def registered_contacts(role):
    """Every e-mail and phone already registered for `role`: one query for a whole import."""
    model = PARTICIPANT_MODELS[role]
    rows = db.session.execute(sa.select(model.email, model.phone)).all()
    return {row.email for row in rows if row.email}, {row.phone for row in rows if row.phone}


def duplicate_message(role, field):
    return _DUPLICATE_MESSAGES[role][field]


_SCALAR_FIELDS = {
    "mentor": ("full_name", "email", "phone", "municipality", "expectations", "availability_days",
               "availability_periods", "professional_area", "skills", "company_id", "hours_per_week", "gender",
               "motivation", "training_completed_on", "referral_source", "referral_activity_id",
               "referral_network_activity_id", "preferred_language"),
    "mentee": ("full_name", "email", "phone", "municipality", "expectations", "availability_days",
               "availability_periods", "country_of_origin", "nationality", "arrival_year", "residence_status",
               "migration_reason", "employment_status", "age_band", "gender", "referral_source",
               "preferred_mentor_gender", "referral_activity_id", "referral_network_activity_id",
               "preferred_language"),
}


# What a field left out (by a caller other than the forms) is stored as, where NULL is not.
_SCALAR_DEFAULTS = {"preferred_language": DEFAULT_PREFERRED_LANGUAGE}


def _value(data, field):
    value = data.get(field)
    return _SCALAR_DEFAULTS.get(field) if value is None else value


def _apply(participant, data, areas_by_code):
    role = participant.role
    if role == "mentor" and data.get("company_id") is not None:
        company = db.session.get(Company, data["company_id"])
        # A company that left the network keeps its volunteers, but gets no new ones.
        if company is None or not (company.active or company.id == participant.company_id):
            raise ValidationError({"company_id": [_l("Choose one of the options.")]})
    _check_referral_sessions(data)
    for field in _SCALAR_FIELDS[role]:
        setattr(participant, field, _value(data, field))
    languages = _languages_of(role, data)
    known = {skill.language_code: skill for skill in participant.languages}
    # Rows are kept and updated, not replaced: (participant, language) is unique.
    participant.languages = [
        _updated(known[code], level=level) if code in known else LANGUAGE_MODELS[role](language_code=code, level=level)
        for code, level in languages
    ]
    linked = {link.support_area.code: link for link in participant.support_areas}
    participant.support_areas = [
        _updated(linked[code], **_rank(role, rank)) if code in linked
        else SUPPORT_AREA_MODELS[role](support_area=areas_by_code[code], **_rank(role, rank))
        for rank, code in enumerate(data.get("support_areas", []), start=1)
    ]


def _check_referral_sessions(data):
    # The partner's own activities are found through the tenant scope: another partner's id is not.
    for field, model in (("referral_activity_id", Activity), ("referral_network_activity_id", NetworkActivity)):
        chosen = data.get(field)
        if chosen is not None and db.session.scalar(sa.select(model.id).where(model.id == chosen)) is None:
            raise ValidationError({field: [_l("Choose one of the options.")]})


def record_training_completed(participant, completed_on, actor):
    """The initial training is done (attendance of a training session). The first date is
    kept: a later session does not move it. Returns whether anything changed."""
    if participant.training_completed_on is not None:
        return False
    participant.training_completed_on = completed_on
    participant.updated_at = utcnow()
    record_event("participant.training_completed", actor, participant,
                 changes={"training_completed_on": None, "completed_on": completed_on.isoformat()})
    return True


def _rank(role, rank):
    """Mentees rank their needs; mentors' areas are unordered."""
    return {"rank": rank} if role == "mentee" else {}


def _languages_of(role, data):
    """(code, level) pairs; a mentee's Portuguese has its own field and comes first."""
    languages = [(language["code"], language["level"]) for language in data.get("languages", [])]
    if role == "mentee" and data.get("portuguese_level"):
        languages.insert(0, (PORTUGUESE, data["portuguese_level"]))
    return languages


def _updated(row, **values):
    for name, value in values.items():
        setattr(row, name, value)
    return row


def _language_pairs(participant):
    return [(skill.language_code, skill.level) for skill in participant.languages]


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _snapshot(participant):
    snapshot = {field: _jsonable(getattr(participant, field)) for field in _SCALAR_FIELDS[participant.role]}
    snapshot["languages"] = [f"{code}:{level}" for code, level in _language_pairs(participant)]
    snapshot["support_areas"] = [link.support_area.code for link in participant.support_areas]
    return snapshot


def form_data(participant):
    """A participant as the form (and the schema) describe it."""
    data = {field: getattr(participant, field) for field in _SCALAR_FIELDS[participant.role]}
    languages = [{"code": code, "level": level} for code, level in _language_pairs(participant)]
    if participant.role == "mentee":
        data["portuguese_level"] = next((lang["level"] for lang in languages if lang["code"] == PORTUGUESE), None)
        languages = [language for language in languages if language["code"] != PORTUGUESE]
    data["languages"] = languages
    data["support_areas"] = [link.support_area.code for link in participant.support_areas]
    return data


# --- reading -----------------------------------------------------------------

def get_participant(role, participant_id):
    """The participant of the current tenant with this id, or None (another tenant's id is not found)."""
    return db.session.get(PARTICIPANT_MODELS[role], participant_id)


def record_participant_read(participant, actor):
    """Every read of a mentor's or mentee's record is in the audit log (who, when, whose)."""
    record_event("participant.viewed", actor, participant)


def participant_history(participant, limit=50):
    return db.session.scalars(
        sa.select(AuditEvent)
        .options(selectinload(AuditEvent.actor))
        .where(AuditEvent.record_type == type(participant).__name__, AuditEvent.record_id == participant.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


@dataclass(frozen=True)
class ParticipantQuery:
    search: str | None = None
    status: str | None = None
    support_area: str | None = None
    language: str | None = None
    municipality: str | None = None
    consent: str | None = None  # "given" or "missing"
    owner: str | None = None  # "mine" (the caseload of `user_id`) or "unassigned"
    user_id: int | None = None
    sort: str = "name"
    direction: str = "asc"
    page: int = 1

    @classmethod
    def from_filters(cls, data, user_id=None):
        """From the list's validated filters (the page's query string, or the API's), for `user_id`."""
        return cls(search=data["q"], status=data["status"], support_area=data["support_area"],
                   language=data["language"], municipality=data["municipality"], consent=data["consent"],
                   owner=data.get("owner"), user_id=user_id, sort=data["sort"], direction=data["direction"],
                   page=data["page"])


@dataclass(frozen=True)
class Page:
    rows: list  # (participant, has_current_consent) pairs
    total: int
    page: int
    pages: int


SORT_COLUMNS = ("name", "created", "status", "municipality")


def _current_consent_exists(model, purpose=MATCHING_CONSENT):
    return Consent.current_for(model, purpose)


def _filtered(role, query):
    model = PARTICIPANT_MODELS[role]
    statement = sa.select(model)
    if query.search:
        term = query.search.lower()
        statement = statement.where(
            sa.or_(
                sa.func.lower(model.full_name).contains(term, autoescape=True),
                model.email.contains(term, autoescape=True),
                model.phone.contains(term, autoescape=True),
            )
        )
    if query.status:
        statement = statement.where(model.status == query.status)
    if query.municipality:
        statement = statement.where(sa.func.lower(model.municipality) == query.municipality.lower())
    if query.language:
        statement = statement.where(_speaks(ROLES[role], query.language))
    if query.support_area:
        statement = statement.where(_needs_or_offers(ROLES[role], query.support_area))
    if query.owner == "mine":
        statement = statement.where(model.owner_id == query.user_id)
    elif query.owner == "unassigned":
        statement = statement.where(model.owner_id.is_(None))
    if query.consent == "given":
        statement = statement.where(_current_consent_exists(model))
    elif query.consent == "missing":
        statement = statement.where(~_current_consent_exists(model))
    return statement


def _speaks(role, language_code):
    model, language_model = role.model, role.language_model
    return sa.exists().where(
        language_model.tenant_id == model.tenant_id,
        role.link(language_model) == model.id,
        language_model.language_code == language_code,
        language_model.level != "none",
    )


def _needs_or_offers(role, support_area_code):
    model, area_model = role.model, role.support_area_model
    area_ids = sa.select(SupportArea.id).where(SupportArea.code == support_area_code).scalar_subquery()
    return sa.exists().where(
        area_model.tenant_id == model.tenant_id,
        role.link(area_model) == model.id,
        area_model.support_area_id == area_ids,
    )


def list_participants(role, query, per_page=PAGE_SIZE):
    """One page of participants with their languages and support areas: a fixed number of queries."""
    model = PARTICIPANT_MODELS[role]
    statement = _filtered(role, query)
    # Counted on the model's own column: a count over `statement.subquery()` would carry no
    # mapper, and the tenant scope only applies to statements that name a scoped model.
    total = db.session.scalar(statement.with_only_columns(sa.func.count(model.id)))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(query.page, 1), pages)
    column = {
        "name": model.full_name,
        "created": model.created_at,
        "status": model.status,
        "municipality": model.municipality,
    }[query.sort]
    order = column.desc() if query.direction == "desc" else column.asc()
    rows = db.session.execute(
        statement.add_columns(_current_consent_exists(model).label("consented"))
        .options(selectinload(model.languages), selectinload(model.support_areas))
        .order_by(order, model.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(rows=[(row[0], row.consented) for row in rows], total=total, page=page, pages=pages)


def municipalities(role):
    model = PARTICIPANT_MODELS[role]
    return db.session.scalars(sa.select(model.municipality).distinct().order_by(model.municipality)).all()


# --- status ------------------------------------------------------------------

def allowed_moves(participant):
    return STATUS_MOVES[participant.role][participant.status]


def move_status(participant, status, actor):
    """A move staff make by hand; matching uses `mark_matched`."""
    if status not in allowed_moves(participant):
        raise ValidationError({"status": [_l("This change of status is not possible from the current status.")]})
    if participant.role == "mentor" and status == "available" and participant.training_completed_on is None:
        raise ValidationError({"status": [_l("A mentor becomes available after completing the initial training.")]})
    set_status(participant, status, actor)


def set_status(participant, status, actor):
    previous = participant.status
    participant.status = status
    participant.updated_at = utcnow()
    record_event("participant.status_changed", actor, participant, changes={"status": previous})
    mark_rollups_stale()


# --- the consent gate (recording and withdrawing consent: tenants.intake.services) ---------

def has_current_consent(participant, purpose=MATCHING_CONSENT):
    return db.session.scalar(sa.select(Consent.current_for(participant, purpose)))


def matching_blockers(participant):
    """Why a participant cannot be matched now (empty: they can)."""
    blockers = []
    if participant.status not in READY_FOR_MATCHING[participant.role]:
        blockers.append(_l("Their status is not ready for matching."))
    if not has_current_consent(participant):
        blockers.append(_l("There is no current consent to take part in the programme."))
    return blockers


def can_be_matched(participant):
    """The consent gate: ready for matching and with current consent to take part."""
    return not matching_blockers(participant)


def mark_matched(participant, actor):
    """Called by matching when a mentoring process starts."""
    blockers = matching_blockers(participant)
    if blockers:
        raise ValidationError({"status": blockers})
    if participant.status != "matched":
        set_status(participant, "matched", actor)


def ready_for_matching(role):
    """A query of the participants matching may pair: ready, and with current consent."""
    model = PARTICIPANT_MODELS[role]
    return sa.select(model).where(model.status.in_(READY_FOR_MATCHING[role]), _current_consent_exists(model))

"""Mentors and mentees of one partner, their languages, support areas, consents,
interviews, and imports of existing lists. Every table here is tenant-owned."""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.reference.models import Company, SupportArea
from network.core.tenancy import TenantScoped, tenant_foreign_key
from network.core.timeutil import UTCDateTime, utcnow
from tenants.participants.reference import country_name, language_name


@dataclass(eq=False)
class ParticipantRole:
    """Everything that differs between the two sides of a mentoring pair, written once: every
    place that branches on mentor/mentee reads it (`ROLES[role]`) instead of testing the role.
    `link_column` is the column naming the mentor or the mentee on the records about one of them
    (consents, interviews, processes, erasures...). The models are attached below, once defined;
    the form schema by `tenants.participants.schemas`."""

    code: str
    label: str
    ready_statuses: tuple  # the statuses in which matching may pair them
    model: type = None
    language_model: type = None
    support_area_model: type = None
    schema: type = None

    @property
    def link_column(self):
        return f"{self.code}_id"

    def link(self, table):
        """`table`'s column naming this side's participant (e.g. `Consent.mentor_id`)."""
        return getattr(table, self.link_column)


ROLES = {
    "mentor": ParticipantRole("mentor", _l("Mentor"), ready_statuses=("available", "matched")),
    "mentee": ParticipantRole("mentee", _l("Mentee"), ready_statuses=("waiting",)),
}
PARTICIPANT_ROLES = {code: role.label for code, role in ROLES.items()}
# The language each mentor and mentee is written to in (invitations, e-mails, the printed
# agreement): one of the languages the platform speaks, chosen by them or by staff.
PREFERRED_LANGUAGES = {"pt_PT": _l("Portuguese"), "en": _l("English")}
DEFAULT_PREFERRED_LANGUAGE = "pt_PT"

MENTOR_STATUSES = {
    "applicant": _l("Applicant"),
    "interviewed": _l("Interviewed"),
    "available": _l("Available"),
    "matched": _l("Matched"),
    "paused": _l("Paused"),
    "left": _l("Left the programme"),
    # Closed here by a consented transfer to another partner (tenants.transfers): kept for
    # this partner's history and roll-ups, then subject to its retention.
    "transferred": _l("Transferred to another partner"),
}
MENTEE_STATUSES = {
    "applicant": _l("Applicant"),
    "interviewed": _l("Interviewed"),
    "waiting": _l("Waiting for a mentor"),
    "matched": _l("Matched"),
    "paused": _l("Paused"),
    "left": _l("Left the programme"),
    # Closed here by a consented transfer to another partner (tenants.transfers): kept for
    # this partner's history and roll-ups, then subject to its retention.
    "transferred": _l("Transferred to another partner"),
}
# The moves staff make by hand. Into and out of "matched" belongs to matching and
# processes, which know whether a mentoring process is open.
STATUS_MOVES = {
    "mentor": {
        "applicant": ("interviewed", "left"),
        "interviewed": ("available", "paused", "left"),
        "available": ("paused", "left"),
        "paused": ("available", "left"),
        "left": ("applicant",),
        "matched": (),
        "transferred": (),
    },
    "mentee": {
        "applicant": ("interviewed", "left"),
        "interviewed": ("waiting", "paused", "left"),
        "waiting": ("paused", "left"),
        "paused": ("waiting", "left"),
        "left": ("applicant",),
        "matched": (),
        "transferred": (),
    },
}
# The statuses in which each role can be matched: a mentor may take more than one mentee.
READY_FOR_MATCHING = {code: role.ready_statuses for code, role in ROLES.items()}

LANGUAGE_LEVELS = {
    "a1": _l("A1 – beginner"),
    "a2": _l("A2 – elementary"),
    "b1": _l("B1 – intermediate"),
    "b2": _l("B2 – upper intermediate"),
    "c1": _l("C1 – advanced"),
    "c2": _l("C2 – proficient"),
    "native": _l("Native speaker"),
}
# A mentee's Portuguese is recorded even when there is none yet: it decides the support.
PORTUGUESE_LEVELS = {"none": _l("No Portuguese yet"), **LANGUAGE_LEVELS}
PORTUGUESE = "pt"

WEEKDAYS = {
    "mon": _l("Monday"),
    "tue": _l("Tuesday"),
    "wed": _l("Wednesday"),
    "thu": _l("Thursday"),
    "fri": _l("Friday"),
    "sat": _l("Saturday"),
    "sun": _l("Sunday"),
}
DAY_PERIODS = {"morning": _l("Morning"), "afternoon": _l("Afternoon"), "evening": _l("Evening")}

RESIDENCE_STATUSES = {
    "eu_citizen": _l("EU citizen or family member"),
    "residence_permit": _l("Residence permit"),
    "application_pending": _l("Residence application pending"),
    "international_protection": _l("International protection (refugee or subsidiary protection)"),
    "asylum_seeker": _l("Asylum seeker"),
    "temporary_protection": _l("Temporary protection"),
    "visa": _l("Visa"),
    "other": _l("Other"),
    "not_disclosed": _l("Prefers not to say"),
}
MIGRATION_REASONS = {
    "work": _l("Work"),
    "study": _l("Study"),
    "family": _l("Family"),
    "protection": _l("Seeking protection"),
    "other": _l("Other"),
    "not_disclosed": _l("Prefers not to say"),
}
EMPLOYMENT_STATUSES = {
    "employed": _l("Employed"),
    "self_employed": _l("Self-employed"),
    "unemployed": _l("Unemployed, looking for work"),
    "student": _l("Student"),
    "not_looking": _l("Not looking for work"),
    "other": _l("Other"),
}
AGE_BANDS = {
    "18_24": _l("18 to 24"),
    "25_34": _l("25 to 34"),
    "35_44": _l("35 to 44"),
    "45_54": _l("45 to 54"),
    "55_64": _l("55 to 64"),
    "65_plus": _l("65 or over"),
}
GENDERS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Other"),
    "not_disclosed": _l("Prefers not to say"),
}
REFERRAL_SOURCES = {
    "social_services": _l("Social services"),
    "employment_centre": _l("Employment centre"),
    "school": _l("School or training centre"),
    "health_service": _l("Health service"),
    "association": _l("Association or NGO"),
    "company": _l("Company"),
    "information_session": _l("Information session"),
    "word_of_mouth": _l("Friends or family"),
    "other": _l("Other"),
}

CONSENT_PURPOSES = {
    "programme": _l("Taking part in the programme (needed to be matched)"),
    "sensitive_data": _l("Recording migration and residence details"),
    "communications": _l("Receiving news and invitations"),
}
MATCHING_CONSENT = "programme"
CURRENT_CONSENT_TEXT_VERSION = "2026-01"

# How the history names a changed field: the same words as the forms.
FIELD_LABELS = {
    "full_name": _l("Full name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone"),
    "municipality": _l("Municipality of residence"),
    "expectations": _l("Expectations"),
    "availability_days": _l("Days"),
    "availability_periods": _l("Times of day"),
    "professional_area": _l("Professional area"),
    "skills": _l("Skills"),
    "company_id": _l("Company (corporate volunteers)"),
    "hours_per_week": _l("Hours per week"),
    "gender": _l("Gender"),
    "motivation": _l("Motivation"),
    "training_completed_on": _l("Initial training completed on"),
    "country_of_origin": _l("Country of origin"),
    "nationality": _l("Nationality"),
    "arrival_year": _l("Year of arrival in Portugal"),
    "residence_status": _l("Residence status"),
    "migration_reason": _l("Reason for migrating"),
    "employment_status": _l("Employment"),
    "age_band": _l("Age"),
    "referral_source": _l("How they reached the programme"),
    "preferred_mentor_gender": _l("Would rather have a mentor who is"),
    "languages": _l("Languages spoken"),
    "support_areas": _l("Support areas"),
    "status": _l("Status"),
    "preferred_language": _l("Preferred language"),
}

RECOMMENDATIONS = {
    "accept": _l("Accept into the programme"),
    "decline": _l("Decline"),
    "refer_elsewhere": _l("Refer to another service"),
}


def referral_args():
    # RESTRICT: an activity that brought people to the programme stays on record. Added by
    # ALTER (use_alter): activities already point at mentors and mentees (their facilitator).
    return (tenant_foreign_key("referral_activity_id", "activities", ondelete="RESTRICT", use_alter=True),)


class Participant:
    """What mentors and mentees share: who they are and how to reach them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # Stored lowercased and phones as digits (with a leading +), so duplicates are found.
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    municipality: Mapped[str] = mapped_column(sa.String(120))
    expectations: Mapped[str | None] = mapped_column(sa.String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The participant's own account for the portal, linked when they accept their invitation.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Whether their mentor (or mentee) may see this e-mail and phone: the participant decides.
    shares_contact: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    referral_source: Mapped[str | None] = mapped_column(choice_type(REFERRAL_SOURCES, "referral_source", 32))
    # The session that brought them: one of the partner's activities or one of the network's.
    referral_activity_id: Mapped[int | None]
    referral_network_activity_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("network_activities.id", ondelete="SET NULL")
    )
    training_completed_on: Mapped[date | None]
    preferred_language: Mapped[str] = mapped_column(
        choice_type(PREFERRED_LANGUAGES, "preferred_language", 8),
        default=DEFAULT_PREFERRED_LANGUAGE, server_default=DEFAULT_PREFERRED_LANGUAGE,
    )
    # The partner's staff member responsible for the person (their caseload); any of the
    # partner's staff, checked by the casework services.
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def owner(cls):
        return relationship(User, foreign_keys=f"{cls.__name__}.owner_id", viewonly=True)

    @property
    def preferred_language_label(self):
        return PREFERRED_LANGUAGES[self.preferred_language]

    @declared_attr
    def referral_activity(cls):
        return relationship("Activity", foreign_keys=f"{cls.__name__}.referral_activity_id", viewonly=True)

    @declared_attr
    def referral_network_activity(cls):
        return relationship("NetworkActivity", viewonly=True)

    @property
    def referral_session(self):
        return self.referral_activity or self.referral_network_activity

    @property
    def role_label(self):
        return PARTICIPANT_ROLES[self.role]

    def choice_label(self, field):
        value = getattr(self, field)
        return CHOICE_LABELS[field][value] if value else "—"

    @property
    def status_label(self):
        return self.STATUSES[self.status]

    @property
    def availability_labels(self):
        return [WEEKDAYS[day] for day in self.availability_days] + [
            DAY_PERIODS[period] for period in self.availability_periods
        ]

    @property
    def current_consents(self):
        return [consent for consent in self.consents if consent.is_current]

    def __repr__(self):
        return f"<{type(self).__name__} {self.id}>"


class LanguageSkill:
    id: Mapped[int] = mapped_column(primary_key=True)
    language_code: Mapped[str] = mapped_column(sa.String(8))

    @property
    def language_label(self):
        return language_name(self.language_code)

    @property
    def level_label(self):
        return PORTUGUESE_LEVELS[self.level]


class Mentor(Participant, Versioned, TenantScoped, db.Model):
    __tablename__ = "mentors"
    __tenant_table_args__ = (
        sa.UniqueConstraint("tenant_id", "email"),
        sa.UniqueConstraint("tenant_id", "phone"),
        sa.Index("ix_mentors_tenant_status", "tenant_id", "status"),
        sa.Index("ix_mentors_tenant_name", "tenant_id", "full_name"),
        # The distinct places of a partner's mentors (the lists' filter; matching's spellings).
        sa.Index("ix_mentors_tenant_municipality", "tenant_id", "municipality"),
        sa.Index("uq_mentors_tenant_user", "tenant_id", "user_id", unique=True),
        # "My caseload".
        sa.Index("ix_mentors_tenant_owner", "tenant_id", "owner_id"),
        *referral_args(),
    )
    role = "mentor"
    STATUSES = MENTOR_STATUSES

    professional_area: Mapped[str | None] = mapped_column(sa.String(120))
    skills: Mapped[str | None] = mapped_column(sa.String(1000))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id", ondelete="SET NULL"))
    availability_days: Mapped[list] = mapped_column(sa.JSON, default=list)
    availability_periods: Mapped[list] = mapped_column(sa.JSON, default=list)
    hours_per_week: Mapped[int | None]
    gender: Mapped[str | None] = mapped_column(choice_type(GENDERS, "mentor_gender", 16))
    motivation: Mapped[str | None] = mapped_column(sa.String(2000))
    # What a mentee choosing a mentor in the portal may see (first name, languages, areas,
    # availability, this bio): only once the mentor agreed to it, in their portal.
    shares_profile: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    short_bio: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[str] = mapped_column(choice_type(MENTOR_STATUSES, "mentor_status", 16), default="applicant")

    company: Mapped[Company | None] = relationship()
    languages: Mapped[list["MentorLanguage"]] = relationship(
        cascade="all, delete-orphan", order_by="MentorLanguage.id"
    )
    support_areas: Mapped[list["MentorSupportArea"]] = relationship(
        cascade="all, delete-orphan", order_by="MentorSupportArea.id"
    )
    consents: Mapped[list["Consent"]] = relationship(
        foreign_keys="Consent.mentor_id", order_by="Consent.given_on.desc(), Consent.id.desc()", viewonly=True
    )
    interviews: Mapped[list["Interview"]] = relationship(
        foreign_keys="Interview.mentor_id", order_by="Interview.held_on.desc(), Interview.id.desc()", viewonly=True
    )


class Mentee(Participant, Versioned, TenantScoped, db.Model):
    __tablename__ = "mentees"
    __tenant_table_args__ = (
        sa.UniqueConstraint("tenant_id", "email"),
        sa.UniqueConstraint("tenant_id", "phone"),
        sa.Index("ix_mentees_tenant_status", "tenant_id", "status"),
        sa.Index("ix_mentees_tenant_name", "tenant_id", "full_name"),
        # The distinct places of a partner's mentees (the lists' filter; matching's spellings).
        sa.Index("ix_mentees_tenant_municipality", "tenant_id", "municipality"),
        sa.Index("uq_mentees_tenant_user", "tenant_id", "user_id", unique=True),
        # "My caseload".
        sa.Index("ix_mentees_tenant_owner", "tenant_id", "owner_id"),
        *referral_args(),
    )
    role = "mentee"
    STATUSES = MENTEE_STATUSES

    country_of_origin: Mapped[str | None] = mapped_column(sa.String(2))
    nationality: Mapped[str | None] = mapped_column(sa.String(2))
    arrival_year: Mapped[int | None]
    residence_status: Mapped[str | None] = mapped_column(choice_type(RESIDENCE_STATUSES, "residence_status", 32))
    migration_reason: Mapped[str | None] = mapped_column(choice_type(MIGRATION_REASONS, "migration_reason", 16))
    employment_status: Mapped[str | None] = mapped_column(choice_type(EMPLOYMENT_STATUSES, "employment_status", 16))
    age_band: Mapped[str | None] = mapped_column(choice_type(AGE_BANDS, "age_band", 8))
    gender: Mapped[str | None] = mapped_column(choice_type(GENDERS, "gender", 16))
    availability_days: Mapped[list] = mapped_column(sa.JSON, default=list)
    availability_periods: Mapped[list] = mapped_column(sa.JSON, default=list)
    # Some mentees (for instance women fleeing violence) ask for a mentor of a given gender.
    preferred_mentor_gender: Mapped[str | None] = mapped_column(choice_type(GENDERS, "preferred_mentor_gender", 16))
    status: Mapped[str] = mapped_column(choice_type(MENTEE_STATUSES, "mentee_status", 16), default="applicant")

    languages: Mapped[list["MenteeLanguage"]] = relationship(
        cascade="all, delete-orphan", order_by="MenteeLanguage.id"
    )
    support_areas: Mapped[list["MenteeSupportArea"]] = relationship(
        cascade="all, delete-orphan", order_by="MenteeSupportArea.rank"
    )
    consents: Mapped[list["Consent"]] = relationship(
        foreign_keys="Consent.mentee_id", order_by="Consent.given_on.desc(), Consent.id.desc()", viewonly=True
    )
    interviews: Mapped[list["Interview"]] = relationship(
        foreign_keys="Interview.mentee_id", order_by="Interview.held_on.desc(), Interview.id.desc()", viewonly=True
    )

    @property
    def portuguese_level(self):
        return next((skill.level for skill in self.languages if skill.language_code == PORTUGUESE), "none")

    @property
    def country_of_origin_label(self):
        return country_name(self.country_of_origin)

    @property
    def nationality_label(self):
        return country_name(self.nationality)


class MentorLanguage(LanguageSkill, TenantScoped, db.Model):
    __tablename__ = "mentor_languages"
    __tenant_table_args__ = (
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "mentor_id", "language_code"),
        sa.Index("ix_mentor_languages_tenant_language", "tenant_id", "language_code"),
    )

    mentor_id: Mapped[int]
    level: Mapped[str] = mapped_column(choice_type(LANGUAGE_LEVELS, "mentor_language_level", 8))


class MenteeLanguage(LanguageSkill, TenantScoped, db.Model):
    __tablename__ = "mentee_languages"
    __tenant_table_args__ = (
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "mentee_id", "language_code"),
        sa.Index("ix_mentee_languages_tenant_language", "tenant_id", "language_code"),
    )

    mentee_id: Mapped[int]
    level: Mapped[str] = mapped_column(choice_type(PORTUGUESE_LEVELS, "mentee_language_level", 8))


class MentorSupportArea(TenantScoped, db.Model):
    """A support area a mentor offers."""

    __tablename__ = "mentor_support_areas"
    __tenant_table_args__ = (
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "mentor_id", "support_area_id"),
        sa.Index("ix_mentor_support_areas_tenant_area", "tenant_id", "support_area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int]
    support_area_id: Mapped[int] = mapped_column(sa.ForeignKey("support_areas.id", ondelete="RESTRICT"))

    support_area: Mapped[SupportArea] = relationship(lazy="joined")


class MenteeSupportArea(TenantScoped, db.Model):
    """A support area a mentee needs; rank 1 is the most pressing."""

    __tablename__ = "mentee_support_areas"
    __tenant_table_args__ = (
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.UniqueConstraint("tenant_id", "mentee_id", "support_area_id"),
        sa.Index("ix_mentee_support_areas_tenant_area", "tenant_id", "support_area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_id: Mapped[int]
    support_area_id: Mapped[int] = mapped_column(sa.ForeignKey("support_areas.id", ondelete="RESTRICT"))
    rank: Mapped[int]

    support_area: Mapped[SupportArea] = relationship(lazy="joined")


class ParticipantRecord:
    """A record about exactly one mentor or one mentee (consents, interviews)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int | None]
    mentee_id: Mapped[int | None]


def participant_record_args(table):
    return (
        tenant_foreign_key("mentor_id", "mentors", ondelete="CASCADE"),
        tenant_foreign_key("mentee_id", "mentees", ondelete="CASCADE"),
        sa.CheckConstraint("(mentor_id IS NULL) <> (mentee_id IS NULL)", name="one_participant"),
        sa.Index(f"ix_{table}_tenant_mentor", "tenant_id", "mentor_id"),
        sa.Index(f"ix_{table}_tenant_mentee", "tenant_id", "mentee_id"),
    )


class Consent(ParticipantRecord, TenantScoped, db.Model):
    """Consent for one purpose, as given on the text version shown; withdrawal keeps the row."""

    __tablename__ = "consents"
    __tenant_table_args__ = participant_record_args("consents")

    purpose: Mapped[str] = mapped_column(choice_type(CONSENT_PURPOSES, "consent_purpose", 32))
    text_version: Mapped[str] = mapped_column(sa.String(32))
    given_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
    withdrawn_by: Mapped[User | None] = relationship(foreign_keys=[withdrawn_by_id])

    @hybrid_property
    def is_current(self):
        """Not withdrawn (in Python and in SQL: `Consent.is_current`)."""
        return self.withdrawn_at is None

    @is_current.inplace.expression
    @classmethod
    def _is_current_expression(cls):
        return cls.withdrawn_at.is_(None)

    @classmethod
    def current_for(cls, participant, purpose=MATCHING_CONSENT):
        """The one expression of "has a current consent for `purpose`" (consent to take part by
        default). `participant`: a mentor or mentee, or their model (correlated with its rows)."""
        return sa.exists().where(cls.tenant_id == participant.tenant_id,
                                 ROLES[participant.role].link(cls) == participant.id,
                                 cls.purpose == purpose, cls.is_current)

    @property
    def purpose_label(self):
        return CONSENT_PURPOSES[self.purpose]


class Interview(ParticipantRecord, TenantScoped, db.Model):
    __tablename__ = "interviews"
    __tenant_table_args__ = participant_record_args("interviews")

    held_on: Mapped[date]
    interviewer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    notes: Mapped[str | None] = mapped_column(sa.String(4000))
    recommendation: Mapped[str] = mapped_column(choice_type(RECOMMENDATIONS, "interview_recommendation", 16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    interviewer: Mapped[User | None] = relationship(foreign_keys=[interviewer_id])

    @property
    def recommendation_label(self):
        return RECOMMENDATIONS[self.recommendation]


class ParticipantImport(TenantScoped, db.Model):
    """An uploaded list waiting for confirmation. The cells are kept as read, so the
    preview is validated again (in the reader's language) and the confirm step needs
    no second upload."""

    __tablename__ = "participant_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(choice_type(PARTICIPANT_ROLES, "import_role", 8))
    filename: Mapped[str] = mapped_column(sa.String(255))
    columns: Mapped[list] = mapped_column(sa.JSON)
    rows: Mapped[list] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def role_label(self):
        return PARTICIPANT_ROLES[self.role]

    def choice_label(self, field):
        value = getattr(self, field)
        return CHOICE_LABELS[field][value] if value else "—"


CHOICE_LABELS = {
    "gender": GENDERS,
    "preferred_mentor_gender": GENDERS,
    "residence_status": RESIDENCE_STATUSES,
    "migration_reason": MIGRATION_REASONS,
    "employment_status": EMPLOYMENT_STATUSES,
    "age_band": AGE_BANDS,
    "referral_source": REFERRAL_SOURCES,
}
for _role, _models in (("mentor", (Mentor, MentorLanguage, MentorSupportArea)),
                       ("mentee", (Mentee, MenteeLanguage, MenteeSupportArea))):
    ROLES[_role].model, ROLES[_role].language_model, ROLES[_role].support_area_model = _models
PARTICIPANT_MODELS = {code: role.model for code, role in ROLES.items()}
LANGUAGE_MODELS = {code: role.language_model for code, role in ROLES.items()}
SUPPORT_AREA_MODELS = {code: role.support_area_model for code, role in ROLES.items()}

"""Question sets are network-level (the coordination team publishes them, versioned per
role); a partner's extra questions and every answer are tenant-owned."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.timeutil import UTCDateTime, utcnow
from tenants.participants.models import PARTICIPANT_ROLES, ParticipantRecord, participant_record_args

QUESTION_KINDS = {
    "text": _l("Short answer"),
    "long_text": _l("Long answer"),
    "choice": _l("One of a list"),
    "yes_no": _l("Yes or no"),
}
YES_NO = {"yes": _l("Yes"), "no": _l("No")}


def _role_enum(name):
    return choice_type(PARTICIPANT_ROLES, name, 8)


def _kind_enum(name):
    return choice_type(QUESTION_KINDS, name, 16)


class Bilingual:
    """A question written in both languages; choices are [{"value", "pt", "en"}]."""

    kind: Mapped[str]
    prompt_pt: Mapped[str] = mapped_column(sa.String(300))
    prompt_en: Mapped[str] = mapped_column(sa.String(300))
    choices: Mapped[list] = mapped_column(sa.JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    @property
    def prompt(self):
        return self.prompt_en if str(get_locale()) == "en" else self.prompt_pt

    def choice_options(self):
        if self.kind == "yes_no":
            return list(YES_NO.items())
        language = "en" if str(get_locale()) == "en" else "pt"
        return [(choice["value"], choice[language]) for choice in self.choices]


class QuestionSet(Versioned, db.Model):
    """One version of the network-wide questionnaire for a role. Published sets never change:
    answers keep pointing at the version they were given on."""

    __tablename__ = "question_sets"
    __table_args__ = (sa.UniqueConstraint("role", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(_role_enum("question_set_role"))
    version: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questions: Mapped[list["Question"]] = relationship(
        back_populates="question_set", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Bilingual, db.Model):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_sets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(_kind_enum("question_kind"))

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")

    @property
    def key(self):
        return f"q{self.id}"


class PartnerQuestion(Bilingual, Versioned, TenantScoped, db.Model):
    """A question one partner adds after the network-wide ones."""

    __tablename__ = "partner_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(_role_enum("partner_question_role"))
    kind: Mapped[str] = mapped_column(_kind_enum("partner_question_kind"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def key(self):
        return f"p{self.id}"


class IntakeResponse(ParticipantRecord, TenantScoped, db.Model):
    """A participant's answers. Each answer keeps the question as it was asked (both
    languages), so later versions and retired partner questions never change its meaning."""

    __tablename__ = "intake_responses"
    __tenant_table_args__ = participant_record_args("intake_responses")

    question_set_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_sets.id", ondelete="RESTRICT"))
    answers: Mapped[list] = mapped_column(sa.JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    question_set: Mapped[QuestionSet | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

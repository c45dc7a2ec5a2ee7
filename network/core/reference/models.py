"""Network-level reference rows: the same for every partner, managed by the coordination team."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from sqlalchemy.orm import Mapped, mapped_column

from network.core.columns import Versioned
from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow


class SupportArea(db.Model):
    """One area a mentor offers and a mentee needs. The names live in the row, in both
    languages, because the coordination team adds areas without a release."""

    __tablename__ = "support_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(48), unique=True)
    name_pt: Mapped[str] = mapped_column(sa.String(120))
    name_en: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def label(self):
        return self.name_en if str(get_locale()) == "en" else self.name_pt

    def __repr__(self):
        return f"<SupportArea {self.code}>"


class Company(Versioned, db.Model):
    """A corporate partner whose employees volunteer as mentors."""

    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    # Who at the company receives the corporate social responsibility report.
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    # An inactive company keeps its volunteers and history; no new mentor is linked to it.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Company {self.name}>"

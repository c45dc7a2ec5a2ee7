import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.submit import Versioned
from tenants.tenancy import TenantScoped

CRITERIA = {
    "support_areas": _l("Support areas"),
    "languages": _l("Languages"),
    "location": _l("Municipality"),
    "availability": _l("Availability"),
    "load": _l("Current load"),
    "preferences": _l("Stated preferences"),
}
DEFAULT_WEIGHTS = {
    "support_areas": 40,
    "languages": 20,
    "location": 15,
    "availability": 10,
    "load": 10,
    "preferences": 5,
}
DEFAULT_MAX_MENTEES_PER_MENTOR = 2


class MatchingSettings(Versioned, TenantScoped, db.Model):
    """A partner's own weights for the matching criteria (absent: the defaults)."""

    __tablename__ = "matching_settings"
    __tenant_table_args__ = (sa.UniqueConstraint("tenant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    weight_support_areas: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["support_areas"])
    weight_languages: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["languages"])
    weight_location: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["location"])
    weight_availability: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["availability"])
    weight_load: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["load"])
    weight_preferences: Mapped[int] = mapped_column(default=DEFAULT_WEIGHTS["preferences"])
    max_mentees_per_mentor: Mapped[int] = mapped_column(default=DEFAULT_MAX_MENTEES_PER_MENTOR)

    @property
    def weights(self):
        return {criterion: getattr(self, f"weight_{criterion}") for criterion in CRITERIA}

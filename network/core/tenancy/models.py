"""The Tenant: one partner of the network (or the national coordination team)."""
import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from network.core.columns import Versioned, choice_type
from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow

TENANT_KINDS = {
    "coordination": _l("National coordination"),
    "municipality": _l("Municipality"),
    "ngo": _l("NGO"),
    "immigrant_association": _l("Immigrant association"),
}

# Portugal's 18 districts and the 2 autonomous regions.
DISTRICTS = {
    "aveiro": _l("Aveiro"),
    "beja": _l("Beja"),
    "braga": _l("Braga"),
    "braganca": _l("Bragança"),
    "castelo_branco": _l("Castelo Branco"),
    "coimbra": _l("Coimbra"),
    "evora": _l("Évora"),
    "faro": _l("Faro"),
    "guarda": _l("Guarda"),
    "leiria": _l("Leiria"),
    "lisboa": _l("Lisbon"),
    "portalegre": _l("Portalegre"),
    "porto": _l("Porto"),
    "santarem": _l("Santarém"),
    "setubal": _l("Setúbal"),
    "viana_do_castelo": _l("Viana do Castelo"),
    "vila_real": _l("Vila Real"),
    "viseu": _l("Viseu"),
    "acores": _l("Azores"),
    "madeira": _l("Madeira"),
}

LOCALES = {"pt_PT": _l("Portuguese"), "en": _l("English")}

# The partial index's predicate: `active_partner_criteria()` is the same filter, so PostgreSQL
# matches the index to the queries that use it.
ACTIVE_PARTNERS = "active IS TRUE AND kind <> 'coordination'"
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class Tenant(Versioned, db.Model):
    """Network-level: tenant metadata is visible to the coordination team."""

    __tablename__ = "tenants"
    __table_args__ = (
        # The dashboards count the active partners, nationally or in one district.
        sa.Index("ix_tenants_active_partners_district", "district",
                 postgresql_where=sa.text(ACTIVE_PARTNERS)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    slug: Mapped[str] = mapped_column(sa.String(63), unique=True)
    kind: Mapped[str] = mapped_column(choice_type(TENANT_KINDS, "tenant_kind", 32))
    district: Mapped[str] = mapped_column(choice_type(DISTRICTS, "district", 32))
    default_locale: Mapped[str] = mapped_column(
        choice_type(LOCALES, "tenant_locale", 8),
        default="pt_PT",
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def is_coordination(self):
        return self.kind == "coordination"

    @property
    def kind_label(self):
        return TENANT_KINDS[self.kind]

    @property
    def district_label(self):
        return DISTRICTS[self.district]

    def __repr__(self):
        return f"<Tenant {self.slug}>"


def active_partner_criteria():
    """The partners' workspaces still active (not the coordination team's): ACTIVE_PARTNERS."""
    return (Tenant.active.is_(True), Tenant.kind != "coordination")

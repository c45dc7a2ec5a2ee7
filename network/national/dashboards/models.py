"""The roll-up table and prepared exports."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from network.core.columns import choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.timeutil import UTCDateTime, utcnow


def _key(length):
    """A key column: on PostgreSQL in the "C" collation, whose byte order sorts and
    compares many times faster than a language's collation (roll-up keys are codes)."""
    return sa.String(length).with_variant(postgresql.VARCHAR(length, collation="C"), "postgresql")


class RollupCount(db.Model):
    """Counts of one tenant per (month, metric, dimension, value). Network-level: the
    national dashboard reads every tenant's rows (through the national bypass); on
    PostgreSQL Row-Level Security lets a tenant's job write only its own rows.

    `district` and `tenant_kind` copy the tenant's attributes when the rows are computed,
    so the dashboard filters without touching any other table. Snapshot metrics (current
    state) carry the month they were computed in and are read without a month filter.
    """

    __tablename__ = "rollup_counts"

    # The primary key serves every read: one tenant (or a few), a dimension, some metrics, a range of months.
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    dimension: Mapped[str] = mapped_column(_key(24), primary_key=True)
    metric: Mapped[str] = mapped_column(_key(32), primary_key=True)
    month: Mapped[str] = mapped_column(_key(7), primary_key=True)  # YYYY-MM
    value: Mapped[str] = mapped_column(_key(64), primary_key=True)
    district: Mapped[str] = mapped_column(_key(32))
    tenant_kind: Mapped[str] = mapped_column(_key(32))
    count: Mapped[int]
    # What a coordinator may read: `count` rounded by the disclosure layer (network.national.disclosure).
    published: Mapped[int] = mapped_column(server_default="0")


ANY = ""  # in `NationalRollup`: every district, or every partner kind


class NationalRollup(db.Model):
    """`rollup_counts` summed over tenants at four levels: (district, partner kind), each
    with ANY standing for "all": what the national dashboard reads, whatever its place
    filters, in a few thousand rows. Kept by the same refresh job (adding the difference
    between a tenant's old and new rows) and by the rebuild (GROUP BY at each level)."""

    __tablename__ = "rollup_national"

    district: Mapped[str] = mapped_column(_key(32), primary_key=True)
    tenant_kind: Mapped[str] = mapped_column(_key(32), primary_key=True)
    dimension: Mapped[str] = mapped_column(_key(24), primary_key=True)
    metric: Mapped[str] = mapped_column(_key(32), primary_key=True)
    month: Mapped[str] = mapped_column(_key(7), primary_key=True)
    value: Mapped[str] = mapped_column(_key(64), primary_key=True)
    count: Mapped[int]
    published: Mapped[int] = mapped_column(sa.BigInteger, server_default="0")  # the sum of the partners' published


class RollupProfileSum(db.Model):
    """Each partner's profile rows of `rollup_counts` summed by (metric, month): the partner's
    total of a mentee metric as the dashboards show it, the sum of its finest published rows
    (docs/disclosure.md, "one base"), without reading each profile. Kept with the partner rows,
    in the same transaction: by the recount (`rollups.sum_profiles`) and by the rebuild."""

    __tablename__ = "rollup_profile_sums"

    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    metric: Mapped[str] = mapped_column(_key(32), primary_key=True)
    month: Mapped[str] = mapped_column(_key(7), primary_key=True)
    district: Mapped[str] = mapped_column(_key(32))  # the partner's, as in its rows
    tenant_kind: Mapped[str] = mapped_column(_key(32))
    published: Mapped[int] = mapped_column(sa.BigInteger)


EXPORT_STATUSES = {
    "pending": _l("Waiting"),
    "running": _l("Being prepared"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}
EXPORT_FORMATS = ("csv", "xlsx")


class DashboardExport(TenantScoped, db.Model):
    """An export too large to build in the request: a job fills `content`, reporting progress."""

    __tablename__ = "dashboard_exports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    file_format: Mapped[str] = mapped_column(
        choice_type(EXPORT_FORMATS, "export_format", 8)
    )
    locale: Mapped[str] = mapped_column(sa.String(8))
    filters: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(
        choice_type(EXPORT_STATUSES, "export_status", 16),
        default="pending",
    )
    progress: Mapped[int] = mapped_column(default=0)  # percent
    filename: Mapped[str | None] = mapped_column(sa.String(200))
    content: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status_label(self):
        return EXPORT_STATUSES[self.status]


class RollupStatus(db.Model):
    """How current each partner's roll-ups are. A change a roll-up counts sets `stale_mark` (a
    new number from one sequence) in its own transaction; the recount clears it only if it is
    still the number it read before counting, so a change that arrived during the recount
    leaves the partner stale for the next one. Network-level and free of personal data: a
    coordinator's change marks a partner too, and the sweep reads every partner's row."""

    __tablename__ = "rollup_status"

    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True)
    stale_mark: Mapped[int | None] = mapped_column(sa.BigInteger)
    stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_rollup_status_stale_since", "stale_since",
                               postgresql_where=sa.text("stale_mark IS NOT NULL")),)


STALE_MARKS = sa.Sequence("rollup_stale_marks", metadata=db.metadata)

import sqlalchemy as sa

from network.accounts.models import Membership
from network.extensions import db
from tenants.tenancy.models import Tenant


def partner_overview():
    """Every partner with its active team size: tenant metadata and counts, no person's data."""
    team_size = (
        sa.select(sa.func.count(Membership.id))
        .where(
            Membership.tenant_id == Tenant.id,
            Membership.active.is_(True),
            Membership.role.in_(("partner_admin", "staff")),
        )
        .correlate(Tenant)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(Tenant, team_size.label("team_size"))
        .where(Tenant.kind != "coordination")
        .order_by(Tenant.district, Tenant.name)
    ).all()
    return [(row.Tenant, row.team_size) for row in rows]

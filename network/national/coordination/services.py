"""The national coordination team's work on partners: metadata, onboarding and aggregates.

Coordinators act from the coordination workspace; what they do is audited there. Inviting a
partner's first administrator is the one action taken *inside* a partner's tenant, on its
behalf: the invitation belongs to the partner (its team page lists it) and the partner's own
log records it too. Per-partner figures are the roll-ups' published counts (the disclosure
layer, docs/disclosure.md), read through the national roll-up bypass: no person's row ever
leaves its tenant.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from network.core.accounts import services as accounts
from network.core.accounts.models import Membership
from network.core.audit.services import record_event
from network.core.changes import mark_rollups_stale
from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass, tenant_context
from network.core.tenancy.models import Tenant
from network.core.tenancy.services import create_tenant
from network.national.dashboards.models import RollupCount
from network.national.dashboards.services import Filters, metric_totals
from network.national.disclosure import published_sql, rounding_base
from tenants.processes.models import PROCESS_STATES
from tenants.transfers.duplicates import network_duplicate_count

PARTNER_FIELDS = ("name", "kind", "district", "default_locale")


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


def get_partner(partner_id):
    """A partner tenant (never the coordination itself), or None."""
    return db.session.scalar(sa.select(Tenant).where(Tenant.id == partner_id, Tenant.kind != "coordination"))


def create_partner(data, actor):
    partner = create_tenant(data["name"], data["slug"], data["kind"], data["district"], data["default_locale"])
    record_event("partner.created", actor, partner, changes={"slug": partner.slug})
    return partner


def update_partner(partner, data, actor):
    """Name, kind, district and language. The slug stays: it is in every bookmarked URL."""
    changed = {field: getattr(partner, field) for field in PARTNER_FIELDS if getattr(partner, field) != data[field]}
    for field in changed:
        setattr(partner, field, data[field])
    if changed:
        record_event("partner.updated", actor, partner, changes=changed)
    if changed.keys() & {"kind", "district"}:
        # The roll-ups carry the partner's kind and district for the national filters.
        mark_rollups_stale(partner.id)
    return changed


def set_partner_active(partner, active, actor):
    """A deactivated partner's workspace is closed: its members cannot enter it (the tenant is
    resolved only when active) and those with no other workspace cannot log in. Nothing is deleted."""
    if partner.active == active:
        return False
    partner.active = active
    record_event("partner.reactivated" if active else "partner.deactivated", actor, partner)
    return True


def invite_partner_admin(partner, coordinator, coordinator_roles, email, valid_days):
    """Invite a partner's (first) administrator; returns (invitation, token).

    The invitation is created in the partner's tenant, as the coordinator acting on its
    behalf, and audited in both logs."""
    if not partner.active:
        raise ValidationError({"email": [_l("Reactivate the partner before inviting its administrator.")]})
    with tenant_context(partner.id):
        invitation, token = accounts.invite(partner, coordinator, coordinator_roles, email, "partner_admin",
                                            valid_days)
    record_event("partner.admin_invited", coordinator, partner, changes={"invitation_id": invitation.id})
    return invitation, token


# The partner pages' counts of people, all time (docs/disclosure.md): the processes by state
# are counts of mentees (one open process each), so they are published like every other count
# of people: open ones as the active mentees, closed and cancelled ones as on the dashboard.
ACTIVITY_PROCESSES = {"ongoing": _l("Open (matched to final evaluation)"), "closed": PROCESS_STATES["closed"],
                      "cancelled": PROCESS_STATES["cancelled"]}
ALL_TIME = Filters("0000-01", "9999-12")


def partner_activity(partner_ids=None):
    """{tenant id: {"mentors": n, "mentees": n, "processes": {"ongoing"|"closed"|"cancelled": n}}}:
    the published counts of the roll-ups (the disclosure layer), read through the national
    roll-up bypass, so that these pages and the dashboards show the same published figures."""
    r = RollupCount
    scope = {"tenant_id": list(partner_ids)} if partner_ids is not None else {}
    shown = {"mentors_registered": "mentors", "mentees_registered": "mentees"}
    summary = {}
    with national_rollup_bypass("coordination: activity summary per partner"):
        for tenant_id, metric, total in metric_totals(r, ("tenant_id",), scope, ALL_TIME):
            if not total:
                continue
            entry = summary.setdefault(tenant_id, empty_activity())
            if metric in shown:
                entry[shown[metric]] = int(total)
            elif metric in ACTIVITY_PROCESSES:
                entry["processes"][metric] = int(total)
    return summary


def empty_activity():
    return {"mentors": 0, "mentees": 0, "processes": {}}


def process_state_rows(activity):
    """(label, published count) of the open, closed and cancelled processes, zeros included."""
    return [(label, activity["processes"].get(key, 0)) for key, label in ACTIVITY_PROCESSES.items()]


def possible_duplicates():
    """How many registrations may be of someone another partner registered too (the keyed
    fingerprints of tenants.transfers): a count only, never who or where, published as every
    national count is (rounded by the disclosure key to a multiple of the rounding base)."""
    with national_rollup_bypass("coordination: possible duplicate registrations"):
        exact = network_duplicate_count()
        return db.session.scalar(sa.select(published_sql(sa.literal(exact, sa.BigInteger),
                                                         sa.literal("network|possible_duplicates"), rounding_base())))

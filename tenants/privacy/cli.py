"""`flask privacy retention [--dry-run]`: the retention rules of every partner (or one), now."""
from datetime import date

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant, active_partner_criteria
from tenants.privacy.retention import apply_retention, retention_plan

privacy_cli = AppGroup("privacy", help="Data-subject rights and retention.")


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would change; change nothing.")
@click.option("--tenant", "slug", help="Only this partner's workspace (its slug).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="Apply the rules as of this day.")
def retention_command(dry_run, slug, today):
    """Anonymise the participants and delete the uploaded lists past the retention rules."""
    today = today.date() if today else date.today()
    query = sa.select(Tenant).where(*active_partner_criteria()).order_by(Tenant.id)
    if slug:
        query = query.where(Tenant.slug == slug)
    tenants = db.session.scalars(query).all()
    if slug and not tenants:
        raise click.ClickException(f"No active partner workspace {slug!r}.")
    for tenant in tenants:
        with tenant_context(tenant.id):
            plan = retention_plan(today) if dry_run else apply_retention(today)
            ids = plan.ids()
        if not dry_run:
            db.session.commit()
        click.echo(f"{tenant.slug}: {'would anonymise' if dry_run else 'anonymised'} "
                   f"mentors {ids['mentor']}, mentees {ids['mentee']}; "
                   f"{'would delete' if dry_run else 'deleted'} uploaded lists {ids['import']}")
    if dry_run:
        db.session.rollback()

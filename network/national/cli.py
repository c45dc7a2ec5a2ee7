"""`flask create-tenant`, `flask create-user`, `flask seed-demo`, `flask run-demo`, `flask permissions`,
`flask doctor`."""
import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from network.core.accounts import services as accounts
from network.core.accounts.models import ROLES
from network.core.accounts.schemas import UserSchema
from network.core.extensions import db
from network.core.tenancy.models import DISTRICTS, LOCALES, TENANT_KINDS, Tenant
from network.core.tenancy.schemas import TenantSchema
from network.core.tenancy.services import create_tenant


def _fail_on(error):
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    lines = [f"{field}: {' '.join(str(m) for m in msgs)}" for field, msgs in messages.items()]
    raise click.ClickException("\n".join(lines))


@click.command("create-tenant")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="The workspace address: /t/<slug>/")
@click.option("--kind", required=True, type=click.Choice(list(TENANT_KINDS)))
@click.option("--district", required=True, type=click.Choice(list(DISTRICTS)))
@click.option("--locale", "default_locale", default="pt_PT", type=click.Choice(list(LOCALES)))
@with_appcontext
def create_tenant_command(name, slug, kind, district, default_locale):
    """Create a partner (or the coordination team) workspace."""
    try:
        data = TenantSchema().load(
            {"name": name, "slug": slug, "kind": kind, "district": district, "default_locale": default_locale}
        )
        tenant = create_tenant(**data)
    except ValidationError as error:
        _fail_on(error)
    db.session.commit()
    click.echo(f"Created {tenant.name} at /t/{tenant.slug}/")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--tenant", "tenant_slug", help="Give the user a role in this workspace.")
@click.option("--role", type=click.Choice(list(ROLES)))
@click.option("--locale", "preferred_locale", type=click.Choice(list(LOCALES)))
@with_appcontext
def create_user_command(email, name, password, tenant_slug, role, preferred_locale):
    """Create a user account, optionally with a role in one workspace."""
    if bool(tenant_slug) != bool(role):
        raise click.UsageError("--tenant and --role go together.")
    try:
        data = UserSchema().load(
            {"email": email, "name": name, "password": password, "preferred_locale": preferred_locale}
        )
        user = accounts.create_user(**data)
        if tenant_slug:
            tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == tenant_slug))
            if tenant is None:
                raise click.ClickException(f"No workspace with slug {tenant_slug!r}.")
            accounts.grant_membership(user, tenant, role)
    except ValidationError as error:
        _fail_on(error)
    db.session.commit()
    click.echo(f"Created {user.email}" + (f" as {role} in /t/{tenant_slug}/" if tenant_slug else ""))


def _seed_demo(password, seed, size):
    """Seed what is missing (one transaction per partner), then count the roll-ups once if
    anything was."""
    from network.national.dashboards.hooks import rebuilt_afterwards
    from network.national.dashboards.rebuild import rebuild_rollups
    from network.national.demo import seed_demo_network

    def progress(items, label):
        return click.progressbar(items, label=label, item_show_func=lambda item: item and item[1][1])

    with rebuilt_afterwards():
        logins, created = seed_demo_network(password, progress=progress, seed=seed, size=size)
        db.session.commit()
    if created:
        # The dashboards read only the roll-ups: counted once, from everything seeded.
        click.echo("Counting the dashboards' figures…")
        rebuild_rollups()
    return logins


@click.command("seed-demo")
@click.option("--password", default="mentores-demo", show_default=True, help="Password of every demo account.")
@click.option("--seed", type=int, default=None, help="The same seed gives the same people (default: the demo's).")
@click.option("--size", type=click.Choice(["small", "national", "europe"]), default="small", show_default=True,
              help="How many mentors and mentees, as the benchmarks' sizes (small: the programme today).")
@with_appcontext
def seed_demo_command(password, seed, size):
    """Seed the demo network: the coordination team, 56 partners with staff, their mentors and
    mentees. Idempotent."""
    from network.national.demo import DEMO_SEED

    logins = _seed_demo(password, DEMO_SEED if seed is None else seed, size)
    click.echo(f"\nDemo logins (password: {password}):")
    for role, email, workspace in logins:
        click.echo(f"  {role:<14} {email:<40} /t/{workspace}/")


@click.command("permissions")
@with_appcontext
def permissions_command():
    """Print the permissions matrix (action x role) with the endpoints performing each action."""
    from flask import current_app

    from network.core.permissions import matrix_markdown

    click.echo(matrix_markdown(current_app.view_functions), nl=False)


@click.command("run-demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def run_demo_command(host, port):
    """`make run`: migrate, seed the demo network, serve it; the address and the logins last."""
    from flask import current_app
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from network.national.demo import DEMO_SEED

    upgrade()
    logins = _seed_demo("mentores-demo", DEMO_SEED, "small")
    db.session.remove()
    # Bound here: once this returns the address answers, so it is printed only now.
    server = make_server(host, port, current_app._get_current_object(), threaded=True)
    click.echo(f"\nRede Mentores is ready: http://{host}:{server.server_port}/  (Ctrl-C stops it)")
    click.echo("Demo logins (password: mentores-demo):")
    for role, email, workspace in logins:
        click.echo(f"  {role:<14} {email:<40} /t/{workspace}/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        server.server_close()


@click.command("doctor")
@with_appcontext
def doctor_command():
    """Check the database's second wall: the login role, the runtime role, FORCE RLS."""
    from network.core.doctor import checks

    failed = False
    for holds, what, found in checks():
        failed |= not holds
        click.echo(f"{'ok  ' if holds else 'FAIL'} {what}: {found}")
    if failed:
        raise click.ClickException("the database does not keep the second wall (README, PostgreSQL roles)")

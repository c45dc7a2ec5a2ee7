"""Factories: tenants, users with memberships, and logging in, as a test reads best."""
from types import SimpleNamespace

from network.accounts import services as accounts
from network.extensions import db
from tenants.tenancy.services import create_tenant

PASSWORD = "um-segredo-bem-comprido"


def make_tenant(slug, kind="ngo", district="lisboa", name=None, locale="pt_PT"):
    return create_tenant(name or slug.replace("-", " ").title(), slug, kind, district, locale)


def make_user(email, name=None, roles=(), password=PASSWORD, locale=None, active=True):
    """`roles`: (tenant, role) pairs."""
    user = accounts.create_user(email, name or email.split("@")[0].title(), password, preferred_locale=locale)
    user.active = active
    for tenant, role in roles:
        accounts.grant_membership(user, tenant, role)
    return user


def two_partner_network():
    coordination = make_tenant("coordenacao", kind="coordination", name="Coordenação Nacional")
    alpha = make_tenant("alpha", kind="municipality", district="porto", name="Câmara Municipal Alfa")
    beta = make_tenant("beta", kind="ngo", district="faro", name="Associação Beta")
    coordinator = make_user("coord@example.pt", "Helena Coordenadora", [(coordination, "coordinator")])
    alpha_admin = make_user("admin@alpha.pt", "Ana Admin", [(alpha, "partner_admin")])
    alpha_staff = make_user("staff@alpha.pt", "Tiago Técnico", [(alpha, "staff")])
    beta_admin = make_user("admin@beta.pt", "Bruno Admin", [(beta, "partner_admin")])
    beta_staff = make_user("staff@beta.pt", "Beatriz Técnica", [(beta, "staff")])
    db.session.flush()
    return SimpleNamespace(
        coordination=SimpleNamespace(id=coordination.id, slug=coordination.slug),
        alpha=SimpleNamespace(id=alpha.id, slug=alpha.slug),
        beta=SimpleNamespace(id=beta.id, slug=beta.slug),
        coordinator=coordinator.email,
        alpha_admin=alpha_admin.email,
        alpha_staff=alpha_staff.email,
        beta_admin=beta_admin.email,
        beta_staff=beta_staff.email,
    )


def login(client, email, password=PASSWORD, locale=None):
    if locale:
        client.post("/locale", data={"locale": locale})
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response

"""Partner management by the national coordination: create, edit, deactivate, invite the
first administrator, and see each partner's activity as counts only."""
import re

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Invitation
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass, tenant_context
from network.core.tenancy.models import Tenant
from network.national.dashboards.models import RollupCount
from tests.factories import login, make_mentee, make_mentor

PARTNER = {"name": "Associação Gama", "slug": "gama", "kind": "immigrant_association", "district": "braga",
           "default_locale": "pt_PT"}


def _coordinator(client, two_partners):
    login(client, two_partners.coordinator, locale="en")
    return f"/t/{two_partners.coordination.slug}"


def test_coordinators_add_a_partner_and_bad_input_writes_nothing(app, client, two_partners):
    base = _coordinator(client, two_partners)
    refused = client.post(f"{base}/partners/new", data=PARTNER | {"slug": "Gama!", "kind": "coordination"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Use lowercase letters, digits and hyphens" in page and "Choose one of the options." in page
    assert 'value="Associação Gama"' in page
    taken = client.post(f"{base}/partners/new", data=PARTNER | {"slug": "alpha"})
    assert taken.status_code == 400 and "already used by another partner" in taken.get_data(as_text=True)
    created = client.post(f"{base}/partners/new", data=PARTNER)
    assert created.status_code == 302
    with app.app_context():
        gama = db.session.scalar(sa.select(Tenant).filter_by(slug="gama"))
        assert gama.kind == "immigrant_association" and gama.active
        with tenant_context(two_partners.coordination.id):
            assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.record_id == gama.id)) == \
                "partner.created"
    edited = client.post(f"{base}/partners/{gama.id}/edit", data=PARTNER | {"name": "Associação Gama Norte"})
    assert edited.status_code == 302
    assert "Associação Gama Norte" in client.get(f"{base}/partners").get_data(as_text=True)


def test_a_deactivated_partners_users_cannot_enter(app, client, two_partners):
    base = _coordinator(client, two_partners)
    assert client.post(f"{base}/partners/{two_partners.alpha.id}/status", data={"active": "0"}).status_code == 302
    client.post("/logout")
    # Alpha's admin belongs to no other workspace: the login is refused, and the workspace is not found.
    response = client.post("/login", data={"email": two_partners.alpha_admin, "password": "um-segredo-bem-comprido"})
    assert response.status_code != 302
    assert client.get(f"/t/{two_partners.alpha.slug}/").status_code in (302, 404)
    login(client, two_partners.beta_admin)
    assert client.get(f"/t/{two_partners.beta.slug}/").status_code == 200
    client.post("/logout")
    base = _coordinator(client, two_partners)
    client.post(f"{base}/partners/{two_partners.alpha.id}/status", data={"active": "1"})
    client.post("/logout")
    login(client, two_partners.alpha_admin)
    assert client.get(f"/t/{two_partners.alpha.slug}/").status_code == 200


def test_coordinators_invite_a_partners_first_admin_into_the_partners_workspace(app, client, two_partners, sent_mail):
    base = _coordinator(client, two_partners)
    url = f"{base}/partners/{two_partners.beta.id}/invite-admin"
    refused = client.post(url, data={"email": "not-an-address"})
    assert refused.status_code == 400 and "Enter a valid e-mail address" in refused.get_data(as_text=True)
    assert client.post(url, data={"email": "Nova.Admin@beta.pt"}).status_code == 302
    with app.app_context():
        with tenant_context(two_partners.beta.id):
            invitation = db.session.scalar(sa.select(Invitation))
            assert (invitation.email, invitation.role) == ("nova.admin@beta.pt", "partner_admin")
            assert db.session.scalar(sa.select(AuditEvent.action)) == "member.invited"
        with tenant_context(two_partners.coordination.id):
            assert db.session.scalar(sa.select(Invitation)) is None
            assert "partner.admin_invited" in db.session.scalars(sa.select(AuditEvent.action)).all()
    assert [mail["to"] for mail in sent_mail] == ["nova.admin@beta.pt"]
    assert "Invitation sent to nova.admin@beta.pt." in client.get(f"{base}/partners/{two_partners.beta.id}").get_data(
        as_text=True)
    # The invitee joins the partner's workspace as its administrator.
    invitee = app.test_client()
    join_path = re.search(r"http://localhost(/join/\S+)", sent_mail[0]["body"]).group(1)
    assert f"/{two_partners.beta.slug}/" in join_path
    joined = invitee.post(join_path, data={"name": "Nova Admin", "password": "segredo-comprido",
                                           "password_confirm": "segredo-comprido"})
    assert joined.status_code == 302 and joined.location.endswith(f"/t/{two_partners.beta.slug}/")
    assert invitee.get(f"/t/{two_partners.beta.slug}/members").status_code == 200


def test_an_inactive_partners_admin_cannot_be_invited(app, client, two_partners, sent_mail):
    base = _coordinator(client, two_partners)
    client.post(f"{base}/partners/{two_partners.beta.id}/status", data={"active": "0"})
    refused = client.post(f"{base}/partners/{two_partners.beta.id}/invite-admin", data={"email": "nova@beta.pt"})
    assert refused.status_code == 400
    assert "Reactivate the partner before inviting its administrator." in refused.get_data(as_text=True)
    assert sent_mail == []
    with app.app_context(), tenant_context(two_partners.beta.id):
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_partner_summary_shows_counts_and_no_persons_data(app, client, two_partners):
    with app.app_context():
        with tenant_context(two_partners.alpha.id):
            make_mentor("Marta Mentora")
            make_mentor("Rui Ramos", email="rui@example.pt")
            make_mentee("Amina Mentoranda")
        db.session.commit()
    base = _coordinator(client, two_partners)
    page = client.get(f"{base}/partners/{two_partners.alpha.id}").get_data(as_text=True)
    assert "Mentoring processes by state" in page
    listing = client.get(f"{base}/partners").get_data(as_text=True)
    for name in ("Marta Mentora", "Rui Ramos", "Amina Mentoranda", "rui@example.pt", "Ana Admin"):
        assert name not in page and name not in listing
    with app.app_context():
        from network.national.coordination.services import partner_activity

        # Counts of people, published as the dashboards publish them (docs/disclosure.md): the
        # sums of the partner's published roll-up rows, never the exact 2 mentors and 1 mentee.
        r = RollupCount
        with national_rollup_bypass("test: the published rows"):
            published = dict(db.session.execute(
                sa.select(r.metric, sa.func.sum(r.published)).where(
                    r.tenant_id == two_partners.alpha.id,
                    sa.or_(sa.and_(r.metric == "mentors_registered", r.dimension == "all"),
                           sa.and_(r.metric == "mentees_registered", r.dimension == "profile")))
                .group_by(r.metric)).all())
            exact = db.session.scalar(sa.select(sa.func.sum(r.count)).where(
                r.tenant_id == two_partners.alpha.id, r.metric == "mentors_registered", r.dimension == "all"))
        assert exact == 2 and set(published.values()) <= {0, 6}
        activity = partner_activity().get(two_partners.alpha.id, {"mentors": 0, "mentees": 0, "processes": {}})
        assert activity == {"mentors": published["mentors_registered"], "mentees": published["mentees_registered"],
                            "processes": {}}
        assert two_partners.beta.id not in partner_activity()


@pytest.mark.isolation
def test_coordinators_get_404_on_every_route_of_a_partners_workspace(app, client, two_partners):
    login(client, two_partners.coordinator)
    for rule in app.url_map.iter_rules():
        if "tenant_slug" not in rule.arguments or rule.endpoint.startswith("api."):
            continue  # (the API, with tokens: tests/api/test_isolation.py)
        path = rule.rule.replace("<tenant_slug>", two_partners.alpha.slug)
        path = re.sub(r"<any\([^)]*\):[a-z_]+>", "mentor", re.sub(r"<id:[a-z_]+>", "1", path))
        path = re.sub(r"<[a-z_:]+>", "x", path)
        for method in ("GET", "POST"):
            if method in rule.methods:
                assert client.open(path, method=method).status_code == 404, f"{method} {path}"


@pytest.mark.isolation
def test_partner_staff_never_reach_the_coordination_pages(app, client, two_partners):
    login(client, two_partners.alpha_admin)
    for slug in (two_partners.coordination.slug, two_partners.alpha.slug):
        for path in ("partners/new", f"partners/{two_partners.beta.id}", "companies", "activities/network/new"):
            assert client.get(f"/t/{slug}/{path}").status_code == 404

"""Every route under /t/<slug>/: another tenant's workspace and objects answer 404."""
import re

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Invitation, Membership
from network.core.extensions import db
from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from tenants.participants.models import Consent, Mentee, Mentor, ParticipantImport
from tests.factories import login, make_tenant, make_user, objects_for_every_route

pytestmark = pytest.mark.isolation

ROUTE_METHODS = ("GET", "POST")


def tenant_rules(app):
    """The pages under /t/<slug>/ (the API's, token-authenticated, are walked in tests/api)."""
    return [rule for rule in app.url_map.iter_rules()
            if "tenant_slug" in rule.arguments and not rule.endpoint.startswith("api.")]


@pytest.fixture
def network(app):
    """Tenant B owns one object of every kind a tenant URL can name by id."""
    with app.app_context():
        alpha, beta = make_tenant("alpha"), make_tenant("beta")
        alpha_admin = make_user("admin@alpha.pt", roles=[(alpha, "partner_admin"), (alpha, "staff")])
        beta_admin = make_user("admin@beta.pt", roles=[(beta, "partner_admin")])
        beta_staff = make_user("staff@beta.pt", roles=[(beta, "staff")])
        ids = objects_for_every_route(beta, beta_admin, beta_staff)
        network = {
            "alpha": alpha.slug,
            "beta": beta.slug,
            "alpha_admin": alpha_admin.email,
            "ids": {
                **ids,
                # Network activities are network-level, shown to every partner by design: no id of
                # one belongs to B (B's invitations to them are checked in tests/activities).
                "network_activity_id": ids["network_activity_id"] + 1000,
                # Partners and companies are network-level, for coordinators only.
                "partner_id": beta.id,
                "company_id": create_company("Empresa Beta").id,
            },
        }
        db.session.commit()
        return network


def _build(rule, values):
    missing = rule.arguments - set(values)
    assert not missing, f"{rule.rule}: add a tenant B object for {missing} to the isolation fixture"
    # <name>, <id:name>, <any(mentor, mentee):name>: whatever the converter.
    return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def _methods(rule):
    return [method for method in ROUTE_METHODS if method in rule.methods]


def test_there_are_tenant_routes_to_check(app):
    assert len(tenant_rules(app)) >= 4


def test_every_tenant_route_of_another_tenant_answers_404(app, client, network):
    login(client, network["alpha_admin"])
    for rule in tenant_rules(app):
        url = _build(rule, {"tenant_slug": network["beta"], **network["ids"]})
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"


def test_another_tenants_objects_by_id_inside_my_workspace_answer_404(app, client, network):
    login(client, network["alpha_admin"])
    checked = 0
    for rule in tenant_rules(app):
        if rule.arguments == {"tenant_slug"}:
            continue
        url = _build(rule, {"tenant_slug": network["alpha"], **network["ids"]})
        for method in _methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
            checked += 1
    assert checked >= 2
    with app.app_context():
        # Nothing of B changed.
        assert db.session.scalar(sa.select(Membership.active).where(Membership.id == network["ids"]["membership_id"]))
        with tenant_context(db.session.scalar(sa.select(Membership.tenant_id).where(
                Membership.id == network["ids"]["membership_id"]))):
            assert db.session.get(Invitation, network["ids"]["invitation_id"]).revoked_at is None
            assert db.session.get(Mentor, network["ids"]["mentor_id"]).full_name == "Marta Mentora"
            assert db.session.get(Mentee, network["ids"]["mentee_id"]).status == "waiting"
            assert db.session.get(Consent, network["ids"]["consent_id"]).withdrawn_at is None
            assert db.session.get(ParticipantImport, network["ids"]["import_id"]).confirmed_at is None


def test_anonymous_visitors_are_sent_to_login_whether_or_not_the_slug_exists(app, client, network):
    for slug in (network["beta"], "no-such-partner"):
        response = client.get(f"/t/{slug}/")
        assert response.status_code == 302 and "/login" in response.location


def test_unknown_slug_and_malformed_ids_answer_404_for_members(app, client, network):
    login(client, network["alpha_admin"])
    assert client.get("/t/no-such-partner/").status_code == 404
    assert client.post(f"/t/{network['alpha']}/members/not-a-number/deactivate").status_code == 404
    assert client.post(f"/t/{network['alpha']}/invitations/99999999999999999999/revoke").status_code == 404

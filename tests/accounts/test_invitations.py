"""Invitations into a workspace: sent by admins, accepted once, within their validity."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.models import Invitation, Membership, User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tests.factories import login

JOIN_LINK = re.compile(r"http://localhost(/join/\S+)")


def _invite(client, network, email="nova@example.pt", role="staff"):
    login(client, network.alpha_admin)
    return client.post(f"/t/{network.alpha.slug}/members", data={"email": email, "role": role})


def test_an_admin_invites_and_the_invitee_creates_an_account(app, client, two_partners, sent_mail):
    assert _invite(client, two_partners).status_code == 302
    (message,) = sent_mail
    assert message["to"] == "nova@example.pt"
    assert "Câmara Municipal Alfa" in message["body"]
    join_path = JOIN_LINK.search(message["body"]).group(1)

    invitee = app.test_client()
    page = invitee.get(join_path)
    assert page.status_code == 200
    response = invitee.post(join_path, data={"name": "Nova Técnica", "password": "segredo-comprido",
                                             "password_confirm": "segredo-comprido"})
    assert response.status_code == 302 and response.location == f"/t/{two_partners.alpha.slug}/"
    assert invitee.get(response.location).status_code == 200

    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="nova@example.pt"))
        assert [(m.tenant.slug, m.role) for m in user.memberships] == [("alpha", "staff")]
        with tenant_context(two_partners.alpha.id):
            actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
            assert actions == ["member.invited", "member.joined"]

    # The link works once.
    assert app.test_client().get(join_path).status_code == 410


def test_an_expired_invitation_cannot_be_used(app, client, two_partners, sent_mail):
    _invite(client, two_partners)
    join_path = JOIN_LINK.search(sent_mail[0]["body"]).group(1)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        invitation = db.session.scalar(sa.select(Invitation))
        invitation.expires_at = invitation.expires_at - timedelta(days=30)
        db.session.commit()
    response = app.test_client().get(join_path, headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "Link no longer valid" in response.get_data(as_text=True)


def test_a_forged_or_misplaced_token_is_not_found(app, client, two_partners, sent_mail):
    _invite(client, two_partners)
    token = JOIN_LINK.search(sent_mail[0]["body"]).group(1).rsplit("/", 1)[1]
    stranger = app.test_client()
    assert stranger.get("/join/alpha/not-a-token").status_code == 404
    assert stranger.get(f"/join/{two_partners.beta.slug}/{token}").status_code == 404
    assert stranger.get(f"/join/no-such-partner/{token}").status_code == 404


def test_an_existing_user_logs_in_to_accept(app, client, two_partners, sent_mail):
    _invite(client, two_partners, email=two_partners.beta_staff)
    join_path = JOIN_LINK.search(sent_mail[0]["body"]).group(1)
    other = app.test_client()
    assert other.post(join_path).status_code == 403
    login(other, two_partners.beta_staff)
    assert other.post(join_path).status_code == 302
    assert other.get(f"/t/{two_partners.alpha.slug}/").status_code == 200


def test_staff_cannot_invite_and_admins_cannot_grant_roles_they_do_not_hold(app, client, two_partners):
    login(client, two_partners.alpha_staff)
    assert client.get(f"/t/{two_partners.alpha.slug}/members").status_code == 404
    client.post("/logout")
    response = _invite(client, two_partners, role="coordinator")
    assert response.status_code == 400
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "x" * 250 + "@example.pt", ""])
def test_bad_invitation_emails_are_refused_with_the_input_kept(app, client, two_partners, email):
    client.post("/locale", data={"locale": "en"})
    response = _invite(client, two_partners, email=email)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please correct the fields marked below." in page
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_an_admin_revokes_an_invitation_and_removes_access(app, client, two_partners, sent_mail):
    _invite(client, two_partners)
    join_path = JOIN_LINK.search(sent_mail[0]["body"]).group(1)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        invitation_id = db.session.scalar(sa.select(Invitation.id))
        staff_membership = db.session.scalar(
            sa.select(Membership.id).join(User).where(User.email == two_partners.alpha_staff)
        )
    assert client.post(f"/t/{two_partners.alpha.slug}/invitations/{invitation_id}/revoke").status_code == 302
    assert app.test_client().get(join_path).status_code == 410
    assert client.post(f"/t/{two_partners.alpha.slug}/members/{staff_membership}/deactivate").status_code == 302
    staff = app.test_client()
    staff.post("/locale", data={"locale": "en"})
    response = staff.post("/login", data={"email": two_partners.alpha_staff, "password": "um-segredo-bem-comprido"})
    assert "This account has no active workspace." in response.get_data(as_text=True)

"""Two-factor authentication (TOTP): required of coordinators and partner administrators as
in production (the testing settings turn the requirement off for the rest of the suite),
optional for staff; remembered by the session only; wrong codes slowed down; recovery codes
single-use; every change audited; an administrator's reset for a member who lost everything."""
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.accounts.sessions import UserSession
from network.core.accounts.two_factor import RecoveryCode, TwoFactorCredential
from network.core.audit.models import AuditEvent
from network.core.database import owner_engine
from network.core.extensions import db
from tests.factories import PASSWORD, make_tenant, make_user

PRODUCTION_REQUIREMENT = ("coordinator", "partner_admin")


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", PRODUCTION_REQUIREMENT)


@pytest.fixture
def alpha(app):
    with app.app_context():
        tenant = make_tenant("alpha", name="Associação Alfa")
        make_user("ana@alpha.pt", "Ana Admin", [(tenant, "partner_admin")])
        make_user("rui@alpha.pt", "Rui Costa", [(tenant, "staff")])
        make_user("marta@alpha.pt", "Marta Mentora", [(tenant, "mentor")])
        db.session.commit()


def _password_step(client, email, locale="en"):
    client.post("/locale", data={"locale": locale})
    return client.post("/login", data={"email": email, "password": PASSWORD})


def _secret(app, email):
    with app.app_context():
        return db.session.scalar(sa.select(TwoFactorCredential.secret)
                                 .join(User, User.id == TwoFactorCredential.user_id).where(User.email == email))


def _code(secret, steps_ahead=0):
    """The app's code now, or of the next time step (a code is accepted once, one step either side)."""
    return pyotp.TOTP(secret).at(time.time(), counter_offset=steps_ahead)


def _enrol_at_login(app, client, email):
    response = _password_step(client, email)
    assert response.location == "/login/two-factor/setup"
    page = client.get("/login/two-factor/setup").get_data(as_text=True)
    assert "<svg" in page and "Scan this QR code" in page
    secret = _secret(app, email)
    assert secret in page
    page = client.post("/login/two-factor/setup", data={"code": _code(secret)}).get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page)
    assert len(codes) == 10
    return secret, codes


def _audit_actions(app):
    with app.app_context(), owner_engine().connect() as connection:  # past Row-Level Security
        return connection.execute(sa.select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()


def test_a_partner_admin_must_set_it_up_before_reaching_any_page(app, client, alpha, required):
    response = _password_step(client, "ana@alpha.pt")
    assert response.status_code == 302 and response.location == "/login/two-factor/setup"
    assert client.get("/t/alpha/").status_code == 302  # not logged in yet
    secret, codes = _enrol_at_login(app, client, "ana@alpha.pt")
    assert client.get("/t/alpha/").status_code == 200
    with app.app_context():
        stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(code.replace("-", "") for code in codes) & set(stored)  # hashed
    assert _audit_actions(app) == ["two_factor.enabled"]


def test_a_wrong_enrolment_code_keeps_the_same_key_and_says_why(app, client, alpha, required):
    _password_step(client, "ana@alpha.pt")
    client.get("/login/two-factor/setup")
    secret = _secret(app, "ana@alpha.pt")
    response = client.post("/login/two-factor/setup", data={"code": "000000"})
    assert response.status_code == 400
    assert "This code is not correct." in response.get_data(as_text=True)
    assert _secret(app, "ana@alpha.pt") == secret


def test_the_code_is_asked_at_every_login_and_remembered_by_that_session_only(app, alpha, required):
    first = app.test_client()
    secret, _codes = _enrol_at_login(app, first, "ana@alpha.pt")
    second = app.test_client()
    response = _password_step(second, "ana@alpha.pt")
    assert response.location == "/login/code"
    assert second.get("/t/alpha/").status_code == 302
    response = second.post("/login/code", data={"code": _code(secret, 1)})
    assert response.status_code == 302
    assert second.get("/t/alpha/").status_code == 200
    assert first.get("/t/alpha/").status_code == 200
    with app.app_context():
        assert all(row.second_factor_at for row in db.session.scalars(sa.select(UserSession)))


def test_a_code_works_once(app, alpha, required):
    first = app.test_client()
    _password_step(first, "ana@alpha.pt")
    first.get("/login/two-factor/setup")
    used = _code(_secret(app, "ana@alpha.pt"))
    assert first.post("/login/two-factor/setup", data={"code": used}).status_code == 200
    client = app.test_client()
    _password_step(client, "ana@alpha.pt")
    assert client.post("/login/code", data={"code": used}).status_code == 400


def test_a_recovery_code_logs_in_once_and_is_audited(app, alpha, required):
    _secret_key, codes = _enrol_at_login(app, app.test_client(), "ana@alpha.pt")
    client = app.test_client()
    _password_step(client, "ana@alpha.pt")
    response = client.post("/login/code", data={"code": codes[0].upper()}, follow_redirects=True)
    assert "You logged in with a recovery code; 9 remain." in response.get_data(as_text=True)
    again = app.test_client()
    _password_step(again, "ana@alpha.pt")
    assert again.post("/login/code", data={"code": codes[0]}).status_code == 400
    assert _audit_actions(app) == ["two_factor.enabled", "two_factor.recovery_code_used"]


def test_wrong_codes_make_the_account_wait_even_for_the_right_one(app, alpha, required):
    secret, _codes = _enrol_at_login(app, app.test_client(), "ana@alpha.pt")
    client = app.test_client()
    _password_step(client, "ana@alpha.pt")
    for _ in range(5):
        assert client.post("/login/code", data={"code": "123456"}).status_code == 400
    response = client.post("/login/code", data={"code": _code(secret, 1)})
    assert response.status_code == 429
    assert "Too many wrong codes." in response.get_data(as_text=True)


def test_the_code_step_expires(app, client, alpha, required, monkeypatch):
    _password_step(client, "ana@alpha.pt")
    monkeypatch.setitem(app.config, "TWO_FACTOR_PENDING_SECONDS", -1)
    response = client.get("/login/two-factor/setup")
    assert response.status_code == 302 and response.location == "/login"


def test_staff_may_turn_it_on_and_off(app, client, alpha, required):
    assert _password_step(client, "rui@alpha.pt").location == "/"  # optional: straight in
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'<code id="totp-secret">(\w+)</code>', page).group(1)
    page = client.post("/account/two-factor", data={"code": _code(secret)}).get_data(as_text=True)
    assert "Your recovery codes" in page
    recovery_code = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", page)[0]

    other = app.test_client()
    assert _password_step(other, "rui@alpha.pt").location == "/login/code"
    assert other.post("/login/code", data={"code": _code(secret, 1)}).status_code == 302

    assert client.post("/account/two-factor", data={"action": "disable", "code": "999999"}).status_code == 400
    response = client.post("/account/two-factor", data={"action": "disable", "code": recovery_code})
    assert response.status_code == 302
    assert _password_step(app.test_client(), "rui@alpha.pt").location == "/"
    assert _audit_actions(app) == ["two_factor.enabled", "two_factor.recovery_code_used", "two_factor.disabled"]


def test_a_required_second_factor_cannot_be_turned_off(app, alpha, required):
    client = app.test_client()
    secret, _codes = _enrol_at_login(app, client, "ana@alpha.pt")
    assert client.post("/account/two-factor", data={"action": "disable", "code": _code(secret, 1)}).status_code == 400


def test_participants_are_not_offered_it(app, client, alpha):
    _password_step(client, "marta@alpha.pt")
    assert client.get("/account/two-factor").status_code == 404


def test_an_administrator_resets_a_member_who_lost_phone_and_codes(app, alpha, required):
    staff = app.test_client()
    _password_step(staff, "rui@alpha.pt")
    secret = re.search(r'<code id="totp-secret">(\w+)</code>',
                       staff.get("/account/two-factor").get_data(as_text=True)).group(1)
    staff.post("/account/two-factor", data={"code": _code(secret)})

    admin = app.test_client()
    _enrol_at_login(app, admin, "ana@alpha.pt")
    page = admin.get("/t/alpha/members").get_data(as_text=True)
    membership_id = re.search(r'/t/alpha/members/(\d+)/two-factor/reset', page).group(1)
    response = admin.post(f"/t/alpha/members/{membership_id}/two-factor/reset", follow_redirects=True)
    assert "Rui Costa sets up two-factor authentication again at the next login." in response.get_data(as_text=True)
    assert staff.get("/t/alpha/").status_code == 302  # their sessions ended too
    assert _password_step(app.test_client(), "rui@alpha.pt").location == "/"
    assert _audit_actions(app) == ["two_factor.enabled", "two_factor.enabled", "two_factor.reset"]


def test_sessions_begun_before_the_requirement_must_log_in_again(app, client, alpha, monkeypatch):
    _password_step(client, "ana@alpha.pt")
    assert client.get("/t/alpha/").status_code == 200
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", PRODUCTION_REQUIREMENT)
    assert client.get("/t/alpha/").status_code == 302


def test_production_requires_it_of_coordinators_and_partner_admins():
    from config import ProductionConfig

    assert set(ProductionConfig.TWO_FACTOR_REQUIRED_ROLES) == set(PRODUCTION_REQUIREMENT)


def test_a_new_partner_admin_sets_it_up_right_after_accepting_the_invitation(app, client, alpha, required):
    from network.core.accounts import services as accounts
    from network.core.tenancy import tenant_context
    from network.core.tenancy.models import Tenant

    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "alpha"))
        inviter = db.session.scalar(sa.select(User).where(User.email == "ana@alpha.pt"))
        with tenant_context(tenant.id):
            _invitation, token = accounts.create_invitation(tenant, inviter, "nova@example.pt", "partner_admin", 14)
        db.session.commit()
    response = client.post(f"/join/alpha/{token}", data={"name": "Nova Administradora",
                                                         "password": "um-outro-segredo-longo",
                                                         "password_confirm": "um-outro-segredo-longo"})
    assert response.status_code == 302 and response.location == "/login/two-factor/setup"
    assert client.get("/t/alpha/").status_code == 302
    assert "<svg" in client.get("/login/two-factor/setup").get_data(as_text=True)

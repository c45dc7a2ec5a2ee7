"""Who may call the API: a valid, unexpired, unrevoked token with the right scope, of a user
whose role in the tenant allows the action. Never the session cookie."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.api.models import ApiToken
from network.core.api.tokens import create_token
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.timeutil import utcnow
from tests.factories import bearer, login, make_api_token

MENTORS = "/api/v1/t/alpha/mentors"


def _error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()["error"]
    assert body["status"] == status and body["code"] == code and body["message"]
    return body


def _token(app, email, **kwargs):
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email=email))
        secret = make_api_token(user, **kwargs)
        db.session.commit()
        return secret


def test_no_token_is_401_with_a_bearer_challenge(client, api_world):
    response = client.get(MENTORS)
    _error(response, 401, "token_missing")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer rmt_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "rmt_abc",
                                    "Bearer " + "x" * 5000])
def test_a_bad_token_is_401(client, api_world, header):
    response = client.get(MENTORS, headers={"Authorization": header})
    assert response.status_code == 401 and response.mimetype == "application/json"


def test_an_expired_token_is_401(app, client, api_world):
    with app.app_context():
        user = db.session.get(User, api_world.user_ids["staff"])
        _token, secret = create_token(user, "Antigo", ["participants:read"], 30, now=utcnow() - timedelta(days=31))
        db.session.commit()
    _error(client.get(MENTORS, headers=bearer(secret)), 401, "token_invalid")


def test_a_revoked_token_is_401_and_the_revocation_is_audited(app, client, api_world):
    secret = api_world.tokens["staff"]
    assert client.get(MENTORS, headers=bearer(secret)).status_code == 200
    login(client, "staff@alpha.pt")
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id).filter_by(user_id=api_world.user_ids["staff"]))
    response = client.post(f"/account/api-tokens/{token_id}/revoke")
    assert response.status_code == 302
    _error(client.get(MENTORS, headers=bearer(secret)), 401, "token_invalid")
    with app.app_context():
        alpha_id = _tenant_id("alpha")
        with tenant_context(alpha_id):
            actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.record_type == "ApiToken")).all()
        assert "api_token.revoked" in actions and "api_token.created" in actions


def _tenant_id(slug):
    from network.core.tenancy.models import Tenant

    return db.session.scalar(sa.select(Tenant.id).filter_by(slug=slug))


def test_a_token_of_a_deactivated_user_is_401(app, client, api_world):
    with app.app_context():
        db.session.get(User, api_world.user_ids["staff"]).active = False
        db.session.commit()
    _error(client.get(MENTORS, headers=bearer(api_world.tokens["staff"])), 401, "token_invalid")


def test_a_token_without_the_scope_is_403(app, client, api_world):
    secret = _token(app, "staff@alpha.pt", scopes=["processes:read"])
    _error(client.get(MENTORS, headers=bearer(secret)), 403, "insufficient_scope")
    assert client.get("/api/v1/t/alpha/processes", headers=bearer(secret)).status_code == 200
    # Reading is not writing.
    read_only = _token(app, "staff@alpha.pt", scopes=["participants:read"])
    _error(client.post(MENTORS, json={"full_name": "X"}, headers=bearer(read_only)), 403, "insufficient_scope")


def test_the_scope_does_not_widen_the_role(client, api_world):
    # A mentor's token has every scope, but a mentor's role reads no one's records here.
    for path in ("mentors", "processes", "activities", "aggregates"):
        _error(client.get(f"/api/v1/t/alpha/{path}", headers=bearer(api_world.tokens["mentor"])), 404, "not_found")


def test_the_session_cookie_never_authenticates_the_api(client, api_world):
    login(client, "staff@alpha.pt")
    assert client.get("/t/alpha/mentors").status_code == 200  # the pages, yes
    _error(client.get(MENTORS), 401, "token_missing")
    _error(client.post(MENTORS, json={"full_name": "Sem Token"}), 401, "token_missing")


def test_the_api_is_exempt_from_csrf_but_the_token_page_is_not(app, client, api_world):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(MENTORS, headers=bearer(api_world.tokens["staff"]),
                               json={"full_name": "Rosa Token", "municipality": "Porto", "email": "rosa@example.pt"})
        assert response.status_code == 201, response.get_json()
        login_client = app.test_client()
        app.config["WTF_CSRF_ENABLED"] = False
        login(login_client, "staff@alpha.pt")
        app.config["WTF_CSRF_ENABLED"] = True
        refused = login_client.post("/account/api-tokens/", data={"name": "x", "scopes": "participants:read",
                                                                  "lifetime_days": "30"})
        assert refused.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_a_user_creates_a_token_sees_its_secret_once_and_only_its_digest_is_stored(app, client, api_world):
    login(client, "admin@alpha.pt")
    page = client.get("/account/api-tokens/")
    assert page.status_code == 200
    response = client.post("/account/api-tokens/", data={"name": "Relatório mensal",
                                                          "scopes": ["participants:read", "aggregates:read"],
                                                          "lifetime_days": "30"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    secret = html.split("<code>", 1)[1].split("</code>", 1)[0]
    assert secret.startswith("rmt_") and len(secret) > 40
    assert secret not in client.get("/account/api-tokens/").get_data(as_text=True)  # shown once
    with app.app_context():
        token = db.session.scalar(sa.select(ApiToken).filter_by(name="Relatório mensal"))
        assert token.scopes == ["aggregates:read", "participants:read"]
        assert secret not in (token.token_hash, token.token_prefix) and len(token.token_hash) == 64
        assert token.last_used_at is None
        assert timedelta(days=29) < token.expires_at - utcnow() <= timedelta(days=30)
        with tenant_context(_tenant_id("alpha")):
            assert db.session.scalar(sa.select(AuditEvent.changes).filter_by(action="api_token.created",
                                                                             record_id=token.id))["scopes"]
    assert client.get(MENTORS, headers=bearer(secret)).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(ApiToken.last_used_at).filter_by(name="Relatório mensal")) is not None
    audit_page = client.get("/t/alpha/audit").get_data(as_text=True)  # the partner's administrators see it
    assert "Criou um token de API" in audit_page and "Âmbitos" in audit_page


@pytest.mark.parametrize("form, field", [
    ({"name": "", "scopes": ["participants:read"], "lifetime_days": "30"}, "name"),
    ({"name": "x", "lifetime_days": "30"}, "scopes"),
    ({"name": "x", "scopes": ["everything:write"], "lifetime_days": "30"}, "scopes"),
    ({"name": "x", "scopes": ["participants:read"], "lifetime_days": "9999"}, "lifetime_days"),
])
def test_a_bad_token_form_is_refused_with_a_translated_message(client, api_world, form, field):
    login(client, "admin@alpha.pt")
    response = client.post("/account/api-tokens/", data=form)
    assert response.status_code == 400
    assert 'id="f-' + field + '-error"' in response.get_data(as_text=True)


def test_the_token_page_is_in_portuguese(client, api_world):
    from tests.test_translations import english_only_texts, leaked

    login(client, "admin@alpha.pt")
    client.post("/account/api-tokens/", data={"name": "Painel", "scopes": ["aggregates:read"], "lifetime_days": "90"})
    page = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "Tokens de API" in page
    assert leaked(english_only_texts(), page) == []


def test_nobody_revokes_another_users_token(app, client, api_world):
    with app.app_context():
        token_id = db.session.scalar(sa.select(ApiToken.id).filter_by(user_id=api_world.user_ids["beta_staff"]))
    login(client, "admin@alpha.pt")
    assert client.post(f"/account/api-tokens/{token_id}/revoke").status_code == 404
    assert client.get("/api/v1/t/beta/mentors", headers=bearer(api_world.tokens["beta_staff"])).status_code == 200


def test_the_token_page_needs_a_login(client):
    assert "/login" in client.get("/account/api-tokens/").location
    assert "/login" in client.post("/account/api-tokens/1/revoke").location

"""Hardening: headers on every response, login throttling and back-off, the password policy."""
import pytest

from tests.factories import PASSWORD, login


def test_security_headers_are_on_every_response(client, two_partners):
    responses = [client.get("/login"), client.get("/no-such-page"), client.get("/static/css/app.css")]
    login(client, two_partners.alpha_admin)
    responses.append(client.get(f"/t/{two_partners.alpha.slug}/"))
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert responses[-1].headers["Cache-Control"] == "no-store"


def test_pages_carry_no_inline_script_or_style(client, two_partners):
    login(client, two_partners.alpha_admin)
    for url in ("/login", f"/t/{two_partners.alpha.slug}/", f"/t/{two_partners.alpha.slug}/members", "/account"):
        page = client.get(url).get_data(as_text=True)
        assert "<script" not in page and "style=" not in page and "<style" not in page


def _fail(client, email):
    return client.post("/login", data={"email": email, "password": "wrong-password"})


def test_an_account_locks_after_repeated_failures_and_not_before(app, client, two_partners):
    client.post("/locale", data={"locale": "en"})
    for _ in range(5):
        assert _fail(client, two_partners.alpha_staff).status_code == 401
    response = client.post("/login", data={"email": two_partners.alpha_staff, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed attempts for this account." in response.get_data(as_text=True)
    # Another account from the same connection is unaffected.
    assert client.post("/login", data={"email": two_partners.alpha_admin, "password": PASSWORD}).status_code == 302


def test_the_back_off_is_released_when_its_wait_has_passed(app, client, two_partners):
    from datetime import timedelta

    import sqlalchemy as sa

    from network.core.accounts.throttle import LoginBackoff
    from network.core.extensions import db
    from network.core.timeutil import utcnow

    for _ in range(5):
        _fail(client, two_partners.alpha_staff)
    assert client.post("/login", data={"email": two_partners.alpha_staff, "password": PASSWORD}).status_code == 429
    with app.app_context():  # the wait (30 s after the fifth failure) has passed
        db.session.execute(sa.update(LoginBackoff).values(blocked_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert client.post("/login", data={"email": two_partners.alpha_staff, "password": PASSWORD}).status_code == 302


def test_unknown_addresses_lock_like_known_ones(client):
    for _ in range(5):
        _fail(client, "ghost@example.pt")
    assert _fail(client, "ghost@example.pt").status_code == 429


def test_an_address_is_rate_limited(app, client):
    for _ in range(30):
        client.post("/login", data={"email": "bad", "password": "x"})
    response = client.post("/login", data={"email": "bad", "password": "x"}, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


@pytest.mark.parametrize("password, message", [
    ("curta", "Use a password between 10 and 256 characters long."),
    ("password123", "This password is too common"),
    ("1234567890", "This password is too common"),
])
def test_weak_passwords_are_refused(client, two_partners, password, message):
    login(client, two_partners.alpha_admin, locale="en")
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": password,
                                                      "password_confirm": password})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)

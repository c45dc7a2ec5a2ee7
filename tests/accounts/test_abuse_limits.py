"""Account abuse limits: reset e-mails per address and per client, invitations per address,
passwords that are the account's own e-mail or name or a common one, and a login back-off
that slows down the client guessing, never the owner of the account."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.throttle import LoginBackoff
from network.core.extensions import db
from network.core.timeutil import utcnow
from network.national.app import create_app
from tests.conftest import DATABASE_URL
from tests.factories import PASSWORD, login, make_tenant, make_user

FORGOT_ANSWER = "Se este endereço tiver uma conta"


@pytest.fixture
def alpha(app):
    with app.app_context():
        tenant = make_tenant("alpha", name="Associação Alfa")
        make_user("ana.silva@alpha.pt", "Ana Silva", [(tenant, "partner_admin")])
        make_user("rui@alpha.pt", "Rui Costa", [(tenant, "staff")])
        make_user("ines@alpha.pt", "Inês Duarte", [(tenant, "staff")])
        db.session.commit()


def _client(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_the_fourth_reset_email_within_the_hour_is_not_sent_and_the_answer_is_the_same(app, alpha, sent_mail):
    client = _client(app, "198.51.100.7")
    for attempt in range(4):
        page = client.post("/password/forgot", data={"email": "rui@alpha.pt"}, follow_redirects=True)
        assert FORGOT_ANSWER in page.get_data(as_text=True), attempt
    assert [message["to"] for message in sent_mail] == ["rui@alpha.pt"] * 3


def test_reset_emails_are_limited_per_client_too(app, alpha, sent_mail, monkeypatch):
    monkeypatch.setitem(app.config, "RESET_EMAILS_PER_CLIENT_HOURLY", 2)
    sprayer = _client(app, "203.0.113.9")
    for email in ("ana.silva@alpha.pt", "rui@alpha.pt", "ines@alpha.pt"):
        sprayer.post("/password/forgot", data={"email": email})
    assert len(sent_mail) == 2
    _client(app, "198.51.100.7").post("/password/forgot", data={"email": "ines@alpha.pt"})
    assert len(sent_mail) == 3  # another client is not held back


def test_a_reset_link_arrives_again_an_hour_later(app, alpha, sent_mail):
    from network.core.accounts.reset_requests import PasswordResetRequest

    client = _client(app, "198.51.100.7")
    for _ in range(3):
        client.post("/password/forgot", data={"email": "rui@alpha.pt"})
    with app.app_context():
        db.session.execute(sa.update(PasswordResetRequest).values(requested_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()
    client.post("/password/forgot", data={"email": "rui@alpha.pt"})
    assert len(sent_mail) == 4


def test_a_fourth_invitation_to_one_address_within_the_hour_is_refused_with_a_reason(app, alpha, sent_mail):
    admin = _client(app, "198.51.100.7")
    login(admin, "ana.silva@alpha.pt", locale="en")
    for attempt in range(3):
        response = admin.post("/t/alpha/members", data={"email": "nova@example.pt", "role": "staff"})
        assert response.status_code == 302, attempt
    page = admin.post("/t/alpha/members", data={"email": "nova@example.pt", "role": "staff"}).get_data(as_text=True)
    assert "This address has received several invitations in the last hour." in page
    assert 'value="nova@example.pt"' in page  # nothing typed is lost
    assert len(sent_mail) == 3


def _reset_path(client, sent_mail, email="ana.silva@alpha.pt"):
    import re

    client.post("/password/forgot", data={"email": email})
    return re.search(r"http://localhost(/password/reset/\S+)", sent_mail[-1]["body"]).group(1)


@pytest.mark.parametrize("password, locale, message", [
    ("ana.silva@alpha.pt", "en", "The password must not contain your e-mail address or your name."),
    ("AnaSilva-2026!", "en", "The password must not contain your e-mail address or your name."),
    ("silva-e-outras-coisas", "pt_PT", "A palavra-passe não pode conter o seu endereço de e-mail nem o seu nome."),
    ("password123", "en", "This password is too common and easy to guess."),
    ("qwertyuiop", "pt_PT", "Esta palavra-passe é demasiado comum e fácil de adivinhar."),
])
def test_personal_and_common_passwords_are_refused_with_a_clear_message(app, alpha, sent_mail, password, locale,
                                                                         message):
    client = _client(app, "198.51.100.7")
    reset_path = _reset_path(client, sent_mail)
    client.post("/locale", data={"locale": locale})
    response = client.post(reset_path, data={"password": password, "password_confirm": password})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_changing_the_password_to_the_email_is_refused(app, alpha):
    client = _client(app, "198.51.100.7")
    login(client, "rui@alpha.pt", locale="en")
    response = client.post("/account/password", data={"current_password": PASSWORD, "password": "rui@alpha.pt-2026",
                                                      "password_confirm": "rui@alpha.pt-2026"})
    assert response.status_code == 400
    assert "must not contain your e-mail address or your name" in response.get_data(as_text=True)


def test_a_new_account_from_an_invitation_cannot_use_its_name_as_password(app, alpha, sent_mail):
    import re

    admin = _client(app, "198.51.100.7")
    login(admin, "ana.silva@alpha.pt")
    admin.post("/t/alpha/members", data={"email": "joana.pereira@example.pt", "role": "staff"})
    join_path = re.search(r"http://localhost(/join/\S+)", sent_mail[-1]["body"]).group(1)
    invitee = _client(app, "203.0.113.5")
    invitee.post("/locale", data={"locale": "en"})
    response = invitee.post(join_path, data={"name": "Joana Pereira", "password": "pereira-de-lisboa",
                                             "password_confirm": "pereira-de-lisboa"})
    assert response.status_code == 400
    assert "must not contain your e-mail address or your name" in response.get_data(as_text=True)


def _fail(client, email="rui@alpha.pt"):
    return client.post("/login", data={"email": email, "password": "not-the-password"}).status_code


def test_a_stranger_cannot_lock_the_owner_out(app, alpha):
    stranger = _client(app, "203.0.113.9")
    statuses = [_fail(stranger) for _ in range(12)]
    assert statuses[:5] == [401] * 5 and 429 in statuses
    owner = _client(app, "198.51.100.7")
    assert owner.post("/login", data={"email": "rui@alpha.pt", "password": PASSWORD}).status_code == 302


def test_the_guessing_client_waits_longer_after_each_failure(app, alpha):
    stranger = _client(app, "203.0.113.9")
    for _ in range(5):
        assert _fail(stranger) == 401
    # Even the right password is not checked while the client waits.
    assert stranger.post("/login", data={"email": "rui@alpha.pt", "password": PASSWORD}).status_code == 429

    def waits():
        with app.app_context():
            row = db.session.scalar(sa.select(LoginBackoff))
            return row.failures, round((row.blocked_until - row.last_failure_at).total_seconds())

    assert waits() == (5, 30)
    for expected in (60, 120):
        with app.app_context():
            db.session.execute(sa.update(LoginBackoff).values(blocked_until=utcnow() - timedelta(seconds=1)))
            db.session.commit()
        assert _fail(stranger) == 401
        assert waits()[1] == expected


def test_the_reset_path_is_never_blocked_and_a_new_password_clears_the_back_off(app, alpha, sent_mail):
    owner = _client(app, "198.51.100.7")
    for _ in range(6):
        _fail(owner, "ana.silva@alpha.pt")
    assert owner.post("/login", data={"email": "ana.silva@alpha.pt", "password": PASSWORD}).status_code == 429
    reset_path = _reset_path(owner, sent_mail)
    owner.post(reset_path, data={"password": "nova-senha-segura", "password_confirm": "nova-senha-segura"})
    assert owner.post("/login", data={"email": "ana.silva@alpha.pt",
                                      "password": "nova-senha-segura"}).status_code == 302


def test_behind_trusted_proxies_each_client_has_its_own_back_off(app, alpha):
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": DATABASE_URL, "TRUSTED_PROXIES": 1})
    nginx = {"REMOTE_ADDR": "10.0.0.2"}
    stranger = proxied.test_client()
    for _ in range(6):
        stranger.post("/login", data={"email": "rui@alpha.pt", "password": "wrong-password"},
                      environ_base=nginx, headers={"X-Forwarded-For": "203.0.113.9"})
    owner = proxied.test_client()
    response = owner.post("/login", data={"email": "rui@alpha.pt", "password": PASSWORD}, environ_base=nginx,
                          headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 302
    # A forged X-Forwarded-For in front of the real one changes nothing: only the proxy's hop counts.
    response = stranger.post("/login", data={"email": "rui@alpha.pt", "password": PASSWORD}, environ_base=nginx,
                             headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert response.status_code == 429


def test_without_trusted_proxies_a_forwarded_header_is_ignored(app, alpha):
    stranger = _client(app, "203.0.113.9")
    for number in range(6):
        stranger.post("/login", data={"email": "rui@alpha.pt", "password": "wrong-password"},
                      headers={"X-Forwarded-For": f"192.0.2.{number}"})
    assert stranger.post("/login", data={"email": "rui@alpha.pt", "password": PASSWORD},
                         headers={"X-Forwarded-For": "192.0.2.200"}).status_code == 429

"""Server-side sessions: a logged-out cookie is dead wherever it was copied; sessions end
after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after the login (expiry
checked against the stored timestamps, set back by the tests: no sleeps); the sessions page;
signing out everywhere else; a new password ends the other sessions; the language belongs to
the session."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.accounts.sessions import UserSession
from network.core.extensions import db
from network.core.timeutil import utcnow
from tests.factories import PASSWORD, login, make_tenant, make_user

PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 "
         "Mobile Safari/537.36")
LAPTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
RESET_LINK = re.compile(r"http://localhost(/password/reset/\S+)")


@pytest.fixture
def alpha(app):
    with app.app_context():
        tenant = make_tenant("alpha", name="Associação Alfa")
        make_user("ana@alpha.pt", "Ana Silva", [(tenant, "staff")])
        make_user("marta@alpha.pt", "Marta Mentora", [(tenant, "mentor")])
        db.session.commit()


def _client(app, user_agent, address="192.0.2.10"):
    client = app.test_client()
    client.environ_base.update({"HTTP_USER_AGENT": user_agent, "REMOTE_ADDR": address})
    return client


def _sessions(app, email="ana@alpha.pt"):
    with app.app_context():
        return db.session.scalars(sa.select(UserSession).join(User).where(User.email == email)
                                  .order_by(UserSession.id)).all()


def _set_back(app, **ago):
    """Move every stored session timestamp named in `ago` into the past."""
    with app.app_context():
        db.session.execute(sa.update(UserSession).values(
            {column: utcnow() - delta for column, delta in ago.items()}))
        db.session.commit()


def test_a_copied_cookie_no_longer_works_after_logout(app, alpha):
    victim = _client(app, LAPTOP)
    login(victim, "ana@alpha.pt")
    copied = victim.get_cookie("session").value
    attacker = _client(app, LAPTOP)
    attacker.set_cookie("session", copied)
    assert attacker.get("/t/alpha/").status_code == 200  # the copy works while the session lives

    assert victim.post("/logout").status_code == 302
    response = attacker.get("/t/alpha/")
    assert response.status_code == 302 and "/login" in response.location
    assert _sessions(app) == []


def test_a_session_ends_after_30_minutes_without_a_request(app, alpha):
    client = _client(app, LAPTOP)
    login(client, "ana@alpha.pt")
    _set_back(app, last_seen_at=timedelta(minutes=29))
    assert client.get("/t/alpha/").status_code == 200  # and this request counts as activity
    _set_back(app, last_seen_at=timedelta(minutes=31))
    response = client.get("/t/alpha/")
    assert response.status_code == 302 and "/login" in response.location
    assert _sessions(app) == []  # the expired row is gone


def test_a_session_ends_12_hours_after_the_login_however_active(app, alpha):
    client = _client(app, LAPTOP)
    login(client, "ana@alpha.pt")
    _set_back(app, created_at=timedelta(hours=11, minutes=59), last_seen_at=timedelta(seconds=5))
    assert client.get("/t/alpha/").status_code == 200
    _set_back(app, created_at=timedelta(hours=12, minutes=1), last_seen_at=timedelta(seconds=5))
    response = client.get("/t/alpha/")
    assert response.status_code == 302 and "/login" in response.location


def test_the_limits_are_settings(app, alpha, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    client = _client(app, LAPTOP)
    login(client, "ana@alpha.pt")
    _set_back(app, last_seen_at=timedelta(minutes=6))
    assert client.get("/t/alpha/").status_code == 302


def test_portal_only_accounts_keep_longer_sessions(app, alpha):
    mentor = _client(app, PHONE)
    login(mentor, "marta@alpha.pt")
    _set_back(app, last_seen_at=timedelta(hours=2))
    assert mentor.get("/t/alpha/portal/").status_code == 200
    _set_back(app, last_seen_at=timedelta(hours=13))
    assert mentor.get("/t/alpha/portal/").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute(app, alpha):
    client = _client(app, LAPTOP)
    login(client, "ana@alpha.pt")
    _set_back(app, last_seen_at=timedelta(seconds=30))
    before = _sessions(app)[0].last_seen_at
    client.get("/t/alpha/")
    assert _sessions(app)[0].last_seen_at == before
    _set_back(app, last_seen_at=timedelta(minutes=2))
    client.get("/t/alpha/")
    assert utcnow() - _sessions(app)[0].last_seen_at < timedelta(seconds=10)


def test_the_sessions_page_lists_devices_and_signs_out_everywhere_else(app, alpha):
    phone, laptop = _client(app, PHONE, "198.51.100.7"), _client(app, LAPTOP, "203.0.113.5")
    login(phone, "ana@alpha.pt")
    login(laptop, "ana@alpha.pt", locale="en")
    page = laptop.get("/account/sessions").get_data(as_text=True)
    assert "Chrome · Android" in page and "198.51.100.7" in page
    assert "Firefox · Windows" in page and "203.0.113.5" in page
    assert page.count("(this session)") == 1
    assert re.search(r"Firefox · Windows <strong>\(this session\)</strong>", page)

    response = laptop.post("/account/sessions/end-others", follow_redirects=True)
    assert "Every other session has been signed out (1)." in response.get_data(as_text=True)
    assert phone.get("/t/alpha/").status_code == 302
    assert laptop.get("/t/alpha/").status_code == 200
    assert len(_sessions(app)) == 1


def test_one_other_session_can_be_signed_out_and_no_one_elses(app, alpha):
    phone, laptop = _client(app, PHONE), _client(app, LAPTOP)
    login(phone, "ana@alpha.pt")
    login(laptop, "ana@alpha.pt")
    phone_session, _laptop_session = _sessions(app)
    other = _client(app, LAPTOP)
    login(other, "marta@alpha.pt")
    assert other.post(f"/account/sessions/{phone_session.id}/end").status_code == 404
    assert laptop.post(f"/account/sessions/{phone_session.id}/end").status_code == 302
    assert phone.get("/t/alpha/").status_code == 302
    assert laptop.get("/t/alpha/").status_code == 200


def test_a_password_reset_ends_every_session(app, alpha, sent_mail):
    phone, laptop = _client(app, PHONE), _client(app, LAPTOP)
    login(phone, "ana@alpha.pt")
    login(laptop, "ana@alpha.pt")
    anonymous = _client(app, LAPTOP)
    anonymous.post("/password/forgot", data={"email": "ana@alpha.pt"})
    reset_path = RESET_LINK.search(sent_mail[-1]["body"]).group(1)
    response = anonymous.post(reset_path,
                              data={"password": "nova-senha-segura", "password_confirm": "nova-senha-segura"})
    assert response.status_code == 302
    assert phone.get("/t/alpha/").status_code == 302
    assert laptop.get("/t/alpha/").status_code == 302
    assert _sessions(app) == []


def test_a_password_change_keeps_only_the_session_that_changed_it_under_a_new_token(app, alpha):
    phone, laptop = _client(app, PHONE), _client(app, LAPTOP)
    login(phone, "ana@alpha.pt")
    login(laptop, "ana@alpha.pt")
    old_cookie = laptop.get_cookie("session").value
    laptop.post("/account/password", data={"current_password": PASSWORD, "password": "outra-senha-longa",
                                           "password_confirm": "outra-senha-longa"})
    assert laptop.get("/t/alpha/").status_code == 200
    assert phone.get("/t/alpha/").status_code == 302
    replay = _client(app, LAPTOP)
    replay.set_cookie("session", old_cookie)
    assert replay.get("/t/alpha/").status_code == 302  # the cookie from before the change is dead too
    assert len(_sessions(app)) == 1


def test_the_language_switch_belongs_to_the_session_and_the_account_page_saves_it(app, alpha):
    client = _client(app, LAPTOP)
    login(client, "ana@alpha.pt")
    client.post("/locale", data={"locale": "en"})
    assert "Your role here" in client.get("/t/alpha/").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(User.preferred_locale).where(User.email == "ana@alpha.pt")) is None
    other_device = _client(app, PHONE)
    login(other_device, "ana@alpha.pt")
    assert "Your role here" not in other_device.get("/t/alpha/").get_data(as_text=True)  # still Portuguese

    client.post("/account", data={"name": "Ana Silva", "preferred_locale": "en"})
    with app.app_context():
        assert db.session.scalar(sa.select(User.preferred_locale).where(User.email == "ana@alpha.pt")) == "en"

"""Logging in and out, refusals with clear translated messages, the session epoch."""
import pytest

from network.core.accounts.models import User
from network.core.extensions import db
from tests.factories import PASSWORD, login, make_tenant, make_user


@pytest.fixture
def alpha_user(app):
    with app.app_context():
        alpha = make_tenant("alpha", name="Associação Alfa")
        make_user("ana@alpha.pt", "Ana", [(alpha, "staff")])
        make_user("ines@alpha.pt", "Inês", [(alpha, "staff")], active=False)
        make_user("nobody@alpha.pt", "Sem Lugar")
        db.session.commit()


def _login(client, email, password, locale="pt_PT"):
    client.post("/locale", data={"locale": locale})
    return client.post("/login", data={"email": email, "password": password})


def test_login_lands_in_the_only_workspace(client, alpha_user):
    response = _login(client, "ANA@alpha.pt ", PASSWORD)
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.request.path == "/t/alpha/"
    assert "Associação Alfa" in home.get_data(as_text=True)


@pytest.mark.parametrize(
    "email, password, locale, message",
    [
        ("ana@alpha.pt", "wrong-password", "pt_PT", "O endereço de e-mail ou a palavra-passe não estão corretos."),
        ("ana@alpha.pt", "wrong-password", "en", "The e-mail address or the password is not correct."),
        ("ghost@alpha.pt", PASSWORD, "en", "The e-mail address or the password is not correct."),
        ("ines@alpha.pt", PASSWORD, "en", "This account is deactivated."),
        ("nobody@alpha.pt", PASSWORD, "en", "This account has no active workspace."),
    ],
)
def test_refused_logins_say_why_in_the_users_language(client, alpha_user, email, password, locale, message):
    response = _login(client, email, password, locale)
    assert response.status_code == 401
    assert message in response.get_data(as_text=True)
    assert client.get("/t/alpha/").status_code == 302  # still anonymous


def test_an_inactive_account_is_not_revealed_without_its_password(client, alpha_user):
    page = _login(client, "ines@alpha.pt", "wrong-password", "en").get_data(as_text=True)
    assert "deactivated" not in page
    assert "The e-mail address or the password is not correct." in page


def test_malformed_login_input_is_refused_and_the_email_kept(client, alpha_user):
    response = _login(client, "not-an-email", "x", "en")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a valid e-mail address" in page
    assert 'value="not-an-email"' in page


def test_a_member_of_another_tenant_gets_a_translated_404(app, client, alpha_user):
    with app.app_context():
        make_tenant("beta")
        db.session.commit()
    login(client, "ana@alpha.pt", locale="pt_PT")
    response = client.get("/t/beta/")
    assert response.status_code == 404
    assert "Página não encontrada" in response.get_data(as_text=True)


def test_logout_ends_the_session(client, alpha_user):
    login(client, "ana@alpha.pt")
    assert client.post("/logout").status_code == 302
    assert client.get("/t/alpha/").status_code == 302


def test_login_starts_a_fresh_session(client, alpha_user):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "ana@alpha.pt")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_only_local_next_urls_are_followed(client, alpha_user):
    client.post("/locale", data={"locale": "en"})
    response = client.post("/login?next=https://evil.example/", data={"email": "ana@alpha.pt", "password": PASSWORD})
    assert response.location == "/"
    client.post("/logout")
    response = client.post("/login?next=/account", data={"email": "ana@alpha.pt", "password": PASSWORD})
    assert response.location == "/account"


def test_changing_the_password_logs_out_every_other_session(app, alpha_user):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, "ana@alpha.pt")
    login(laptop, "ana@alpha.pt")
    response = laptop.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": "outra-senha-longa", "password_confirm": "outra-senha-longa"},
    )
    assert response.status_code == 302
    assert laptop.get("/t/alpha/").status_code == 200
    assert phone.get("/t/alpha/").status_code == 302


def test_the_users_language_preference_wins_over_the_browser(app, client, alpha_user):
    with app.app_context():
        db.session.scalar(db.select(User).filter_by(email="ana@alpha.pt")).preferred_locale = "en"
        db.session.commit()
    client.post("/login", data={"email": "ana@alpha.pt", "password": PASSWORD})
    page = client.get("/t/alpha/", headers={"Accept-Language": "pt-PT"}).get_data(as_text=True)
    assert "Your role here" in page


def test_accept_language_picks_the_language_of_anonymous_visitors(client):
    assert "Log in" in client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Iniciar sessão" in client.get("/login", headers={"Accept-Language": "pt-PT"}).get_data(as_text=True)
    assert "Iniciar sessão" in client.get("/login").get_data(as_text=True)  # pt_PT is the default

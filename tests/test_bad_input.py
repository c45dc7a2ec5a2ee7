"""Bad input: a clear translated answer (400/404/413), never a 500, nothing half-written."""
import sqlalchemy as sa

from network.core.accounts.models import Invitation, User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tests.factories import login


def test_oversized_form_fields_are_refused_with_a_message(app, client, two_partners):
    login(client, two_partners.alpha_admin)
    client.post("/locale", data={"locale": "en"})
    response = client.post("/account", data={"name": "J" * 201, "preferred_locale": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Use at most 200 characters." in page
    assert 'value="' + "J" * 201 + '"' in page  # what the user typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(User.name).filter_by(email=two_partners.alpha_admin)) == "Ana Admin"


def test_unknown_choices_are_refused(app, client, two_partners):
    login(client, two_partners.alpha_admin)
    client.post("/locale", data={"locale": "en"})
    response = client.post(f"/t/{two_partners.alpha.slug}/members", data={"email": "ok@example.pt", "role": "emperor"})
    assert response.status_code == 400
    assert "Choose one of the options." in response.get_data(as_text=True)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_an_oversized_body_is_refused_early(client):
    response = client.post("/login", data={"email": "a@b.pt", "password": "x" * (3 * 1024 * 1024)},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)


def test_an_unknown_language_is_refused(client):
    assert client.post("/locale", data={"locale": "xx"}).status_code == 400


def test_unicode_names_are_kept_intact(app, client, two_partners):
    login(client, two_partners.alpha_admin)
    for name in ("João Łukasz", "محمد الأمين", "Zoë N'Dour"):
        assert client.post("/account", data={"name": name, "preferred_locale": "pt_PT"}).status_code == 302
        assert name in client.get("/account").get_data(as_text=True).replace("&#39;", "'")


def test_markup_in_input_is_shown_inert(client, two_partners):
    login(client, two_partners.alpha_admin)
    client.post("/account", data={"name": "<script>alert(1)</script>", "preferred_locale": "pt_PT"})
    page = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_csrf_is_enforced_when_enabled(app, two_partners):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/login", data={"email": "a@b.pt", "password": "x"},
                                          headers={"Accept-Language": "en"})
        assert response.status_code == 400
        assert "This form has expired" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False

import re

from tests.factories import PASSWORD

RESET_LINK = re.compile(r"http://localhost(/password/reset/\S+)")


def test_a_reset_link_is_sent_used_once_and_logs_in_with_the_new_password(app, client, two_partners, sent_mail):
    response = client.post("/password/forgot", data={"email": two_partners.alpha_staff})
    assert response.status_code == 302
    (message,) = sent_mail
    reset_path = RESET_LINK.search(message["body"]).group(1)
    response = client.post(reset_path, data={"password": "nova-senha-segura", "password_confirm": "nova-senha-segura"})
    assert response.status_code == 302
    assert client.get(reset_path).status_code == 404  # used
    assert client.post("/login", data={"email": two_partners.alpha_staff, "password": PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": two_partners.alpha_staff,
                                       "password": "nova-senha-segura"}).status_code == 302


def test_unknown_addresses_get_the_same_answer_and_no_mail(client, two_partners, sent_mail):
    known = client.post("/password/forgot", data={"email": two_partners.alpha_staff}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "ghost@example.pt"}, follow_redirects=True)
    assert len(sent_mail) == 1
    message = "Se este endereço tiver uma conta"
    assert message in known.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_mismatched_or_short_passwords_are_refused(client, two_partners, sent_mail):
    client.post("/password/forgot", data={"email": two_partners.alpha_staff})
    reset_path = RESET_LINK.search(sent_mail[0]["body"]).group(1)
    client.post("/locale", data={"locale": "en"})
    page = client.post(reset_path, data={"password": "nova-senha-segura", "password_confirm": "outra"})
    page = page.get_data(as_text=True)
    assert "The two passwords do not match." in page
    page = client.post(reset_path, data={"password": "curta", "password_confirm": "curta"}).get_data(as_text=True)
    assert "Use a password between 10 and 256 characters long." in page


def test_a_tampered_token_is_refused(client):
    assert client.get("/password/reset/not-a-real-token").status_code == 404

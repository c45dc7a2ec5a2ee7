"""Every API error is JSON with a machine-readable code and a message in the language the
client asks for (pt-PT unless it asks for en); never an HTML page, never a stack trace."""
import pytest

from tests.factories import bearer

BASE = "/api/v1/t/alpha"


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    return response.get_json()["error"]


@pytest.mark.parametrize("locale, message", [
    (None, "É necessário um token de API válido"),
    ("pt-PT", "É necessário um token de API válido"),
    ("pt", "É necessário um token de API válido"),
    ("en", "A valid API token is needed"),
    ("en-GB,en;q=0.8", "A valid API token is needed"),
    ("fr", "É necessário um token de API válido"),
])
def test_messages_follow_accept_language(client, api_world, locale, message):
    headers = {"Accept-Language": locale} if locale else {}
    assert _error(client.get(f"{BASE}/mentors", headers=headers), 401)["message"].startswith(message)


def test_the_users_preferred_language_does_not_override_the_clients(app, client, api_world):
    # The staff member prefers English in the pages; the API client asked for nothing: pt-PT.
    from network.core.accounts.models import User
    from network.core.extensions import db

    with app.app_context():
        db.session.get(User, api_world.user_ids["staff"]).preferred_locale = "en"
        db.session.commit()
    body = _error(client.get(f"{BASE}/mentors/999999", headers=bearer(api_world.tokens["staff"])), 404)
    assert body["code"] == "not_found" and body["message"] == "Não encontrado, ou não disponível para este token."


def test_an_unknown_address_is_a_json_404(client):
    body = _error(client.get("/api/v1/nothing-here", headers={"Accept-Language": "en"}), 404)
    assert body["code"] == "not_found" and body["message"] == "Not found, or not available to this token."
    assert client.get("/api/v1/t/alpha/mentors/0").mimetype == "application/json"
    assert client.get("/api/v1/t/alpha/mentors/abc").mimetype == "application/json"


def test_a_wrong_method_is_a_json_405_with_allow(client, api_world):
    response = client.delete(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"], "en"))
    body = _error(response, 405)
    assert body["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_a_body_that_is_not_json_is_415(client, api_world):
    response = client.post(f"{BASE}/mentors", data={"full_name": "Form"}, headers=bearer(api_world.tokens["staff"]))
    body = _error(response, 415)
    assert body["code"] == "unsupported_media_type" and "JSON" in body["message"]


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"null", b'"text"', b"\xff\xfe"])
def test_malformed_json_is_400(client, api_world, raw):
    response = client.post(f"{BASE}/mentors", data=raw, content_type="application/json",
                           headers=bearer(api_world.tokens["staff"], "en"))
    assert _error(response, 400)["code"] == "invalid_json"


def test_invalid_fields_are_422_with_translated_messages_per_field(client, api_world):
    payload = {"full_name": "", "municipality": "Porto", "email": "not-an-email", "hours_per_week": 99,
               "languages": [{"code": "xx", "level": "c1"}]}
    pt = _error(client.post(f"{BASE}/mentors", json=payload, headers=bearer(api_world.tokens["staff"])), 422)
    en = _error(client.post(f"{BASE}/mentors", json=payload, headers=bearer(api_world.tokens["staff"], "en")), 422)
    assert pt["code"] == en["code"] == "validation_failed"
    assert en["message"] == "Some fields are not valid." and pt["message"] == "Alguns campos não são válidos."
    assert en["details"]["full_name"] == ["This field is required."]
    assert en["details"]["hours_per_week"] == ["Enter a number from 1 to 40."]
    assert en["details"]["email"] == ["Enter a valid e-mail address, like name@example.pt."]
    assert en["details"]["languages"]["0"]["code"] == ["Choose one of the options."]
    assert pt["details"]["full_name"] == ["Este campo é obrigatório."]


def test_bad_query_parameters_are_400_with_details(client, api_world):
    response = client.get(f"{BASE}/mentors?per_page=1000&status=emperor",
                          headers=bearer(api_world.tokens["staff"], "en"))
    body = _error(response, 400)
    assert body["code"] == "invalid_query"
    assert set(body["details"]) == {"per_page", "status"}
    aggregates = client.get(f"{BASE}/aggregates?from=2026-13", headers=bearer(api_world.tokens["staff"], "en"))
    assert _error(aggregates, 400)["details"]["from"] == ["Enter a month like 2026-03."]


def test_a_nul_character_is_refused_with_a_message_not_a_database_error(client, api_world):
    response = client.post(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"], "en"),
                           json={"full_name": "Nul\x00Byte", "municipality": "Porto", "email": "nul@example.pt"})
    assert _error(response, 422)["details"]["full_name"] == ["Remove the invisible control characters from this text."]
    search = client.get(f"{BASE}/mentors?q=a%00b", headers=bearer(api_world.tokens["staff"]))
    assert _error(search, 400)["details"]["q"]


def test_out_of_range_ids_in_a_body_are_422_not_500(client, api_world):
    response = client.post(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"], "en"),
                           json={"full_name": "Ida Grande", "municipality": "Porto", "email": "ida@example.pt",
                                 "company_id": 2**63, "referral_activity_id": 99999})
    details = _error(response, 422)["details"]
    assert details == {"company_id": ["Choose one of the options."]}


def test_an_oversized_body_is_a_json_413_on_the_api(client, api_world):
    response = client.post(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"], "en"),
                           json={"full_name": "x" * (70 * 1024), "municipality": "Porto"})
    body = _error(response, 413)
    assert body["code"] == "payload_too_large" and body["message"] == "The request body is too large."


def test_an_oversized_body_is_a_translated_html_413_elsewhere(client):
    response = client.post("/login", data={"email": "a@b.pt", "password": "x" * (300 * 1024)})
    assert response.status_code == 413 and response.mimetype == "text/html"
    assert "demasiado grande" in response.get_data(as_text=True)


def test_an_import_of_the_largest_allowed_list_fits_under_the_upload_limit(app):
    from tenants.participants.imports import IMPORT_COLUMNS, MAX_IMPORT_ROWS

    row = {"full_name": "Maria da Conceição Fernandes Rodrigues", "email": "maria.fernandes.rodrigues@example.pt",
           "phone": "+351 912 345 678", "municipality": "Vila Nova de Famalicão", "country_of_origin": "BR",
           "nationality": "BR", "arrival_year": "2023", "portuguese_level": "native", "languages": "en:b1;es:a2",
           "support_areas": "qualification_job_search;housing;education", "residence_status": "residence_permit",
           "migration_reason": "work", "employment_status": "unemployed", "age_band": "25_34",
           "gender": "female", "preferred_mentor_gender": "female", "referral_source": "word_of_mouth",
           "availability_days": "mon;wed;fri", "availability_periods": "morning;evening",
           "expectations": "Encontrar trabalho na minha área e melhorar o português. " * 2}
    line = ",".join(f'"{row.get(column, "")}"' for column in IMPORT_COLUMNS["mentee"])
    assert len(line.encode()) * (MAX_IMPORT_ROWS + 1) < app.config["MAX_CONTENT_LENGTH"]


def test_too_many_requests_is_a_json_429(app, client, api_world):
    default = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert client.get(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"])).status_code == 200
        body = _error(client.get(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"], "en")), 429)
        assert body["code"] == "too_many_requests"
        assert client.get("/login").status_code == 200  # the pages have their own limits
    finally:
        app.config["API_RATE_LIMIT"] = default


def test_an_unexpected_error_is_a_json_500_without_details(client, api_world, monkeypatch):
    from tenants.activities import services

    def broken(activity_id):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "get_activity", broken)
    response = client.get(f"{BASE}/activities/1", headers=bearer(api_world.tokens["staff"], "en"))
    body = _error(response, 500)
    assert body == {"status": 500, "code": "internal_error",
                    "message": "An unexpected error happened. Nothing was saved."}
    assert "fire" not in response.get_data(as_text=True)


def test_api_responses_are_never_cached(client, api_world):
    response = client.get(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"]))
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(f"{BASE}/mentors").headers["Cache-Control"] == "no-store"


def test_an_oversized_form_is_refused_before_the_csrf_check_reads_it(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/login", data={"email": "a@b.pt", "password": "x" * (300 * 1024)})
        assert response.status_code == 413
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_an_upload_above_the_limit_is_refused_and_one_below_is_read(app, client, api_world):
    import io

    from tests.factories import login

    login(client, "staff@alpha.pt", locale="en")
    limit = app.config["MAX_CONTENT_LENGTH"]
    too_big = client.post("/t/alpha/imports/new", content_type="multipart/form-data",
                          data={"role": "mentor", "file": (io.BytesIO(b"x" * limit), "list.csv")})
    assert too_big.status_code == 413 and "What you sent is too large." in too_big.get_data(as_text=True)
    csv = b"full_name,email,municipality\n" + b"".join(
        b"Pessoa %d,pessoa%d@example.pt,Porto\n" % (number, number) for number in range(3000))
    accepted = client.post("/t/alpha/imports/new", content_type="multipart/form-data",
                           data={"role": "mentor", "file": (io.BytesIO(csv), "list.csv")})
    assert accepted.status_code in (200, 302), accepted.status_code

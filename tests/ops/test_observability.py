"""Operations as a scraper and a log shipper see them: `/healthz`, `/metrics` (Prometheus text,
parsed with the client's own parser, with names and no ids in its labels) and one JSON log
line per request and per job, carrying ids, never personal data."""
import json
import logging
import re

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis

from network.core.extensions import db
from network.core.ops.logs import JsonFormatter, TextFormatter
from network.core.tenancy import tenant_context
from network.national.app import create_app
from tenants.participants.services import allowed_moves
from tests.conftest import DATABASE_URL, RUNTIME_DATABASE_URL
from tests.factories import login, make_mentee

DATABASES = {"SQLALCHEMY_DATABASE_URI": RUNTIME_DATABASE_URL, "MIGRATION_DATABASE_URI": DATABASE_URL}

NEXT_STATUS = "interviewed"
TOKEN = "scrape-secret-0123456789"
# A path segment that is a number, or anything like an e-mail address.
ID_SEGMENT = re.compile(r"(^|/)\d+(/|$)")


@pytest.fixture
def mentee_id(app, two_partners):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        mentee = make_mentee("Amina Segredo", email="amina.segredo@example.pt")
        db.session.commit()
        assert NEXT_STATUS in allowed_moves(mentee)
        return mentee.id


def test_healthz_answers_without_a_login_and_says_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def _scrape(client, **headers):
    return client.get("/metrics", headers=headers)


def test_metrics_need_the_token_or_an_allowed_network(app, client, monkeypatch):
    assert _scrape(client).status_code == 404  # nothing configured: no such page
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    assert _scrape(client).status_code == 404
    assert _scrape(client, Authorization="Bearer wrong").status_code == 404
    assert _scrape(client, Authorization=f"Bearer {TOKEN}").status_code == 200
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_NETWORKS", ("10.0.0.0/8",))
    assert _scrape(client).status_code == 404  # the test client is 127.0.0.1
    monkeypatch.setitem(app.config, "METRICS_ALLOWED_NETWORKS", ("127.0.0.0/8",))
    assert _scrape(client).status_code == 200


def test_metrics_parse_and_carry_the_key_series_with_names_only(app, client, two_partners, mentee_id, redis_url,
                                                                monkeypatch):
    Redis.from_url(redis_url).flushdb()
    login(client, two_partners.alpha_staff, locale="en")
    # Pages named by id and a search by e-mail: neither may reach a label.
    assert client.get(f"/t/alpha/mentees/{mentee_id}").status_code == 200
    assert client.get("/t/alpha/mentees?q=amina.segredo@example.pt").status_code == 200
    assert client.get("/t/alpha/mentees/987654").status_code == 404
    # A change the roll-ups count: its recount is a job, run in-process (no Redis yet).
    assert client.post(f"/t/alpha/mentees/{mentee_id}/status", data={"status": NEXT_STATUS}).status_code == 302
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)

    response = _scrape(client, Authorization=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    families = {family.name: family for family in text_string_to_metric_families(response.get_data(as_text=True))}

    for name in ("rede_http_requests", "rede_http_request_duration_seconds", "rede_jobs", "rede_job_duration_seconds",
                 "rede_db_pool_connections_open", "rede_db_pool_connections_in_use", "rede_rq_jobs", "rede_rq_workers",
                 "rede_outbox_messages", "rede_rollups_oldest_pending_seconds", "rede_component_up"):
        assert name in families, name
    requests = {(s.labels["endpoint"], s.labels["status"]) for s in families["rede_http_requests"].samples
                if s.name == "rede_http_requests_total"}
    assert ("participants.mentee_detail", "200") in requests
    assert ("participants.mentee_detail", "404") in requests
    assert ("participants.mentee_list", "200") in requests
    jobs = {s.labels["function"] for s in families["rede_jobs"].samples if s.labels.get("status") == "finished"}
    assert "network.national.dashboards.hooks.recount_stale_partners" in jobs
    queues = {s.labels["queue"] for s in families["rede_rq_jobs"].samples}
    assert queues == {"default", "mail", "rollups", "exports"}
    up = {s.labels["component"]: s.value for s in families["rede_component_up"].samples}
    assert up == {"redis": 1, "database": 1}
    _check_names_only(families, mentee_id)


def _check_names_only(families, mentee_id):
    for family in families.values():
        for sample in family.samples:
            for label, value in sample.labels.items():
                if label in ("status", "le"):  # an HTTP status code, a histogram bucket: numbers by nature
                    continue
                assert not ID_SEGMENT.search(value), (sample.name, label, value)
                assert "@" not in value, (sample.name, label, value)
                assert str(mentee_id) not in value.split("/"), (sample.name, label, value)


def _lines(caplog, logger):
    return [json.loads(JsonFormatter().format(record)) for record in caplog.records if record.name == logger]


def test_one_json_line_per_request_and_per_job_with_ids_and_no_personal_data(app, client, two_partners, mentee_id,
                                                                             caplog):
    caplog.set_level(logging.INFO, logger="rede.requests")
    caplog.set_level(logging.INFO, logger="rede.jobs")
    login(client, two_partners.alpha_staff, locale="en")
    caplog.clear()

    listed = client.get("/t/alpha/mentees?q=amina.segredo@example.pt", headers={"X-Request-ID": "proxy-abc.123"})
    changed = client.post(f"/t/alpha/mentees/{mentee_id}/status", data={"status": NEXT_STATUS})
    forged = client.get("/healthz", headers={"X-Request-ID": "x" * 200 + " forged"})

    assert listed.headers["X-Request-ID"] == "proxy-abc.123"
    generated = changed.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])
    requests = _lines(caplog, "rede.requests")
    assert [line["endpoint"] for line in requests] == ["participants.mentee_list", "participants.mentee_status",
                                                       "ops.healthz"]
    list_line, status_line, health_line = requests
    user_id = status_line["user_id"]
    assert list_line == {**list_line, "kind": "request", "request_id": "proxy-abc.123", "method": "GET",
                         "status": 200, "tenant_id": two_partners.alpha.id, "user_id": user_id,
                         "route": "/t/<tenant_slug>/mentees"}
    assert isinstance(user_id, int) and list_line["duration_ms"] > 0
    assert status_line["route"] == "/t/<tenant_slug>/mentees/<id:mentee_id>/status" and status_line["status"] == 302
    assert health_line["tenant_id"] is None  # no workspace in that URL

    jobs = _lines(caplog, "rede.jobs")
    assert [(job["function"], job["status"]) for job in jobs] == [
        ("network.national.dashboards.hooks.recount_stale_partners", "finished")]
    assert jobs[0]["request_id"] == generated  # the job carries the id of the request that asked for it
    # The pass recounts every stale partner, across tenants: it runs in none.
    assert jobs[0]["tenant_id"] is None and jobs[0]["duration_ms"] > 0

    shipped = "\n".join(JsonFormatter().format(record) for record in caplog.records
                        if record.name in ("rede.requests", "rede.jobs"))
    for personal in ("amina", "Amina", "Segredo", "example.pt", "staff@alpha.pt", "Tiago", "q="):
        assert personal not in shipped


def test_log_format_is_a_setting(app):
    root = logging.getLogger()

    def our_formatter():
        return next(h.formatter for h in root.handlers if getattr(h, "_rede_mentores_handler", False))

    create_app({**DATABASES, "LOG_FORMAT": "json"})
    assert isinstance(our_formatter(), JsonFormatter)
    create_app({**DATABASES, "LOG_FORMAT": "text"})
    assert isinstance(our_formatter(), TextFormatter)
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        create_app({**DATABASES, "LOG_FORMAT": "xml"})

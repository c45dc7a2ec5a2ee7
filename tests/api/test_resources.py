"""What the API reads and writes, through the same services as the pages: pages of lists with
links, registering and changing participants, logging meetings, audited reads of mentees."""
from datetime import date, timedelta

import sqlalchemy as sa

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.models import Mentor
from tenants.processes.models import Meeting
from tests.factories import bearer, make_mentor

BASE = "/api/v1/t/alpha"


def _tenant_id(slug):
    from network.core.tenancy.models import Tenant

    return db.session.scalar(sa.select(Tenant.id).filter_by(slug=slug))


def test_lists_are_paged_with_totals_and_links(app, client, api_world):
    with app.app_context(), tenant_context(_tenant_id("alpha")):
        for number in range(7):
            make_mentor(f"Mentor Página{number}", email=f"pagina{number}@example.pt")
        db.session.commit()
    headers = bearer(api_world.tokens["staff"])
    first = client.get(f"{BASE}/mentors?per_page=4&sort=name", headers=headers).get_json()
    total = first["total"]
    assert total >= 7 and first["pages"] == -(-total // 4) and len(first["items"]) == 4
    assert first["page"] == 1 and first["links"]["prev"] is None
    second = client.get(first["links"]["next"], headers=headers).get_json()
    assert second["page"] == 2 and "page=1" in second["links"]["prev"]
    assert {item["id"] for item in first["items"]}.isdisjoint(item["id"] for item in second["items"])
    last = client.get(first["links"]["last"], headers=headers).get_json()
    assert last["links"]["next"] is None and len(last["items"]) == total - 4 * (first["pages"] - 1)
    beyond = client.get(f"{BASE}/mentors?per_page=4&page=999", headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == total
    assert client.get(f"{BASE}/mentors?per_page=101", headers=headers).status_code == 400
    assert client.get(f"{BASE}/mentors?page=0", headers=headers).status_code == 400
    assert client.get(f"{BASE}/mentors", headers=headers).get_json()["per_page"] == 25
    # Filters are kept in the links.
    filtered = client.get(f"{BASE}/mentors?per_page=2&q=P%C3%A1gina", headers=headers).get_json()
    assert filtered["total"] == 7 and "q=P" in filtered["links"]["next"]


def test_processes_filter_by_state_and_page(client, api_world):
    headers = bearer(api_world.tokens["staff"])
    everything = client.get(f"{BASE}/processes", headers=headers).get_json()
    active = client.get(f"{BASE}/processes?state=active", headers=headers).get_json()
    assert active["total"] == 1 and active["items"][0]["id"] == api_world.alpha_ids["active_process_id"]
    assert everything["total"] > active["total"]
    named = client.get(f"{BASE}/processes?q=paulo", headers=headers).get_json()
    assert [item["mentor"]["full_name"] for item in named["items"]] == ["Paulo Processo"]
    assert client.get(f"{BASE}/processes?state=dreaming", headers=headers).status_code == 400


def test_staff_register_a_mentor_and_change_them(app, client, api_world):
    headers = bearer(api_world.tokens["staff"])
    payload = {"full_name": "  Rui Registado ", "municipality": "Porto", "email": "RUI@Example.pt",
               "languages": [{"code": "en", "level": "b2"}], "support_areas": ["housing"],
               "availability_days": ["mon"], "hours_per_week": "3"}
    response = client.post(f"{BASE}/mentors", json=payload, headers=headers)
    assert response.status_code == 201, response.get_json()
    mentor = response.get_json()
    assert mentor["full_name"] == "Rui Registado" and mentor["email"] == "rui@example.pt"
    assert mentor["languages"] == [{"code": "en", "level": "b2"}] and mentor["support_areas"] == ["housing"]
    assert mentor["status"] == "applicant" and mentor["hours_per_week"] == 3
    assert response.headers["Location"].endswith(f"/api/v1/t/alpha/mentors/{mentor['id']}")
    assert client.get(response.headers["Location"], headers=headers).get_json() == mentor
    duplicate = client.post(f"{BASE}/mentors", json=payload, headers=bearer(api_world.tokens["staff"], "en"))
    assert duplicate.status_code == 422
    assert duplicate.get_json()["error"]["details"]["email"] == [
        "A mentor with this e-mail address is already registered."]
    changed = client.put(f"{BASE}/mentors/{mentor['id']}", headers=headers,
                         json={**payload, "municipality": "Gaia", "support_areas": []})
    assert changed.status_code == 200 and changed.get_json()["municipality"] == "Gaia"
    assert changed.get_json()["support_areas"] == []
    with app.app_context(), tenant_context(_tenant_id("alpha")):
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.record_id == mentor["id"],
                                                                        AuditEvent.record_type == "Mentor")).all()
        assert actions == ["participant.created", "participant.viewed", "participant.updated"]  # the GET is a read


def test_a_mentee_is_registered_and_every_read_is_audited(app, client, api_world):
    headers = bearer(api_world.tokens["staff"])
    response = client.post(f"{BASE}/mentees", headers=headers, json={
        "full_name": "Yara Nova", "municipality": "Porto", "phone": "+351 912 000 111", "country_of_origin": "BR",
        "portuguese_level": "b1", "support_areas": ["qualification_job_search", "housing"], "arrival_year": 2024})
    assert response.status_code == 201, response.get_json()
    mentee_id = response.get_json()["id"]
    assert response.get_json()["phone"] == "+351912000111"
    assert client.get(f"{BASE}/mentees/{mentee_id}", headers=headers).status_code == 200
    with app.app_context(), tenant_context(_tenant_id("alpha")):
        reads = db.session.scalars(sa.select(AuditEvent).filter_by(action="participant.viewed",
                                                                   record_id=mentee_id)).all()
        assert [event.actor_id for event in reads] == [api_world.user_ids["staff"]]


def test_markup_and_sql_are_stored_verbatim_and_shown_escaped(app, client, api_world):
    hostile = "<script>alert(1)</script>'); DROP TABLE mentors;--"
    response = client.post(f"{BASE}/mentors", headers=bearer(api_world.tokens["staff"]), json={
        "full_name": hostile, "municipality": "Porto", "email": "hostil@example.pt", "skills": hostile})
    assert response.status_code == 201
    mentor_id = response.get_json()["id"]
    with app.app_context(), tenant_context(_tenant_id("alpha")):
        assert db.session.get(Mentor, mentor_id).skills == hostile
    from tests.factories import login

    login(client, "staff@alpha.pt")
    page = client.get(f"/t/alpha/mentors/{mentor_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_staff_log_a_meeting_through_the_process_service(app, client, api_world):
    headers = bearer(api_world.tokens["staff"], "en")
    process_id = api_world.alpha_ids["active_process_id"]
    held_on = (date.today() - timedelta(days=1)).isoformat()
    response = client.post(f"{BASE}/processes/{process_id}/meetings", headers=headers, json={
        "held_on": held_on, "duration_minutes": 45, "mode": "in_person", "topics": ["housing"],
        "notes": "Procurámos casa."})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["logged_as"] == "staff" and response.get_json()["topics"] == ["housing"]
    meetings = client.get(f"{BASE}/processes/{process_id}/meetings", headers=headers).get_json()
    assert meetings["total"] == 1 and meetings["items"][0]["held_on"] == held_on
    detail = client.get(f"{BASE}/processes/{process_id}", headers=headers).get_json()
    assert detail["meetings_count"] == 1 and detail["next_meeting_due_on"] is not None
    unknown_topic = client.post(f"{BASE}/processes/{process_id}/meetings", headers=headers, json={
        "held_on": held_on, "duration_minutes": 45, "mode": "online", "topics": ["astrology"]})
    assert unknown_topic.get_json()["error"]["details"] == {"topics": ["Choose topics from the list."]}
    future = client.post(f"{BASE}/processes/{process_id}/meetings", headers=headers, json={
        "held_on": (date.today() + timedelta(days=3)).isoformat(), "duration_minutes": 45, "mode": "online"})
    assert future.status_code == 422


def test_a_meeting_the_process_refuses_is_409_with_the_reason(app, client, api_world):
    closed = api_world.alpha_ids["process_id"]  # in evaluation: its meetings are over
    with app.app_context(), tenant_context(_tenant_id("alpha")):
        from tenants.processes import services

        process = services.get_process(closed)
        services.transition(process, "cancelled", None, reason="Teste")
        db.session.commit()
    response = client.post(f"{BASE}/processes/{closed}/meetings", headers=bearer(api_world.tokens["staff"], "en"),
                           json={"held_on": "2026-01-20", "duration_minutes": 30, "mode": "online"})
    body = response.get_json()["error"]
    assert response.status_code == 409 and body["code"] == "process_refused"
    assert body["message"].startswith("Meetings are logged once the agreement is signed")
    with app.app_context(), tenant_context(_tenant_id("alpha")):
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id)).where(Meeting.process_id == closed)) == 1


def test_activities_of_the_partner_and_of_the_network(client, api_world):
    headers = bearer(api_world.tokens["staff"])
    own = client.get(f"{BASE}/activities", headers=headers).get_json()
    assert [item["title"] for item in own["items"]] == ["Formação inicial"]
    network = client.get(f"{BASE}/network-activities", headers=headers).get_json()
    assert network["items"][0]["title"] == "Seminário nacional"
    detail = client.get(f"{BASE}/activities/{api_world.alpha_ids['activity_id']}", headers=headers).get_json()
    assert detail["kind"] == "training_mentors" and detail["held_on"] == "2026-02-01"
    assert client.get("/api/v1/t/coordenacao/network-activities",
                      headers=bearer(api_world.tokens["coordinator"])).status_code == 200


def test_a_partners_aggregates_are_its_own_and_suppressed(client, api_world):
    body = client.get(f"{BASE}/aggregates?from=2026-01&to=2026-12",
                      headers=bearer(api_world.tokens["staff"])).get_json()
    assert body["national"] is False and body["filters"]["start"] == "2026-01"
    assert {table["key"] for table in body["tables"]} >= {"funnel", "by_month", "outcomes"}
    assert "by_partner" not in {table["key"] for table in body["tables"]}

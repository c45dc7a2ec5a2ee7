"""The API keeps the workspaces apart exactly as the pages do: another tenant's workspace or
ids answer 404 and show nothing; a coordinator reads aggregates only."""
import re

import pytest

from tests.factories import bearer

pytestmark = pytest.mark.isolation


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
            and "tenant_slug" in rule.arguments]


def _url(rule, values):
    missing = rule.arguments - set(values)
    assert not missing, f"{rule.rule}: add an object for {missing} to tests/api/conftest.py"
    return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_another_tenants_workspace_answers_404_on_every_api_route(app, client, api_world):
    headers = bearer(api_world.tokens["partner_admin"])
    checked = 0
    for rule in _api_rules(app):
        url = _url(rule, {"tenant_slug": api_world.slugs["beta"], **api_world.beta_ids})
        for method in _methods(rule):
            response = client.open(url, method=method, headers=headers, json={})
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
            assert response.get_json()["error"]["code"] == "not_found"
            checked += 1
    assert checked >= 16


def test_another_tenants_ids_inside_my_workspace_answer_404(app, client, api_world):
    headers = bearer(api_world.tokens["staff"])
    beta_ids = {**api_world.beta_ids,
                # Network activities are network-level, shown to every partner by design.
                "network_activity_id": api_world.beta_ids["network_activity_id"] + 1000}
    checked = 0
    for rule in _api_rules(app):
        if rule.arguments == {"tenant_slug"}:
            continue
        url = _url(rule, {"tenant_slug": api_world.slugs["alpha"], **beta_ids})
        for method in _methods(rule):
            response = client.open(url, method=method, headers=headers, json={"full_name": "Intrusa"})
            assert response.status_code == 404, f"{method} {url} -> {response.status_code}"
            body = response.get_data(as_text=True)
            assert "Paulo Processo" not in body and "Marta Mentora" not in body
            checked += 1
    assert checked >= 9


def test_lists_show_only_my_tenants_rows(client, api_world):
    for path, ids in (("mentors", "mentor_id"), ("mentees", "mentee_id"), ("processes", "process_id"),
                      ("activities", "activity_id")):
        alpha = client.get(f"/api/v1/t/alpha/{path}?per_page=100", headers=bearer(api_world.tokens["staff"]))
        beta = client.get(f"/api/v1/t/beta/{path}?per_page=100", headers=bearer(api_world.tokens["beta_staff"]))
        alpha_ids = {item["id"] for item in alpha.get_json()["items"]}
        beta_ids = {item["id"] for item in beta.get_json()["items"]}
        assert api_world.alpha_ids[ids] in alpha_ids and api_world.beta_ids[ids] in beta_ids
        assert alpha_ids.isdisjoint(beta_ids), path


def test_a_coordinator_reads_aggregates_and_nothing_else(app, client, api_world):
    headers = bearer(api_world.tokens["coordinator"])
    national = client.get("/api/v1/t/coordenacao/aggregates", headers=headers)
    assert national.status_code == 200 and national.get_json()["national"] is True
    for slug in ("coordenacao", "alpha"):
        for path in ("mentors", "mentees", "processes", f"processes/{api_world.alpha_ids['process_id']}",
                     f"mentees/{api_world.alpha_ids['mentee_id']}"):
            response = client.get(f"/api/v1/t/{slug}/{path}", headers=headers)
            assert response.status_code == 404, f"{slug}/{path}"
    assert client.get("/api/v1/t/alpha/aggregates", headers=headers).status_code == 404


def test_the_national_aggregates_are_published_as_on_the_dashboard(app, client, api_world):
    body = client.get("/api/v1/t/coordenacao/aggregates?from=2026-01&to=2026-12",
                      headers=bearer(api_world.tokens["coordinator"])).get_json()
    base = body["rounding_base"]
    assert base == body["threshold"] + 1
    counts = [body["headline"][key] for key in ("active_mentors", "active_mentees", "ongoing", "evaluated")]
    for table in body["tables"]:
        for row in table["cells"]:
            counts += row
        counts += (table["row_totals"] or []) + (table["column_totals"] or [])
    assert counts
    # Every count of people is a published one (docs/disclosure.md): a multiple of the base.
    assert all(isinstance(count, int) and count % base == 0 for count in counts)
    # Partner names are tenant metadata, visible to coordinators; no person is.
    text = str(body)
    assert "Marta Mentora" not in text and "Amina" not in text

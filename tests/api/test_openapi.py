"""The OpenAPI 3 document: valid, public, and describing every API route with its scope."""
import re

from openapi_spec_validator import validate

from network.core.api.models import SCOPES


def _document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_the_document_is_valid_openapi_3(client):
    document = _document(client)
    assert document["openapi"].startswith("3.")
    validate(document)


def test_every_api_route_is_documented_with_its_scope_and_errors(app, client):
    document = _document(client)
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        view = app.view_functions[rule.endpoint]
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, f"{method} {rule.rule} is not in the document"
            operation = document["paths"][path][method.lower()]
            assert operation["security"] == [{"bearerAuth": []}]
            assert operation["x-required-scope"] == view.required_scope
            assert {"401", "403", "404", "429", "500"} <= set(operation["responses"])


def test_the_bearer_scheme_and_its_scopes_are_described(client):
    document = _document(client)
    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for scope in SCOPES:
        assert scope in scheme["description"]


def test_request_bodies_are_the_forms_schemas(client):
    document = _document(client)
    mentor = document["components"]["schemas"]["Mentor"]
    assert set(mentor["required"]) == {"full_name", "municipality"}
    assert mentor["properties"]["full_name"]["maxLength"] == 200
    assert mentor["properties"]["hours_per_week"]["maximum"] == 40
    meeting = document["components"]["schemas"]["Meeting"]
    assert meeting["properties"]["mode"]["enum"] and meeting["properties"]["duration_minutes"]["minimum"] == 5


def test_schemathesis_loads_the_document(app):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16


def test_the_documented_examples_are_valid_requests(app, client):
    from tenants.participants.schemas import PARTICIPANT_SCHEMAS
    from tenants.processes.schemas import MeetingSchema

    document = _document(client)
    schemas = {"Mentor": PARTICIPANT_SCHEMAS["mentor"], "Mentee": PARTICIPANT_SCHEMAS["mentee"],
               "Meeting": MeetingSchema}
    checked = 0
    with app.test_request_context():
        for item in document["paths"].values():
            for operation in item.values():
                content = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if content:
                    name = content["schema"]["$ref"].rsplit("/", 1)[1]
                    schemas[name]().load(content["example"])  # raises when not valid
                    checked += 1
    assert checked == 5

"""The OpenAPI 3 document, built from the views' `api_doc` and the marshmallow schemas
(apispec's MarshmallowPlugin): the request bodies are the forms' own schemas.

flask-smorest and APIFlask both bind schemas once, at import; our schemas translate their
messages when instantiated (network.core.validation.FormSchema), so the views load per request
and apispec only describes."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app

from network.core.api.errors import CODES
from network.core.api.models import SCOPES
from network.core.converters import MAX_ID
from network.core.reference.services import support_areas_by_code
from network.national.api.schemas import ErrorSchema

OPENAPI_VERSION = "3.0.3"
_PARAMETER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
# The statuses any endpoint may answer besides its success.
_COMMON_ERRORS = (400, 401, 403, 404, 405, 413, 429, 500)
_BODY_ERRORS = (409, 415, 422)
ACCEPT_LANGUAGE = {"name": "Accept-Language", "in": "header", "required": False,
                   "description": "The language of error messages: pt-PT (the default) or en.",
                   "schema": {"type": "string", "example": "pt-PT"}}
# Fields of the request bodies holding support area codes.
SUPPORT_AREA_LISTS = ("support_areas", "topics")


def _schema_name(resolver_schema):
    """Component names without the "Schema" suffix; the same class always gets the same name."""
    schema_class = resolver_schema if isinstance(resolver_schema, type) else type(resolver_schema)
    return schema_class.__name__.removesuffix("Schema") or schema_class.__name__


def _openapi_path(rule):
    return _PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _path_parameters(rule):
    parameters = []
    for converter, name in _PARAMETER.findall(rule):
        if converter == "id":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            schema = {"type": "string", "pattern": r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def _operation(view, rule):
    doc = view.api_doc
    scope = view.required_scope
    success = {"description": "OK" if doc["status"] == 200 else "Created"}
    if doc["response"] is not None:
        success["content"] = {"application/json": {"schema": doc["response"]}}
    responses = {str(doc["status"]): success}
    statuses = _COMMON_ERRORS + (_BODY_ERRORS if doc["body"] is not None else ())
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/{CODES[status]}"}
    operation = {
        "tags": [doc["tag"]],
        "summary": doc["summary"],
        "description": f"Scope: `{scope}`. Role in the tenant: "
                       f"{', '.join(sorted(view.required_roles))} (action `{view.required_action}`).",
        # OpenAPI 3.0 lists scopes only for OAuth2 schemes: ours is named in an extension.
        "security": [{"bearerAuth": []}],
        "x-required-scope": scope,
        "parameters": [*_path_parameters(rule), ACCEPT_LANGUAGE],
        "responses": responses,
    }
    if doc["query"] is not None:
        operation["parameters"].append({"in": "query", "schema": doc["query"]})
    if doc["body"] is not None:
        content = {"schema": doc["body"]}
        if doc["example"] is not None:
            content["example"] = doc["example"]
        operation["requestBody"] = {"required": True, "content": {"application/json": content}}
    return operation


def openapi_document():
    spec = APISpec(
        title="Rede Mentores API",
        version="1",
        openapi_version=OPENAPI_VERSION,
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={"description": "The workspaces of the national Mentoring Programme for Migrants. Authenticate "
                             "with a personal API token (created under Your account > API tokens): "
                             "`Authorization: Bearer <token>`. Errors are JSON, with a message in the "
                             "language of Accept-Language (pt-PT by default, or en)."},
        servers=[{"url": "/"}],
    )
    spec.components.security_scheme("bearerAuth", {
        "type": "http", "scheme": "bearer",
        "description": "A personal API token. Its scopes: " + "; ".join(
            f"`{scope}`: {label}" for scope, label in SCOPES.items()),
    })
    spec.components.schema("Error", schema=ErrorSchema)
    for _status, code in CODES.items():
        spec.components.response(code, {"description": code.replace("_", " "),
                                         "content": {"application/json": {"schema": "Error"}}})
    app = current_app
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: (rule.rule, rule.endpoint)):
        view = app.view_functions[rule.endpoint]
        if not rule.endpoint.startswith("api.") or not hasattr(view, "api_doc"):
            continue
        path = _openapi_path(rule.rule)
        operations = {method.lower(): _operation(view, rule.rule)
                      for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    _list_support_areas(document)
    return document


def _list_support_areas(document):
    """Support areas are rows of a reference table, not a fixed choice in the schema: the
    document lists the current codes, so clients (and the fuzzer) can send valid ones."""
    codes = sorted(support_areas_by_code())
    bodies = {operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
              for item in document["paths"].values() for operation in item.values() if "requestBody" in operation}
    for schema_name, schema in document["components"]["schemas"].items():
        if schema_name not in bodies:
            continue  # (a response may hold a code retired since)
        for field_name in SUPPORT_AREA_LISTS:
            items = schema.get("properties", {}).get(field_name, {}).get("items")
            if items is not None and items.get("type") == "string":
                items["enum"] = codes

"""Schemathesis against the API, in-process (WSGI), with a valid token on a seeded network.

Every generated request, fitting the OpenAPI document or deliberately not: no 5xx, every
response as documented (status, content type, body schema), every error a JSON error. A few
examples per operation here (the suite stays fast); `make fuzz` runs many more
(FUZZ_EXAMPLES, random seeds)."""
import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
# The suite's run is reproducible; `make fuzz` explores new inputs each time.
DERANDOMIZE = "FUZZ_EXAMPLES" not in os.environ


def test_generated_requests_never_break_the_api(app, api_world):
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.generation import GenerationMode
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    headers = {"Authorization": f"Bearer {api_world.tokens['staff']}"}
    # Half the requests name the seeded objects, so generated bodies reach the services.
    known = {"tenant_slug": api_world.slugs["alpha"], **{
        name: api_world.alpha_ids[key] for name, key in (
            ("mentor_id", "mentor_id"), ("mentee_id", "mentee_id"), ("process_id", "active_process_id"),
            ("activity_id", "activity_id"), ("network_activity_id", "network_activity_id"))}}
    default_limit = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "1000000 per minute"
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 16
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(operation, mode, headers, known, checks)
    finally:
        app.config["API_RATE_LIMIT"] = default_limit


def _fuzz(operation, mode, headers, known, checks):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=DERANDOMIZE,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(case=operation.as_strategy(generation_mode=mode), use_known_ids=st.booleans())
    def check(case, use_known_ids):
        parameters = dict(case.path_parameters or {})
        parameters["tenant_slug"] = known["tenant_slug"]
        if use_known_ids:
            parameters |= {name: known[name] for name in parameters if name in known}
        case.path_parameters = parameters
        # The token always (a generated Authorization header would only test the 401 path).
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        case.validate_response(response, checks=checks)
        if response.status_code >= 400:
            error = response.json()["error"]
            assert error["status"] == response.status_code and error["code"] and error["message"]

    check()

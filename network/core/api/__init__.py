"""The REST API under /api/v1: JSON only, authenticated by per-user bearer tokens with scopes,
described by the OpenAPI 3 document at /api/v1/openapi.json.

Access to a workspace's data needs both the token's scope and the user's role in that tenant
(`network.core.permissions.MATRIX`, the same actions as the pages). A session cookie never
authenticates the API, so the API has no CSRF surface and is exempt from the CSRF check.
"""
from flask import has_request_context, request

API_URL_PREFIX = "/api/v1"


def is_api_request():
    """True while serving a URL under /api/v1 (matched or not): its errors are JSON."""
    if not has_request_context():
        return False
    return request.path == API_URL_PREFIX or request.path.startswith(API_URL_PREFIX + "/")

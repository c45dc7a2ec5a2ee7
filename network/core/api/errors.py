"""JSON errors for everything under /api/v1: a machine-readable code and a message in the
language the client asked for (Accept-Language; pt-PT by default), never an HTML page."""
from flask import jsonify
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}
MESSAGES = {
    400: _l("The request could not be understood."),
    401: _l("A valid API token is needed: send it as Authorization: Bearer <token>."),
    403: _l("The API token does not have the scope this request needs."),
    404: _l("Not found, or not available to this token."),
    405: _l("This address does not accept this method."),
    409: _l("The request conflicts with the current state of the record."),
    413: _l("The request body is too large."),
    415: _l("Send the body as JSON (Content-Type: application/json)."),
    422: _l("Some fields are not valid."),
    429: _l("Too many requests: wait a minute and try again."),
    500: _l("An unexpected error happened. Nothing was saved."),
    503: _l("The connection to the database was interrupted. Nothing was saved. Please try again in a moment."),
}


class ApiError(HTTPException):
    """An API refusal: `code` is the HTTP status, `error_code` the machine-readable name,
    `details` (optional) the messages per field."""

    def __init__(self, status, message=None, error_code=None, details=None, headers=None):
        super().__init__()
        self.code = status
        self.message = message
        self.error_code = error_code
        self.details = details
        self.extra_headers = headers or {}


def _plain(messages):
    """Marshmallow's messages (lists, nested dicts, lazy strings) as plain JSON values."""
    if isinstance(messages, dict):
        return {str(key): _plain(value) for key, value in messages.items()}
    if isinstance(messages, (list, tuple)):
        return [_plain(value) for value in messages]
    return str(messages)


def json_error(error):
    """The JSON response for an HTTPException raised while serving the API."""
    status = error.code if error.code in CODES else (500 if (error.code or 500) >= 500 else 400)
    body = {
        "status": status,
        "code": getattr(error, "error_code", None) or CODES[status],
        "message": str(getattr(error, "message", None) or MESSAGES[status]),
    }
    details = getattr(error, "details", None)
    if details:
        body["details"] = _plain(details)
    response = jsonify({"error": body})
    response.status_code = status
    if status == 405:
        response.headers["Allow"] = dict(error.get_headers()).get("Allow", "")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    for name, value in getattr(error, "extra_headers", {}).items():
        response.headers[name] = value
    return response

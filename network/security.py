"""HTTP hardening: oversized bodies refused first, security headers on every response, a strict
Content-Security-Policy (no inline scripts or styles anywhere), and no caching of pages with
personal data."""
from flask import abort, request
from flask_login import current_user

from network.api import is_api_request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _body_limit(config):
    if is_api_request():
        return config["API_MAX_CONTENT_LENGTH"]
    if request.mimetype == "multipart/form-data":  # file uploads: the participants import
        return config["MAX_CONTENT_LENGTH"]
    # A url-encoded form is read into memory whole (Werkzeug's MAX_FORM_MEMORY_SIZE applies
    # only to the parts of a multipart body): the same limit, for the whole body.
    return config["MAX_FORM_MEMORY_SIZE"]


def init_app(app):
    @app.before_request
    def refuse_oversized_bodies():
        # Before any other work (and before reading a byte of it): a body announced larger
        # than its limit is refused at once; a chunked one is cut off at the limit by Werkzeug.
        request.max_content_length = _body_limit(app.config)
        if request.content_length is not None and request.content_length > request.max_content_length:
            abort(413)

    @app.after_request
    def add_security_headers(response):
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if current_user.is_authenticated:
            # Pages of a logged-in user may hold personal data: never keep them in a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response

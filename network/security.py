"""HTTP hardening: oversized bodies refused first, security headers on every response, a strict
Content-Security-Policy (no inline scripts or styles anywhere), and no caching of pages with
personal data."""
import time

from flask import abort, current_app, g, request
from flask_login import current_user
from sqlalchemy.exc import DBAPIError

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


# A refused body is read and dropped for at most this long (see discard_refused_body).
DISCARD_SECONDS = 2.0
_DISCARD_CHUNK = 64 * 1024


def discard_refused_body(environ, content_length, at_most):
    """Read and drop the body of a request answered 413 without parsing it.

    On a kept-alive connection the next request starts right after this body: left unread, the
    server would read the next request from the middle of it (gunicorn drains 64 KiB, then
    closes the connection it had just announced as kept alive: the client's next request gets
    no answer). Bodies up to `at_most` (the largest the app accepts at all) are read within
    DISCARD_SECONDS, which costs no more than a legitimate upload; a larger or slower one is
    left to the server, which closes the connection (gunicorn.conf.py says so in advance).
    Returns whether the whole body was read."""
    if content_length is None or content_length > at_most:
        return False
    stream = environ["wsgi.input"]
    remaining = content_length
    deadline = time.monotonic() + DISCARD_SECONDS
    while remaining:
        chunk = stream.read(min(remaining, _DISCARD_CHUNK))
        if not chunk:
            return False
        remaining -= len(chunk)
        if remaining and time.monotonic() > deadline:
            return False
    return True


def init_app(app):
    @app.before_request
    def refuse_oversized_bodies():
        # Before any other work (and before parsing a byte of it): a body announced larger
        # than its limit is refused at once; a chunked one is cut off at the limit by Werkzeug.
        request.max_content_length = _body_limit(app.config)
        if request.content_length is not None and request.content_length > request.max_content_length:
            discard_refused_body(request.environ, request.content_length, current_app.config["MAX_CONTENT_LENGTH"])
            abort(413)

    def _signed_in():
        # The user this request loaded, read without the database, which may have just failed (a
        # killed connection's 503 page comes through here too); when in doubt, signed in.
        user = g.get("_login_user")
        if user is None:
            try:
                return current_user.is_authenticated
            except DBAPIError:
                return True
        return not user.is_anonymous

    @app.after_request
    def add_security_headers(response):
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if _signed_in():
            # Pages of a logged-in user may hold personal data: never keep them in a shared cache.
            response.headers["Cache-Control"] = "no-store"
        return response

"""Error pages in the user's language; never a stack trace, never half-written data.
Under /api/v1 the same errors are JSON (network.core.api.errors)."""
import logging
import time

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from network.core.api import is_api_request
from network.core.api.errors import json_error
from network.core.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("The request could not be understood"),
          _l("Something in what was sent is not valid. Go back, check it and try again.")),
    403: (_l("Not allowed"), _l("You cannot do this with your current account.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    410: (_l("Link no longer valid"), _l("This link has expired or has already been used.")),
    429: (_l("Too many attempts"), _l("Too many attempts from this connection. Wait a minute and try again.")),
    413: (_l("Too much data"), _l("What you sent is too large. Send a smaller file or less text.")),
    503: (_l("Please try again"), _l("The connection to the database was interrupted. Nothing was saved. "
                                      "Please try again in a moment.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error happened. Nothing was saved. Please try again in a moment.")),
}


# A read that lost its database connection is served again, once, by `RetryReads`.
RETRY_HEADER = "X-Retry-Read"
RETRY_PAUSE_SECONDS = 0.2
_COMMIT_UNCERTAIN = _l("The connection to the database was interrupted while your change was being saved, so we "
                       "cannot tell whether it was. Reload the page to check before you send it again.")
_SAVED_THEN_LOST = _l("Your change was saved, but the connection to the database was interrupted before the next "
                      "page could be shown. Reload the page to continue; do not send the form again.")


def init_app(app):
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(DBAPIError, render_database_fault)
    app.register_error_handler(Exception, render_unexpected_error)
    app.wsgi_app = RetryReads(app.wsgi_app)
    # Registered after `db.init_app` (create_app): teardowns run in reverse order, so this one first.
    app.teardown_appcontext(release_session)


def release_session(_error=None):
    """Teardown, before Flask-SQLAlchemy's own: close the session as it would. A connection that
    died after the response was made (a killed backend) is dropped, not rolled back: the ROLLBACK
    would raise out of the finished request, and gunicorn would answer 500 in place of the page.
    Closed, not rolled back: the objects a caller loaded keep their values once detached (a
    rollback would expire them, and a later read of one would fail outside the context)."""
    try:
        db.session.close()
    except DBAPIError:
        db.session().invalidate()


def render_database_fault(error):
    """A lost database connection (a restart, a failover, a killed backend) is a 503 asking to
    try again, never a 500: before the commit the transaction died with the connection, so
    nothing was saved; during the commit (`submit` says so) we cannot know, and say that; after
    it (the next page reloading the saved record) the change is saved, and we say that."""
    if not (error.connection_invalidated or _is_lost_connection(error)):
        return render_unexpected_error(error)
    log.warning("database connection lost during %s %s: %s", request.method, request.path, error.orig)
    try:
        db.session.rollback()
    except DBAPIError:
        db.session().invalidate()
    fault = ServiceUnavailable()
    if g.get("committing"):
        fault.description = fault.message = str(_COMMIT_UNCERTAIN)
    elif g.get("saved") and request.method not in ("GET", "HEAD"):
        fault.description = fault.message = str(_SAVED_THEN_LOST)
    response = render_http_error(fault)
    if request.method in ("GET", "HEAD"):
        response = _as_response(response)
        response.headers[RETRY_HEADER] = "1"
    return response


def _is_lost_connection(error):
    # SQLSTATE classes 08 (connection exception) and 57P (the server shut the session down).
    return (getattr(error.orig, "sqlstate", None) or "").startswith(("08", "57P"))


def _as_response(response):
    from flask import make_response

    return make_response(response)


class RetryReads:
    """WSGI middleware: a GET or HEAD whose database connection was lost is run once more, in a
    fresh request (the pool hands out a new connection); writes are never repeated."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers, exc_info=exc_info)

        body = self.wsgi_app(environ, capture)
        if any(name == RETRY_HEADER for name, _ in captured["headers"]):
            if hasattr(body, "close"):
                body.close()
            # A moment first: backends are killed in bursts (a failover, an administrator's
            # pg_terminate_backend of every session), and a connection opened at once may go too.
            time.sleep(RETRY_PAUSE_SECONDS)
            body = self.wsgi_app(environ, capture)
        headers = [(name, value) for name, value in captured["headers"] if name != RETRY_HEADER]
        start_response(captured["status"], headers, captured["exc_info"])
        return body


def render_http_error(error):
    if is_api_request():
        db.session.rollback()
        return json_error(error)
    if error.response is not None:  # e.g. the redirect to the login page
        return error.response
    if error.code not in MESSAGES:
        return error
    db.session.rollback()
    title, message = MESSAGES[error.code]
    if error.code == 503 and error.description != ServiceUnavailable.description:
        message = error.description
    if isinstance(error, CSRFError):
        message = _l("This form has expired. Reload the page and submit it again.")
    return render_template("errors/error.html", code=error.code, title=title, message=message), error.code


def render_unexpected_error(error):
    log.exception("unhandled error", exc_info=error)
    return render_http_error(InternalServerError())

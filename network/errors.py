"""Error pages in the user's language; never a stack trace, never half-written data.
Under /api/v1 the same errors are JSON (network.api.errors)."""
import logging

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from network.api import is_api_request
from network.api.errors import json_error
from network.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("The request could not be understood"), _l("Something in what was sent is not valid. Go back, check it and try again.")),
    403: (_l("Not allowed"), _l("You cannot do this with your current account.")),
    404: (_l("Page not found"), _l("This page does not exist, or you do not have access to it.")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    410: (_l("Link no longer valid"), _l("This link has expired or has already been used.")),
    429: (_l("Too many attempts"), _l("Too many attempts from this connection. Wait a minute and try again.")),
    413: (_l("Too much data"), _l("What you sent is too large. Send a smaller file or less text.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened. Nothing was saved. Please try again in a moment.")),
}


def init_app(app):
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(Exception, render_unexpected_error)


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
    if isinstance(error, CSRFError):
        message = _l("This form has expired. Reload the page and submit it again.")
    return render_template("errors/error.html", code=error.code, title=title, message=message), error.code


def render_unexpected_error(error):
    log.exception("unhandled error", exc_info=error)
    return render_http_error(InternalServerError())

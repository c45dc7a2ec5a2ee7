"""Locale selection: the visible switch (this session's choice), then the account's preference,
then Accept-Language."""
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from network.core.api import is_api_request

SESSION_LOCALE_KEY = "locale"


def select_locale():
    supported = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs choose with force_locale()
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if is_api_request():  # an API client says what it wants in each request
        return _accepted_language(supported)
    if session.get(SESSION_LOCALE_KEY) in supported:
        return session[SESSION_LOCALE_KEY]
    if current_user.is_authenticated and current_user.preferred_locale in supported:
        return current_user.preferred_locale
    return _accepted_language(supported)


def _accepted_language(supported):
    # Browsers send "pt-PT" or "pt"; Babel's locale ids use underscores.
    by_tag = {locale.replace("_", "-"): locale for locale in supported}
    best = request.accept_languages.best_match(list(by_tag))
    return by_tag.get(best, current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app):
    @app.context_processor
    def locale_globals():
        locale = str(get_locale())
        return {"current_locale": locale, "current_locale_tag": locale.replace("_", "-")}

"""Locale selection: the visible switch (this session's choice), then the account's preference,
then Accept-Language."""
from datetime import datetime
from functools import lru_cache

import flask_babel
from babel import dates, numbers
from flask import current_app, g, has_app_context, has_request_context, request, session
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

    _translate_once_per_locale(app)
    app.jinja_env.filters["dateformat"] = format_date
    app.jinja_env.filters["decimalformat"] = format_decimal
    app.jinja_env.filters["numberformat"] = format_decimal


# --- the cost of translating (docs/benchmarks.md, issue 20) ---------------------------
# Flask-Babel finds the request's translations anew for every string (its domain, its
# context, the locale, the catalogue's key: a dozen context look-ups each), and parses a
# date's pattern for every date. A page with 40 strings and 50 dates spent more on that than
# on its rows. Both are now found once: the translations once per request and locale, the
# patterns once per locale and width.

def _translate_once_per_locale(app):
    with app.app_context():
        domain = app.extensions["babel"].instance.domain_instance  # one for every app of the process
    find = getattr(domain, "find_translations", domain.get_translations)

    def translations():
        # Keyed by the locale object of this request's Babel context: `force_locale` (an e-mail
        # in the recipient's language) and `refresh` put another one there, and find anew.
        context = g.get("_flask_babel") if has_app_context() else None
        found = getattr(context, "rede_translations", None)
        if found is not None and found[0] is getattr(context, "babel_locale", None):
            return found[1]
        result = find()
        context = g.get("_flask_babel") if has_app_context() else None
        if getattr(context, "babel_locale", None) is not None:
            context.rede_translations = (context.babel_locale, result)
        return result

    domain.find_translations = find
    domain.get_translations = translations  # what flask_babel.gettext and lazy strings call
    app.jinja_env.install_gettext_callables(
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(context, singular, plural, n),
        newstyle=True,
    )


WIDTHS = ("short", "medium", "long", "full")


@lru_cache(maxsize=64)
def _date_pattern(locale, width):
    return dates.parse_pattern(locale.date_formats[width])


def format_date(value=None, format=None):
    """Flask-Babel's `format_date` (the `dateformat` filter), with each locale's patterns parsed
    once: the same text. A datetime (moved to the user's time zone first) and a pattern of
    one's own go to Flask-Babel as before."""
    if value is None or isinstance(value, datetime) or (format is not None and format not in WIDTHS):
        return flask_babel.format_date(value, format)
    locale = _request_locale()
    return _date_pattern(locale, format or "medium").apply(value, locale)


@lru_cache(maxsize=64)
def _number_pattern(locale, format):
    return numbers.parse_pattern(locale.decimal_formats[None] if format is None else format)


@lru_cache(maxsize=4096)
def _formatted(locale, format, text):
    return _number_pattern(locale, format).apply(text, locale)


def format_decimal(number, format=None):
    """Flask-Babel's `format_decimal` (the `decimalformat` and `numberformat` filters), each
    pattern parsed once per locale: the same text. A page repeats few numbers many times (the
    matching page formats 130 points out of a few dozen values): an int's or a float's text is
    kept per locale and pattern. Babel formats the Decimal of a number's `str`, so that is the
    key (1 and 1.0, 0.0 and -0.0 stay apart)."""
    locale = _request_locale()
    if type(number) in (int, float):
        return _formatted(locale, format, str(number))
    return _number_pattern(locale, format).apply(number, locale)


def _request_locale():
    # The request's locale as Flask-Babel keeps it once chosen, without asking for it again.
    context = g.get("_flask_babel") if has_app_context() else None
    return getattr(context, "babel_locale", None) or get_locale()

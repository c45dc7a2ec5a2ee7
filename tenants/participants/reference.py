"""Countries and languages with names in the reader's language, from Babel's CLDR data."""
from functools import lru_cache

from babel import Locale
from flask_babel import get_locale

# Two-letter CLDR territories that are not ISO 3166-1 countries: groupings, exceptional
# reservations and private-use codes.
_NOT_ISO_3166 = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"})

# The languages the programme meets most: Portugal's main migrant communities, plus the
# languages mentors commonly speak. ISO 639 codes as CLDR knows them.
LANGUAGE_CODES = (
    "pt", "en", "es", "fr", "de", "it", "ar", "am", "bn", "fa", "ff", "hi", "kea", "ln", "ne", "pa", "ps",
    "ro", "ru", "so", "sw", "ti", "tr", "uk", "ur", "wo", "zh",
)


def _locale():
    return str(get_locale() or "pt_PT")


@lru_cache(maxsize=4)
def _countries(locale):
    names = Locale.parse(locale).territories
    codes = [code for code in names if len(code) == 2 and code.isalpha() and code not in _NOT_ISO_3166]
    return tuple(sorted(((code, names[code]) for code in codes), key=lambda pair: pair[1]))


@lru_cache(maxsize=4)
def _languages(locale):
    names = Locale.parse(locale).languages
    return tuple(sorted(((code, names[code]) for code in LANGUAGE_CODES), key=lambda pair: pair[1]))


def country_choices():
    """(ISO 3166-1 alpha-2 code, name) pairs, sorted by name in the current language."""
    return _countries(_locale())


def country_codes():
    return frozenset(code for code, _ in _countries("en"))


def country_name(code):
    return dict(_countries(_locale())).get(code, code) if code else ""


def language_choices():
    return _languages(_locale())


def language_name(code):
    return dict(_languages(_locale())).get(code, code)

"""Keyed fingerprints of a person for the network's duplicate check: Flask-free, no database.

A fingerprint is HMAC-SHA256(network secret, role | kind | normalised value), in hex. Without
the secret nobody can test a name against the table (a plain hash of "name + date of birth"
falls to a dictionary of names in minutes); with it, only the app can. The choices (measured
in docs/duplicate-check.md with bench/duplicates.py):

- names: accents and case folded, Cyrillic transliterated (Ukrainian/Russian to Latin), the
  common spelling variants of transliteration folded (ph/f, y/i, w/v, kh/h, sh/sch/ch/tch,
  zh/j, ou/u, double letters), Portuguese particles dropped (de, da, do, dos, das, e), words
  sorted (word order does not matter). Keyed with the date of birth: a name alone flags every
  "Maria Silva". Two name keys: all the words, and only the first and last (a middle name
  written at one partner and not at the other);
- phones: digits only, 00 read as +, a 9-digit Portuguese number gets +351;
- e-mails: lowercased, a "+tag" dropped, and dots in Gmail's local part dropped.
"""
import hashlib
import hmac
import re
import unicodedata

NAME_ALL, NAME_ENDS, PHONE, EMAIL = "name_all", "name_ends", "phone", "email"
KINDS = (NAME_ALL, NAME_ENDS, PHONE, EMAIL)

_CYRILLIC = dict(zip(
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяыэъё",
    ["a", "b", "v", "h", "g", "d", "e", "ie", "zh", "z", "y", "i", "i", "i", "k", "l", "m", "n", "o", "p", "r",
     "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "iu", "ia", "y", "e", "", "e"],
    strict=True,
))
# Applied in order, longest first, to the folded Latin name: variants of one sound become one.
_SPELLINGS = (
    ("shch", "x"), ("sch", "x"), ("tch", "x"), ("sh", "x"), ("ch", "x"), ("zh", "j"), ("dj", "j"), ("dzh", "j"),
    ("kh", "h"), ("ph", "f"), ("th", "t"), ("ck", "k"), ("qu", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
    ("y", "i"), ("w", "v"), ("c", "k"), ("z", "s"),
)
_PARTICLES = frozenset({"de", "da", "do", "dos", "das", "e", "del", "della", "van", "von", "der", "al", "el", "bin"})
_NOT_LETTER = re.compile(r"[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def _fold(text):
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(_CYRILLIC.get(char, char) for char in text if not unicodedata.combining(char))
    return text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l").replace("đ", "d")


def name_words(full_name):
    """The name's words after folding, in the order written (particles dropped)."""
    words = []
    for word in _NOT_LETTER.split(_fold(full_name or "")):
        if not word or word in _PARTICLES:
            continue
        for spelling, sound in _SPELLINGS:
            word = word.replace(spelling, sound)
        words.append(_DOUBLED.sub(r"\1", word))
    return words


def normalised_phone(phone):
    digits = re.sub(r"\D", "", phone or "")
    if (phone or "").strip().startswith("00") or digits.startswith("00"):
        digits = digits[2:]
    if len(digits) == 9 and digits[0] in "29":
        digits = "351" + digits
    return digits if len(digits) >= 6 else None


def normalised_email(email):
    local, at, domain = (email or "").strip().lower().rpartition("@")
    if not at or not local:
        return None
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def normalised_values(full_name=None, date_of_birth=None, phone=None, email=None):
    """{kind: normalised value} for what is known; the name counts only with a date of birth."""
    values = {}
    words = name_words(full_name)
    if date_of_birth is not None and words:
        born = date_of_birth.isoformat()
        values[NAME_ALL] = " ".join(sorted(words)) + "|" + born
        if len(words) > 2:
            values[NAME_ENDS] = " ".join(sorted((words[0], words[-1]))) + "|" + born
    for kind, value in ((PHONE, normalised_phone(phone)), (EMAIL, normalised_email(email))):
        if value:
            values[kind] = value
    return values


# Both name keys in one domain: the first-and-last key of "José da Silva Gonçalves" meets the
# all-words key of "José Gonçalves" registered elsewhere.
_DOMAINS = {NAME_ALL: "name", NAME_ENDS: "name", PHONE: PHONE, EMAIL: EMAIL}


def fingerprint(secret, role, kind, value):
    message = f"{role}|{_DOMAINS[kind]}|{value}".encode()
    return hmac.new(secret.encode() if isinstance(secret, str) else secret, message, hashlib.sha256).hexdigest()


def fingerprints(secret, role, **person):
    """{kind: fingerprint} of one person (see `normalised_values` for the keywords)."""
    return {kind: fingerprint(secret, role, kind, value) for kind, value in normalised_values(**person).items()}

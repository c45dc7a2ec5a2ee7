"""The password policy: long enough, not one of the commonly used passwords, and not made of
the account's own e-mail address or name."""
import gzip
import re
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext
from marshmallow import ValidationError

COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"
MIN_LENGTH = 10
MAX_LENGTH = 256


@cache
def _common_passwords():
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def check_password_policy(password):
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationError(
            gettext("Use a password between %(min)d and %(max)d characters long.", min=MIN_LENGTH, max=MAX_LENGTH)
        )
    if password.lower().strip() in _common_passwords():
        raise ValidationError(gettext("This password is too common and easy to guess. Choose another one."))


# Shorter pieces ("ana", "rui") would refuse many unrelated passwords.
MIN_PERSONAL_PART = 4


def _folded(text):
    # "Inês" and "ines" are the same word to a guesser.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(character for character in decomposed if not unicodedata.combining(character))


def personal_words(email=None, name=None):
    """The parts of the e-mail's local part and of the name a password must not contain."""
    words = set()
    if email:  # the whole address, however short its parts
        words.add(re.sub(r"[^0-9a-z]+", "", _folded(email)))
    for source in (email.split("@")[0] if email else "", name or ""):
        folded = _folded(source)
        parts = [part for part in re.split(r"[^0-9a-z]+", folded) if part]
        words.update(part for part in parts if len(part) >= MIN_PERSONAL_PART)
        joined = "".join(parts)
        if len(joined) >= MIN_PERSONAL_PART:
            words.add(joined)
    return words


def check_password_is_not_personal(password, email=None, name=None):
    folded = re.sub(r"[^0-9a-z]+", "", _folded(password))
    if any(word in folded for word in personal_words(email, name)):
        raise ValidationError(
            gettext("The password must not contain your e-mail address or your name. Choose another one.")
        )

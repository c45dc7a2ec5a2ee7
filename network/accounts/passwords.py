"""The password policy: long enough, and not one of the commonly used passwords."""
import gzip
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

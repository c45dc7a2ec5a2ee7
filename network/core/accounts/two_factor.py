"""Two-factor authentication: a TOTP app (RFC 6238, `pyotp`) and single-use recovery codes.

Staff, partner administrators and coordinators may turn it on; the roles in
TWO_FACTOR_REQUIRED_ROLES (coordinators and partner administrators by default) must, before
they reach any page. A passed check is remembered by the server-side session it was passed in
(`UserSession.second_factor_at`), nowhere else. Wrong codes slow the account down (the
login back-off, per account); every enrolment, removal, administrator reset and recovery
code used is in the audit log of each of the user's workspaces. Free of Flask request objects.
"""
import hashlib
import hmac
import io
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.timeutil import UTCDateTime, utcnow

ISSUER = "Rede Mentores"
# A code of the step before or after the current one is accepted (clocks drift by seconds).
VALID_WINDOW = 1
RECOVERY_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # nothing to confuse (no 0/o, 1/l/i)


class TwoFactorCredential(db.Model):
    """A user's TOTP secret; `confirmed_at` is None until a code from the app proved it works."""

    __tablename__ = "two_factor_credentials"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last time step a code was accepted for: the same code cannot be used twice.
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)


class RecoveryCode(db.Model):
    __tablename__ = "two_factor_recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def credential_of(user):
    return db.session.get(TwoFactorCredential, user.id)


def is_enabled(user):
    credential = credential_of(user)
    return credential is not None and credential.confirmed_at is not None


def _roles(user):
    return {membership.role for membership in user.active_memberships()}


def is_required(user, config=None):
    config = config or current_app.config
    return bool(_roles(user) & set(config["TWO_FACTOR_REQUIRED_ROLES"]))


def is_offered(user, config=None):
    config = config or current_app.config
    return bool(_roles(user) & set(config["TWO_FACTOR_ROLES"]))


def start_enrolment(user, now=None):
    """The unconfirmed credential to show as a QR code (a new one unless one is waiting)."""
    credential = credential_of(user)
    if credential is not None and credential.confirmed_at is not None:
        raise ValueError("two-factor authentication is already on")
    if credential is None:
        credential = TwoFactorCredential(user_id=user.id, secret=pyotp.random_base32(), created_at=now or utcnow())
        db.session.add(credential)
        db.session.flush()
    return credential


def provisioning_uri(user, credential):
    return pyotp.TOTP(credential.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri):
    """The QR code as inline SVG, drawn on the server (no script, no third party)."""
    output = io.BytesIO()
    segno.make(uri, error="m").save(output, kind="svg", scale=5, border=2, xmldecl=False, svgns=True,
                                    title="QR")
    return output.getvalue().decode()


def _accept_code(credential, code, now):
    """Whether `code` is valid now and not used before; remembers its step."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(credential.secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if credential.last_step is not None and step <= credential.last_step:
                return False  # replayed
            credential.last_step = step
            return True
    return False


def confirm_enrolment(user, code, actor=None, now=None):
    """Turn it on with a first code from the app; returns the recovery codes (shown once), or
    None when the code is wrong."""
    now = now or utcnow()
    credential = credential_of(user)
    if credential is None or credential.confirmed_at is not None or not _accept_code(credential, code, now):
        return None
    credential.confirmed_at = now
    codes = new_recovery_codes(user)
    audit("two_factor.enabled", actor or user, user)
    return codes


def new_recovery_codes(user):
    """A new set of recovery codes, replacing any earlier set; only their digests are kept."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(RECOVERY_CODE_ALPHABET) for _ in range(10))
             for _ in range(current_app.config["TWO_FACTOR_RECOVERY_CODES"])]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def _digest(code):
    # Recovery codes are random (50 bits): a plain digest cannot be reversed by guessing.
    return hashlib.sha256(code.encode()).hexdigest()


def _normalised_recovery_code(text):
    return "".join(character for character in text.lower() if character in RECOVERY_CODE_ALPHABET)


def verify(user, code, now=None):
    """Check a login's second factor: "code" (the app's), "recovery" (a recovery code, now
    used up and audited) or None when neither matches."""
    now = now or utcnow()
    credential = credential_of(user)
    if credential is None or credential.confirmed_at is None:
        return None
    if _accept_code(credential, code, now):
        return "code"
    recovery = db.session.scalar(
        sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None),
                                      RecoveryCode.code_hash == _digest(_normalised_recovery_code(code)))
        .with_for_update())
    if recovery is None:
        return None
    recovery.used_at = now
    audit("two_factor.recovery_code_used", user, user)
    return "recovery"


def remaining_recovery_codes(user):
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def disable(user, actor, action="two_factor.disabled"):
    """Remove the credential and the recovery codes (the user may enrol again)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(TwoFactorCredential).where(TwoFactorCredential.user_id == user.id))
    audit(action, actor, user)


def audit(action, actor, user):
    """In the log of every workspace of `user`: each one's administrators see it."""
    current_app.logger.info("%s: user %s by user %s", action, user.id, actor.id)
    for tenant_id in sorted({membership.tenant_id for membership in user.active_memberships()}):
        with tenant_context(tenant_id):
            record_event(action, actor=actor, record=user)

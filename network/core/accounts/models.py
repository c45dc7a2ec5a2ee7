"""Users (network-level), their memberships in tenants, and invitations into a tenant."""
import contextlib
import secrets
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.columns import choice_type
from network.core.extensions import db
from network.core.tenancy import TenantScoped
from network.core.tenancy.models import LOCALES, Tenant
from network.core.timeutil import UTCDateTime, utcnow

ROLES = {
    "coordinator": _l("National coordinator"),
    "partner_admin": _l("Partner administrator"),
    "staff": _l("Partner staff"),
    "mentor": _l("Mentor"),
    "mentee": _l("Mentee"),
}
# Which roles a tenant of each kind can grant.
ROLES_BY_TENANT_KIND = {
    "coordination": ("coordinator",),
    "municipality": ("partner_admin", "staff", "mentor", "mentee"),
    "ngo": ("partner_admin", "staff", "mentor", "mentee"),
    "immigrant_association": ("partner_admin", "staff", "mentor", "mentee"),
}
# Who may invite whom into a tenant.
INVITABLE_ROLES = {
    "coordinator": ("coordinator", "partner_admin"),
    "partner_admin": ("partner_admin", "staff"),
}

_HASHERS = {
    "argon2": PasswordHasher(),
    # Tests only: the same algorithm at minimal cost, so hundreds of test users stay fast.
    "argon2-test": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


def _hasher():
    return _HASHERS[current_app.config["PASSWORD_HASHER"]]


def hash_password(password):
    return _hasher().hash(password)


def normalize_email(email):
    return email.strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (sa.Index("uq_users_email_lower", sa.func.lower(sa.text("email")), unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    preferred_locale: Mapped[str | None] = mapped_column(
        choice_type(LOCALES, "user_locale", 8)
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Changes with every new password, so a password-reset link works once.
    session_epoch: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self):
        return self.active

    # The token of the server-side session (network.core.accounts.sessions) this object was loaded
    # or logged in for: what Flask-Login keeps in the cookie, instead of the user's id.
    session_token = None

    def get_id(self):
        return self.session_token

    def set_password(self, password):
        self.password_hash = hash_password(password)
        self.session_epoch = (self.session_epoch or 0) + 1

    def check_password(self, password):
        if not self.password_hash:
            return False
        try:
            return _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def active_memberships(self):
        return [m for m in self.memberships if m.active and m.tenant.active]

    def __repr__(self):
        return f"<User {self.email}>"


def check_password_against_nothing(password):
    """Spend the same time as a real check, so timing does not reveal unknown e-mails."""
    hasher = _hasher()
    dummy = _DUMMY_HASHES.get(hasher)
    if dummy is None:
        dummy = _DUMMY_HASHES[hasher] = hasher.hash(secrets.token_urlsafe(16))
    with contextlib.suppress(VerificationError, InvalidHashError):
        hasher.verify(dummy, password)


_DUMMY_HASHES = {}


class Membership(db.Model):
    """A user's role in one tenant. Network-level: it decides who reaches a tenant at all."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "tenant_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(
        choice_type(ROLES, "membership_role", 32)
    )
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    tenant: Mapped[Tenant] = relationship()

    @property
    def role_label(self):
        return ROLES[self.role]


class Invitation(TenantScoped, db.Model):
    """An invitation into a tenant with a role. Only a hash of the token is stored."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    role: Mapped[str] = mapped_column(
        choice_type(ROLES, "invitation_role", 32)
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def role_label(self):
        return ROLES[self.role]

    def status(self, now=None):
        now = now or utcnow()
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


"""API tokens (network-level): a user's named credentials for the API, each limited to scopes.

Only a SHA-256 digest of the secret is stored: the secret is shown once, when created. A
secret has 256 bits of randomness, so a fast digest is enough (no password hashing needed)."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.timeutil import UTCDateTime, utcnow

SCOPES = {
    "participants:read": _l("Read mentors and mentees"),
    "participants:write": _l("Register and change mentors and mentees"),
    "processes:read": _l("Read mentoring processes and their meetings"),
    "processes:write": _l("Log meetings of mentoring processes"),
    "activities:read": _l("Read activities"),
    "aggregates:read": _l("Read the dashboard figures (aggregates)"),
}
# Days a new token stays valid.
LIFETIMES = {"30": _l("30 days"), "90": _l("90 days"), "365": _l("1 year")}
# What the audit log shows of a token's creation and revocation.
AUDIT_FIELD_LABELS = {"name": _l("Name"), "scopes": _l("Scopes"), "expires_at": _l("Expires")}
TOKEN_STATES = {"active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked")}


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    scopes: Mapped[list] = mapped_column(sa.JSON)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the secret, shown so a user can tell their tokens apart.
    token_prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def state(self, now=None):
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or utcnow()):
            return "expired"
        return "active"

    @property
    def state_label(self):
        return TOKEN_STATES[self.state()]

    @property
    def scope_labels(self):
        return [SCOPES[scope] for scope in self.scopes if scope in SCOPES]

    def __repr__(self):
        return f"<ApiToken {self.id} {self.token_prefix}>"

"""Creating, listing, revoking and checking API tokens. Free of Flask request objects.

Creating or revoking a token is written to the audit log of every workspace the user is a
member of: a token acts with the user's roles there, so each partner's administrators see it."""
import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from network.core.accounts.login import WITH_MEMBERSHIPS
from network.core.api.models import ApiToken
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.timeutil import utcnow

log = logging.getLogger(__name__)

SECRET_PREFIX = "rmt_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret):
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(user, name, scopes, lifetime_days, now=None):
    """The new token and its secret: the secret is not stored and cannot be shown again."""
    now = now or utcnow()
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, scopes=sorted(set(scopes)), token_hash=_digest(secret),
                     token_prefix=secret[:12], created_at=now, expires_at=now + timedelta(days=lifetime_days))
    db.session.add(token)
    db.session.flush()
    _audit("api_token.created", user, token, {"name": name, "scopes": token.scopes,
                                              "expires_at": token.expires_at.isoformat()})
    return token, secret


def revoke_token(token, actor, now=None):
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        _audit("api_token.revoked", actor, token, {"name": token.name})


def _audit(action, actor, token, changes):
    log.info("%s: token %s of user %s", action, token.id, token.user_id)
    for tenant_id in sorted({membership.tenant_id for membership in token.user.active_memberships()}):
        with tenant_context(tenant_id):
            record_event(action, actor, token, changes=changes)


def tokens_of(user):
    return db.session.scalars(
        sa.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).all()


def get_token_of(user, token_id):
    """The user's own token with this id, or None: another user's token is not found."""
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id))


def authenticate(secret, now=None):
    """The active token with this secret, its user active too; else None."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > 100:
        return None
    digest = _digest(secret)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == digest)
                              .options(joinedload(ApiToken.user).options(WITH_MEMBERSHIPS)))
    now = now or utcnow()
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    if token.state(now) != "active" or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token

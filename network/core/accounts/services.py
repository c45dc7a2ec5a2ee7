"""Account logic, free of Flask request objects: the views and the CLI call these."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import ValidationError
from sqlalchemy.orm import contains_eager

from network.core.accounts.models import (
    INVITABLE_ROLES,
    ROLES_BY_TENANT_KIND,
    Invitation,
    Membership,
    User,
    check_password_against_nothing,
    normalize_email,
)
from network.core.audit.services import record_event
from network.core.extensions import db
from network.core.submit import Refused
from network.core.timeutil import utcnow


class LoginRefused(Refused):
    def __init__(self, reason):
        super().__init__(reason, status=401)
        self.reason = reason  # "invalid" or "inactive"


def find_user_by_email(email):
    return db.session.scalar(db.select(User).where(db.func.lower(User.email) == normalize_email(email)))


def authenticate(email, password):
    """The user for these credentials, or LoginRefused. An inactive account is only
    revealed to someone who knows its password."""
    user = find_user_by_email(email)
    if user is None:
        check_password_against_nothing(password)
        raise LoginRefused("invalid")
    if not user.check_password(password):
        raise LoginRefused("invalid")
    if not user.active:
        raise LoginRefused("inactive")
    if not user.active_memberships():
        raise LoginRefused("no_membership")
    user.last_login_at = utcnow()
    return user


def create_user(email, name, password=None, preferred_locale=None):
    if find_user_by_email(email) is not None:
        raise ValidationError({"email": [_l("An account with this e-mail address already exists.")]})
    user = User(email=normalize_email(email), name=name, preferred_locale=preferred_locale)
    if password:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def grant_membership(user, tenant, role):
    """Give `user` the `role` in `tenant`; granting it again changes nothing."""
    if role not in ROLES_BY_TENANT_KIND[tenant.kind]:
        raise ValidationError({"role": [_l("This role does not exist in this kind of organisation.")]})
    membership = db.session.scalar(
        db.select(Membership).filter_by(user_id=user.id, tenant_id=tenant.id, role=role)
    )
    if membership is None:
        membership = Membership(user=user, tenant=tenant, role=role)
        db.session.add(membership)
    membership.active = True
    db.session.flush()
    return membership


def roles_inviter_may_grant(tenant, inviter_roles):
    grantable = set()
    for role in inviter_roles:
        grantable.update(INVITABLE_ROLES.get(role, ()))
    return [role for role in ROLES_BY_TENANT_KIND[tenant.kind] if role in grantable]


def _token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invite(tenant, inviter, inviter_roles, email, role, valid_days):
    """Create an invitation into the current tenant; returns (invitation, token).

    The token is shown once (in the e-mail); only its hash is stored."""
    if role not in roles_inviter_may_grant(tenant, inviter_roles):
        raise ValidationError({"role": [_l("You cannot invite someone with this role.")]})
    return create_invitation(tenant, inviter, email, role, valid_days)


def create_invitation(tenant, inviter, email, role, valid_days):
    """The invitation itself, once the caller has decided the inviter may grant `role`
    (the Team page above; staff inviting a mentor or mentee to the portal)."""
    email = normalize_email(email)
    existing = find_user_by_email(email)
    if existing is not None and any(m.tenant_id == tenant.id and m.role == role for m in existing.active_memberships()):
        raise ValidationError({"email": [_l("This person already has this role here.")]})
    _check_invitation_limits(email, inviter)
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email,
        role=role,
        token_hash=_token_hash(token),
        invited_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=valid_days),
    )
    db.session.add(invitation)
    db.session.flush()
    record_event("member.invited", actor=inviter, record=invitation, changes={"email": email, "role": role})
    return invitation, token


def _check_invitation_limits(email, inviter):
    """Each invitation sends an e-mail: not a way to flood an address (or to send many).
    The inviter is signed in and knows what they asked for, so the refusal says why."""
    config, since = current_app.config, utcnow() - timedelta(hours=1)
    recent = db.select(db.func.count()).select_from(Invitation).where(Invitation.created_at > since)
    if db.session.scalar(recent.where(Invitation.email == email)) >= config["INVITATIONS_PER_ADDRESS_HOURLY"]:
        raise ValidationError({"email": [_l("This address has received several invitations in the last hour. "
                                            "Try again later.")]})
    if db.session.scalar(recent.where(Invitation.invited_by_id == inviter.id)) \
            >= config["INVITATIONS_PER_INVITER_HOURLY"]:
        raise ValidationError({"email": [_l("You have sent many invitations in the last hour. Try again later.")]})


def find_invitation(token):
    """The current tenant's invitation for this token, whatever its status, or None."""
    return db.session.scalar(db.select(Invitation).where(Invitation.token_hash == _token_hash(token)))


def pending_invitations():
    return db.session.scalars(
        db.select(Invitation)
        .where(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())
    ).all()


def revoke_invitation(invitation, actor):
    if invitation.status() == "pending":
        invitation.revoked_at = utcnow()
        record_event("invitation.revoked", actor=actor, record=invitation)


# What else accepting an invitation does, registered by the features above (the portal links the
# mentor's or mentee's record to the new account): the accounts floor never imports them.
_acceptance_hooks = []


def on_invitation_accepted(hook):
    """Register `hook(invitation, user)`, run inside `accept_invitation` (it may refuse)."""
    if hook not in _acceptance_hooks:
        _acceptance_hooks.append(hook)
    return hook


# The name the join form starts with, found by the feature that sent the invitation (the portal:
# the mentor's or mentee's record): None when none knows it (a staff invitation).
_name_lookups = []


def on_invited_name(lookup):
    """Register `lookup(invitation)` -> a name or None, asked by `invited_name`."""
    if lookup not in _name_lookups:
        _name_lookups.append(lookup)
    return lookup


def invited_name(invitation):
    """The name on the record an invitation was sent for, so the join form starts with it."""
    return next((name for name in (lookup(invitation) for lookup in _name_lookups) if name), None)


def accept_invitation(invitation, tenant, user):
    """`user` (already authenticated or just created) joins the tenant with the invited role."""
    if invitation.status() != "pending":
        raise ValidationError(gettext("This invitation can no longer be used."))
    if normalize_email(user.email) != invitation.email:
        raise ValidationError(gettext("This invitation was sent to another e-mail address."))
    membership = grant_membership(user, tenant, invitation.role)
    # An invitation of a mentor or mentee names their record: the account becomes its owner.
    for hook in _acceptance_hooks:
        hook(invitation, user)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    record_event("member.joined", actor=user, record=invitation, changes={"role": invitation.role})
    return membership


def deactivate_membership(membership, actor):
    membership.active = False
    record_event("member.deactivated", actor=actor, record=membership, changes={"role": membership.role})


def tenant_members(tenant):
    return db.session.scalars(
        db.select(Membership)
        .join(User)
        .where(Membership.tenant_id == tenant.id)
        .order_by(Membership.active.desc(), User.name)
        .options(contains_eager(Membership.user))
    ).all()


def _reset_serializer(secret_key):
    return URLSafeTimedSerializer(secret_key, salt="password-reset")


def make_password_reset_token(user, secret_key):
    # The session epoch changes with every new password, so a token works once.
    return _reset_serializer(secret_key).dumps({"user": user.id, "epoch": user.session_epoch})


def user_for_password_reset(token, secret_key, max_age):
    try:
        payload = _reset_serializer(secret_key).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    user = db.session.get(User, payload.get("user"))
    if user is None or not user.active or user.session_epoch != payload.get("epoch"):
        return None
    return user

"""Linking an account to the mentor or mentee record it belongs to. Kept apart from the
portal's services because accepting an invitation (network.core.accounts) calls it."""
import sqlalchemy as sa
from flask_babel import gettext
from marshmallow import ValidationError

from network.core.accounts.services import on_invitation_accepted, on_invited_name
from network.core.extensions import db
from tenants.participants.models import PARTICIPANT_MODELS
from tenants.portal.models import ParticipantInvitation


def invited_participant(invitation):
    """The mentor or mentee an invitation was sent for, or None (a staff invitation)."""
    link = db.session.scalar(
        sa.select(ParticipantInvitation).where(ParticipantInvitation.invitation_id == invitation.id))
    return link.participant if link is not None else None


@on_invited_name
def invited_participant_name(invitation):
    participant = invited_participant(invitation)
    return participant.full_name if participant is not None else None


@on_invitation_accepted
def link_invited_participant(invitation, user):
    """Make `user` the owner of the record the invitation names (nothing for other invitations)."""
    participant = invited_participant(invitation)
    if participant is None:
        return None
    if participant.user_id not in (None, user.id):
        raise ValidationError(gettext("This person already has another account in the portal."))
    model = PARTICIPANT_MODELS[participant.role]
    other = db.session.scalar(sa.select(model.id).where(model.user_id == user.id, model.id != participant.id))
    if other is not None:
        raise ValidationError(gettext("Your account is already linked to another record here."))
    participant.user_id = user.id
    # A new account opens the portal in the language the person is written to in.
    if user.preferred_locale is None:
        user.preferred_locale = participant.preferred_language
    return participant

"""The URLs of a mentor's or mentee's pages, shared by every package that adds one (intake,
privacy): one rule per role, and the link to a participant's page. Kept out of `views` so that
no views module imports another package's views."""
from functools import wraps

from flask import url_for

from network.core.permissions import permission_required
from tenants.participants.models import PARTICIPANT_ROLES


def participant_url(action, participant, **values):
    role = participant.role
    return url_for(f"participants.{role}_{action}", **{f"{role}_id": participant.id}, **values)


def add_participant_rule(blueprint, suffix, name, view, methods, action="participants.manage"):
    """Serve `view(role, **ids)` for both roles: at /mentors<suffix> as "mentor_<name>" and at
    /mentees<suffix> as "mentee_<name>" (`{role}` in the suffix becomes the role)."""
    for role in PARTICIPANT_ROLES:
        def view_for_role(role=role, **kwargs):
            return view(role, **kwargs)

        blueprint.add_url_rule(f"/{role}s{suffix.format(role=role)}", f"{role}_{name}",
                               permission_required(action)(wraps(view)(view_for_role)), methods=list(methods))

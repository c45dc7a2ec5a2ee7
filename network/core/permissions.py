"""The permissions matrix: which roles may do each action, in one table.

Views declare the action they perform with `permission_required("action")`; the API
checks the same table (`is_allowed`). Nothing else decides who may do what, so adding a
role or moving an action is an edit here, and `tests/test_permissions.py` walks every
route for every kind of user against this table.
"""
from functools import wraps

from flask import abort, g
from flask_login import current_user

from network.core.extensions import login_manager

COORDINATOR = ("coordinator",)
PARTNER_ADMIN = ("partner_admin",)
STAFF = ("partner_admin", "staff")
PARTICIPANTS = ("mentor", "mentee")
MEMBERS = (*STAFF, *COORDINATOR, *PARTICIPANTS)

# action -> roles allowed, inside the tenant workspace the request names.
MATRIX = {
    # Workspace
    "workspace.view": MEMBERS,
    "team.manage": (*PARTNER_ADMIN, *COORDINATOR),
    "audit.read": PARTNER_ADMIN,
    # Participants, intake and matching (a partner's own pool)
    "participants.manage": STAFF,
    "participants.import": STAFF,
    "intake.partner_questions": STAFF,
    "intake.network_questions": COORDINATOR,
    "matching.suggest": STAFF,
    "matching.configure": PARTNER_ADMIN,
    # Batch matching of the waiting list: propose, pin, exclude, explain, confirm.
    "matching.batch": STAFF,
    # The mentees' choice in the portal: the mentee chooses, the mentor agrees to be shown.
    "matching.choose": ("mentee",),
    "matching.share_profile": ("mentor",),
    # Mentoring processes, run by staff and lived by the pair
    "processes.manage": STAFF,
    # The tasks the casework makes due, and snoozing them
    "casework.tasks": STAFF,
    # Case notes and files: the partner's staff alone (never participants nor coordinators).
    "notes.manage": STAFF,
    "portal.use": PARTICIPANTS,
    # Trainings, workshops, dissemination
    "activities.view": (*STAFF, *COORDINATOR),
    "activities.manage": STAFF,
    "activities.network_manage": COORDINATOR,
    # National coordination
    "partners.manage": COORDINATOR,
    "companies.manage": COORDINATOR,
    "reference.manage": COORDINATOR,
    "jobs.manage": COORDINATOR,
    "outbox.read": (*STAFF, *COORDINATOR),
    "dashboards.view": (*STAFF, *COORDINATOR),
    # Data-subject rights: staff hand a person their data; erasing it and the retention
    # rules are the partner administrator's (the controller's) decisions.
    "privacy.export": STAFF,
    "privacy.erase": PARTNER_ADMIN,
    "privacy.retention": PARTNER_ADMIN,
    # Transfers between partners: staff start one with the person's consent; the receiving
    # partner's administrator accepts or declines it (tenants.transfers).
    "transfers.start": STAFF,
    "transfers.view": STAFF,
    "transfers.decide": PARTNER_ADMIN,
    # Break-the-glass: a coordinator's time-boxed read-only access to one case (off by default).
    "break_glass.request": COORDINATOR,
}


def roles_for(action):
    try:
        return frozenset(MATRIX[action])
    except KeyError:
        raise LookupError(f"{action!r} is not in the permissions matrix") from None


def is_allowed(roles, action):
    """True when any of `roles` (the user's roles in the current tenant) may do `action`."""
    return bool(frozenset(roles) & roles_for(action))


def permission_required(action):
    """Allow the view only to members of the current tenant whose role may do `action`.

    Anonymous users go to the login page; members without the right, like non-members,
    get 404, so a URL never confirms that something exists.
    """
    allowed = roles_for(action)  # an unknown action fails at import, not at request time

    def decorator(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if g.get("tenant") is None or not (g.roles & allowed):
                abort(404)
            return view(*args, **kwargs)

        guarded.required_action = action
        guarded.required_roles = allowed
        return guarded

    return decorator


def matrix_markdown(view_functions):
    """The matrix as a Markdown table, with the endpoints that perform each action: what
    `flask permissions` prints and docs/permissions.md holds."""
    from network.core.accounts.models import ROLES

    endpoints = {}
    for endpoint, view in sorted(view_functions.items()):
        if getattr(view, "required_action", None):
            endpoints.setdefault(view.required_action, []).append(endpoint)
    lines = ["| action | " + " | ".join(ROLES) + " | endpoints |", "|---" * (len(ROLES) + 2) + "|"]
    for action, roles in MATRIX.items():
        marks = " | ".join("yes" if role in roles else "" for role in ROLES)
        lines.append(f"| `{action}` | {marks} | {', '.join(endpoints.get(action, []))} |")
    return "\n".join(lines) + "\n"

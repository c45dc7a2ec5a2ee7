from datetime import date

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.accounts import services as accounts
from network.core.accounts.models import ROLES, Invitation, Membership
from network.core.accounts.schemas import InvitationSchema
from network.core.audit.services import recent_events
from network.core.extensions import db
from network.core.mail import send_email
from network.core.permissions import permission_required
from network.core.submit import found_or_404, get_or_404, redirect_replayed, submit, submitted_key
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form
from tenants.casework import services as casework
from tenants.workspace.services import workspace_attention

bp = Blueprint("workspace", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

# Members who are only mentors or mentees work in the portal.
PARTICIPANT_ROLES = frozenset({"mentor", "mentee"})
HOME_TASKS = 10


@bp.get("/")
@permission_required("workspace.view")
def home():
    if g.tenant.is_coordination:
        return redirect(url_for("coordination.partners"))
    if g.roles <= PARTICIPANT_ROLES:
        return redirect(url_for("portal.home"))
    members = accounts.tenant_members(g.tenant)
    staff_counts = {role: sum(1 for m in members if m.active and m.role == role) for role in ROLES}
    is_staff = bool(g.roles & {"partner_admin", "staff"})
    open_tasks = casework.tasks() if is_staff else []
    return render_template(
        "workspace/home.html",
        role_labels=ROLES,
        staff_counts=staff_counts,
        my_tasks=[task for task in open_tasks if task.owner_id == current_user.id][:HOME_TASKS],
        unassigned_tasks=sum(1 for task in open_tasks if task.owner_id is None),
        today=date.today(),
        attention=workspace_attention() if g.roles & {"partner_admin", "staff"} else None,
        events=recent_events(10) if g.roles & {"partner_admin", "staff"} else [],
    )


@bp.route("/members", methods=["GET", "POST"])
@permission_required("team.manage")
def members():
    grantable = accounts.roles_inviter_may_grant(g.tenant, g.roles)
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(InvitationSchema())
        if not errors:
            outcome = submit(_invite_and_send, data, once=submitted_key(),
                             location=lambda invitation: url_for("workspace.members"))
            if outcome.replayed:
                return redirect_replayed(outcome)
            invitation, refusal = outcome.result, outcome.refusal
            if refusal:
                errors = refusal.errors
            else:
                flash(_("Invitation sent to %(email)s.", email=invitation.email), "info")
                return redirect(url_for("workspace.members"))
    return render_template(
        "workspace/members.html",
        members=accounts.tenant_members(g.tenant),
        invitations=accounts.pending_invitations(),
        role_options=[(role, ROLES[role]) for role in grantable],
        form=form,
        errors=errors,
    ), 400 if errors else 200


def _invite_and_send(data):
    invitation, token = accounts.invite(g.tenant, current_user, g.roles, data["email"], data["role"],
                                        current_app.config["INVITATION_MAX_AGE_DAYS"])
    send_email(
        invitation.email,
        "workspace/email/invitation.txt",
        g.tenant.default_locale,
        tenant=g.tenant.name,
        inviter=current_user.name,
        role=invitation.role,
        expires_at=invitation.expires_at,
        join_url=url_for("accounts.accept_invitation", slug=g.tenant.slug, token=token, _external=True),
    )
    return invitation


@bp.post("/members/<id:membership_id>/deactivate")
@permission_required("team.manage")
def deactivate_member(membership_id):
    membership = found_or_404(db.session.scalar(
        db.select(Membership).where(Membership.id == membership_id, Membership.tenant_id == g.tenant.id)
    ))
    if membership.user_id == current_user.id:
        flash(_("You cannot deactivate your own membership."), "error")
    else:
        submit(accounts.deactivate_membership, membership, current_user)
        flash(_("%(name)s no longer has access as %(role)s.", name=membership.user.name,
                role=membership.role_label), "info")
    return redirect(url_for("workspace.members"))


@bp.post("/invitations/<id:invitation_id>/revoke")
@permission_required("team.manage")
def revoke_invitation(invitation_id):
    invitation = get_or_404(Invitation, invitation_id)
    submit(accounts.revoke_invitation, invitation, current_user)
    flash(_("The invitation has been revoked."), "info")
    return redirect(url_for("workspace.members"))

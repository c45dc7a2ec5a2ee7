"""Two-factor pages: the code step of a login, setting it up, managing it, an administrator's reset."""
import time

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.core.accounts import sessions, throttle, two_factor
from network.core.accounts.login import current_session
from network.core.accounts.models import Membership, User
from network.core.accounts.views import PENDING_LOGIN_KEY, _start_session
from network.core.extensions import db
from network.core.permissions import permission_required
from network.core.submit import submit
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.timeutil import utcnow

bp = Blueprint("two_factor", __name__, template_folder="templates")
team_bp = Blueprint("two_factor_team", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

@bp.after_request
def never_cached(response):
    # The set-up page shows the secret key, the recovery codes page the codes, before the
    # browser is logged in (network.core.security marks only logged-in pages as not to be stored).
    response.headers["Cache-Control"] = "no-store"
    return response


# The code step's failures count per account, whatever the client: whoever reaches it knows
# the password already.
SECOND_FACTOR_CLIENT = "second-factor"


def _pending_user():
    """The user who gave the right password in this browser a moment ago, or None."""
    pending = session.get(PENDING_LOGIN_KEY)
    if not pending or time.time() - pending.get("at", 0) > current_app.config["TWO_FACTOR_PENDING_SECONDS"]:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_epoch != pending.get("epoch"):
        return None
    return user


def _pending_or_login():
    user = _pending_user()
    if user is None:
        session.pop(PENDING_LOGIN_KEY, None)
        flash(_("Please log in to continue."), "info")
    return user


def _wait_refusal(user, template, status=429, **context):
    wait = throttle.wait_seconds(user.email, SECOND_FACTOR_CLIENT)
    if not wait:
        return None
    flash(_("Too many wrong codes. Try again in %(minutes)d minutes.", minutes=max(1, -(-wait // 60))), "error")
    return render_template(template, errors={}, **context), status


def _wrong_code(user, template, **context):
    throttle.record_failure(user.email, SECOND_FACTOR_CLIENT)
    errors = {"code": [_("This code is not correct. Check the time on your phone, or use a recovery code.")]}
    return render_template(template, errors=errors, **context), 400


@bp.route("/login/code", methods=["GET", "POST"])
def verify():
    user = _pending_or_login()
    if user is None:
        return redirect(url_for("accounts.login"))
    if request.method == "POST":
        refusal = _wait_refusal(user, "accounts/two_factor_verify.html")
        if refusal:
            return refusal
        how = two_factor.verify(user, request.form.get("code", ""))
        if how is None:
            return _wrong_code(user, "accounts/two_factor_verify.html")
        throttle.clear_failures(user.email, SECOND_FACTOR_CLIENT)
        next_url = session[PENDING_LOGIN_KEY].get("next") or url_for("accounts.home")
        _start_session(user, second_factor=True)
        if how == "recovery":
            flash(_("You logged in with a recovery code; %(count)d remain. If you lost your phone, set up "
                    "two-factor authentication again on your account page.",
                    count=two_factor.remaining_recovery_codes(user)), "info")
        return redirect(next_url)
    return render_template("accounts/two_factor_verify.html", errors={})


def _enrolment_page(user, errors, status=200):
    credential = submit(two_factor.start_enrolment, user).result
    uri = two_factor.provisioning_uri(user, credential)
    return render_template("accounts/two_factor_enrol.html", errors=errors, qr_code=two_factor.qr_code_svg(uri),
                           secret=credential.secret, required=two_factor.is_required(user)), status


def _confirm_enrolment(user):
    """The first code from the app turns two-factor on: (the recovery codes, None), or (None,
    the setup page again saying why not); wrong codes make the account wait like failed logins."""
    if throttle.wait_seconds(user.email, SECOND_FACTOR_CLIENT):
        return None, _enrolment_page(user, {"code": [_("Too many wrong codes. Try again in a few minutes.")]}, 429)
    codes = two_factor.confirm_enrolment(user, request.form.get("code", ""))
    if codes is None:
        throttle.record_failure(user.email, SECOND_FACTOR_CLIENT)
        return None, _enrolment_page(user, {"code": [_("This code is not correct. Check the time on your phone.")]},
                                     400)
    return codes, None


@bp.route("/login/two-factor/setup", methods=["GET", "POST"])
def enrol():
    """A login of someone who must use two-factor authentication and has not set it up yet."""
    user = _pending_or_login()
    if user is None:
        return redirect(url_for("accounts.login"))
    if two_factor.is_enabled(user):
        return redirect(url_for("two_factor.verify"))
    if request.method == "POST":
        codes, refused = _confirm_enrolment(user)
        if refused:
            return refused
        next_url = session[PENDING_LOGIN_KEY].get("next") or url_for("accounts.home")
        _start_session(user, second_factor=True)
        return render_template("accounts/two_factor_recovery_codes.html", codes=codes, next_url=next_url)
    return _enrolment_page(user, {})


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def manage():
    user = current_user._get_current_object()
    if not two_factor.is_offered(user) and not two_factor.is_enabled(user):
        abort(404)
    if not two_factor.is_enabled(user):
        if request.method == "POST":
            codes, refused = _confirm_enrolment(user)
            if refused:
                return refused
            submit(_second_factor_given, current_session())
            return render_template("accounts/two_factor_recovery_codes.html", codes=codes,
                                   next_url=url_for("two_factor.manage"))
        return _enrolment_page(user, {})
    context = {"required": two_factor.is_required(user), "remaining": two_factor.remaining_recovery_codes(user)}
    if request.method == "POST":
        action = request.form.get("action")
        if action not in ("disable", "recovery_codes") or (action == "disable" and context["required"]):
            abort(400)
        refusal = _wait_refusal(user, "accounts/two_factor_manage.html", **context)
        if refusal:
            return refusal
        # A stolen session alone cannot turn the second factor off: it takes a code.
        if two_factor.verify(user, request.form.get("code", "")) is None:
            return _wrong_code(user, "accounts/two_factor_manage.html", **context)
        throttle.clear_failures(user.email, SECOND_FACTOR_CLIENT)
        if action == "disable":
            submit(two_factor.disable, user, actor=user)
            flash(_("Two-factor authentication is off."), "info")
            return redirect(url_for("accounts.account"))
        codes = submit(two_factor.new_recovery_codes, user).result
        return render_template("accounts/two_factor_recovery_codes.html", codes=codes,
                               next_url=url_for("two_factor.manage"))
    return render_template("accounts/two_factor_manage.html", errors={}, **context)


def _second_factor_given(user_session):
    user_session.second_factor_at = utcnow()


def _reset(user, actor):
    two_factor.disable(user, actor=actor, action="two_factor.reset")
    sessions.end_all_sessions(user)


@team_bp.post("/members/<id:membership_id>/two-factor/reset")
@permission_required("team.manage")
def reset_member(membership_id):
    """For a member who lost both the phone and the recovery codes: they set it up again at
    their next login. Audited, and every session of theirs ends."""
    membership = db.session.scalar(
        db.select(Membership).where(Membership.id == membership_id, Membership.tenant_id == g.tenant.id))
    if membership is None or membership.role not in current_app.config["TWO_FACTOR_ROLES"]:
        abort(404)
    user = membership.user
    if user.id == current_user.id:
        flash(_("You cannot reset your own two-factor authentication; ask another administrator."), "error")
    else:
        submit(_reset, user, current_user)
        flash(_("%(name)s sets up two-factor authentication again at the next login.", name=user.name), "info")
    return redirect(url_for("workspace.members"))

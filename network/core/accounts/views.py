import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from network.core.accounts import reset_requests, services, sessions, throttle, two_factor
from network.core.accounts.login import current_session
from network.core.accounts.models import ROLES
from network.core.accounts.schemas import (
    EmailSchema,
    LoginSchema,
    NewAccountSchema,
    NewPasswordSchema,
    ProfileSchema,
)
from network.core.extensions import db, limiter
from network.core.i18n import SESSION_LOCALE_KEY
from network.core.submit import submit
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from network.core.validation import load_form

bp = Blueprint("accounts", __name__, template_folder="templates")

# In the cookie between the password and the second factor: who, and since when.
PENDING_LOGIN_KEY = "pending_login"

LOGIN_REFUSALS = {
    "invalid": lambda: _("The e-mail address or the password is not correct."),
    "inactive": lambda: _("This account is deactivated. Ask your organisation's administrator to reactivate it."),
    "no_membership": lambda: _(
        "This account has no active workspace. Ask your organisation's administrator for an invitation."
    ),
}


@bp.app_template_filter("role_label")
def role_label(role):
    """A role's name, in the language being rendered (pages and e-mails alike)."""
    return ROLES[role]


def _safe_next(target):
    """Only same-site paths: never redirect to another host after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _fresh_session():
    """Drop everything from the session but the chosen language."""
    locale = session.get(SESSION_LOCALE_KEY)
    session.clear()
    if locale:
        session[SESSION_LOCALE_KEY] = locale


def _start_session(user, second_factor=False):
    # A fresh session on login: nothing from before the login survives (no fixation), and a
    # new server-side session, whose token alone goes in the cookie.
    _fresh_session()
    _row, token = submit(sessions.start_session, user, request.remote_addr, request.user_agent.string,
                         second_factor=second_factor).result
    user.session_token = token
    login_user(user)


def _password_accepted(user, next_url):
    """The password was right (and `submit` saved the login): log in, or first ask for (or set
    up) the second factor."""
    enabled = two_factor.is_enabled(user)
    if enabled or two_factor.is_required(user):
        # Not logged in yet: this browser may only give the code (or set it up) for a few minutes.
        _fresh_session()
        session[PENDING_LOGIN_KEY] = {"user": user.id, "epoch": user.session_epoch, "at": int(time.time()),
                                      "next": next_url}
        return redirect(url_for("two_factor.verify" if enabled else "two_factor.enrol"))
    _start_session(user)
    return redirect(next_url)


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    memberships = current_user.active_memberships()
    tenants = {m.tenant.id: m.tenant for m in memberships}
    if len(tenants) == 1:
        return redirect(url_for("workspace.home", tenant_slug=next(iter(tenants.values())).slug))
    return render_template("accounts/choose_workspace.html", memberships=memberships)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_PER_ADDRESS"], methods=["POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("accounts.home"))
    form, errors = {}, {}
    if request.method == "POST":
        form = {"email": request.form.get("email", "")}
        data, errors = load_form(LoginSchema())
        wait = throttle.wait_seconds(data["email"], request.remote_addr) if not errors else 0
        if wait:
            flash(_("Too many failed attempts for this account. Try again in %(minutes)d minutes.",
                    minutes=max(1, -(-wait // 60))), "error")
            return render_template("accounts/login.html", form=form, errors={}), 429
        if not errors:
            user, refusal, _replayed = submit(services.authenticate, data["email"], data["password"])
            if refusal:
                if refusal.reason == "invalid":
                    throttle.record_failure(data["email"], request.remote_addr)
                flash(LOGIN_REFUSALS[refusal.reason](), "error")
                return render_template("accounts/login.html", form=form, errors={}), 401
            throttle.clear_failures(data["email"], request.remote_addr)
            return _password_accepted(user, _safe_next(request.args.get("next")) or url_for("accounts.home"))
    return render_template("accounts/login.html", form=form, errors=errors), 400 if errors else 200


@bp.post("/logout")
def logout():
    if current_session() is not None:
        # The row goes: the cookie, wherever it was copied, no longer logs anyone in.
        submit(sessions.end_session, current_session())
    logout_user()
    _fresh_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/locale")
def switch_locale():
    locale = request.form.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    # This session's choice; the account's preference changes only on the account page.
    session[SESSION_LOCALE_KEY] = locale
    return redirect(_safe_next(request.form.get("next")) or url_for("accounts.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(EmailSchema())
        if not errors:
            # The same work for every address (reset_requests): the e-mail, if any, after the response.
            reset_request = submit(reset_requests.record_request, data["email"], request.remote_addr,
                                   request.url_root, session.get(SESSION_LOCALE_KEY)).result
            reset_requests.queue_request(reset_request.id)
            # The same answer whether or not the address has an account.
            flash(_("If this address has an account, we have sent it a link to choose a new password."), "info")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form, errors=errors), 400 if errors else 200


def _new_password(user, password):
    """A new password ends every session and releases the address's login back-off."""
    user.set_password(password)
    sessions.end_all_sessions(user)
    throttle.clear_every_client(user.email)


def _change(user, **values):
    for name, value in values.items():
        setattr(user, name, value)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    user = services.user_for_password_reset(
        token, current_app.secret_key, current_app.config["PASSWORD_RESET_MAX_AGE"]
    )
    if user is None:
        return render_template("accounts/link_invalid.html"), 404
    errors = {}
    if request.method == "POST":
        data, errors = load_form(NewPasswordSchema(email=user.email, name=user.name))
        if not errors:
            submit(_new_password, user, data["password"])
            flash(_("Your password has been changed. Log in with the new password."), "info")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", errors=errors), 400 if errors else 200


@bp.route("/join/<slug>/<token>", methods=["GET", "POST"])
def accept_invitation(slug, token):
    tenant = db.session.scalar(db.select(Tenant).where(Tenant.slug == slug, Tenant.active.is_(True)))
    if tenant is None:
        return render_template("accounts/link_invalid.html"), 404
    with tenant_context(tenant.id):
        invitation = services.find_invitation(token)
        if invitation is None or invitation.status() != "pending":
            return render_template("accounts/link_invalid.html"), 404 if invitation is None else 410
        existing = services.find_user_by_email(invitation.email)
        errors, form = {}, {"name": services.invited_name(invitation) or ""}
        if request.method == "POST":
            if existing is not None:
                if not current_user.is_authenticated or current_user.id != existing.id:
                    abort(403)
                user, account = existing, None
            else:
                form = request.form
                account, errors = load_form(NewAccountSchema(email=invitation.email))
                if errors:
                    return _invitation_page(tenant, invitation, existing, form, errors), 400
                user = None
            user, refusal, _replayed = submit(_join, invitation, tenant, user, account)
            if refusal:
                flash(refusal.message, "error")
                return redirect(url_for("accounts.home"))
            response = redirect(url_for("workspace.home", tenant_slug=tenant.slug))
            if not current_user.is_authenticated:
                # A role that requires two-factor authentication sets it up before the first page.
                response = _password_accepted(user, response.location)
            flash(_("Welcome to %(tenant)s.", tenant=tenant.name), "info")
            return response
        return _invitation_page(tenant, invitation, existing, form, errors)


def _join(invitation, tenant, user, account):
    """Accept the invitation, first creating the account (`account`: its form) when the invitee has none."""
    if user is None:
        user = services.create_user(invitation.email, account["name"], account["password"],
                                    preferred_locale=session.get(SESSION_LOCALE_KEY))
    services.accept_invitation(invitation, tenant, user)
    return user


def _invitation_page(tenant, invitation, existing, form, errors):
    return render_template(
        "accounts/accept_invitation.html",
        tenant=tenant,
        invitation=invitation,
        existing=existing,
        signed_in_as_invitee=existing is not None
        and current_user.is_authenticated
        and current_user.id == existing.id,
        form=form,
        errors=errors,
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    errors = {}
    form = {"name": current_user.name, "preferred_locale": current_user.preferred_locale or ""}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(ProfileSchema())
        if not errors:
            submit(_change, current_user._get_current_object(), name=data["name"],
                   preferred_locale=data["preferred_locale"])
            session[SESSION_LOCALE_KEY] = data["preferred_locale"]
            flash(_("Your details have been saved."), "info")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, errors=errors), 400 if errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    errors = {}
    if request.method == "POST":
        if not current_user.check_password(request.form.get("current_password", "")):
            errors = {"current_password": [_("The current password is not correct.")]}
        else:
            data, errors = load_form(NewPasswordSchema(email=current_user.email, name=current_user.name))
            if not errors:
                user = current_user._get_current_object()
                second_factor = current_session().second_factor_at is not None
                # Every session ends, this one too; it continues under a new one (a new token).
                submit(_new_password, user, data["password"])
                _start_session(user, second_factor=second_factor)
                flash(_("Your password has been changed; other sessions have been logged out."), "info")
                return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", errors=errors), 400 if errors else 200

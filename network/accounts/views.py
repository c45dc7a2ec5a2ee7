from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from network.accounts import services, throttle
from network.accounts.models import ROLES
from network.accounts.schemas import (
    EmailSchema,
    LoginSchema,
    NewAccountSchema,
    NewPasswordSchema,
    ProfileSchema,
)
from network.extensions import db, limiter
from network.i18n import SESSION_LOCALE_KEY
from network.mail import send_email
from network.submit import submit
from network.validation import load_form
from tenants.tenancy import tenant_context
from tenants.tenancy.models import Tenant

bp = Blueprint("accounts", __name__, template_folder="templates")

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


def _start_session(user):
    # A fresh session on login: nothing from before the login survives (no fixation).
    _fresh_session()
    login_user(user)


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
        if not errors and throttle.is_locked_out(data["email"]):
            flash(_("Too many failed attempts for this account. Try again in %(minutes)d minutes.",
                    minutes=throttle.lockout_minutes()), "error")
            return render_template("accounts/login.html", form=form, errors={}), 429
        if not errors:
            user, refusal, _replayed = submit(services.authenticate, data["email"], data["password"])
            if refusal:
                if refusal.reason == "invalid":
                    throttle.record_failure(data["email"])
                flash(LOGIN_REFUSALS[refusal.reason](), "error")
                return render_template("accounts/login.html", form=form, errors={}), 401
            throttle.clear_failures(data["email"])
            _start_session(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
    return render_template("accounts/login.html", form=form, errors=errors), 400 if errors else 200


@bp.post("/logout")
def logout():
    logout_user()
    _fresh_session()
    flash(_("You have logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.post("/locale")
def switch_locale():
    locale = request.form.get("locale")
    if locale not in current_app.config["LANGUAGES"]:
        abort(400)
    session[SESSION_LOCALE_KEY] = locale
    if current_user.is_authenticated:
        submit(_change, current_user._get_current_object(), preferred_locale=locale)
    return redirect(_safe_next(request.form.get("next")) or url_for("accounts.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form, errors = {}, {}
    if request.method == "POST":
        form = request.form
        data, errors = load_form(EmailSchema())
        if not errors:
            user = services.find_user_by_email(data["email"])
            if user is not None and user.active:
                submit(_send_password_reset, user)
            # The same answer whether or not the address has an account.
            flash(_("If this address has an account, we have sent it a link to choose a new password."), "info")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form, errors=errors), 400 if errors else 200


def _send_password_reset(user):
    token = services.make_password_reset_token(user, current_app.secret_key)
    send_email(
        user.email,
        "accounts/email/password_reset.txt",
        user.preferred_locale or current_app.config["BABEL_DEFAULT_LOCALE"],
        name=user.name,
        reset_url=url_for("accounts.reset_password", token=token, _external=True),
    )


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
        data, errors = load_form(NewPasswordSchema())
        if not errors:
            submit(user.set_password, data["password"])
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
        errors, form = {}, {}
        if request.method == "POST":
            if existing is not None:
                if not current_user.is_authenticated or current_user.id != existing.id:
                    abort(403)
                user, account = existing, None
            else:
                form = request.form
                account, errors = load_form(NewAccountSchema())
                if errors:
                    return _invitation_page(tenant, invitation, existing, form, errors), 400
                user = None
            user, refusal, _replayed = submit(_join, invitation, tenant, user, account)
            if refusal:
                flash(refusal.message, "error")
                return redirect(url_for("accounts.home"))
            if not current_user.is_authenticated:
                _start_session(user)
            flash(_("Welcome to %(tenant)s.", tenant=tenant.name), "info")
            return redirect(url_for("workspace.home", tenant_slug=tenant.slug))
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
            data, errors = load_form(NewPasswordSchema())
            if not errors:
                submit(current_user.set_password, data["password"])
                # Every other session ends (new epoch); this one continues under the new id.
                _start_session(current_user._get_current_object())
                flash(_("Your password has been changed; other sessions have been logged out."), "info")
                return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", errors=errors), 400 if errors else 200

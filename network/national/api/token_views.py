"""`/account/api-tokens`: a user's own API tokens — create (the secret is shown once), list, revoke."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError, fields, validate, validates

from network.core.api import tokens
from network.core.api.models import LIFETIMES, SCOPES
from network.core.submit import found_or_404, redirect_replayed, submit, submitted_key
from network.core.validation import FormSchema, choice_field, load_form, text_field

bp = Blueprint("api_tokens", __name__, template_folder="templates", url_prefix="/account/api-tokens")


class ApiTokenSchema(FormSchema):
    name = text_field(100)
    scopes = fields.List(choice_field(SCOPES), validate=validate.Length(min=1, error=_l("Choose at least one scope.")),
                         load_default=list)
    lifetime_days = choice_field(LIFETIMES)

    @validates("scopes")
    def distinct(self, scopes, **kwargs):
        if len(set(scopes)) != len(scopes):
            raise ValidationError(_("Choose each scope only once."))


def _page(form=None, errors=None, secret=None, status=200):
    return render_template("api/tokens.html", tokens=tokens.tokens_of(current_user), form=form or {},
                           errors=errors or {}, secret=secret, scopes=list(SCOPES.items()),
                           lifetimes=list(LIFETIMES.items())), status


@bp.get("/")
@login_required
def index():
    return _page(form={"lifetime_days": "90"})


@bp.post("/")
@login_required
def create():
    submitted = {"name": request.form.get("name", ""), "scopes": request.form.getlist("scopes"),
                 "lifetime_days": request.form.get("lifetime_days", "")}
    data, errors = load_form(ApiTokenSchema(), submitted)
    if errors:
        if isinstance(errors.get("scopes"), dict):  # an unknown scope, by position
            errors["scopes"] = sorted({message for messages in errors["scopes"].values() for message in messages})
        return _page(form=submitted, errors=errors, status=400)
    outcome = submit(tokens.create_token, current_user, data["name"], data["scopes"], int(data["lifetime_days"]),
                     once=submitted_key(), location=lambda created: url_for("api_tokens.index"))
    if outcome.replayed:  # the secret was shown to the first request only, and is not stored
        return redirect_replayed(outcome)
    _token, secret = outcome.result
    # Shown in this response only: the secret is not stored, so there is no page to come back to.
    return _page(form={"lifetime_days": "90"}, secret=secret)


@bp.post("/<id:token_id>/revoke")
@login_required
def revoke(token_id):
    token = found_or_404(tokens.get_token_of(current_user, token_id))
    submit(tokens.revoke_token, token, current_user)
    flash(_("The token has been revoked: it no longer gives access to the API."), "info")
    return redirect(url_for("api_tokens.index"))

"""The coordination team extends the shared reference list of support areas (companies have
their own pages: network.coordination)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from network.core.permissions import permission_required
from network.core.reference import services
from network.core.reference.schemas import SupportAreaSchema
from network.core.submit import redirect_replayed, submit, submitted_key
from network.core.tenancy.web import TENANT_URL_PREFIX
from network.core.validation import load_form

bp = Blueprint("reference", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

# The page's forms: which list they add to, with what, and what to say once done.
_FORMS = {
    "support_area": (SupportAreaSchema, services.add_support_area, _l("The support area is added for every partner.")),
}


@bp.route("/reference", methods=["GET", "POST"])
@permission_required("reference.manage")
def lists():
    form, errors, submitted = {}, {}, request.form.get("list")
    if request.method == "POST":
        if submitted not in _FORMS:
            abort(400)
        form = request.form
        schema, create, done = _FORMS[submitted]
        data, errors = load_form(schema())
        if not errors:
            outcome = submit(create, **data, once=submitted_key(), location=lambda created: url_for("reference.lists"))
            if outcome.replayed:
                return redirect_replayed(outcome)
            refusal = outcome.refusal
            if refusal:
                errors = refusal.errors
            else:
                flash(str(done), "info")
                return redirect(url_for("reference.lists"))
    return render_template(
        "reference/lists.html",
        support_areas=services.active_support_areas(),
        form=form,
        errors=errors,
        submitted=submitted,
    ), 400 if errors else 200

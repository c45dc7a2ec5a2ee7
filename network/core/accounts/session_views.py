"""Your sessions: where the account is signed in, and signing out the other devices."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.core.accounts import sessions
from network.core.accounts.login import current_session
from network.core.submit import submit

bp = Blueprint("sessions", __name__, template_folder="templates")


@bp.get("/account/sessions")
@login_required
def index():
    return render_template("accounts/sessions.html", sessions=sessions.sessions_of(current_user),
                           current=current_session())


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end(session_id):
    row = sessions.find_session_of(current_user, session_id)
    if row is None:
        abort(404)
    if row.id == current_session().id:
        return redirect(url_for("accounts.logout"), code=307)
    submit(sessions.end_session, row)
    flash(_("That session has been signed out."), "info")
    return redirect(url_for("sessions.index"))


@bp.post("/account/sessions/end-others")
@login_required
def end_others():
    ended = submit(sessions.end_other_sessions, current_user, keep=current_session()).result
    flash(_("Every other session has been signed out (%(count)d).", count=ended), "info")
    return redirect(url_for("sessions.index"))

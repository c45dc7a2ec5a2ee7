"""The next meeting's calendar invitation as a download, for the staff's process page and the
participant's portal page alike (a web helper: both views call it, neither imports the other)."""
from flask import current_app, flash, g, redirect
from flask_babel import get_locale
from flask_babel import gettext as _

from tenants.processes import scheduling


def calendar_download(process, attendees, back_url):
    """The .ics of the process's next meeting as a download (staff and portal pages)."""
    if process.next_meeting_at is None:
        flash(_("No next meeting scheduled."), "info")
        return redirect(back_url)
    ics = scheduling.invitation_for(process, g.tenant, str(get_locale()), attendees)
    response = current_app.response_class(ics, mimetype="text/calendar")
    response.headers.set("Content-Disposition", "attachment", filename="reuniao.ics")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response

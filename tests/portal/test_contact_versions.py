"""A participant correcting their contacts in the portal while staff edit the same person: neither
edit is lost silently; the stale form gets the 409 page with the other's values beside the typed ones."""
import re

import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants import services as participants
from tenants.participants.models import Mentee
from tests.concurrency.conftest import race
from tests.factories import login

STALE = "Someone else saved this record while you were editing it."


def _signed_in(app, email):
    client = app.test_client()
    login(client, email, locale="en")
    return client


def _version(page):
    """The version the form was opened on (1 where a form carries none)."""
    found = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True))
    return found.group(1) if found else "1"


def _staff_form(app, pair, **changes):
    """The staff edit form of the mentee as the page shows it, with `changes` typed in."""
    with app.app_context(), tenant_context(pair.tenant):
        data = participants.form_data(db.session.get(Mentee, pair.mentee))
    form = {key: value if isinstance(value, list) else ("" if value is None else str(value))
            for key, value in data.items()}
    return {**form, **changes}


def _saved(app, pair):
    with app.app_context(), tenant_context(pair.tenant):
        return tuple(db.session.execute(sa.select(Mentee.email, Mentee.phone, Mentee.municipality)
                                        .where(Mentee.id == pair.mentee)).one())


def test_a_stale_portal_contact_form_gets_409_beside_what_staff_saved_and_loses_nothing(app, pair):
    mentee, staff = _signed_in(app, pair.mentee_user), _signed_in(app, pair.staff)
    profile = f"/t/{pair.slug}/portal/profile/mentee"
    edit = f"/t/{pair.slug}/mentees/{pair.mentee}/edit"
    opened = _version(mentee.get(profile))
    staff_form = _staff_form(app, pair, phone="+351 913 000 222", municipality="Amadora")

    assert staff.post(edit, data=staff_form).status_code == 302
    stale = mentee.post(profile, data={"email": "mohamed.ali@example.pt", "phone": "+351912345678",
                                       "shares_contact": "yes", "version": opened})

    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert STALE in page
    assert "+351913000222" in page  # what staff saved, shown beside ...
    assert 'value="mohamed.ali@example.pt"' in page  # ... what the participant typed, kept
    assert f'name="version" value="{int(opened) + 1}"' in page
    assert _saved(app, pair) == ("mohamed@example.pt", "+351913000222", "Amadora")

    # Saving again, now knowing the staff's values, keeps what the participant chose.
    again = mentee.post(profile, data={"email": "mohamed.ali@example.pt", "phone": "+351913000222",
                                       "shares_contact": "yes", "version": _version(stale)})
    assert again.status_code == 302
    assert _saved(app, pair) == ("mohamed.ali@example.pt", "+351913000222", "Amadora")


def test_staff_editing_after_the_participant_saved_get_409_and_the_participants_contacts_stay(app, pair):
    mentee, staff = _signed_in(app, pair.mentee_user), _signed_in(app, pair.staff)
    profile = f"/t/{pair.slug}/portal/profile/mentee"
    edit = f"/t/{pair.slug}/mentees/{pair.mentee}/edit"
    staff_form = _staff_form(app, pair, municipality="Amadora", version=_version(staff.get(edit)))

    assert mentee.post(profile, data={"email": "mohamed.ali@example.pt", "phone": "+351912345678",
                                      "shares_contact": "yes", "version": _version(mentee.get(profile))}
                       ).status_code == 302
    stale = staff.post(edit, data=staff_form)

    assert stale.status_code == 409 and "mohamed.ali@example.pt" in stale.get_data(as_text=True)
    assert _saved(app, pair)[:2] == ("mohamed.ali@example.pt", "+351912345678")
    assert _saved(app, pair)[2] != "Amadora"


def test_a_portal_save_and_a_staff_save_at_the_same_moment_keep_one_and_refuse_the_other(app, pair):
    mentee, staff = _signed_in(app, pair.mentee_user), _signed_in(app, pair.staff)
    profile = f"/t/{pair.slug}/portal/profile/mentee"
    edit = f"/t/{pair.slug}/mentees/{pair.mentee}/edit"
    portal_form = {"email": "mohamed.ali@example.pt", "phone": "+351912345678", "shares_contact": "yes",
                   "version": _version(mentee.get(profile))}
    staff_form = _staff_form(app, pair, phone="+351 913 000 222", version=_version(staff.get(edit)))

    responses = race(app, (mentee, lambda client: client.post(profile, data=portal_form)),
                     (staff, lambda client: client.post(edit, data=staff_form)))

    assert sorted(response.status_code for response in responses) == [302, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert STALE in refused.get_data(as_text=True)
    saved = _saved(app, pair)
    assert saved in {("mohamed.ali@example.pt", "+351912345678", saved[2]),
                     ("mohamed@example.pt", "+351913000222", saved[2])}

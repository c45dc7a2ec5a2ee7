"""Activity pages: staff create, invite and record attendance; coordinators run network
activities and see counts; nobody reaches another partner's activity."""
from datetime import date

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.activities.models import Activity, ActivityInvitation, NetworkActivity
from tenants.participants.models import Mentor
from tests.factories import login, make_mentor, one_activity_record_of_each_kind


def test_staff_run_a_training_and_attendance_completes_it(app, client, two_partners):
    with app.app_context():
        with tenant_context(two_partners.alpha.id):
            mentor_id = make_mentor().id
        db.session.commit()
    login(client, two_partners.alpha_staff, locale="en")
    base = f"/t/{two_partners.alpha.slug}/activities"
    form = {"kind": "training_mentors", "title": "Initial training", "held_on": "2026-02-01", "place": "Library",
            "audience": "mentees"}
    refused = client.post(f"{base}/new", data=form | {"held_on": "31/02/2026"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Enter a real date" in page and 'value="Initial training"' in page
    wrong_audience = client.post(f"{base}/new", data=form)
    assert wrong_audience.status_code == 400 and "separately" in wrong_audience.get_data(as_text=True)
    created = client.post(f"{base}/new", data=form | {"audience": "mentors"})
    assert created.status_code == 302
    with app.app_context(), tenant_context(two_partners.alpha.id):
        activity_id = db.session.scalar(sa.select(Activity.id))
    page = client.get(f"{base}/{activity_id}").get_data(as_text=True)
    assert "Marta Mentora" in page
    invited = client.post(f"{base}/{activity_id}/invitations", data={"participants": f"mentor:{mentor_id}"})
    assert invited.status_code == 302
    with app.app_context(), tenant_context(two_partners.alpha.id):
        invitation_id = db.session.scalar(sa.select(ActivityInvitation.id))
    bad = client.post(f"{base}/{activity_id}/attendance", data={f"attendance-{invitation_id + 1}": "attended"})
    assert bad.status_code == 400 and "people invited to this activity" in bad.get_data(as_text=True)
    done = client.post(f"{base}/{activity_id}/attendance", data={f"attendance-{invitation_id}": "attended"},
                       follow_redirects=True)
    assert "1 person completed the initial training." in done.get_data(as_text=True)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.get(Mentor, mentor_id).training_completed_on == date(2026, 2, 1)


def test_coordinators_create_network_activities_and_see_counts_per_partner(app, client, two_partners):
    login(client, two_partners.coordinator, locale="en")
    base = f"/t/{two_partners.coordination.slug}/activities"
    assert client.post(f"{base}/network/new", data={
        "kind": "annual_meeting", "title": "Annual meeting 2026", "held_on": "2026-01-15", "place": "Lisbon",
        "audience": "participants"}).status_code == 302
    with app.app_context():
        for tenant_id, email in ((two_partners.alpha.id, two_partners.alpha_staff),
                                 (two_partners.beta.id, two_partners.beta_staff)):
            with tenant_context(tenant_id):
                one_activity_record_of_each_kind(db.session.scalar(
                    sa.select(User).filter_by(email=email)))
        network_id = db.session.scalar(sa.select(NetworkActivity.id))
        db.session.commit()
    listing = client.get(f"{base}/").get_data(as_text=True)
    assert "Annual meeting 2026" in listing
    page = client.get(f"{base}/network/{network_id}").get_data(as_text=True)
    assert "Câmara Municipal Alfa" in page and "Associação Beta" in page
    assert "Omar Convidado" not in page and "Omar Convidado" not in listing


@pytest.mark.isolation
def test_partners_see_only_their_own_invitations_to_a_network_activity(app, client, two_partners):
    with app.app_context():
        records = {}
        for tenant_id, email in ((two_partners.alpha.id, two_partners.alpha_staff),
                                 (two_partners.beta.id, two_partners.beta_staff)):
            with tenant_context(tenant_id):
                records[tenant_id] = one_activity_record_of_each_kind(
                    db.session.scalar(sa.select(User).filter_by(email=email)))
        db.session.commit()
    alpha, beta = records[two_partners.alpha.id], records[two_partners.beta.id]
    login(client, two_partners.alpha_staff, locale="en")
    base = f"/t/{two_partners.alpha.slug}/activities"
    page = client.get(f"{base}/network/{alpha.network_activity_id}").get_data(as_text=True)
    assert f'name="attendance-{alpha.network_invitation_id}"' in page
    assert f'name="attendance-{beta.network_invitation_id}"' not in page
    # B's invitation to the same network activity cannot be marked from A's workspace.
    refused = client.post(f"{base}/network/{alpha.network_activity_id}/attendance",
                          data={f"attendance-{beta.network_invitation_id}": "attended"})
    assert refused.status_code == 400
    # B's participant cannot be invited by A.
    refused = client.post(f"{base}/network/{alpha.network_activity_id}/invitations",
                          data={"participants": f"mentee:{beta.mentee_id}"})
    assert refused.status_code == 400
    assert client.get(f"{base}/{beta.activity_id}").status_code == 404
    with app.app_context(), tenant_context(two_partners.beta.id):
        assert db.session.get(ActivityInvitation, beta.network_invitation_id).attended is None


def test_the_mentee_form_records_the_session_that_brought_them(app, client, two_partners):
    with app.app_context():
        staff = {}
        for tenant_id, email in ((two_partners.alpha.id, two_partners.alpha_staff),
                                 (two_partners.beta.id, two_partners.beta_staff)):
            with tenant_context(tenant_id):
                staff[tenant_id] = one_activity_record_of_each_kind(
                    db.session.scalar(sa.select(User).filter_by(email=email)))
        db.session.commit()
    alpha, beta = staff[two_partners.alpha.id], staff[two_partners.beta.id]
    login(client, two_partners.alpha_staff, locale="en")
    url = f"/t/{two_partners.alpha.slug}/mentees/new"
    form = {"full_name": "Lina Nova", "email": "lina@example.pt", "municipality": "Porto",
            "referral_source": "information_session", "referral_network_activity_id": str(alpha.network_activity_id)}
    assert "Session of this partner that brought them" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data=form | {"referral_activity_id": str(beta.activity_id)})
    assert refused.status_code == 400 and "Choose one of the options." in refused.get_data(as_text=True)
    saved = client.post(url, data=form | {"referral_activity_id": str(alpha.activity_id)}, follow_redirects=True)
    page = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Information session · " in page and "Formação inicial" in page

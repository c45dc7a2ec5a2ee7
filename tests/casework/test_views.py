"""Staff give cases to each other, filter their caseload, and work through their tasks."""
from datetime import date, timedelta

import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.casework.models import TaskSnooze
from tenants.participants.models import Mentee
from tests.factories import login, make_mentee


def _user_id(email):
    return db.session.scalar(sa.select(User.id).filter_by(email=email))


def _mentee(app, network, name="Nadia Candidata"):
    with app.app_context(), tenant_context(network.alpha.id):
        mentee_id = make_mentee(name).id
        db.session.commit()
        return mentee_id


def test_staff_take_a_mentee_into_their_caseload(app, client, two_partners):
    mentee_id = _mentee(app, two_partners)
    _mentee(app, two_partners, "Rita Outra")
    login(client, two_partners.alpha_staff, locale="en")
    with app.app_context():
        staff_id = _user_id(two_partners.alpha_staff)
    page = client.get(f"/t/alpha/mentees/{mentee_id}").get_data(as_text=True)
    assert "Responsible: <strong class=\"owner-name\">Unassigned</strong>" in page
    assert "Tiago Técnico" in page and "Beatriz Técnica" not in page  # only the partner's staff to choose
    response = client.post(f"/t/alpha/mentees/{mentee_id}/owner", data={"owner_id": staff_id}, follow_redirects=True)
    assert "Responsible staff member: Tiago Técnico." in response.get_data(as_text=True)
    mine = client.get("/t/alpha/mentees?owner=mine").get_data(as_text=True)
    assert "Nadia Candidata" in mine and "Rita Outra" not in mine
    unassigned = client.get("/t/alpha/mentees?owner=unassigned").get_data(as_text=True)
    assert "Rita Outra" in unassigned and "Nadia Candidata" not in unassigned


def test_a_case_cannot_be_given_to_another_partners_staff(app, client, two_partners):
    mentee_id = _mentee(app, two_partners)
    with app.app_context():
        outsider_id = _user_id(two_partners.beta_staff)
    login(client, two_partners.alpha_staff, locale="en")
    response = client.post(f"/t/alpha/mentees/{mentee_id}/owner", data={"owner_id": outsider_id},
                           follow_redirects=True)
    assert "Choose one of the partner&#39;s staff." in response.get_data(as_text=True)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.get(Mentee, mentee_id).owner_id is None


def test_a_task_links_to_its_page_can_be_snoozed_and_shows_on_the_home_page(app, client, two_partners):
    mentee_id = _mentee(app, two_partners)
    login(client, two_partners.alpha_staff, locale="en")
    tasks = client.get("/t/alpha/tasks?scope=unassigned").get_data(as_text=True)
    assert f'href="/t/alpha/mentees/{mentee_id}/interview">Mentee to interview</a>' in tasks
    assert "Nadia Candidata" in tasks
    assert "Nadia Candidata" not in client.get("/t/alpha/tasks?scope=mine").get_data(as_text=True)

    with app.app_context():
        staff_id = _user_id(two_partners.alpha_staff)
    client.post(f"/t/alpha/mentees/{mentee_id}/owner", data={"owner_id": staff_id})
    home = client.get("/t/alpha/").get_data(as_text=True)
    assert home.index("My tasks") < home.index("Waiting for you")
    assert "Nadia Candidata" in home

    until = date.today() + timedelta(days=7)
    response = client.post(f"/t/alpha/tasks/mentee_interview/{mentee_id}/snooze",
                           data={"until": until.isoformat(), "reason": "Away until next week", "scope": "mine"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The task is snoozed until" in page and "Nadia Candidata" not in page
    with app.app_context(), tenant_context(two_partners.alpha.id):
        snooze = db.session.scalar(sa.select(TaskSnooze))
        assert (snooze.until, snooze.reason, snooze.created_by_id) == (until, "Away until next week", staff_id)


def test_a_snooze_needs_a_future_date_and_a_reason(app, client, two_partners):
    mentee_id = _mentee(app, two_partners)
    login(client, two_partners.alpha_staff, locale="en")
    response = client.post(f"/t/alpha/tasks/mentee_interview/{mentee_id}/snooze",
                           data={"until": date.today().isoformat(), "reason": "x"}, follow_redirects=True)
    assert "Choose a date after today." in response.get_data(as_text=True)
    response = client.post(f"/t/alpha/tasks/mentee_interview/{mentee_id}/snooze",
                           data={"until": (date.today() + timedelta(days=2)).isoformat(), "reason": "",
                                 "scope": "unassigned"},
                           follow_redirects=True)
    assert "Nadia Candidata" in response.get_data(as_text=True)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.scalar(sa.select(sa.func.count(TaskSnooze.id))) == 0

"""The staff pages of a process, walked as a case manager would."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.models import Mentee, Mentor
from tenants.processes import services
from tenants.processes.models import MentoringProcess
from tests.factories import login, make_tenant, make_user
from tests.processes.conftest import AGREEMENT, ready_mentee, ready_mentor


@pytest.fixture
def workspace(app):
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        staff = make_user("staff@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
        with tenant_context(tenant.id):
            mentor = ready_mentor("Marta Mentora", languages=[{"code": "en", "level": "c1"}],
                                  support_areas=["health"])
            mentee = ready_mentee("Amina Yusuf", languages=[{"code": "en", "level": "b2"}],
                                  support_areas=["health", "housing"])
            ids = {"tenant": tenant.id, "mentor": mentor.id, "mentee": mentee.id}
        db.session.commit()
        return {"slug": tenant.slug, "staff": staff.email, **ids}


def _process(app, workspace):
    with app.app_context(), tenant_context(workspace["tenant"]):
        return db.session.scalar(sa.select(MentoringProcess.id))


def test_staff_match_from_the_suggestions_and_walk_a_process_to_its_close(app, client, workspace):
    login(client, workspace["staff"], locale="en")
    base = f"/t/{workspace['slug']}"
    page = client.get(f"{base}/matching/mentees/{workspace['mentee']}").get_data(as_text=True)
    assert "Marta Mentora" in page and "Covers 1 of 2 needs" in page and "Shared language: English" in page

    response = client.post(f"{base}/matching/mentees/{workspace['mentee']}",
                           data={"candidate_id": workspace["mentor"], "cadence": "monthly"})
    assert response.status_code == 302
    process_id = _process(app, workspace)
    detail = f"{base}/processes/{process_id}"

    form = {"base_version": "0", "meeting_frequency": "weekly", "mode": "in_person", "place": "",
            "mentor_duties": "Meet weekly.", "mentee_duties": "Come prepared.",
            "goal-1-kind": "need", "goal-1-text": "Find a family doctor", "goal-1-target_date": ""}
    assert client.post(f"{detail}/agreement", data=form).status_code == 302
    for side in ("mentor", "mentee"):
        client.post(f"{detail}/agreement/accept", data={"side": side, "version": "1"})
    assert "Agreement signed" in client.get(detail).get_data(as_text=True)

    client.post(f"{detail}/transition", data={"to_state": "active"})
    today = date.today().isoformat()
    assert client.post(f"{detail}/meetings/new", data={"held_on": today, "duration_minutes": "60",
                                                      "mode": "online", "topics": ["health"]}).status_code == 302
    with app.app_context(), tenant_context(workspace["tenant"]):
        goal_id = services.get_process(process_id).agreement.goals[0].id
    assert client.post(f"{detail}/follow-ups/new", data={"held_on": today, f"progress-{goal_id}": "3",
                                                        "mentee_satisfaction": "5"}).status_code == 302
    client.post(f"{detail}/transition", data={"to_state": "in_evaluation"})
    for side in ("mentor", "mentee"):
        response = client.post(f"{detail}/evaluations/{side}", data={
            f"outcome-{goal_id}": "met", "satisfaction": "5", "would_repeat": "yes", "changes": ["services_accessed"]})
        assert response.status_code == 302
    client.post(f"{detail}/close", data={"outcome": "goals_met", "next_step": "end"})
    page = client.get(detail).get_data(as_text=True)
    assert "Closed" in page and "Goals met" in page
    assert page.count("Final evaluation submitted") == 2 and "State: In final evaluation → Closed" in page


@pytest.fixture
def process_url(app, workspace):
    with app.app_context(), tenant_context(workspace["tenant"]):
        process = services.create_process(db.session.get(Mentor, workspace["mentor"]),
                                          db.session.get(Mentee, workspace["mentee"]),
                                          None)
        services.save_agreement(process, AGREEMENT, 0, None)
        url = f"/t/{workspace['slug']}/processes/{process.id}"
        db.session.commit()
    return url


def test_an_agreement_form_with_errors_keeps_what_was_typed(client, workspace, process_url):
    login(client, workspace["staff"], locale="en")
    response = client.post(f"{process_url}/agreement", data={
        "base_version": "1", "meeting_frequency": "daily", "mode": "in_person", "mentor_duties": "Meet weekly.",
        "mentee_duties": "", "goal-1-kind": "need", "goal-1-text": "Aprender português — nível B1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose one of the options." in page and "This field is required." in page
    assert "Aprender português — nível B1" in page and "Meet weekly." in page


def test_a_stale_agreement_edit_is_refused_with_a_clear_message(client, workspace, process_url):
    login(client, workspace["staff"], locale="en")
    stale = {"base_version": "0", "meeting_frequency": "weekly", "mode": "online", "mentor_duties": "x",
             "mentee_duties": "y", "goal-1-kind": "wish", "goal-1-text": "Something else"}
    response = client.post(f"{process_url}/agreement", data=stale)
    assert response.status_code == 409
    assert "Someone saved a newer version of this agreement" in response.get_data(as_text=True)


def test_illegal_transitions_change_nothing_and_say_why(client, workspace, process_url):
    login(client, workspace["staff"], locale="en")
    page = client.post(f"{process_url}/transition", data={"to_state": "active"},
                       follow_redirects=True).get_data(as_text=True)
    assert "A process in the state “Matched” cannot move to “Active”." in page
    assert "<span class=\"tag\">Matched</span>" in page
    page = client.post(f"{process_url}/transition", data={"to_state": "agreement_signed"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The agreement must first be accepted by the mentor and by the mentee." in page


def test_bad_meeting_input_is_refused(client, workspace, process_url):
    login(client, workspace["staff"], locale="en")
    for side in ("mentor", "mentee"):
        client.post(f"{process_url}/agreement/accept", data={"side": side, "version": "1"})
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(f"{process_url}/meetings/new", data={"held_on": tomorrow, "duration_minutes": "9000",
                                                                "mode": "telepathy", "topics": ["astrology"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The date cannot be in the future." in page and "Enter a number from 5 to 600." in page


def test_the_printable_agreement_is_in_the_chosen_language(client, workspace, process_url):
    login(client, workspace["staff"], locale="en")
    assert "Acordo de mentoria" in client.get(f"{process_url}/agreement/print?lang=pt_PT").get_data(as_text=True)
    assert "Mentoring agreement" in client.get(f"{process_url}/agreement/print?lang=en").get_data(as_text=True)


def test_the_list_filters_and_refuses_unknown_filters(client, workspace, process_url):
    login(client, workspace["staff"], locale="en")
    base = f"/t/{workspace['slug']}/processes/"
    assert "Amina Yusuf" in client.get(base + "?state=matched").get_data(as_text=True)
    assert "Amina Yusuf" not in client.get(base + "?state=active").get_data(as_text=True)
    assert "Amina Yusuf" in client.get(base + "?q=amina").get_data(as_text=True)
    page = client.get(base + "?state=sleeping").get_data(as_text=True)
    assert "Unknown filter" in page and "Amina Yusuf" in page


def test_matching_weights_are_set_by_partner_admins_only(app, client, workspace):
    base = f"/t/{workspace['slug']}/matching/settings"
    login(client, workspace["staff"], locale="en")
    assert client.get(base).status_code == 404
    client.post("/logout")
    with app.app_context():
        tenant_slug = workspace["slug"]
        from network.core.tenancy.models import Tenant
        tenant = db.session.scalar(sa.select(Tenant).filter_by(slug=tenant_slug))
        make_user("admin@alpha.pt", roles=[(tenant, "partner_admin")])
        db.session.commit()
    login(client, "admin@alpha.pt", locale="en")
    response = client.post(base, data={"weight_support_areas": "0", "weight_languages": "0", "weight_location": "0",
                                       "weight_availability": "0", "weight_load": "0", "weight_preferences": "0",
                                       "max_mentees_per_mentor": "2"})
    assert response.status_code == 400 and "Give at least one criterion" in response.get_data(as_text=True)
    response = client.post(base, data={"weight_support_areas": "10", "weight_languages": "80", "weight_location": "0",
                                       "weight_availability": "0", "weight_load": "10", "weight_preferences": "0",
                                       "max_mentees_per_mentor": "3"})
    assert response.status_code == 302
    assert 'value="80"' in client.get(base).get_data(as_text=True)

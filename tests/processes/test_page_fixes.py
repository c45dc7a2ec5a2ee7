"""Defects of the staff process and matching pages found walking them in a browser (issue 21)."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.models import Mentee, Mentor
from tenants.processes import services
from tenants.processes.models import MentoringProcess
from tests.factories import login, make_tenant, make_user
from tests.processes.conftest import AGREEMENT, evaluation, ready_mentee, ready_mentor

MATCHED_ON = date.today() - timedelta(days=30)


@pytest.fixture
def workspace(app):
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        staff = make_user("staff@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
        with tenant_context(tenant.id):
            mentors = [ready_mentor(name) for name in ("Marta Mentora", "Rui Mentor")]
            mentee = ready_mentee("Amina Yusuf")
            ids = {"tenant": tenant.id, "mentors": [m.id for m in mentors], "mentee": mentee.id}
        db.session.commit()
        return {"slug": tenant.slug, "staff": staff.email, **ids}


def _process(app, workspace, state):
    with app.app_context(), tenant_context(workspace["tenant"]):
        process = services.create_process(db.session.get(Mentor, workspace["mentors"][0]),
                                          db.session.get(Mentee, workspace["mentee"]), None, today=MATCHED_ON)
        services.save_agreement(process, AGREEMENT, 0, None)
        if state != "matched":
            for side in ("mentor", "mentee"):
                services.accept_agreement(process, side, None, version=1)
        if state in ("active", "in_evaluation"):
            services.transition(process, "active", None, today=MATCHED_ON)
        if state == "in_evaluation":
            services.transition(process, "in_evaluation", None)
            for side in ("mentor", "mentee"):
                services.submit_evaluation(process, side, evaluation(process, outcome="partly"), None)
        db.session.commit()
        return f"/t/{workspace['slug']}/processes/{process.id}"


def _ids(page):
    return re.findall(r'\sid="([^"]+)"', page)


def test_each_matching_card_has_its_own_cadence_select(client, workspace):
    login(client, workspace["staff"], locale="en")
    page = client.get(f"/t/{workspace['slug']}/matching/mentees/{workspace['mentee']}").get_data(as_text=True)
    ids = _ids(page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for mentor_id in workspace["mentors"]:
        assert f'<label for="f-cadence-{mentor_id}">' in page and f'<select id="f-cadence-{mentor_id}"' in page


def test_a_meeting_before_the_match_is_refused_by_the_date_field(app, client, workspace):
    url = _process(app, workspace, "agreement_signed")
    login(client, workspace["staff"], locale="en")
    before = (MATCHED_ON - timedelta(days=1)).isoformat()
    response = client.post(f"{url}/meetings/new", data={"held_on": before, "duration_minutes": "45",
                                                        "mode": "online", "notes": "Primeira conversa"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'<p class="field-error" id="f-held_on-error">The meeting date cannot be before the pair '
                     r'was matched \(.+\)\.</p>', page)
    assert f'value="{before}"' in page and "Primeira conversa" in page
    with app.app_context(), tenant_context(workspace["tenant"]):
        assert not db.session.scalar(sa.select(MentoringProcess)).meetings
    client.post("/locale", data={"locale": "pt_PT"})
    page = client.post(f"{url}/meetings/new", data={"held_on": before, "duration_minutes": "45",
                                                   "mode": "online"}).get_data(as_text=True)
    assert "A data do encontro não pode ser anterior ao emparelhamento" in page
    assert client.post(f"{url}/meetings/new", data={"held_on": MATCHED_ON.isoformat(), "duration_minutes": "45",
                                                   "mode": "online"}).status_code == 302


def test_closing_with_goals_met_and_the_same_pair_says_which_outcome_and_keeps_the_choices(app, client, workspace):
    url = _process(app, workspace, "in_evaluation")
    login(client, workspace["staff"], locale="en")
    response = client.post(f"{url}/close", data={"outcome": "goals_met", "next_step": "redefine"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "For the same pair to continue, choose the outcome “goals redefined in a new process”." in page
    assert "goes with continuing in a new process" not in page
    assert re.search(r'name="outcome" value="goals_met"\s+checked', page)
    assert re.search(r'name="next_step" value="redefine"\s+checked', page)
    with app.app_context(), tenant_context(workspace["tenant"]):
        assert db.session.scalar(sa.select(MentoringProcess.state)) == "in_evaluation"


def test_the_process_page_links_to_both_records(app, client, workspace):
    url = _process(app, workspace, "matched")
    login(client, workspace["staff"], locale="en")
    page = client.get(url).get_data(as_text=True)
    slug = workspace["slug"]
    assert f'href="/t/{slug}/mentors/{workspace["mentors"][0]}">Marta Mentora</a>' in page
    assert f'href="/t/{slug}/mentees/{workspace["mentee"]}">Amina Yusuf</a>' in page


def test_agreement_signed_is_shown_disabled_with_the_reason_until_both_accepted(app, client, workspace):
    url = _process(app, workspace, "matched")
    login(client, workspace["staff"], locale="en")
    page = client.get(url).get_data(as_text=True)
    assert 'name="to_state" value="agreement_signed"' not in page
    assert re.search(r'<button type="button" disabled aria-describedby="why-agreement_signed">Move to: Agreement '
                     r'signed</button>\s*<span class="muted" id="why-agreement_signed">The agreement must first be '
                     r'accepted by the mentor and by the mentee.</span>', page)


def test_a_meeting_logged_by_staff_reads_staff_member(app, client, workspace):
    url = _process(app, workspace, "agreement_signed")
    login(client, workspace["staff"], locale="pt_PT")
    client.post(f"{url}/meetings/new", data={"held_on": date.today().isoformat(), "duration_minutes": "45",
                                             "mode": "online"})
    page = client.get(url).get_data(as_text=True)
    assert "Tiago Técnico (técnico/a)" in page and "(técnicos)" not in page


def test_the_load_criterion_reads_in_the_singular_for_one_process(app, client, workspace):
    _process(app, workspace, "active")
    with app.app_context(), tenant_context(workspace["tenant"]):
        other = ready_mentee("Bea Costa")
        db.session.commit()
        other_id = other.id
    login(client, workspace["staff"], locale="pt_PT")
    page = client.get(f"/t/{workspace['slug']}/matching/mentees/{other_id}").get_data(as_text=True)
    assert "Em 1 processo aberto (no máximo" in page and "Em 1 processos" not in page
    assert "Em 0 processos abertos" in page

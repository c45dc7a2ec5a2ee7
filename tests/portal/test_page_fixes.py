"""Defects of the portal and the join page found walking them in a browser (issue 21)."""
import re

import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.processes.models import MentoringProcess
from tests.factories import login
from tests.portal.conftest import ready_mentee, walk_process
from tests.processes.conftest import AGREEMENT

JOIN_LINK = re.compile(r"http://localhost(/join/\S+)")


def _walk(app, pair, state):
    with app.app_context(), tenant_context(pair.tenant):
        staff = db.session.scalar(sa.select(User).where(User.email == pair.staff))
        process = db.session.get(MentoringProcess, pair.process)
        if state == "matched":
            from tenants.processes import services
            services.save_agreement(process, AGREEMENT, 0, staff)
        else:
            walk_process(process, staff, state)
        db.session.commit()


def test_what_waits_for_me_links_to_where_i_do_it(app, client, pair):
    _walk(app, pair, "matched")
    login(client, pair.mentee_user, locale="en")
    page = client.get(f"/t/{pair.slug}/portal/").get_data(as_text=True)
    assert (f'<a href="/t/{pair.slug}/portal/processes/{pair.process}#agreement-heading">'
            "Read and accept the agreement</a>") in page


def test_the_final_evaluation_link_and_a_mentees_own_wording(app, client, pair):
    _walk(app, pair, "in_evaluation")
    login(client, pair.mentee_user, locale="en")
    page = client.get(f"/t/{pair.slug}/portal/").get_data(as_text=True)
    evaluation = f"/t/{pair.slug}/portal/processes/{pair.process}/evaluation"
    assert f'<a href="{evaluation}">Fill in the final evaluation</a>' in page
    form = client.get(evaluation).get_data(as_text=True)
    assert "I improved my Portuguese" in form and "Improved their Portuguese" not in form
    client.post("/logout")
    login(client, pair.mentor_user, locale="en")
    assert "Improved their Portuguese" in client.get(evaluation).get_data(as_text=True)


def test_the_join_page_starts_with_the_name_and_says_the_role_in_lower_case(app, client, pair, sent_mail):
    with app.app_context(), tenant_context(pair.tenant):
        newcomer = ready_mentee("Łucja Żółć", "lucja@example.pt")
        db.session.commit()
        newcomer_id = newcomer.id
    login(client, pair.staff, locale="en")
    client.post(f"/t/{pair.slug}/mentees/{newcomer_id}/portal-invitation")
    (message,) = sent_mail
    invitee = app.test_client()
    invitee.post("/locale", data={"locale": "en"})
    page = invitee.get(JOIN_LINK.search(message["body"]).group(1)).get_data(as_text=True)
    assert "You have been invited as mentee." in page
    assert re.search(r'<input id="f-name" name="name" type="text"\s+value="Łucja Żółć"', page)

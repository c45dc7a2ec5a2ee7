"""Partner administrators read their workspace's audit log; nobody edits it."""
import re

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.services import record_participant_read
from tests.factories import login, make_mentee, make_tenant, make_user


def test_partner_admins_read_who_did_what_and_the_previous_values(app, client):
    with app.app_context():
        alpha, beta = make_tenant("alpha"), make_tenant("beta")
        admin = make_user("admin@alpha.pt", "Ana Admin", [(alpha, "partner_admin")])
        make_user("staff@alpha.pt", roles=[(alpha, "staff")])
        with tenant_context(alpha.id):
            mentee = make_mentee("Amina Yusuf", actor=admin)
            record_participant_read(mentee, admin)
        with tenant_context(beta.id):
            make_mentee("Outra Pessoa", email="outra@example.pt", actor=admin)
        db.session.commit()
    login(client, "admin@alpha.pt", locale="en")
    page = client.get("/t/alpha/audit").get_data(as_text=True)
    assert "2 events" in page and "Ana Admin" in page
    assert len(re.findall(r"<tr>", page)) == 3  # the heading row and alpha's two events, none of beta's
    filtered = client.get("/t/alpha/audit?action=participant.created").get_data(as_text=True)
    assert "1 event" in filtered
    assert "Unknown filter" in client.get("/t/alpha/audit?action=rewrite.history").get_data(as_text=True)
    client.post("/logout")
    login(client, "staff@alpha.pt")
    assert client.get("/t/alpha/audit").status_code == 404

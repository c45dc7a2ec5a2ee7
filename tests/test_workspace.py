"""The workspace home: what is waiting for staff today."""
import re
from datetime import date

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.processes import services as processes
from tests.factories import login, make_ready_mentee, make_ready_mentor, make_tenant, make_user


def test_staff_see_the_work_waiting_for_them(app, client):
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        make_user("staff@alpha.pt", roles=[(tenant, "staff")])
        with tenant_context(tenant.id):
            make_ready_mentee("Espera Um")
            make_ready_mentee("Espera Dois")
            process = processes.create_process(make_ready_mentor(), make_ready_mentee("Com Mentor"), None,
                                               today=date(2026, 1, 1))
            process.next_follow_up_on = date(2026, 1, 31)  # long past
        db.session.commit()
    login(client, "staff@alpha.pt", locale="en")
    page = client.get("/t/alpha/").get_data(as_text=True)
    assert "Waiting for you" in page
    figures = dict(re.findall(r">([^<>]+)</a></dt><dd>([\d\s]+)</dd>", page))
    assert figures["Mentees waiting for a mentor"] == "2"
    assert figures["Follow-ups due"] == "1" and figures["Open processes"] == "1"

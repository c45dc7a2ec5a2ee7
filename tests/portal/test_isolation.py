"""A participant of one partner reaches nothing of another partner through the portal."""
import pytest

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.processes import services as processes
from tests.factories import login, make_tenant, make_user
from tests.portal.conftest import give_portal_account, ready_mentee, ready_mentor

pytestmark = pytest.mark.isolation


@pytest.fixture
def beta_process(app, pair):
    """Tenant beta has its own portal pair and process."""
    with app.app_context():
        beta = make_tenant("beta", kind="ngo")
        staff = make_user("staff@beta.pt", roles=[(beta, "staff")])
        with tenant_context(beta.id):
            mentor = ready_mentor("Bruno Mentor", "bruno@example.pt")
            give_portal_account(beta, staff, mentor)
            process_id = processes.create_process(mentor, ready_mentee("Bela Mentoranda", "bela@example.pt"),
                                                  staff).id
        db.session.commit()
        return {"slug": beta.slug, "process": process_id}


def test_another_partners_process_is_not_found_in_my_portal_or_theirs(client, pair, beta_process):
    login(client, pair.mentor_user)
    for slug in (pair.slug, beta_process["slug"]):
        base = f"/t/{slug}/portal/processes/{beta_process['process']}"
        for method, url in (("GET", base), ("POST", f"{base}/agreement/accept"), ("GET", f"{base}/meetings/new"),
                            ("GET", f"{base}/follow-up"), ("GET", f"{base}/evaluation")):
            assert client.open(url, method=method, data={"version": "1"}).status_code == 404, url
    assert client.get(f"/t/{beta_process['slug']}/portal/").status_code == 404
    assert "Bela Mentoranda" not in client.get(f"/t/{pair.slug}/portal/").get_data(as_text=True)

"""Casework across partners: staff of A never see B's tasks, B's case owners, or B's staff to
choose from; and B's staff cannot be given A's cases."""
import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.casework import services as casework
from tenants.participants.models import Mentee
from tenants.workspace.digest import send_workspace_digest
from tests.factories import login, make_mentee

pytestmark = pytest.mark.isolation


def _user(email):
    return db.session.scalar(sa.select(User).filter_by(email=email))


def test_staff_of_a_never_see_the_tasks_or_case_owners_of_b(app, client, two_partners, sent_mail):
    with app.app_context():
        beta_staff = _user(two_partners.beta_staff)
        beta_staff_id = beta_staff.id
        with tenant_context(two_partners.beta.id):
            secret = make_mentee("Bárbara Secreta")
            casework.assign_owner(secret, beta_staff_id, beta_staff)
            secret_id = secret.id
            db.session.commit()
        with tenant_context(two_partners.alpha.id):
            alpha_mentee = make_mentee("Alice Alfa").id
            assert [task.name for task in casework.tasks()] == ["Alice Alfa"]
            assert "Beatriz Técnica" not in [user.name for user in casework.caseworkers()]
        db.session.commit()

    login(client, two_partners.alpha_staff, locale="en")
    for scope in ("mine", "all", "unassigned"):
        page = client.get(f"/t/alpha/tasks?scope={scope}").get_data(as_text=True)
        assert "Bárbara Secreta" not in page and "Beatriz Técnica" not in page
    assert "Beatriz Técnica" not in client.get(f"/t/alpha/mentees/{alpha_mentee}").get_data(as_text=True)
    assert "Bárbara" not in client.get("/t/alpha/").get_data(as_text=True)
    # B's mentee by id, inside A's workspace: not found, and nothing changes.
    assert client.post(f"/t/alpha/mentees/{secret_id}/owner", data={"owner_id": ""}).status_code == 404
    assert client.post(f"/t/alpha/tasks/mentee_interview/{secret_id}/snooze",
                       data={"until": "2099-01-01", "reason": "x"}).status_code == 404
    with app.app_context():
        with tenant_context(two_partners.alpha.id):
            send_workspace_digest("2026-11-24")
            db.session.commit()
        with tenant_context(two_partners.beta.id):
            assert db.session.get(Mentee, secret_id).owner_id == beta_staff_id
    alpha_mail = [message["body"] for message in sent_mail]
    assert alpha_mail and all("Bárbara" not in body for body in alpha_mail)

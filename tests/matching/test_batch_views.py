"""The batch pages as staff use them: a refused confirmation is shown, the others go through."""
import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.matching import services
from tenants.matching.models import MatchingProposal
from tenants.participants.models import Mentee
from tenants.processes.models import MentoringProcess
from tests.factories import login, make_tenant, make_user
from tests.processes.conftest import ready_mentee, ready_mentor


@pytest.fixture
def workspace(app):
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        staff = make_user("staff@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
        with tenant_context(tenant.id):
            ready_mentor("Helena Saúde", support_areas=["health"])
            ready_mentor("Hugo Casa", support_areas=["housing"])
            ana = ready_mentee("Ana Primeira", support_areas=["health"])
            bia = ready_mentee("Bia Segunda", support_areas=["housing"])
            ids = {"tenant": tenant.id, "ana": ana.id, "bia": bia.id}
        db.session.commit()
        return {"slug": tenant.slug, "staff": staff.email, **ids}


def test_a_refused_pair_is_named_and_the_others_are_confirmed(app, client, workspace):
    login(client, workspace["staff"], locale="en")
    base = f"/t/{workspace['slug']}/matching/batch"
    response = client.post(f"{base}/", data={"mode": "fair"})
    assert response.status_code == 302
    with app.app_context(), tenant_context(workspace["tenant"]):
        proposal = db.session.scalar(sa.select(MatchingProposal))
        assert proposal.status == "done"
        pairs = [f"{mentee}:{mentor}" for mentee, mentor, *_ in proposal.result["pairs"]]
        # Meanwhile Bia is matched from her own page.
        services.confirm_match(ready_mentor("Nova Mentora"), db.session.get(Mentee, workspace["bia"]), None,
                               "monthly")
        db.session.commit()
    page = client.get(response.location).get_data(as_text=True)
    assert "Ana Primeira" in page and "Bia Segunda" in page and "One by one" in page
    page = client.post(f"{base}/{proposal.id}/confirm", data={"pair": pairs, "cadence": "monthly"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Bia Segunda: This mentee is not waiting for a mentor." in page
    assert "1 pair confirmed. Next: draft the agreement." in page
    with app.app_context(), tenant_context(workspace["tenant"]):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MentoringProcess)) == 2


def test_an_unknown_mode_is_refused_with_a_message(app, client, workspace):
    login(client, workspace["staff"], locale="en")
    response = client.post(f"/t/{workspace['slug']}/matching/batch/", data={"mode": "lottery"})
    assert response.status_code == 400 and "Choose one of the options." in response.get_data(as_text=True)

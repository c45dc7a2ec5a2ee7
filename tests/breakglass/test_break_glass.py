"""Break-the-glass: off by default; when on, a coordinator's request opens one case, read-only,
for two hours by the clock, with the partner's administrators told and every view audited."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import national_rollup_bypass, tenant_context
from network.core.tenancy.models import Tenant
from network.core.timeutil import utcnow
from tenants.breakglass.models import BreakGlassGrant
from tests.factories import login, make_mentee, make_user

NOW = utcnow().replace(microsecond=0)


@pytest.fixture
def case(app, two_partners):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        mentee = make_mentee("Amina Idris", email="amina@example.org")
        db.session.commit()
        return mentee.id


@pytest.fixture
def clock(app, monkeypatch):
    moment = {"now": NOW}
    monkeypatch.setitem(app.extensions, "clock", lambda: moment["now"])
    return moment


@pytest.fixture
def turned_on(app, monkeypatch):
    monkeypatch.setitem(app.config, "BREAK_THE_GLASS_ENABLED", True)


def _request(client, two_partners, case, **extra):
    return client.post("/t/coordenacao/break-glass", data={
        "tenant_id": two_partners.alpha.id, "role": "mentee", "participant_id": case,
        "reason": "Report of violence at home", **extra})


def _grants(app):
    with app.app_context(), national_rollup_bypass("test"):
        return db.session.scalar(sa.select(sa.func.count()).select_from(BreakGlassGrant))


def test_it_is_off_by_default(app, client, two_partners, case):
    login(client, two_partners.coordinator, locale="en")
    assert "turned off" in client.get("/t/coordenacao/break-glass").get_data(as_text=True)
    assert "turned off" in _request(client, two_partners, case).get_data(as_text=True)
    assert _grants(app) == 0


def test_request_notification_access_and_expiry(app, client, two_partners, case, clock, turned_on, sent_mail):
    login(client, two_partners.coordinator, locale="en")
    response = _request(client, two_partners, case)
    assert response.status_code == 302
    assert [message["to"] for message in sent_mail] == [two_partners.alpha_admin]
    assert "Report of violence at home" in sent_mail[0]["body"]
    page = client.get(response.location).get_data(as_text=True)
    assert "Amina Idris" in page and "amina@example.org" in page and "<form" not in page.split("<main")[-1]
    clock["now"] = NOW + timedelta(hours=1, minutes=59)
    assert client.get(response.location).status_code == 200
    clock["now"] = NOW + timedelta(hours=2)
    ended = client.get(response.location)
    assert ended.status_code == 403 and "Amina Idris" not in ended.get_data(as_text=True)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("break_glass.%"))
                                     .order_by(AuditEvent.id)).all()
        assert actions == ["break_glass.requested", "break_glass.viewed", "break_glass.viewed"]


def test_a_grant_is_its_coordinators_only_and_no_partner_reaches_it(app, client, two_partners, case, clock,
                                                                    turned_on):
    login(client, two_partners.coordinator, locale="en")
    location = _request(client, two_partners, case).location
    with app.app_context():
        coordination = db.session.get(Tenant, two_partners.coordination.id)
        make_user("coord2@example.pt", roles=[(coordination, "coordinator")])
        db.session.commit()
    for email, url in (("coord2@example.pt", location), (two_partners.alpha_admin, location),
                       (two_partners.beta_staff, location.replace("coordenacao", "beta"))):
        other = app.test_client()
        login(other, email, locale="en")
        assert other.get(url).status_code == 404, email


def test_an_unknown_case_is_refused(app, client, two_partners, case, clock, turned_on):
    login(client, two_partners.coordinator, locale="en")
    response = _request(client, two_partners, case + 1000)
    assert response.status_code == 400 and "no such record" in response.get_data(as_text=True)
    assert _grants(app) == 0

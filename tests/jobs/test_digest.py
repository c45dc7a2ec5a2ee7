"""The daily digest: each partner's admins and staff hear once a day what waits for them."""
import logging
from datetime import UTC, datetime

import sqlalchemy as sa

from network.core.accounts import services as accounts
from network.core.accounts.models import User
from network.core.extensions import db
from network.core.jobs import enqueue
from network.core.mail.models import OutboxMessage
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from tenants.casework.services import assign_owner
from tenants.workspace.digest import send_daily_digests, send_workspace_digest
from tests.factories import make_mentee

MORNING = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def _invite_into_alpha(network, email="nova@example.pt"):
    tenant = db.session.get(Tenant, network.alpha.id)
    admin = db.session.scalar(sa.select(User).filter_by(email=network.alpha_admin))
    with tenant_context(tenant.id):
        accounts.invite(tenant, admin, {"partner_admin"}, email, "staff", 14)
    db.session.commit()


def test_partner_staff_get_a_digest_of_pending_invitations_once_a_day(app, two_partners, sent_mail):
    with app.app_context():
        db.session.get(User, db.session.scalar(sa.select(User.id).filter_by(email=two_partners.alpha_staff))) \
            .preferred_locale = "en"
        _invite_into_alpha(two_partners)
        send_daily_digests(scheduled_for=MORNING)
        send_daily_digests(scheduled_for=MORNING)  # a repeated run sends nothing more
        db.session.commit()
    assert sorted(message["to"] for message in sent_mail) == [two_partners.alpha_admin, two_partners.alpha_staff]
    english = next(message for message in sent_mail if message["to"] == two_partners.alpha_staff)
    assert english["subject"] == "Today in Câmara Municipal Alfa"
    assert "Invitations not accepted yet:" in english["body"]
    assert "nova@example.pt · Partner staff · valid until" in english["body"]
    with app.app_context():
        with tenant_context(two_partners.alpha.id):
            keys = db.session.scalars(sa.select(OutboxMessage.dedupe_key).order_by(OutboxMessage.id)).all()
        assert all(key.endswith(":2026-11-24") for key in keys) and len(keys) == 2


def test_no_digest_when_there_is_nothing_to_report(app, two_partners, sent_mail):
    with app.app_context():
        send_daily_digests(scheduled_for=MORNING)
    assert sent_mail == []


def test_a_digest_for_a_workspace_that_no_longer_exists_ends_cleanly(app, caplog):
    with app.app_context(), caplog.at_level(logging.INFO):
        assert enqueue(send_workspace_digest, "2026-11-24", queue="mail", tenant_id=999) == 0
    assert "daily digest for tenant 999 skipped" in caplog.text


def test_each_person_gets_their_own_tasks_and_the_unassigned_ones(app, two_partners, sent_mail):
    with app.app_context():
        staff = db.session.scalar(sa.select(User).filter_by(email=two_partners.alpha_staff))
        staff.preferred_locale = "en"
        admin = db.session.scalar(sa.select(User).filter_by(email=two_partners.alpha_admin))
        admin.preferred_locale = "en"
        with tenant_context(two_partners.alpha.id):
            assign_owner(make_mentee("Nadia Candidata"), staff.id, admin)
            make_mentee("Rita Sem Dono")
            db.session.commit()
        send_daily_digests(scheduled_for=MORNING)
        db.session.commit()
    bodies = {message["to"]: message["body"] for message in sent_mail}
    mine, shared = "Your tasks (see the Tasks page of the workspace):", "Tasks nobody is responsible for yet:"
    staff_body, admin_body = bodies[two_partners.alpha_staff], bodies[two_partners.alpha_admin]
    assert mine in staff_body and "Mentee to interview · Nadia Candidata" in staff_body
    assert mine not in admin_body and "Nadia Candidata" not in admin_body
    assert all(shared in body and "Mentee to interview · Rita Sem Dono" in body for body in (staff_body, admin_body))

"""A partner whose mentor and mentee have portal accounts, and processes between them."""
from datetime import date
from types import SimpleNamespace

import pytest

from network.core.accounts import services as accounts
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.portal import services as portal
from tenants.processes import services as processes
from tests.factories import give_consent, make_mentee, make_mentor, make_tenant, make_user
from tests.processes.conftest import AGREEMENT


def ready_mentor(name, email, **extra):
    mentor = make_mentor(name, email=email, training_completed_on=date(2026, 1, 10), **extra)
    mentor.status = "available"
    give_consent(mentor)
    return mentor


def ready_mentee(name, email, **extra):
    mentee = make_mentee(name, email=email, **extra)
    mentee.status = "waiting"
    give_consent(mentee)
    return mentee


def give_portal_account(tenant, staff, participant, locale=None):
    """The participant is invited and accepts, as from the e-mail link (inside tenant_context)."""
    invitation, _token = portal.invite_participant(tenant, participant, staff, 14)
    user = make_user(participant.email, participant.full_name, locale=locale)
    accounts.accept_invitation(invitation, tenant, user)
    return user


def walk_process(process, staff, state, today=None):
    """Take a matched process to `state` the way staff do."""
    if state == "matched":
        return process
    processes.save_agreement(process, AGREEMENT, 0, staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, staff, version=1)
    if state == "agreement_signed":
        return process
    processes.transition(process, "active", staff, today=today or date.today())
    if state == "active":
        return process
    processes.transition(process, "in_evaluation", staff)
    return process


@pytest.fixture
def pair(app):
    """Łukasz mentors محمد in tenant alpha; both use the portal. Another pair (João and Amina)
    has a process in the same workspace."""
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality", name="Câmara Municipal Alfa")
        staff = make_user("staff@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
        with tenant_context(tenant.id):
            mentor = ready_mentor("Łukasz Nowak", "lukasz@example.pt")
            mentee = ready_mentee("محمد العلي", "mohamed@example.pt", phone="+351912345678")
            mentor_user = give_portal_account(tenant, staff, mentor, locale="en")
            mentee_user = give_portal_account(tenant, staff, mentee)
            process = processes.create_process(mentor, mentee, staff)
            other = processes.create_process(ready_mentor("João Pereira", "joao@example.pt"),
                                             ready_mentee("Amina Yusuf", "amina@example.pt"), staff)
            ids = SimpleNamespace(tenant=tenant.id, slug=tenant.slug, staff=staff.email, mentor=mentor.id,
                                  mentee=mentee.id, mentor_user=mentor_user.email, mentee_user=mentee_user.email,
                                  process=process.id, other_process=other.id)
        db.session.commit()
        return ids


@pytest.fixture
def in_tenant(app, pair):
    """An app context inside the pair's workspace, for service tests."""
    with app.app_context(), tenant_context(pair.tenant):
        yield
        db.session.remove()

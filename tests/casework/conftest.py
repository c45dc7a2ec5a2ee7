"""A partner with two staff members (and another partner's), and processes built the way
staff build them."""
from datetime import date
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from network.core.extensions import db
from network.core.tenancy import activate_tenant
from tenants.processes import services as processes
from tests.factories import make_ready_mentee, make_ready_mentor, make_tenant, make_user
from tests.portal.test_browser import live_server, sync_playwright  # noqa: F401  (the browser tests' fixtures)

AGREEMENT = {
    "meeting_frequency": "weekly", "mode": "in_person", "place": "Biblioteca municipal",
    "mentor_duties": "Meet every week.", "mentee_duties": "Come prepared.",
    "goals": [{"kind": "need", "text": "Find a job in logistics", "target_date": None}],
}
MATCHED_ON = date(2026, 1, 31)
# A month and a bit later: the first follow-up (28 February) is due, the weekly meeting overdue.
TODAY = date(2026, 3, 10)


@pytest.fixture
def partner(app_context):
    tenant = make_tenant("alpha", kind="municipality")
    other = make_tenant("beta")
    staff = make_user("staff@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
    colleague = make_user("colega@alpha.pt", "Carla Colega", [(tenant, "partner_admin")])
    outsider = make_user("staff@beta.pt", "Beatriz Técnica", [(other, "staff")])
    activate_tenant(tenant.id)
    db.session.flush()
    with force_locale("en"):
        yield SimpleNamespace(tenant=tenant, other=other, staff=staff, colleague=colleague, outsider=outsider)


@pytest.fixture
def process_in(partner):
    """A process in `state`, matched on MATCHED_ON."""
    counter = iter(range(1, 1000))

    def build(state):
        n = next(counter)
        process = processes.create_process(make_ready_mentor(f"Mentor {n}"), make_ready_mentee(f"Mentee {n}"),
                                           partner.staff, today=MATCHED_ON)
        if state == "matched":
            return process
        processes.save_agreement(process, AGREEMENT, 0, partner.staff)
        if state == "drafted":
            return process
        for side in ("mentor", "mentee"):
            processes.accept_agreement(process, side, partner.staff, version=1)
        processes.transition(process, "active", partner.staff, today=MATCHED_ON)
        if state == "active":
            return process
        processes.transition(process, "in_evaluation", partner.staff)
        return process

    return build

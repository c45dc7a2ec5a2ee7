"""A partner with a staff member, and ready-to-match mentors and mentees."""
from datetime import date
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from network.core.extensions import db
from network.core.tenancy import activate_tenant
from tenants.processes import services
from tests.factories import make_ready_mentee, make_ready_mentor, make_tenant, make_user

GOALS = [
    {"kind": "need", "text": "Find a job in logistics", "target_date": None},
    {"kind": "dream", "text": "Open a small restaurant", "target_date": date(2027, 6, 1)},
]
AGREEMENT = {
    "meeting_frequency": "weekly", "mode": "in_person", "place": "Biblioteca municipal",
    "mentor_duties": "Meet every week and share contacts.", "mentee_duties": "Come prepared.", "goals": GOALS,
}


ready_mentor = make_ready_mentor
ready_mentee = make_ready_mentee


@pytest.fixture
def partner(app_context):
    tenant = make_tenant("alpha", kind="municipality")
    staff = make_user("staff@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
    activate_tenant(tenant.id)
    db.session.flush()
    with force_locale("en"):  # the refusals below are read in English
        yield SimpleNamespace(tenant=tenant, staff=staff)


@pytest.fixture
def process_in(partner):
    """Build a process in any state the way staff would get it there."""
    counter = iter(range(1, 1000))

    def build(state):
        n = next(counter)
        process = services.create_process(ready_mentor(f"Mentor {n}"), ready_mentee(f"Mentee {n}"), partner.staff,
                                          today=date(2026, 1, 31))
        if state == "matched":
            return process
        services.save_agreement(process, AGREEMENT, 0, partner.staff)
        if state == "cancelled":
            return services.transition(process, "cancelled", partner.staff, reason="Moved away")
        for side in ("mentor", "mentee"):
            services.accept_agreement(process, side, partner.staff, version=1)
        if state == "agreement_signed":
            return process
        services.transition(process, "active", partner.staff, today=date(2026, 1, 31))
        if state == "active":
            return process
        services.transition(process, "in_evaluation", partner.staff)
        if state == "in_evaluation":
            return process
        for side in ("mentor", "mentee"):
            services.submit_evaluation(process, side, evaluation(process), partner.staff)
        services.close_process(process, "goals_met", "end", partner.staff)
        return process

    return build


def evaluation(process, outcome="met", **extra):
    return {"satisfaction": 5, "changes": ["employment_found"], "would_repeat": True, "comments": None,
            "goal_outcomes": {goal.id: outcome for goal in process.agreement.goals}, **extra}

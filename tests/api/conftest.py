"""A network for the API tests: a coordination team, partner Alpha (whose staff hold tokens)
and partner Beta, each partner with one object of every kind the API names by id."""
from datetime import date
from types import SimpleNamespace

import pytest

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.processes import services as processes
from tests.factories import (
    make_api_token,
    make_ready_mentee,
    make_ready_mentor,
    make_tenant,
    make_user,
    objects_for_every_route,
)


def active_process(actor):
    """A process whose agreement is signed and that is active: meetings can be logged."""
    process = processes.create_process(make_ready_mentor("Ana Ativa"), make_ready_mentee("Bia Ativa"), actor,
                                       today=date(2026, 1, 5))
    processes.save_agreement(process, {
        "meeting_frequency": "weekly", "mode": "online", "mentor_duties": "Meet.", "mentee_duties": "Come.",
        "goals": [{"kind": "need", "text": "Find work", "target_date": None}]}, 0, actor)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, actor, version=1)
    processes.transition(process, "active", actor, today=date(2026, 1, 5))
    return process


@pytest.fixture
def api_world(app):
    with app.app_context():
        coordination = make_tenant("coordenacao", kind="coordination", name="Coordenação Nacional")
        alpha = make_tenant("alpha", kind="municipality", district="porto", name="Câmara Municipal Alfa")
        beta = make_tenant("beta", kind="ngo", district="faro", name="Associação Beta")
        users = {
            "coordinator": make_user("coord@example.pt", roles=[(coordination, "coordinator")]),
            "partner_admin": make_user("admin@alpha.pt", roles=[(alpha, "partner_admin")]),
            "staff": make_user("staff@alpha.pt", roles=[(alpha, "staff")]),
            "mentor": make_user("mentor@alpha.pt", roles=[(alpha, "mentor")]),
            "mentee": make_user("mentee@alpha.pt", roles=[(alpha, "mentee")]),
            "beta_admin": make_user("admin@beta.pt", roles=[(beta, "partner_admin")]),
            "beta_staff": make_user("staff@beta.pt", roles=[(beta, "staff")]),
        }
        alpha_ids = objects_for_every_route(alpha, users["partner_admin"], users["staff"])
        beta_ids = objects_for_every_route(beta, users["beta_admin"], users["beta_staff"])
        with tenant_context(alpha.id):
            alpha_ids["active_process_id"] = active_process(users["staff"]).id
        tokens = {role: make_api_token(user) for role, user in users.items()}
        db.session.commit()
        return SimpleNamespace(
            slugs={"coordination": coordination.slug, "alpha": alpha.slug, "beta": beta.slug},
            alpha_ids=alpha_ids, beta_ids=beta_ids, tokens=tokens,
            user_ids={role: user.id for role, user in users.items()},
        )

"""Two confirmations at once, on real PostgreSQL: the one that loses the race waits for the
other's commit, then is refused with the single match's message; nothing is over-committed."""
import threading

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.submit import submit
from network.core.tenancy import tenant_context
from tenants.matching import proposals, services
from tenants.processes.models import MentoringProcess
from tests.conftest import DATABASE_URL
from tests.factories import make_ready_mentee, make_ready_mentor, make_tenant, make_user


def _proposal(staff, exclusions=()):
    proposal = proposals.create_proposal(staff, exclusions=exclusions)
    proposals.compute(proposal)
    return proposal.id


@pytest.fixture
def world(app):
    with app.app_context():
        tenant = make_tenant("alpha")
        staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
        with tenant_context(tenant.id):
            services.save_matching_settings({"max_mentees_per_mentor": 2})
            mentor, other_mentor = make_ready_mentor("Helena Única"), make_ready_mentor("Olga Outra")
            ana, bia = make_ready_mentee("Ana Primeira"), make_ready_mentee("Bia Segunda")
            db.session.flush()
            # Both proposals give Helena to Ana and to Bia; then Helena may follow only one.
            only_helena = [(mentee.id, other_mentor.id) for mentee in (ana, bia)]
            capacity = (_proposal(staff, only_helena), _proposal(staff, only_helena))
            # Ana with Helena in one, with Olga in the other.
            ana_twice = (_proposal(staff, [(ana.id, other_mentor.id)]), _proposal(staff, [(ana.id, mentor.id)]))
            services.save_matching_settings({"max_mentees_per_mentor": 1})
        db.session.commit()
        return {"tenant": tenant.id, "staff": staff.id, "mentor": mentor.id, "other_mentor": other_mentor.id,
                "ana": ana.id, "bia": bia.id, "capacity": capacity, "ana_twice": ana_twice}


def _confirm_in_thread(app, world, proposal_id, mentee_id, mentor_id):
    outcome = {}

    def run():
        with app.app_context(), tenant_context(world["tenant"]), force_locale("en"):
            staff = db.session.get(User, world["staff"])
            _, refusal = submit(proposals.confirm_pair, proposal_id, mentee_id, mentor_id, staff, "monthly")[:2]
            outcome["refusal"] = refusal and refusal.message
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_waiting_on_a_lock(thread):
    """Until the thread's transaction waits for a row lock (or the thread has finished)."""
    engine = sa.create_engine(DATABASE_URL)
    try:
        with engine.connect() as connection:
            while thread.is_alive():
                waiting = connection.exec_driver_sql(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'").scalar()
                if waiting:
                    return True
                thread.join(0.01)
        return False
    finally:
        engine.dispose()


def _race(app, world, first, second):
    """`first` confirmed and held uncommitted while `second` runs in another thread."""
    with app.app_context(), tenant_context(world["tenant"]), force_locale("en"):
        staff = db.session.get(User, world["staff"])
        proposals.confirm_pair(*first, staff, "monthly")
        thread, outcome = _confirm_in_thread(app, world, *second)
        blocked = _wait_until_waiting_on_a_lock(thread)
        db.session.commit()
    thread.join()
    with app.app_context(), tenant_context(world["tenant"]):
        pairs = db.session.execute(sa.select(MentoringProcess.mentee_id, MentoringProcess.mentor_id)).all()
    return blocked, outcome["refusal"], sorted(pairs)


def test_two_mentees_for_the_last_place_of_a_mentor(app, world):
    first, second = world["capacity"]
    blocked, refusal, pairs = _race(app, world, (first, world["ana"], world["mentor"]),
                                    (second, world["bia"], world["mentor"]))
    assert blocked
    assert refusal == "This mentor already follows 1 mentee, the most allowed here."
    assert pairs == [(world["ana"], world["mentor"])]


def test_one_mentee_confirmed_with_two_mentors_at_once(app, world):
    first, second = world["ana_twice"]
    blocked, refusal, pairs = _race(app, world, (first, world["ana"], world["mentor"]),
                                    (second, world["ana"], world["other_mentor"]))
    assert blocked
    assert refusal == "This mentee is not waiting for a mentor."
    assert pairs == [(world["ana"], world["mentor"])]

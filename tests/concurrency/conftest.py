"""Two people at once, for real: each request in its own thread with its own test client,
its own database connection and real commits on PostgreSQL.

`race(app, *requests)` makes the requests meet where it matters: each waits, just before it
commits, until the other has got that far too (or `MEET_TIMEOUT` has passed, when the other
is held by a lock the first one owns). So both have read and checked everything before
either commits: the interleaving that loses updates and duplicates rows, every run.
"""
import contextlib
import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tests.factories import login, make_ready_mentee, make_ready_mentor, make_tenant, make_user

MEET_TIMEOUT = 3
RACER = "racer-"



@pytest.fixture
def team(app):
    """A partner with two staff members, two mentors ready to match and one waiting mentee."""
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        first = make_user("ana@alpha.pt", "Ana Técnica", [(tenant, "staff")])
        second = make_user("rui@alpha.pt", "Rui Técnico", [(tenant, "staff")])
        with tenant_context(tenant.id):
            mentors = [make_ready_mentor("Marta Mentora"), make_ready_mentor("Nuno Mentor")]
            mentee = make_ready_mentee("Amina Yusuf", phone="+351 910 000 001")
            ids = SimpleNamespace(tenant=tenant.id, mentors=[mentor.id for mentor in mentors], mentee=mentee.id)
        db.session.commit()
        return SimpleNamespace(slug=tenant.slug, base=f"/t/{tenant.slug}", staff=[first.email, second.email],
                               ids=ids)


def signed_in(app, email):
    client = app.test_client()
    login(client, email, locale="en")
    return client


def race(app, *requests):
    """Run `request(client)` for each (client, request) in its own thread, meeting before
    commit; returns their responses in order. An exception in a thread fails the test."""
    meeting = threading.Barrier(len(requests), timeout=MEET_TIMEOUT)
    waited = set()

    def meet_before_commit(session):
        thread = threading.current_thread()
        if not thread.name.startswith(RACER) or thread.name in waited:
            return
        waited.add(thread.name)
        # A broken barrier: the other request waits on a lock this one holds, so this one goes first.
        with contextlib.suppress(threading.BrokenBarrierError):
            meeting.wait()

    responses, failures = [None] * len(requests), []

    def run(index, client, request):
        try:
            responses[index] = request(client)
        except BaseException as error:  # reported in the test's own thread
            failures.append(error)

    event.listen(Session, "before_commit", meet_before_commit)
    try:
        threads = [threading.Thread(target=run, args=(index, client, request), name=f"{RACER}{index}")
                   for index, (client, request) in enumerate(requests)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        event.remove(Session, "before_commit", meet_before_commit)
    assert not failures, failures
    return responses

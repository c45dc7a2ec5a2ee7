"""The database connection dies under a request (a restart, a failover, an administrator
terminating backends): a read is served again on a fresh connection, a write answers 503
saying nothing was saved, and the database agrees. Never a 500."""
import time

import pytest
import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event

from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.models import Mentee
from tests.concurrency.conftest import signed_in
from tests.conftest import DATABASE_URL


@pytest.fixture
def terminate(app):
    """`terminate(path, statement="")`: the next statement the app runs for a request to `path`
    (starting with `statement`) finds its backend terminated by pg_terminate_backend."""
    owner = sa.create_engine(DATABASE_URL, poolclass=sa.pool.NullPool)
    armed = []

    def kill_backend(connection, cursor, statement, parameters, context, executemany):
        if not armed or not has_request_context() or request.path != armed[0][0]:
            return
        if not statement.lstrip().upper().startswith(armed[0][1]):
            return
        armed.pop()
        pid = connection.connection.dbapi_connection.info.backend_pid
        with owner.begin() as admin:
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            for _ in range(100):  # the signal is asynchronous: wait until the backend is gone
                if not admin.execute(sa.text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).first():
                    break
                time.sleep(0.02)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", kill_backend)
    yield lambda path, statement="": armed.append((path, statement.upper()))
    event.remove(engine, "before_cursor_execute", kill_backend)
    owner.dispose()


def test_reads_whose_connection_is_killed_are_served_again_never_a_500(app, team, terminate):
    client = signed_in(app, team.staff[0])
    pages = [f"{team.base}/mentees", f"{team.base}/mentors", f"{team.base}/processes/", f"{team.base}/"]
    statuses = []
    for _round in range(3):
        for page in pages:
            terminate(page)
            statuses.append(client.get(page).status_code)
    assert statuses == [200] * len(statuses)


def test_the_api_reads_are_served_again_too(app, team, terminate):
    from tests.concurrency.test_races import _staff_user
    from tests.factories import bearer, make_api_token

    with app.app_context():
        secret = make_api_token(_staff_user(team.staff[0]))
        db.session.commit()
    url = f"/api/v1/t/{team.slug}/mentees"
    terminate(url)
    response = app.test_client().get(url, headers=bearer(secret))
    assert response.status_code == 200 and response.get_json()["total"] == 1


def test_a_write_whose_connection_is_killed_says_nothing_was_saved_and_nothing_was(app, team, terminate):
    client = signed_in(app, team.staff[0])
    url = f"{team.base}/mentees/new"
    terminate(url, "INSERT INTO mentees")
    response = client.post(url, data={"full_name": "Leila Haddad", "email": "leila@example.pt",
                                      "municipality": "Lisboa", "submission_key": "k-1"})

    assert response.status_code == 503
    assert "Nothing was saved. Please try again in a moment." in response.get_data(as_text=True)
    with app.app_context(), tenant_context(team.ids.tenant):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentee)
                                 .where(Mentee.email == "leila@example.pt")) == 0
    # Trying again works, on a fresh connection, with the same form (its key was never used).
    again = client.post(url, data={"full_name": "Leila Haddad", "email": "leila@example.pt",
                                   "municipality": "Lisboa", "submission_key": "k-1"})
    assert again.status_code == 302

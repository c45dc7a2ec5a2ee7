"""Under load on a real gunicorn, the owner terminates every database connection of the app every
couple of seconds (what a failover or an administrator does): no read answers 500, every write
either is saved (302) or says clearly that nothing was (503), and the database agrees with what
each response said."""
import threading
import time
from collections import Counter

import pytest
import sqlalchemy as sa

from network.core.extensions import db
from network.core.tenancy.rls import RUNTIME_LOGIN_ROLE
from tests.conftest import DATABASE_URL
from tests.factories import PASSWORD
from tests.live_server import Connection, gunicorn

SECONDS = 14
KILL_EVERY = 2.0
READERS, WRITERS = 4, 2
TRY_AGAIN = b"The connection to the database was interrupted."
NOTHING_SAVED = b"Nothing was saved. Please try again in a moment."
UNCERTAIN = b"cannot tell whether it was"
SAVED = b"Your change was saved, but the connection to the database was interrupted"


def _terminate_the_apps_connections(owner, stop, kills):
    while not stop.wait(KILL_EVERY):
        with owner.begin() as connection:
            kills.append(connection.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE usename = :role AND datname = current_database()"), {"role": RUNTIME_LOGIN_ROLE}).scalar())


class Client:
    """One person at one browser: a logged-in connection, opened again if the server closes it."""

    def __init__(self, port, email):
        self.port = port
        self.connection = Connection(port)
        login = self.connection.request("POST", "/login", form={"email": email, "password": PASSWORD})
        assert login.status == 302, login.body[:300]

    def request(self, method, path, form=None):
        try:
            return self.connection.request(method, path, form=form)
        except (ConnectionError, OSError) as error:
            cookies = self.connection.cookies
            self.connection.close()
            self.connection = Connection(self.port)
            self.connection.cookies.update(cookies)
            return error


def _read(client, base, stop, outcomes):
    pages = [f"{base}/mentees", f"{base}/mentors", f"{base}/processes/", f"{base}/", f"{base}/dashboard"]
    turn = 0
    while not stop.is_set():
        response = client.request("GET", pages[turn % len(pages)])
        turn += 1
        status = getattr(response, "status", repr(response))
        if status == 503 and TRY_AGAIN not in response.body:
            status = "503 without saying to try again"
        outcomes.append(("read", pages[turn % len(pages)], status))


def _write(client, base, name, stop, outcomes):
    turn = 0
    while not stop.is_set():
        turn += 1
        email = f"{name}-{turn}@example.pt"
        response = client.request("POST", f"{base}/mentees/new", form={
            "full_name": f"Pessoa {name.title()} {turn}", "email": email, "municipality": "Lisboa",
            "submission_key": f"{name}-{turn}"})
        status = getattr(response, "status", repr(response))
        said = None
        if status == 503:
            said = next((what for what, text in (("uncertain", UNCERTAIN), ("nothing", NOTHING_SAVED), ("saved", SAVED))
                         if text in response.body), None)
        outcomes.append(("write", email, status, said))


@pytest.fixture
def fresh_pool_after(app):
    """The killer ends this process's pooled connections too (the same role, the same database),
    and the pool does not ping before use: the next test gets new ones."""
    yield
    with app.app_context():
        db.engine.dispose()


def test_connections_terminated_every_few_seconds_under_load(team, tmp_path, fresh_pool_after):
    owner = sa.create_engine(DATABASE_URL, poolclass=sa.pool.NullPool)
    outcomes, kills, stop = [], [], threading.Event()
    with gunicorn(DATABASE_URL, tmp_path / "gunicorn.log", workers=2, threads=4) as (port, _process):
        clients = [Client(port, team.staff[index % 2]) for index in range(READERS + WRITERS)]
        threads = [threading.Thread(target=_read, args=(client, team.base, stop, outcomes))
                   for client in clients[:READERS]]
        threads += [threading.Thread(target=_write, args=(client, team.base, f"w{index}", stop, outcomes))
                    for index, client in enumerate(clients[READERS:])]
        threads.append(threading.Thread(target=_terminate_the_apps_connections, args=(owner, stop, kills)))
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(60)
        for client in clients:
            client.connection.close()
    with owner.connect() as connection:
        saved = set(connection.execute(sa.text("SELECT email FROM mentees")).scalars())
    owner.dispose()
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")

    reads = Counter(status for kind, _path, status, *_ in outcomes if kind == "read")
    writes = [outcome for outcome in outcomes if outcome[0] == "write"]
    assert sum(kills) >= SECONDS // KILL_EVERY - 2, kills  # the app's connections really were cut
    # A read is served again on a fresh connection; only when that one is killed too (the same
    # burst) does it answer 503, asking to try again. Never a 500, never a dropped connection.
    assert set(reads) <= {200, 503} and reads[503] <= reads[200] / 10, (reads, log[-3000:])
    assert writes and all(status in (302, 503) for _kind, _email, status, _said in writes), (writes, log[-3000:])
    for _kind, email, status, said in writes:
        if status == 302 or said == "saved":
            assert email in saved, f"{email}: the page said saved, the database has no row"
        else:
            assert said in ("nothing", "uncertain"), f"{email}: a 503 that does not say what happened"
            if said == "nothing":
                assert email not in saved, f"{email}: the page said nothing was saved, the row is there"

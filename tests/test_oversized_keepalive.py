"""An oversized form answered 413 must not leave its unread body on a kept-alive connection:
the next request on that connection would be read from the middle of it and never answered.
Over a real socket against gunicorn (gthread, keep-alive), as in production."""

from tests.conftest import DATABASE_URL
from tests.factories import PASSWORD
from tests.live_server import Connection, gunicorn


def test_a_413_does_not_break_the_connection(two_partners, tmp_path):
    with gunicorn(DATABASE_URL, tmp_path / "gunicorn.log") as (port, _process):
        connection = Connection(port)
        try:
            login = connection.request("POST", "/login", form={"email": two_partners.alpha_staff, "password": PASSWORD})
            assert login.status == 302 and not login.closes
            new_mentee = f"/t/{two_partners.alpha.slug}/mentees/new"

            oversized = connection.request("POST", new_mentee,
                                           form={"full_name": "x" * 400_000, "municipality": "Porto"})
            assert oversized.status == 413
            assert b"What you sent is too large." in oversized.body

            if oversized.closes:
                # The server said it closes: it must, and a new connection is answered.
                assert connection.is_closed_by_server()
                connection.close()
                connection = Connection(port)
                connection.cookies.update(login.cookies())
            again = connection.request("POST", new_mentee, form={"full_name": "Ana Nova", "municipality": "Porto"})
            assert again.status in (200, 302, 400)
        finally:
            connection.close()


def test_a_body_larger_than_any_the_app_reads_closes_the_connection(two_partners, tmp_path):
    """20 MB announced: not worth reading, so the 413 says the connection closes, and it does."""
    with gunicorn(DATABASE_URL, tmp_path / "gunicorn.log") as (port, _process):
        connection = Connection(port)
        try:
            login = connection.request("POST", "/login", form={"email": two_partners.alpha_staff, "password": PASSWORD})
            huge = connection.request("POST", f"/t/{two_partners.alpha.slug}/mentees/new",
                                      body=b"full_name=" + b"x" * 65536, announced_length=20 * 1024 * 1024)
            assert huge.status == 413
            assert huge.closes
            assert connection.is_closed_by_server()
        finally:
            connection.close()
        connection = Connection(port)
        connection.cookies.update(login.cookies())
        try:
            assert connection.request("GET", f"/t/{two_partners.alpha.slug}/mentees").status == 200
        finally:
            connection.close()

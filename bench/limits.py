"""The limits a page's throughput is compared with, in the same run:

- `bare_app`: a bare Flask endpoint served by gunicorn with the page's settings: what one
  request costs before the application does anything (the request-overhead limit);
- `app_with_floor()`: the real application plus one workspace endpoint that returns a
  constant after everything every page does first (session, login, tenant, role, the
  tenant's transaction): the application's own floor, served by the same process as the pages;
- `replay`: the page's own SQL statements, captured from a real request, run straight
  through psycopg by concurrent clients (the data limit).
"""
import threading
import time

import psycopg
from flask import Blueprint, Flask

bare_app = Flask(__name__)


@bare_app.get("/bare")
def bare():
    return "<!doctype html><title>bare</title><p>ok</p>"


def app_with_floor():
    """The real app (as `wsgi:app`) with `/t/<slug>/bench-floor`, for the benchmarks only."""
    from network.core.permissions import permission_required
    from network.core.tenancy.web import TENANT_URL_PREFIX
    from network.national.app import create_app

    app = create_app()
    floor = Blueprint("bench_floor", __name__, url_prefix=TENANT_URL_PREFIX)

    @floor.get("/bench-floor")
    @permission_required("processes.manage")  # what the process pages check
    def workspace_floor():
        return "<!doctype html><title>floor</title><p>ok</p>"

    app.register_blueprint(floor)
    return app


def replay(database_url, statements, clients, seconds):
    """Pages per second: each client runs the captured statements of one page in one
    transaction (as the app does, settings and role included), again and again."""
    counts, lock = [], threading.Lock()
    stop_at = time.monotonic() + seconds

    def client():
        done = 0
        with psycopg.connect(database_url) as connection:
            while time.monotonic() < stop_at:
                with connection.transaction(), connection.cursor() as cursor:
                    for statement, parameters in statements:
                        cursor.execute(statement, parameters)
                        if cursor.description is not None:
                            cursor.fetchall()
                done += 1
        with lock:
            counts.append(done)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return round(sum(counts) / seconds, 1)

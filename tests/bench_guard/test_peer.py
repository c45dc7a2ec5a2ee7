"""The benchmark's naive peer (bench/peer.py) serves the same process pages as ours: for the same
user, the same processes, and only those of the user's own partner (the `WHERE tenant_id` it
writes by hand). A peer page that fails measures nothing: the bench once compared ours with a
peer list answering 500 to every request, after the list gained a filter the peer did not pass.

The peer runs in a process of its own, as under gunicorn: it switches the ORM's tenant scoping
off for its whole process."""
import json
import os
import re
import subprocess
import sys
from datetime import date

from config import PROJECT_ROOT
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tests.conftest import DATABASE_URL
from tests.factories import login, make_ready_mentee, make_ready_mentor, make_tenant, make_user

PEER_SCRIPT = """
import json, re, sys
from bench.peer import peer_app
from tests.factories import login

app = peer_app()
app.config["WTF_CSRF_ENABLED"] = False  # the form's token is not what is compared here
client = app.test_client()
client.environ_base["wsgi.url_scheme"] = "https"  # production's cookies are secure
login(client, sys.argv[1])
pages = {}
for path in sys.argv[2:]:
    response = client.get(path)
    pages[path] = [response.status_code, sorted(set(re.findall(r"/processes/(\\d+)", response.get_data(as_text=True))))]
print(json.dumps(pages))
"""
LINK = re.compile(r"/processes/(\d+)")


def _process_in(slug, staff_email):
    from tenants.processes import services as processes

    tenant = make_tenant(slug)
    staff = make_user(staff_email, roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        process = processes.create_process(make_ready_mentor(f"Mentor {slug}"), make_ready_mentee(f"Mentee {slug}"),
                                           staff, today=date(2026, 1, 5))
        db.session.flush()
        return process.id


def _ours(client, paths):
    return {path: [response.status_code, sorted(set(LINK.findall(response.get_data(as_text=True))))]
            for path, response in ((path, client.get(path)) for path in paths)}


def _peer(email, paths):
    # As the bench serves it (bench.run.gunicorn): production settings, the owner's URL.
    environment = {**os.environ, "APP_ENV": "production", "DATABASE_URL": DATABASE_URL, "SECRET_KEY": "peer-test",
                   "MAIL_BACKEND": "console", "LOG_FORMAT": "text"}
    result = subprocess.run([sys.executable, "-c", PEER_SCRIPT, email, *paths], cwd=PROJECT_ROOT, env=environment,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_peer_serves_our_process_pages_with_the_same_rows(app, client):
    with app.app_context():
        ours_id = _process_in("alpha", "staff@alpha.pt")
        other_id = _process_in("beta", "staff@beta.pt")
        db.session.commit()
    paths = ["/t/alpha/processes/", "/t/alpha/processes/?owner=mine", "/t/alpha/processes/?state=active",
             f"/t/alpha/processes/{ours_id}"]
    other = f"/t/alpha/processes/{other_id}"
    login(client, "staff@alpha.pt")
    ours = _ours(client, paths)
    peer = _peer("staff@alpha.pt", paths + [other])
    assert peer.pop(other)[0] == 404  # another partner's process
    assert peer == ours
    assert ours[paths[0]] == [200, [str(ours_id)]]
    assert {link for _, links in peer.values() for link in links} == {str(ours_id)}  # never the other partner's

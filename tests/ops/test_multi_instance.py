"""Two app instances (gunicorn, on two loopback ports) and two RQ workers (`flask worker`)
against one PostgreSQL and one Redis, as on several hosts: a session made on one instance
works on the other, rate limits and lockouts count across both, the periodic jobs are
scheduled once, every e-mail is sent once, each worker's heartbeat shows on the jobs page, and
the roll-up recounts of many changes coalesce across both workers."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from redis import Redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FinishedJobRegistry, ScheduledJobRegistry

from config import PROJECT_ROOT
from network.core.extensions import db
from network.core.jobs.periodic import PERIODIC_JOBS
from network.core.mail import send_email
from network.core.mail.models import OutboxMessage
from network.core.mail.outbox import schedule_delivery
from network.core.tenancy import tenant_context
from network.national.dashboards.hooks import sweep_stale_rollups
from network.national.dashboards.models import RollupStatus
from network.national.dashboards.rebuild import rebuild_rollups
from tests.conftest import DATABASE_URL
from tests.dashboards.history import History, make_network
from tests.dashboards.test_rollups import national_rows, rollup_rows
from tests.factories import PASSWORD
from tests.ops.pgcluster import free_port

BIN = Path(sys.executable).parent
MESSAGES = 6


def _environment(redis_url, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("TEST_", "PROMETHEUS_"))}
    env.update({
        "APP_ENV": "development", "FLASK_APP": "wsgi", "SECRET_KEY": "shared-by-every-instance",
        "DATABASE_URL": DATABASE_URL.replace("postgresql+psycopg://", "postgresql://"), "REDIS_URL": redis_url,
        "API_RATE_LIMIT": "4 per minute", "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "LOG_FORMAT": "json", "TWO_FACTOR_REQUIRED_ROLES": "",  # the coordinator signs in with a password
        # No slot of the sweeps falls inside the test: each periodic job is then in the schedule, not running.
        "OUTBOX_SWEEP_INTERVAL": "86400", "ROLLUP_SWEEP_INTERVAL": "86400",
    })
    return env


class Processes:
    def __init__(self, env, tmp_path):
        self.env, self.tmp_path, self.running = env, tmp_path, []

    def start(self, *argv, name):
        log = open(self.tmp_path / f"{name}.log", "w")  # noqa: SIM115 (closed by stop_all)
        process = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.running.append((process, log))
        return process

    def web(self, name):
        port = free_port()
        # An empty configuration: the test sets what it needs, whatever the repository's gunicorn.conf.py says.
        config = self.tmp_path / "gunicorn-test.conf.py"
        config.write_text("")
        self.start(str(BIN / "gunicorn"), "--config", str(config), "--bind", f"127.0.0.1:{port}", "--workers", "1",
                   "--control-socket", str(self.tmp_path / f"{name}.ctl"), "wsgi:app", name=name)
        base = f"http://127.0.0.1:{port}"
        _until(lambda: _answers(base + "/healthz"), f"{name} to answer")
        return base

    def stop_all(self):
        for process, _log in self.running:
            process.terminate()
        for process, log in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _answers(url):
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:  # not listening yet, or still loading the app
        return False


def _until(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout} s for {what}")


@pytest.fixture
def cluster(redis_url, tmp_path):
    Redis.from_url(redis_url).flushdb()
    processes = Processes(_environment(redis_url, tmp_path), tmp_path)
    try:
        yield processes
    finally:
        processes.stop_all()
        Redis.from_url(redis_url).flushdb()


def _csrf(response):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', response.text).group(1)


def _login(session, form_from, post_to, email, password=PASSWORD):
    token = _csrf(session.get(f"{form_from}/login", timeout=10))
    return session.post(f"{post_to}/login", data={"email": email, "password": password, "csrf_token": token},
                        allow_redirects=False, timeout=30)


def test_sessions_rate_limits_and_lockouts_are_shared_by_the_instances(app, two_partners, cluster):
    one, two = cluster.web("web-1"), cluster.web("web-2")

    # A session made on one instance (the form from one, the login posted to the other) works on both.
    staff = requests.Session()
    assert _login(staff, one, two, two_partners.alpha_staff).status_code == 302
    for base in (one, two):
        page = staff.get(f"{base}/t/alpha/mentees", allow_redirects=False, timeout=10)
        assert page.status_code == 200, base

    # The API's limit (4 per minute per address) counts the requests of both instances together.
    codes = [requests.get(f"{base}/api/v1/t/alpha/mentees", timeout=10).status_code for base in (one, two, one, two)]
    assert codes == [401] * 4
    assert requests.get(f"{one}/api/v1/t/alpha/mentees", timeout=10).status_code == 429
    assert requests.get(f"{two}/api/v1/t/alpha/mentees", timeout=10).status_code == 429

    # Five failed logins, spread over both instances, lock the account on both.
    intruder = requests.Session()
    for base in (one, two, one, two, one):
        assert _login(intruder, base, base, two_partners.beta_staff, "wrong-password-123").status_code == 401
    owner = requests.Session()
    assert _login(owner, two, two, two_partners.beta_staff).status_code == 429
    assert _login(owner, one, one, two_partners.beta_staff).status_code == 429


def test_two_workers_schedule_the_periodic_jobs_once_and_send_each_email_once(app, two_partners, cluster, redis_url,
                                                                            tmp_path, monkeypatch):
    connection = Redis.from_url(redis_url)
    _queue_each_message_twice(app, two_partners, redis_url, monkeypatch, connection)

    for name in ("worker-1", "worker-2"):
        cluster.start(str(BIN / "flask"), "worker", name=name)
    _until(lambda: Worker.count(connection=connection) == 2, "both workers to register")

    _check_each_message_sent_once(app, two_partners, connection, tmp_path)
    _check_each_periodic_slot_scheduled_once(connection)
    _check_the_jobs_page_shows_both_workers(two_partners, cluster, connection)


def _queue_each_message_twice(app, two_partners, redis_url, monkeypatch, connection):
    # Messages written while the job queue is unreachable... then a send job for each, twice
    # (the after-commit job and a sweep racing it), for two workers to take at once.
    with app.app_context(), tenant_context(two_partners.alpha.id):
        ids = [send_email(f"pessoa{k}@example.pt", "accounts/email/password_reset.txt", "pt_PT", name="Pessoa",
                          reset_url="http://localhost/").id for k in range(MESSAGES)]
        monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
        db.session.commit()
        monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
        for message_id in ids * 2:
            assert schedule_delivery(message_id, two_partners.alpha.id)
    assert Queue("mail", connection=connection).count == 2 * MESSAGES


def _check_each_message_sent_once(app, two_partners, connection, tmp_path):
    def all_sent():
        with app.app_context(), tenant_context(two_partners.alpha.id):
            statuses = db.session.execute(sa.select(OutboxMessage.status, OutboxMessage.attempts)).all()
            db.session.rollback()
        return Queue("mail", connection=connection).count == 0 and all(status == "sent" for status, _ in statuses)

    _until(all_sent, "every message to be sent")
    with app.app_context(), tenant_context(two_partners.alpha.id):
        attempts = db.session.scalars(sa.select(OutboxMessage.attempts)).all()
    assert attempts == [1] * MESSAGES  # each claimed, and delivered, once
    assert len(list((tmp_path / "mail").iterdir())) == MESSAGES


def _check_each_periodic_slot_scheduled_once(connection):
    # Both workers scheduled the next slot of every periodic job: each slot exists once.
    scheduled = [job_id for queue in {p.queue for p in PERIODIC_JOBS.values()}
                 for job_id in ScheduledJobRegistry(queue=Queue(queue, connection=connection)).get_job_ids()]
    names = sorted(re.match(r"periodic-(.+)-\d{8}T\d{6}Z$", job_id).group(1) for job_id in scheduled)
    assert names == sorted(PERIODIC_JOBS)


def _check_the_jobs_page_shows_both_workers(two_partners, cluster, connection):
    # The coordinators see both workers' heartbeats on the jobs page (served by an instance).
    web = cluster.web("web-1")
    coordinator = requests.Session()
    assert _login(coordinator, web, web, two_partners.coordinator).status_code == 302
    page = coordinator.get(f"{web}/t/coordenacao/jobs", timeout=10).text
    workers = {worker.name for worker in Worker.all(connection=connection)}
    assert len(workers) == 2 and all(name in page for name in workers)
    assert page.count("<td><code>") >= 2


def test_two_workers_recount_each_changed_partner_once_however_many_changes(app, cluster, redis_url, monkeypatch):
    connection = Redis.from_url(redis_url)
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "ROLLUP_SWEEP_GRACE", 0)
    with app.app_context():
        history = History(make_network(), seed=11)
        rebuild_rollups()
        for _ in range(30):  # each step a committed change of one partner
            history.step()
        changed = {tenant_id for (tenant_id,) in db.session.execute(
            sa.select(RollupStatus.tenant_id).where(RollupStatus.stale_mark.is_not(None)))}
        rollups = Queue("rollups", connection=connection)
        # However many changes of however many partners, one pass waits (the queue's claim).
        assert len(changed) >= 2 and rollups.count == 1, (changed, rollups.count)
        # The sweep queues a second pass: the two workers may run one each, at once.
        assert sweep_stale_rollups() == len(changed)
        db.session.rollback()
    assert rollups.count == 2

    for name in ("worker-1", "worker-2"):
        cluster.start(str(BIN / "flask"), "worker", name=name)
    finished = FinishedJobRegistry(queue=rollups)
    _until(lambda: rollups.count == 0 and len(finished.get_job_ids()) == 2, "both passes to finish",
           timeout=180)  # two app processes starting on a loaded machine
    jobs = [Job.fetch(job_id, connection=connection) for job_id in finished.get_job_ids()]
    recounted = sorted(tenant_id for job in jobs for tenant_id in job.return_value())
    # Each changed partner recounted once, by one pass or the other: the second waits for the
    # partners the first holds, then finds them recounted.
    assert recounted == sorted(changed)

    with app.app_context():
        incremental = rollup_rows(), national_rows()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(RollupStatus)
                                 .where(RollupStatus.stale_mark.is_not(None))) == 0
        rebuild_rollups()
        assert incremental == (rollup_rows(), national_rows())

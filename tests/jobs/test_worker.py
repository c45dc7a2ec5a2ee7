"""With Redis: a real `flask worker` process runs the jobs; a job killed mid-way is retried
and its e-mail sent exactly once; with Redis unreachable requests still succeed, the outbox
keeps the message, and it is sent once Redis is back."""
import os
import subprocess
import sys
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from redis import Redis
from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from config import PROJECT_ROOT
from network.core.database import owner_engine
from network.core.jobs import enqueue
from network.core.jobs.periodic import PERIODIC_JOBS, run_periodic_job, schedule_periodic_jobs
from network.core.jobs.runner import AppContextJob
from network.core.jobs.worker import ObservedWorker
from network.core.mail.outbox import sweep_pending_messages
from tests.conftest import DATABASE_URL
from tests.factories import login
from tests.jobs import sample_jobs

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"
WORKER_TIMEOUT = 30


@pytest.fixture
def redis(app, redis_url, tmp_path, monkeypatch):
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "file")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path / "mail"))
    # Retries at once, so a burst worker runs them before it stops.
    monkeypatch.setitem(app.config, "JOB_RETRY_INTERVALS", (0,))
    yield connection
    connection.flushdb()


def _run_worker(redis_url, mail_dir, *command):
    """A real worker process, in burst mode, on the test database."""
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis_url,
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(mail_dir),
        "JOB_RETRY_INTERVALS": "0",
    }
    command = command or (str(PROJECT_ROOT / ".venv" / "bin" / "flask"), "worker", "--burst")
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                            timeout=WORKER_TIMEOUT)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def _outbox(app):
    """Every message, read as the tables' owner: past Row-Level Security, as a test may."""
    with app.app_context(), owner_engine().connect() as connection:
        rows = connection.execute(sa.text("SELECT recipient, status, attempts FROM outbox ORDER BY id")).all()
        return [tuple(row) for row in rows]


def _invite(client, network, email="nova@example.pt"):
    login(client, network.alpha_admin, locale="en")
    return client.post(f"/t/{network.alpha.slug}/members", data={"email": email, "role": "staff"})


def test_a_worker_process_sends_the_invitation(app, client, two_partners, redis, redis_url, tmp_path):
    assert _invite(client, two_partners).status_code == 302
    assert _outbox(app) == [("nova@example.pt", "pending", 0)]
    assert Queue("mail", connection=redis).count == 1
    log = _run_worker(redis_url, tmp_path / "mail")
    assert _outbox(app) == [("nova@example.pt", "sent", 1)], log
    (written,) = (tmp_path / "mail").glob("*.eml")
    email = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert email["To"] == "nova@example.pt" and "Câmara Municipal Alfa" in email["Subject"]


def test_a_job_killed_after_delivering_is_retried_and_the_email_sent_once(
        app, client, two_partners, redis, redis_url, tmp_path):
    _invite(client, two_partners)
    log = _run_worker(redis_url, tmp_path / "mail",
                      sys.executable, "-m", "tests.jobs.dying_worker", str(tmp_path / "died"))
    assert (tmp_path / "died").exists(), log  # the first attempt really was killed
    assert "terminated unexpectedly" in log
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1
    assert _outbox(app) == [("nova@example.pt", "sent", 2)]


def test_with_redis_unreachable_the_request_succeeds_and_the_message_waits(
        app, client, two_partners, redis, redis_url, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT_REDIS)
    response = _invite(client, two_partners)
    assert response.status_code == 302
    assert _outbox(app) == [("nova@example.pt", "pending", 0)]

    # Redis is back: the sweeper enqueues what waits, a worker sends it, once.
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "OUTBOX_SWEEP_GRACE", 0)
    with app.app_context():
        assert sweep_pending_messages() == 1
        assert sweep_pending_messages() == 1  # swept twice: two jobs, still one e-mail
    AppContextJob.app = app
    SimpleWorker([Queue("mail", connection=redis)], connection=redis, job_class=AppContextJob).work(burst=True)
    assert _outbox(app) == [("nova@example.pt", "sent", 1)]
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_periodic_jobs_are_scheduled_once_however_many_workers_start(app, redis):
    with app.app_context():
        schedule_periodic_jobs(redis)
        schedule_periodic_jobs(redis)
    scheduled = {
        job_id
        for name in ("default", "mail")
        for job_id in ScheduledJobRegistry(queue=Queue(name, connection=redis)).get_job_ids()
    }
    assert {job_id.removeprefix("periodic-").rsplit("-", 1)[0] for job_id in scheduled} == set(PERIODIC_JOBS)
    assert len(scheduled) == len(PERIODIC_JOBS)


def test_a_periodic_run_schedules_the_next_slot_and_does_its_work(app, redis, monkeypatch):
    monkeypatch.setitem(app.config, "OUTBOX_SWEEP_INTERVAL", 300)
    queue = Queue("mail", connection=redis)
    job = queue.enqueue(run_periodic_job, "outbox-sweep", "2026-11-24T07:00:00+00:00")
    AppContextJob.app = app
    SimpleWorker([queue], connection=redis, job_class=AppContextJob).work(burst=True)
    assert job.get_status(refresh=True) == "finished"
    assert ScheduledJobRegistry(queue=queue).get_job_ids() == ["periodic-outbox-sweep-20261124T070500Z"]


def test_coordinators_see_failed_jobs_and_retry_them(app, client, two_partners, redis):
    with app.app_context():
        job = enqueue(sample_jobs.fail, tenant_id=two_partners.alpha.id)
    AppContextJob.app = app
    SimpleWorker([Queue("default", connection=redis)], connection=redis, job_class=AppContextJob).work(burst=True)
    assert job.get_status(refresh=True) == "failed"

    login(client, two_partners.coordinator, locale="en")
    page = client.get(f"/t/{two_partners.coordination.slug}/jobs").get_data(as_text=True)
    assert "tests.jobs.sample_jobs.fail" in page
    assert "RuntimeError: this job always fails" in page and "Câmara Municipal Alfa" in page
    response = client.post(f"/t/{two_partners.coordination.slug}/jobs/retry", data={"job_id": job.id},
                           follow_redirects=True)
    assert "The job is back in its queue." in response.get_data(as_text=True)
    assert job.get_status(refresh=True) == "queued"
    assert client.post(f"/t/{two_partners.coordination.slug}/jobs/retry",
                       data={"job_id": "no-such-job"}).status_code == 404


def test_the_jobs_page_says_when_redis_is_unreachable(app, client, two_partners, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT_REDIS)
    login(client, two_partners.coordinator, locale="en")
    page = client.get(f"/t/{two_partners.coordination.slug}/jobs").get_data(as_text=True)
    assert "The job queue is unreachable. Nothing is lost" in page


def test_a_worker_runs_the_rollups_jobs_itself_and_forks_for_the_others(app, redis):
    """A roll-up pass is mostly SQL: the worker runs it in its own process (its connections and
    compiled statements kept), where a job of another queue runs in a forked one."""
    with app.app_context():
        passes = [enqueue(sample_jobs.process_id, queue="rollups") for _ in range(2)]
        other = enqueue(sample_jobs.process_id, queue="default")
    AppContextJob.app = app
    worker = ObservedWorker([Queue(name, connection=redis) for name in ("rollups", "default")], connection=redis,
                            job_class=AppContextJob)
    worker.in_process_queues = app.config["JOB_IN_PROCESS_QUEUES"]
    worker.work(burst=True)
    assert [job.return_value(refresh=True) for job in passes] == [os.getpid()] * 2
    assert other.return_value(refresh=True) not in (None, os.getpid())


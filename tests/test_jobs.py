"""The one enqueue function: in-process without Redis, on RQ with it; either way inside the
app context and the tenant it was given."""
import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from network.core.accounts import services as accounts
from network.core.extensions import db
from network.core.jobs import JobsUnavailable, enqueue
from network.core.jobs.runner import AppContextJob
from network.core.tenancy import tenant_context
from tests.factories import make_tenant, make_user
from tests.jobs import sample_jobs

CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def beta_invitation(app):
    """Two tenants; beta has an invitation. Returns (alpha id, beta id, invitation id)."""
    with app.app_context():
        alpha, beta = make_tenant("alpha"), make_tenant("beta")
        admin = make_user("admin@beta.pt", roles=[(beta, "partner_admin")])
        with tenant_context(beta.id):
            invitation, _ = accounts.invite(beta, admin, {"partner_admin"}, "nova@beta.pt", "staff", 14)
        ids = alpha.id, beta.id, invitation.id
        db.session.commit()
        return ids


@pytest.fixture
def rq_redis(app, redis_url, monkeypatch):
    connection = Redis.from_url(redis_url)
    connection.flushdb()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    AppContextJob.app = app
    yield connection
    connection.flushdb()


def test_without_redis_jobs_run_at_once_in_the_tenant_given(app, beta_invitation):
    alpha, beta, invitation_id = beta_invitation
    with app.app_context():
        assert enqueue(sample_jobs.tenant_in_context, tenant_id=beta) == beta
        assert enqueue(sample_jobs.tenant_in_context) is None
        assert enqueue(sample_jobs.invitation_email, invitation_id, tenant_id=beta) == "nova@beta.pt"


def test_a_job_cannot_read_another_tenants_rows(app, beta_invitation):
    alpha, beta, invitation_id = beta_invitation
    with app.app_context():
        assert enqueue(sample_jobs.invitation_email, invitation_id, tenant_id=alpha) is None


def test_an_in_process_job_that_fails_is_logged_and_does_not_fail_the_caller(app, caplog):
    with app.app_context():
        assert enqueue(sample_jobs.fail) is None
    assert "this job always fails" in caplog.text


def test_unknown_queues_are_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        enqueue(sample_jobs.tenant_in_context, queue="nope")


def test_with_redis_a_worker_runs_the_job_in_the_app_and_the_tenant(app, rq_redis, beta_invitation):
    alpha, beta, invitation_id = beta_invitation
    with app.app_context():
        own = enqueue(sample_jobs.invitation_email, invitation_id, tenant_id=beta)
        foreign = enqueue(sample_jobs.invitation_email, invitation_id, tenant_id=alpha, queue="exports")
    assert Queue("default", connection=rq_redis).count == 1
    queues = [Queue(name, connection=rq_redis) for name in ("default", "exports")]
    SimpleWorker(queues, connection=rq_redis, job_class=AppContextJob).work(burst=True)
    assert own.return_value(refresh=True) == "nova@beta.pt"
    assert foreign.get_status(refresh=True) == "finished" and foreign.return_value() is None


def test_jobs_get_a_timeout_and_retries_with_back_off(app, rq_redis):
    with app.app_context():
        job = enqueue(sample_jobs.fail, queue="mail")
    assert job.timeout == app.config["JOB_TIMEOUTS"]["mail"]
    assert job.retries_left == len(app.config["JOB_RETRY_INTERVALS"])
    assert job.retry_intervals == list(app.config["JOB_RETRY_INTERVALS"])


def test_with_redis_unreachable_enqueue_says_so(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", CLOSED_PORT_REDIS)
    with app.app_context(), pytest.raises(JobsUnavailable):
        enqueue(sample_jobs.tenant_in_context)


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output

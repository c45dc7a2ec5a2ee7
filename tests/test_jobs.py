"""The one enqueue function: in-process without Redis, on RQ with it, in the app context either way."""
import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from network.jobs import AppContextJob, enqueue
from network.mail import deliver_email

MESSAGE = {"to": "ana@example.pt", "subject": "Olá", "body": "Corpo"}


def test_without_redis_jobs_run_at_once(app, sent_mail):
    with app.app_context():
        enqueue(deliver_email, MESSAGE, queue="mail")
    assert sent_mail == [MESSAGE]


def test_unknown_queues_are_refused(app):
    with app.app_context(), pytest.raises(ValueError):
        enqueue(deliver_email, MESSAGE, queue="nope")


def test_with_redis_a_worker_runs_the_job_inside_the_app(app, redis_url, sent_mail):
    connection = Redis.from_url(redis_url)
    queue = Queue("mail", connection=connection)
    queue.empty()
    app.config["REDIS_URL"] = redis_url
    try:
        with app.app_context():
            job = enqueue(deliver_email, MESSAGE, queue="mail")
        assert sent_mail == [] and queue.count == 1
        AppContextJob.app = app
        SimpleWorker([queue], connection=connection, job_class=AppContextJob).work(burst=True)
        assert sent_mail == [MESSAGE]
        assert job.get_status(refresh=True) == "finished"
    finally:
        app.config["REDIS_URL"] = None
        queue.empty()


def test_the_worker_command_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL" in result.output

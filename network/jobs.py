"""The one way to run background work.

With `REDIS_URL` set, `enqueue` puts the job on an RQ queue; without it (the embedded
default) the job runs in-process, synchronously, through the same function, so both
paths behave alike. Workers run jobs inside the Flask app context (`flask worker`).
"""
import click
from flask import current_app
from flask.cli import with_appcontext
from redis import Redis
from rq import Queue, Worker
from rq.job import Job

QUEUES = ("default", "mail", "rollups", "exports")


def redis_connection():
    return Redis.from_url(current_app.config["REDIS_URL"])


def enqueue(func, *args, queue="default", **kwargs):
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    if not current_app.config["REDIS_URL"]:
        return func(*args, **kwargs)
    return Queue(queue, connection=redis_connection()).enqueue(func, *args, **kwargs)


class AppContextJob(Job):
    """Runs each job inside a fresh app context: its own database session and tenant."""

    app = None

    def perform(self):
        with self.app.app_context():
            return super().perform()


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@with_appcontext
def worker_command(queues, burst):
    """Run an RQ worker (with the scheduler) for all queues or those named."""
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(sorted(unknown))}")
    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: without Redis, jobs run in-process.")
    AppContextJob.app = current_app._get_current_object()
    connection = redis_connection()
    worker = Worker(
        [Queue(name, connection=connection) for name in (queues or QUEUES)],
        connection=connection,
        job_class=AppContextJob,
    )
    worker.work(with_scheduler=True, burst=burst)

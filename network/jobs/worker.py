"""`flask worker`: an RQ worker with the scheduler, for all queues or those named."""
import os

import click
from flask import current_app
from flask.cli import with_appcontext
from rq import Queue, Worker

from network.extensions import db
from network.jobs.periodic import schedule_periodic_jobs
from network.jobs.queueing import QUEUES, redis_connection
from network.jobs.runner import AppContextJob


@click.command("worker")
@click.argument("queues", nargs=-1)
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
@with_appcontext
def worker_command(queues, burst):
    """Run an RQ worker (with the scheduler) for all queues or those named."""
    unknown = set(queues) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queue(s): {', '.join(sorted(unknown))}")
    if not current_app.config["REDIS_URL"]:
        raise click.UsageError("REDIS_URL is not set: without Redis, jobs run in-process.")
    AppContextJob.app = current_app._get_current_object()
    # Each job runs in a forked process: it must open its own database connections.
    engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    connection = redis_connection(for_worker=True)
    if not burst:
        # A burst worker drains the queues and stops; long-running workers keep the schedule.
        schedule_periodic_jobs(connection)
    worker = Worker(
        [Queue(name, connection=connection) for name in (queues or QUEUES)],
        connection=connection,
        job_class=AppContextJob,
    )
    worker.work(with_scheduler=True, burst=burst)

"""`flask worker`: an RQ worker with the scheduler, for all queues or those named."""
import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from prometheus_client import start_http_server
from rq import Queue, Worker
from rq.job import JobStatus

from network.core.extensions import db
from network.core.jobs.periodic import schedule_periodic_jobs
from network.core.jobs.queueing import QUEUES, redis_connection
from network.core.jobs.runner import AppContextJob
from network.core.ops import metrics


class ObservedWorker(Worker):
    """Counts each job in the worker's own (long-lived) process, once the forked process
    that ran it has ended: duration, and whether it finished or failed (a retry pending
    counts as a failure of that attempt)."""

    def execute_job(self, job, queue):
        started = time.perf_counter()
        try:
            return super().execute_job(job, queue)
        finally:
            finished = job.get_status(refresh=True) == JobStatus.FINISHED
            metrics.observe_job(queue.name, job.func_name, not finished, time.perf_counter() - started)


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
    if current_app.config["WORKER_METRICS_PORT"]:
        start_http_server(current_app.config["WORKER_METRICS_PORT"], registry=metrics.REGISTRY)
    worker = ObservedWorker(
        [Queue(name, connection=connection) for name in (queues or QUEUES)],
        connection=connection,
        job_class=AppContextJob,
    )
    worker.work(with_scheduler=True, burst=burst)

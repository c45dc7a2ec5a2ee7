"""`flask worker`: an RQ worker with the scheduler, for all queues or those named."""
import os
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from prometheus_client import start_http_server
from rq import Queue, SimpleWorker, Worker
from rq.job import JobStatus
from rq.worker import WorkerStatus

from network.core.extensions import db
from network.core.jobs.periodic import schedule_periodic_jobs
from network.core.jobs.queueing import QUEUES, redis_connection
from network.core.jobs.runner import AppContextJob
from network.core.ops import metrics


class ObservedWorker(Worker):
    """Runs each job in a forked process, except the jobs of `in_process_queues`
    (`JOB_IN_PROCESS_QUEUES`), which it runs itself, as RQ's SimpleWorker does: no fork, its
    database connections and compiled statements kept from one job to the next. Counts each job
    in the worker's own (long-lived) process once it has ended: duration, and whether it finished
    or failed (a retry pending counts as a failure of that attempt)."""

    in_process_queues = ()

    def execute_job(self, job, queue):
        started = time.perf_counter()
        try:
            if queue.name not in self.in_process_queues:
                return super().execute_job(job, queue)
            self.perform_job(job, queue, self.prepare_execution(job))
            self.set_state(WorkerStatus.IDLE)
        finally:
            finished = job.get_status(refresh=True) == JobStatus.FINISHED
            metrics.observe_job(queue.name, job.func_name, not finished, time.perf_counter() - started)

    def get_heartbeat_ttl(self, job, working_time=0.0):
        # No one heartbeats while this process runs a job itself: the key must outlive the job.
        if job.origin in self.in_process_queues:
            return SimpleWorker.get_heartbeat_ttl(self, job, working_time)
        return super().get_heartbeat_ttl(job, working_time)


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
    # A job run in a forked process must open its own database connections.
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
    worker.in_process_queues = tuple(current_app.config["JOB_IN_PROCESS_QUEUES"])
    worker.work(with_scheduler=True, burst=burst)

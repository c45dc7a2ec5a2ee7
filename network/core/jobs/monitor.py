"""What the coordinators' Jobs page shows: queue lengths and failed jobs, and a retry."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from network.core.extensions import db
from network.core.jobs.queueing import QUEUES
from network.core.jobs.runner import TENANT_META_KEY
from network.core.mail.models import OutboxMessage
from network.core.tenancy import national_rollup_bypass

FAILED_JOBS_SHOWN = 50


@dataclass
class QueueState:
    name: str
    queued: int
    running: int
    scheduled: int
    failed: int


@dataclass
class WorkerState:
    name: str
    hostname: str
    pid: int | None
    state: str
    queues: list
    last_heartbeat: datetime | None


@dataclass
class FailedJob:
    id: str
    queue: str
    function: str
    tenant_id: int | None
    failed_at: datetime | None
    error: str


def queue_states(connection):
    states = []
    for name in QUEUES:
        queue = Queue(name, connection=connection)
        states.append(QueueState(
            name=name,
            queued=queue.count,
            running=StartedJobRegistry(queue=queue).count,
            scheduled=ScheduledJobRegistry(queue=queue).count,
            failed=FailedJobRegistry(queue=queue).count,
        ))
    return states


def worker_states(connection):
    """The workers registered in Redis, with their last heartbeat: RQ drops a worker whose
    heartbeat stops (its key expires), so every worker listed is alive or just died."""
    workers = [
        WorkerState(name=worker.name, hostname=worker.hostname or "", pid=worker.pid, state=worker.get_state(),
                    queues=worker.queue_names(), last_heartbeat=worker.last_heartbeat)
        for worker in Worker.all(connection=connection)
    ]
    return sorted(workers, key=lambda worker: worker.name)


def failed_jobs(connection, limit=FAILED_JOBS_SHOWN):
    jobs = []
    for name in QUEUES:
        registry = FailedJobRegistry(queue=Queue(name, connection=connection))
        for job in Job.fetch_many(registry.get_job_ids(0, limit - 1, desc=True), connection=connection):
            if job is not None:
                jobs.append(_describe(job, name))
    jobs.sort(key=lambda job: job.failed_at.timestamp() if job.failed_at else 0, reverse=True)
    return jobs[:limit]


def _describe(job, queue_name):
    result = job.latest_result()
    error_lines = (result.exc_string or "").strip().splitlines() if result else []
    return FailedJob(
        id=job.id,
        queue=queue_name,
        function=job.func_name,
        tenant_id=job.meta.get(TENANT_META_KEY),
        failed_at=job.ended_at,
        # The last line names the error; the traceback stays in the worker's log.
        error=error_lines[-1] if error_lines else "",
    )


def retry_failed_job(connection, job_id):
    """Put a failed job back on its queue; False when there is no such failed job."""
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    if job.origin not in QUEUES:
        return False
    try:
        FailedJobRegistry(queue=Queue(job.origin, connection=connection)).requeue(job)
    except InvalidJobOperation:
        return False
    return True


def outbox_counts():
    """Messages by status across every tenant: an aggregate, read through the one audited bypass."""
    with national_rollup_bypass("outbox counts by status"):
        rows = db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
        ).all()
    return dict(rows)

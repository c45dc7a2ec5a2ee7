"""What the coordinators' Jobs page shows: queue lengths and failed jobs, and a retry."""
from dataclasses import dataclass
from datetime import datetime

from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from network.jobs.queueing import QUEUES
from network.jobs.runner import TENANT_META_KEY

FAILED_JOBS_SHOWN = 50


@dataclass
class QueueState:
    name: str
    queued: int
    running: int
    scheduled: int
    failed: int


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

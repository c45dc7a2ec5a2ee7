"""How every job runs, on a worker or in-process: inside a fresh app context (its own
database session), with the tenant it was given, as one unit of work, logged as one line."""
import logging
import time
import uuid

from flask import g
from rq.job import Job

from network.core.extensions import db
from network.core.ops import metrics
from network.core.ops.logs import FIELDS
from network.core.tenancy import tenant_context

TENANT_META_KEY = "tenant_id"
REQUEST_ID_META_KEY = "request_id"

log = logging.getLogger("rede.jobs")


def run_job(app, func, tenant_id, args, kwargs, queue=None, request_id=None, job_id=None):
    """Committed when the job returns, rolled back when it raises. In-process (no `job_id`)
    the job is counted in this process's metrics; on RQ the worker counts it (its own
    process lives on; each job runs in a forked one that exits)."""
    with app.app_context():
        # In the job's own app context: what it enqueues carries the same request id.
        g.request_id = request_id or uuid.uuid4().hex
        started = time.perf_counter()
        status = "failed"
        try:
            try:
                with tenant_context(tenant_id):
                    result = func(*args, **kwargs)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            status = "finished"
            return result
        finally:
            seconds = time.perf_counter() - started
            if job_id is None:
                metrics.observe_job(queue, function_name(func), status == "failed", seconds)
            log.info("job", extra={FIELDS: {
                "kind": "job",
                "request_id": g.request_id,
                "job_id": job_id,
                "queue": queue,
                "function": function_name(func),
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
                "tenant_id": tenant_id,
            }})


def function_name(func):
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


class AppContextJob(Job):
    """An RQ job run through `run_job`; the worker sets `app` before working."""

    app = None

    def _execute(self):
        # RQ's `perform` keeps its bookkeeping (the current job, the result); only the call changes.
        return run_job(self.app, self.func, self.meta.get(TENANT_META_KEY), self.args, self.kwargs,
                       queue=self.origin, request_id=self.meta.get(REQUEST_ID_META_KEY), job_id=self.id)

"""How every job runs, on a worker or in-process: inside a fresh app context (its own
database session), with the tenant it was given, as one unit of work."""
from rq.job import Job

from network.extensions import db
from tenants.tenancy import tenant_context

TENANT_META_KEY = "tenant_id"


def run_job(app, func, tenant_id, args, kwargs):
    """Committed when the job returns, rolled back when it raises."""
    with app.app_context():
        try:
            with tenant_context(tenant_id):
                result = func(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result


class AppContextJob(Job):
    """An RQ job run through `run_job`; the worker sets `app` before working."""

    app = None

    def _execute(self):
        # RQ's `perform` keeps its bookkeeping (the current job, the result); only the call changes.
        return run_job(self.app, self.func, self.meta.get(TENANT_META_KEY), self.args, self.kwargs)

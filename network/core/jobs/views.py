"""The coordinators' Jobs page: queue lengths, failed jobs with their error, a retry button,
and the e-mails waiting in the outbox network-wide (counts only)."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from redis.exceptions import RedisError

from network.core.extensions import db
from network.core.jobs import monitor
from network.core.jobs.queueing import redis_connection
from network.core.mail.models import STATUSES
from network.core.permissions import permission_required
from network.core.tenancy.models import Tenant
from network.core.tenancy.web import TENANT_URL_PREFIX

bp = Blueprint("jobs", __name__, template_folder="templates", url_prefix=TENANT_URL_PREFIX)

MAX_JOB_ID_LENGTH = 64


def _coordination_only():
    if not g.tenant.is_coordination:
        abort(404)


@bp.get("/jobs")
@permission_required("jobs.manage")
def overview():
    _coordination_only()
    queues, failed, workers, redis_error = [], [], [], None
    if current_app.config["REDIS_URL"]:
        try:
            connection = redis_connection()
            queues = monitor.queue_states(connection)
            workers = monitor.worker_states(connection)
            failed = monitor.failed_jobs(connection)
        except RedisError as error:
            redis_error = str(error)
    tenant_names = dict(db.session.execute(sa.select(Tenant.id, Tenant.name)).all())
    return render_template(
        "jobs/overview.html",
        in_process=not current_app.config["REDIS_URL"],
        redis_error=redis_error,
        queues=queues,
        workers=workers,
        failed=failed,
        tenant_names=tenant_names,
        outbox_counts=monitor.outbox_counts(),
        statuses=STATUSES,
    )


@bp.post("/jobs/retry")
@permission_required("jobs.manage")
def retry():
    _coordination_only()
    job_id = request.form.get("job_id", "")
    if not current_app.config["REDIS_URL"] or not job_id or len(job_id) > MAX_JOB_ID_LENGTH:
        abort(404)
    try:
        retried = monitor.retry_failed_job(redis_connection(), job_id)
    except RedisError:
        flash(_("The job queue is unreachable; try again later."), "error")
        return redirect(url_for("jobs.overview"))
    if not retried:
        abort(404)
    flash(_("The job is back in its queue."), "info")
    return redirect(url_for("jobs.overview"))

"""Scheduled work, run by the workers' scheduler. The jobs themselves are listed in one place on
the roof, `network.national.schedule`, which registers them here when the app is built: the
floor never names a feature's job.

Every periodic job runs in slots: every N seconds, or daily at a local time. `flask worker`
schedules the next slot of each job when it starts, and each run schedules the slot after
before doing its work, so one failing run does not break the chain. A slot's RQ job id is
deterministic and scheduled `unique`, so any number of workers schedule it once; and the
work is idempotent per slot (e-mails carry a dedupe key), so even a repeated run sends
nothing twice.
"""
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from rq import Queue, get_current_job
from rq.exceptions import DuplicateJobError

from network.core.extensions import db
from network.core.jobs.queueing import enqueue, job_options
from network.core.jobs.runner import TENANT_META_KEY
from network.core.tenancy.models import Tenant, active_partner_criteria
from network.core.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    func: Callable  # takes the slot's time, `scheduled_for`
    queue: str
    every_setting: str | None = None  # config key: seconds between runs
    daily_at_setting: str | None = None  # config key: "HH:MM", local time

    def next_run(self, config, after):
        """The first slot strictly after `after` (aware UTC)."""
        if self.every_setting:
            every = config[self.every_setting]
            return datetime.fromtimestamp((int(after.timestamp()) // every + 1) * every, UTC)
        zone = ZoneInfo(config["BABEL_DEFAULT_TIMEZONE"])
        at = time.fromisoformat(config[self.daily_at_setting])
        day = after.astimezone(zone).date()
        while True:
            candidate = datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
            if candidate > after:
                return candidate
            day += timedelta(days=1)

    def job_id(self, run_at):
        return f"periodic-{self.name}-{run_at:%Y%m%dT%H%M%SZ}"


# name -> PeriodicJob, filled by `register_periodic_jobs` (network.national.schedule).
PERIODIC_JOBS = {}


def register_periodic_jobs(jobs):
    for job in jobs:
        PERIODIC_JOBS[job.name] = job


def schedule_next_run(connection, periodic, after):
    config = current_app.config
    run_at = periodic.next_run(config, after)
    options = job_options(config, periodic.queue)
    # Keep the finished job's id around past the next slot, so `unique` refuses a re-run.
    options["result_ttl"] = max(int((run_at - after).total_seconds()) * 2, 3600)
    # DuplicateJobError: another worker (or an earlier run) scheduled this slot already.
    with contextlib.suppress(DuplicateJobError):
        Queue(periodic.queue, connection=connection).enqueue_at(
            run_at, run_periodic_job, periodic.name, run_at.isoformat(),
            job_id=periodic.job_id(run_at), unique=True, meta={TENANT_META_KEY: None},
            job_timeout=options["timeout"], retry=options["retry"], failure_ttl=options["failure_ttl"],
            result_ttl=options["result_ttl"],
        )
    return run_at


def schedule_periodic_jobs(connection):
    now = utcnow()
    for periodic in PERIODIC_JOBS.values():
        run_at = schedule_next_run(connection, periodic, now)
        log.info("periodic job %s: next run at %s", periodic.name, run_at.isoformat())


def run_periodic_job(name, scheduled_for):
    """The RQ job of one slot: schedule the next slot, then do the work."""
    periodic = PERIODIC_JOBS[name]
    slot = datetime.fromisoformat(scheduled_for)
    schedule_next_run(get_current_job().connection, periodic, slot)
    periodic.func(scheduled_for=slot)


def for_each_partner_workspace(func, scheduled_for):
    """Fan a daily job out: `func(day)` (ISO date, Lisbon time) enqueued once per active
    partner workspace, each run in its own tenant."""
    day = scheduled_for.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    tenant_ids = db.session.scalars(
        sa.select(Tenant.id).where(*active_partner_criteria()).order_by(Tenant.id)
    ).all()
    for tenant_id in tenant_ids:
        enqueue(func, day.isoformat(), queue="mail", tenant_id=tenant_id)

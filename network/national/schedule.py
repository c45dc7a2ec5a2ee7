"""The scheduled work of every floor, listed in this one place (the roof sees them all) and
registered into `network.core.jobs.periodic` when the app is built; `flask worker` schedules
each job's slots (every N seconds, or daily at a local time)."""
from network.core.jobs.periodic import PeriodicJob, register_periodic_jobs
from network.core.mail.outbox import purge_old_messages, sweep_pending_messages
from network.core.submit import purge_old_submission_keys
from network.national.dashboards.hooks import sweep_stale_rollups
from tenants.privacy.retention import apply_retention_everywhere
from tenants.processes.reminders import send_process_reminders
from tenants.workspace.digest import send_daily_digests

PERIODIC_JOBS = (
    PeriodicJob("outbox-sweep", sweep_pending_messages, "mail", every_setting="OUTBOX_SWEEP_INTERVAL"),
    PeriodicJob("rollups-sweep", sweep_stale_rollups, "default", every_setting="ROLLUP_SWEEP_INTERVAL"),
    PeriodicJob("daily-digest", send_daily_digests, "default", daily_at_setting="DAILY_DIGEST_AT"),
    PeriodicJob("process-reminders", send_process_reminders, "default", daily_at_setting="PROCESS_REMINDERS_AT"),
    PeriodicJob("retention-sweep", purge_old_messages, "default", daily_at_setting="RETENTION_SWEEP_AT"),
    PeriodicJob("submission-keys-sweep", purge_old_submission_keys, "default", daily_at_setting="RETENTION_SWEEP_AT"),
    PeriodicJob("privacy-retention", apply_retention_everywhere, "default", daily_at_setting="PRIVACY_RETENTION_AT"),
)


def init_app(app):
    register_periodic_jobs(PERIODIC_JOBS)

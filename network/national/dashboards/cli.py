"""`flask rollups rebuild`: recompute every roll-up from the case tables."""
import time

import click
from flask import current_app
from flask.cli import AppGroup

from network.core.extensions import db
from network.national.dashboards.rebuild import rebuild_rollups, rebuild_steps

rollups_cli = AppGroup("rollups", help="National roll-ups of the dashboards.")


@rollups_cli.command("rebuild")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="Connections sharing the work on PostgreSQL (default: ROLLUP_REBUILD_WORKERS).")
def rebuild_command(workers):
    """Recount every roll-up from scratch; the dashboards switch to the new counts at once."""
    started = time.monotonic()
    workers = workers or current_app.config["ROLLUP_REBUILD_WORKERS"]
    total = len(rebuild_steps(workers))
    with click.progressbar(length=total, label="Rebuilding roll-ups",
                           show_pos=True, item_show_func=lambda label: label) as bar:
        def progress(done, total, label):
            bar.update(done - bar.pos, label)  # back to the start when the replica fails and the primary counts

        rows = rebuild_rollups(progress=progress, workers=workers)
    click.echo(f"{rows} roll-up rows in {time.monotonic() - started:.1f} s")


@rollups_cli.command("sweep")
def sweep_command():
    """Recount every partner still marked stale (what the periodic sweep does; for cron without Redis)."""
    from network.national.dashboards.hooks import sweep_stale_rollups

    click.echo(f"{sweep_stale_rollups()} partners queued for a recount")
    db.session.commit()

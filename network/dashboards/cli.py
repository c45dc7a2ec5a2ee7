"""`flask rollups rebuild`: recompute every roll-up from the case tables."""
import time

import click
from flask.cli import AppGroup

from network.dashboards.rollups import rebuild_rollups, rebuild_steps
from network.extensions import db

rollups_cli = AppGroup("rollups", help="National roll-ups of the dashboards.")


@rollups_cli.command("rebuild")
def rebuild_command():
    """Empty the roll-up table and recount everything, set-based, in one transaction."""
    started = time.monotonic()
    total = len(rebuild_steps(db.session.connection().dialect.name))
    db.session.rollback()
    with click.progressbar(length=total, label="Rebuilding roll-ups",
                           show_pos=True, item_show_func=lambda label: label) as bar:
        def progress(done, total, label):
            bar.update(1, label)

        rows = rebuild_rollups(progress=progress)
    click.echo(f"{rows} roll-up rows in {time.monotonic() - started:.1f} s")

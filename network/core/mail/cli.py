"""`flask outbox sweep`: enqueue every e-mail still waiting (after Redis was down, say)."""
import click
from flask.cli import AppGroup

from network.core.extensions import db
from network.core.mail.outbox import sweep_pending_messages

outbox_cli = AppGroup("outbox", help="The e-mail outbox.")


@outbox_cli.command("sweep")
def sweep_command():
    """Enqueue the messages still waiting to be sent (without Redis: send them now)."""
    enqueued = sweep_pending_messages()
    db.session.commit()
    click.echo(f"{enqueued} message(s) enqueued.")

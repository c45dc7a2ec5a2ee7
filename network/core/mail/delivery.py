"""The send job: claim the message, render it in the recipient's language, deliver it once,
record the outcome.

"Once": the claim is a conditional UPDATE committed before anything leaves, so two jobs for
the same message (a sweep racing a retry) never both send it. A worker dying after the
delivery but before recording it is the one gap: the retried job (same RQ job id) reclaims
the message and delivers it again with the same Message-ID. The `file` backend writes one
file per Message-ID, so the replay produces nothing; over SMTP the same Message-ID lets
receiving servers and mail clients drop the duplicate, and the gap is the milliseconds
between the server's "250 OK" and our commit. Closing it entirely would need the mail
server to take part in our transaction.
"""
import logging
import uuid
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateError
from rq import get_current_job

from network.core.extensions import db
from network.core.mail import backends
from network.core.mail.messages import decode_context, find_message, in_scope
from network.core.mail.models import OutboxMessage
from network.core.timeutil import utcnow

log = logging.getLogger(__name__)


class InvalidMessage(backends.PermanentDeliveryError):
    """The message itself is wrong (recipient, template): no retry can send it."""


def deliver_message(message_id):
    """Send outbox message `message_id` (of the tenant in context) unless it is sent already."""
    job = get_current_job()
    claim_token = job.id if job else uuid.uuid4().hex
    if not _claim(message_id, claim_token):
        message = find_message(message_id)
        if message is None:
            log.warning("outbox message %s does not exist (deleted, or not this tenant's): nothing to send",
                        message_id)
        else:
            log.info("outbox message %s is %s: nothing to send", message_id, message.status)
        return
    # Committed before anything leaves: from here on, no other job takes this message.
    db.session.commit()
    message = find_message(message_id)
    try:
        email = render_message(message)
        backends.deliver(email)
    except backends.PermanentDeliveryError as error:
        _fail(message, str(error))
        return
    except Exception as error:
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            _fail(message, _describe(error))
            return
        _postpone(message, _describe(error))
        db.session.commit()
        raise  # RQ retries the job with back-off
    message.status = "sent"
    message.sent_at = utcnow()
    message.last_error = None
    message.claimed_by = message.claimed_until = None


def _claim(message_id, claim_token):
    """Atomically take a message that is waiting, or held by this same job (a retry after
    the worker died), or held by a job whose lease ran out."""
    now = utcnow()
    lease = timedelta(seconds=2 * current_app.config["JOB_TIMEOUTS"]["mail"])
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            in_scope(),
            sa.or_(
                OutboxMessage.status == "pending",
                sa.and_(
                    OutboxMessage.status == "sending",
                    sa.or_(OutboxMessage.claimed_by == claim_token, OutboxMessage.claimed_until < now),
                ),
            ),
        )
        .values(status="sending", claimed_by=claim_token, claimed_until=now + lease,
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def render_message(message):
    try:
        recipient = validate_email(message.recipient, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidMessage(f"invalid recipient address: {error}") from error
    try:
        template = current_app.jinja_env.get_template(message.template)
        with force_locale(message.locale):
            context = template.new_context(decode_context(message.context))
            subject = " ".join("".join(template.blocks["subject"](context)).split())
            body = "".join(template.blocks["body"](context)).strip() + "\n"
    except (TemplateError, KeyError) as error:
        raise InvalidMessage(f"the message cannot be rendered: {_describe(error)}") from error
    message.subject = subject[:300]
    return {"to": recipient, "subject": subject, "body": body, "message_id": message.message_id,
            "attachments": message.attachments or []}


def _fail(message, reason):
    log.warning("outbox message %s failed: %s", message.id, reason)
    message.status = "failed"
    message.last_error = reason
    message.claimed_by = message.claimed_until = None


def _postpone(message, reason):
    intervals = current_app.config["JOB_RETRY_INTERVALS"] or (0,)
    delay = intervals[min(message.attempts, len(intervals)) - 1]
    log.warning("outbox message %s: attempt %d failed, next in %ss: %s", message.id, message.attempts, delay, reason)
    message.status = "pending"
    message.last_error = reason
    message.next_attempt_at = utcnow() + timedelta(seconds=delay)
    message.claimed_by = message.claimed_until = None


def _describe(error):
    return f"{type(error).__name__}: {error}"[:2000]

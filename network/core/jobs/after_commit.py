"""The one after-commit helper. Work that must follow a commit (send an e-mail, recount a
partner's roll-ups) is first recorded in the database in the same transaction (an outbox row,
a stale mark); `enqueue_after_commit` then enqueues its job once that transaction commits, and
a rollback forgets it. When Redis is unreachable the job is not enqueued: the record waits in
the database for its periodic sweep, so nothing is lost."""
import logging

from sqlalchemy import event
from sqlalchemy.orm import Session

from network.core.extensions import db
from network.core.jobs.queueing import JobsUnavailable, claim_queued, enqueue

log = logging.getLogger(__name__)

_PENDING_KEY = "enqueue_after_commit"
# How long a claim of `unless_queued` holds if its job is lost before it starts (the sweep covers).
QUEUED_SECONDS = 60


def enqueue_after_commit(func, *args, queue, tenant_id=None, unless_queued=None):
    """`enqueue(func, *args, queue=queue, tenant_id=tenant_id)` after the current transaction
    commits; the same call twice in one transaction is enqueued once. `unless_queued`: a key the
    job releases when it starts (`release_queued`); while one such job waits, no other is queued."""
    db.session.info.setdefault(_PENDING_KEY, {}).setdefault((func, args, queue, tenant_id), unless_queued)


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session):
    for (func, args, queue, tenant_id), unless_queued in session.info.pop(_PENDING_KEY, {}).items():
        if unless_queued and not claim_queued(unless_queued, QUEUED_SECONDS):
            continue
        try:
            enqueue(func, *args, queue=queue, tenant_id=tenant_id)
        except JobsUnavailable as error:
            # Don't wait for Redis once per job: the records are in the database for the sweep.
            log.warning("%s%s not enqueued, left to its sweep: %s", func.__qualname__, args, error)
            break


@event.listens_for(Session, "after_rollback")
def _forget_pending(session):
    session.info.pop(_PENDING_KEY, None)

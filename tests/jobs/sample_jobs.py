"""Jobs the tests enqueue: importable by a worker process, like real jobs."""
import os

from network.core.accounts.models import Invitation
from network.core.extensions import db
from network.core.tenancy import current_tenant_id


def tenant_in_context():
    return current_tenant_id()


def invitation_email(invitation_id):
    """What a job sees of an invitation: None when it belongs to another tenant."""
    invitation = db.session.get(Invitation, invitation_id)
    return invitation.email if invitation else None


def fail():
    raise RuntimeError("this job always fails")


def process_id():
    """The process the job ran in."""
    return os.getpid()


"""The batch matching jobs: a proposal, and the answer to "why not this mentor?". Each commits
its progress for the page that follows it to show."""
import logging

from network.core.extensions import db
from tenants.matching import proposals
from tenants.matching.models import MatchingProposal, WhyNotQuestion

log = logging.getLogger(__name__)


def run_proposal(proposal_id):
    """On the "default" queue, in the proposal's tenant."""
    _compute(MatchingProposal, proposal_id, proposals.compute)


def answer_why_not(question_id):
    """On the "default" queue, in the question's tenant."""
    _compute(WhyNotQuestion, question_id, proposals.answer_why_not)


def _compute(model, record_id, work):
    """`work(record, report)` fills the record. Runs once: a record already done (a retried job)
    is left as it is; a failure is recorded on it for its page."""
    record = db.session.get(model, record_id)
    if record is None or record.status == "done":
        return

    def report(percent):
        # The page reads another transaction: each step is committed for it to see.
        record.status, record.progress = "running", percent
        db.session.commit()

    try:
        report(5)
        work(record, report)
    except Exception as error:
        db.session.rollback()
        record = db.session.get(model, record_id)
        record.status = "failed"
        record.error = str(error)[:500]
        db.session.commit()
        log.exception("%s %s failed", model.__tablename__, record_id)

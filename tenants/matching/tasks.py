"""The batch matching job: computes a proposal, committing its progress for the page to show."""
import logging

from network.core.extensions import db
from tenants.matching import proposals
from tenants.matching.models import MatchingProposal

log = logging.getLogger(__name__)


def run_proposal(proposal_id):
    """On the "default" queue, in the proposal's tenant. Runs once: a proposal already done (a
    retried job) is left as it is."""
    proposal = db.session.get(MatchingProposal, proposal_id)
    if proposal is None or proposal.status == "done":
        return

    def report(percent):
        # The page reads another transaction: each step is committed for it to see.
        proposal.status, proposal.progress = "running", percent
        db.session.commit()

    try:
        report(5)
        proposals.compute(proposal, report)
    except Exception as error:
        db.session.rollback()
        proposal = db.session.get(MatchingProposal, proposal_id)
        proposal.status = "failed"
        proposal.error = str(error)[:500]
        db.session.commit()
        log.exception("matching proposal %s failed", proposal_id)

"""Who can be matched: the conditions every path to a suggestion shares."""
import sqlalchemy as sa

from tenants.participants.models import MATCHING_CONSENT, Consent, Mentor


def consented(model, consent_link):
    """`model`'s row has a current consent to take part."""
    return sa.exists().where(consent_link == model.id, Consent.purpose == MATCHING_CONSENT,
                             Consent.withdrawn_at.is_(None))


def mentor_eligibility():
    """Mentors who can take a mentee now: available (or matched), consented to take part, and trained."""
    return (Mentor.status.in_(("available", "matched")), Mentor.training_completed_on.is_not(None),
            consented(Mentor, Consent.mentor_id))

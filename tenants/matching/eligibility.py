"""Who can be matched: the conditions every path to a suggestion shares."""

from tenants.participants.models import Consent, Mentor


def consented(model):
    """`model`'s row has a current consent to take part."""
    return Consent.current_for(model)


def mentor_eligibility():
    """Mentors who can take a mentee now: available (or matched), consented to take part, and trained."""
    return (Mentor.status.in_(("available", "matched")), Mentor.training_completed_on.is_not(None),
            consented(Mentor))

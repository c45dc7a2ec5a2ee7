"""Mentees choose their mentor in the portal (when the partner turns it on).

A waiting mentee sees up to SUGGESTED mentors, the best for them by the single page's scoring
among the eligible mentors who agreed to show their profile (`Mentor.shares_profile`), and
only what each agreed to show: first name, languages, support areas, availability and a short
bio. The mentee picks one or asks for another (the one asked away is not suggested again);
staff then confirm the choice through the single match's service. Nothing of the mentee is
shown to anyone new: the mentors never see who looked at them, and the choice keeps ids only.
"""
import sqlalchemy as sa
from flask_babel import gettext as _

from network.core.extensions import db
from network.core.timeutil import utcnow
from tenants.matching.models import MenteeChoice
from tenants.matching.scoring import rank
from tenants.matching.services import confirm_match, eligible_mentors, matching_settings, mentee_profile
from tenants.participants.models import Mentee, Mentor
from tenants.processes.services import ProcessRefused

SUGGESTED = 3


def choice_enabled():
    return matching_settings().mentee_choice


def choice_of(mentee):
    return db.session.scalar(sa.select(MenteeChoice).where(MenteeChoice.mentee_id == mentee.id))


def _choice_for_update(mentee):
    choice = db.session.scalar(sa.select(MenteeChoice).where(MenteeChoice.mentee_id == mentee.id).with_for_update())
    if choice is None:
        choice = MenteeChoice(mentee_id=mentee.id, declined=[])
        db.session.add(choice)
    return choice


def _check_can_choose(mentee):
    if not choice_enabled():
        raise ProcessRefused(_("Choosing a mentor in the portal is not offered here."))
    if mentee.status != "waiting":
        raise ProcessRefused(_("You are not waiting for a mentor."))


def suggested_mentors(mentee):
    """The mentors to show `mentee`, best first: [Mentor] (at most SUGGESTED)."""
    if mentee.status != "waiting":
        return []
    settings = matching_settings()
    choice = choice_of(mentee)
    declined = set(choice.declined) if choice else set()
    candidates = [profile for profile in eligible_mentors(settings.max_mentees_per_mentor,
                                                           Mentor.shares_profile.is_(True))
                  if profile.id not in declined]
    ids = [suggestion.candidate.id for suggestion in rank(mentee_profile(mentee), candidates, settings.weights,
                                                          settings.max_mentees_per_mentor, limit=SUGGESTED)]
    mentors = {mentor.id: mentor for mentor in db.session.scalars(sa.select(Mentor).where(Mentor.id.in_(ids)))}
    return [mentors[mentor_id] for mentor_id in ids]


def _suggested(mentee, mentor_id):
    if mentor_id not in {mentor.id for mentor in suggested_mentors(mentee)}:
        raise ProcessRefused(_("This mentor is no longer among your suggestions."))


def choose(mentee, mentor_id):
    """The mentee picks one of their suggestions; staff confirm it."""
    _check_can_choose(mentee)
    _suggested(mentee, mentor_id)
    choice = _choice_for_update(mentee)
    choice.chosen_mentor_id, choice.chosen_at = mentor_id, utcnow()
    db.session.flush()
    return choice


def ask_for_another(mentee, mentor_id):
    """The mentee does not want this suggestion: the next one takes its place."""
    _check_can_choose(mentee)
    _suggested(mentee, mentor_id)
    choice = _choice_for_update(mentee)
    choice.declined = [*choice.declined, mentor_id]
    if choice.chosen_mentor_id == mentor_id:
        choice.chosen_mentor_id, choice.chosen_at = None, None
    db.session.flush()
    return choice


def choices_to_confirm():
    """[(MenteeChoice, Mentee, Mentor)] of waiting mentees who chose, oldest choice first."""
    return db.session.execute(
        sa.select(MenteeChoice, Mentee, Mentor)
        .join(Mentee, Mentee.id == MenteeChoice.mentee_id)
        .join(Mentor, Mentor.id == MenteeChoice.chosen_mentor_id)
        .where(Mentee.status == "waiting")
        .order_by(MenteeChoice.chosen_at, MenteeChoice.id)).all()


def confirm_choice(choice_id, actor, cadence):
    """Staff confirm a mentee's choice as a single match: the choice's, the mentor's and the
    mentee's rows locked in that order, as a proposal's confirmation locks them."""
    choice = db.session.scalar(sa.select(MenteeChoice).where(MenteeChoice.id == choice_id).with_for_update()
                               .execution_options(populate_existing=True))
    if choice is None or choice.chosen_mentor_id is None:
        raise ProcessRefused(_("This mentee has not chosen a mentor."))
    mentor, mentee = (db.session.scalar(sa.select(model).where(model.id == record_id).with_for_update()
                                        .execution_options(populate_existing=True))
                      for model, record_id in ((Mentor, choice.chosen_mentor_id), (Mentee, choice.mentee_id)))
    return confirm_match(mentor, mentee, actor, cadence)


def share_profile(mentor, shares, short_bio):
    """The mentor's own decision to show (or stop showing) their profile to mentees choosing."""
    mentor.shares_profile = shares
    mentor.short_bio = short_bio or None
    db.session.flush()

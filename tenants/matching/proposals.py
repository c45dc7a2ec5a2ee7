"""Proposals: a batch matching staff look at, pin, exclude, run again and confirm pair by pair.

A proposal is never a commitment: each confirmed pair goes through `services.confirm_match`,
the single match's own service, in a transaction of its own, with the proposal's, the
mentor's and the mentee's rows locked first (in that order in every confirmation, so two
never wait on each other). A confirmation that lost a race to another one sees the
committed state once it holds the locks and is refused with the single match's message.
"""
import time

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from network.core.extensions import db
from network.core.timeutil import utcnow
from tenants.matching import batch
from tenants.matching.eligibility import mentor_eligibility
from tenants.matching.models import PROPOSAL_MODES, QUEUE_UNREACHABLE, MatchingProposal, WhyNotQuestion
from tenants.matching.services import confirm_match, matching_settings
from tenants.participants.models import Mentee, Mentor
from tenants.participants.services import has_current_consent
from tenants.processes.services import ProcessRefused

PAIRS_PER_PAGE = 50


def create_proposal(actor, mode="fair", pins=(), exclusions=()):
    if mode not in PROPOSAL_MODES:
        raise ValueError(mode)
    proposal = MatchingProposal(created_by_id=actor.id if actor else None, mode=mode, status="pending", progress=0,
                                pins=[list(pin) for pin in pins], exclusions=[list(pair) for pair in exclusions],
                                confirmed=[])
    db.session.add(proposal)
    db.session.flush()
    return proposal


def run_again(proposal, actor):
    """A new proposal with this one's mode, pins and exclusions, over the waiting list as it is now."""
    return create_proposal(actor, proposal.mode, proposal.pins, proposal.exclusions)


def compute(proposal, report=None):
    """Fill `proposal.result`. `report(percent)` as the work goes (the job commits each)."""
    report = report or (lambda percent: None)
    started = time.perf_counter()
    pool = batch.load_pool(progress=lambda done, of: report(10 + 60 * done // max(of, 1)))
    loaded = time.perf_counter()
    report(75)
    pins = [tuple(pin) for pin in proposal.pins]
    exclusions = [tuple(pair) for pair in proposal.exclusions]
    proposed = batch.solve(pool, pins, exclusions, proposal.mode)
    solved = time.perf_counter()
    report(90)
    first_come = batch.greedy(pool, pins, exclusions)
    proposal.result = {
        "pairs": [[mentee.id, proposed.mentor_of[mentee.id], proposed.score_of[mentee.id],
                   mentee.id in proposed.pinned] for mentee in pool.mentees if mentee.id in proposed.mentor_of],
        "unmatched": [mentee.id for mentee in pool.mentees if mentee.id not in proposed.mentor_of],
        "dropped_pins": [list(pin) for pin in proposed.dropped_pins],
        "mentees": len(pool.mentees),
        "mentors": len(pool.mentors),
        "summary": _summary(proposed),
        "greedy": _summary(first_come),
        "seconds": {"scoring": round(loaded - started, 2), "solving": round(solved - loaded, 2)},
    }
    proposal.status = "done"
    proposal.progress = 100
    proposal.finished_at = utcnow()


def _summary(assignment):
    return {"matched": assignment.matched, "total": assignment.total, "worst": assignment.worst}


# --- pins and exclusions -----------------------------------------------------------

def _pairs_without(pairs, mentee_id, mentor_id=None):
    return [pair for pair in pairs if not (pair[0] == mentee_id and (mentor_id is None or pair[1] == mentor_id))]


def pin(proposal, mentee_id, mentor_id):
    """Keep this pair in the next run (a mentee has one pin: a new one replaces it)."""
    proposal.pins = _pairs_without(proposal.pins, mentee_id) + [[mentee_id, mentor_id]]
    proposal.exclusions = _pairs_without(proposal.exclusions, mentee_id, mentor_id)


def exclude(proposal, mentee_id, mentor_id):
    """Never propose this pair again."""
    proposal.exclusions = _pairs_without(proposal.exclusions, mentee_id, mentor_id) + [[mentee_id, mentor_id]]
    proposal.pins = _pairs_without(proposal.pins, mentee_id, mentor_id)


def release(proposal, mentee_id, mentor_id):
    """Drop a pin or an exclusion of this pair."""
    proposal.pins = _pairs_without(proposal.pins, mentee_id, mentor_id)
    proposal.exclusions = _pairs_without(proposal.exclusions, mentee_id, mentor_id)


# --- confirming ---------------------------------------------------------------------

def proposed_mentor(proposal, mentee_id):
    for pair_mentee, mentor_id, *_rest in (proposal.result or {}).get("pairs", ()):
        if pair_mentee == mentee_id:
            return mentor_id
    return None


def _locked(model, record_id):
    return db.session.scalar(sa.select(model).where(model.id == record_id).with_for_update()
                             .execution_options(populate_existing=True))


def confirm_pair(proposal_id, mentee_id, mentor_id, actor, cadence):
    """Confirm one proposed pair as a single match is confirmed; refused (ProcessRefused) when it
    is not the proposal's or when the single match's rules refuse it now. The proposal's row is
    locked first, so two confirmations from one proposal never overwrite its list of confirmed."""
    proposal = _locked(MatchingProposal, proposal_id)
    if proposal is None or proposed_mentor(proposal, mentee_id) != mentor_id:
        raise ProcessRefused(_("This pair is not in the proposal."))
    if mentee_id in proposal.confirmed:
        raise ProcessRefused(_("This pair has already been confirmed."))
    mentor = _locked(Mentor, mentor_id)
    mentee = _locked(Mentee, mentee_id)
    if mentor is None or mentee is None:
        raise ProcessRefused(_("This mentor or mentee no longer exists."))
    process = confirm_match(mentor, mentee, actor, cadence)
    proposal.confirmed = [*proposal.confirmed, mentee_id]
    return process


# --- explanations -------------------------------------------------------------------

# A rule that keeps a pair from being made: (its sentence, whose name it takes). Stored by code in
# a why-not answer and put into words when shown, in the reader's language.
RULES = {
    "mentee_not_waiting": (_l("%(name)s is not waiting for a mentor."), "mentee"),
    "mentee_no_consent": (_l("%(name)s has no current consent to take part."), "mentee"),
    "mentee_not_listed": (_l("%(name)s is not on the waiting list."), "mentee"),
    "mentor_unavailable": (_l("%(name)s is not available for matching."), "mentor"),
    "mentor_untrained": (_l("%(name)s has not completed the initial training."), "mentor"),
    "mentor_no_consent": (_l("%(name)s has no current consent to take part."), "mentor"),
    "excluded": (_l("You excluded this pair from the proposal."), None),
    "pinned_elsewhere": (_l("Every place %(name)s has left is pinned to another mentee."), "mentor"),
}
MENTOR_FULL = "mentor_full"  # its number: the most mentees a mentor may follow here


def rule_text(rule, mentee, mentor):
    """The sentence of a rule `[code, number]`, naming the mentee or the mentor."""
    code, number = rule
    if code == MENTOR_FULL:
        return ngettext("%(name)s already follows %(num)d mentee, the most allowed here.",
                        "%(name)s already follows %(num)d mentees, the most allowed here.", number,
                        name=mentor.full_name)
    text, person = RULES[code]
    return str(text) % {"name": {"mentee": mentee, "mentor": mentor}[person].full_name} if person else str(text)


def mentor_exclusion_rule(mentor):
    """Why single matching does not suggest `mentor` to anyone now: [code, number]."""
    available, trained, consented = db.session.execute(
        sa.select(*mentor_eligibility()).where(Mentor.id == mentor.id)).one()
    if not available:
        return ["mentor_unavailable", None]
    if not trained:
        return ["mentor_untrained", None]
    if not consented:
        return ["mentor_no_consent", None]
    return [MENTOR_FULL, matching_settings().max_mentees_per_mentor]


def mentee_exclusion_rule(mentee):
    if mentee.status != "waiting":
        return ["mentee_not_waiting", None]
    if not has_current_consent(mentee):
        return ["mentee_no_consent", None]
    return ["mentee_not_listed", None]


def why_not_rule(proposal, mentee, mentor, pool):
    """The rule that keeps the pair from being made now, [code, number], or None."""
    if mentee.id not in pool.mentee_index:
        return mentee_exclusion_rule(mentee)
    if mentor.id not in pool.mentor_index:
        return mentor_exclusion_rule(mentor)
    if [mentee.id, mentor.id] in proposal.exclusions:
        return ["excluded", None]
    pins = [tuple(pair) for pair in proposal.pins if pair[0] != mentee.id]
    taken = sum(1 for _, pinned_mentor in pins if pinned_mentor == mentor.id)
    if taken >= pool.capacity[pool.mentor_index[mentor.id]]:
        return ["pinned_elsewhere", None]
    return None


def why_not(proposal, mentee, mentor, pool=None):
    """(a rule's sentence, None) when a rule keeps the pair from being made, else (None, the
    ForcedPair: the proposal solved again now, beside the same with the pair pinned)."""
    pool = pool or batch.load_pool()
    rule = why_not_rule(proposal, mentee, mentor, pool)
    if rule:
        return rule_text(rule, mentee, mentor), None
    return None, batch.force_pair(pool, mentee.id, mentor.id, [tuple(pair) for pair in proposal.pins],
                                  [tuple(pair) for pair in proposal.exclusions], proposal.mode)


def ask_why_not(proposal, mentee, mentor, actor):
    """A question for the job to answer (`answer_why_not`)."""
    question = WhyNotQuestion(proposal_id=proposal.id, mentee_id=mentee.id, mentor_id=mentor.id,
                              asked_by_id=actor.id if actor else None, status="pending", progress=0)
    db.session.add(question)
    db.session.flush()
    return question


def forced_answer(forced):
    """A ForcedPair as a why-not answer keeps it: ids and scores (tenths)."""
    return {"score": forced.score, "proposed_total": forced.proposed.total, "forced_total": forced.forced.total,
            "difference": forced.total_difference,
            "proposed_mentor": forced.proposed.mentor_of.get(forced.mentee_id),
            "proposed_score": forced.proposed.score_of.get(forced.mentee_id),
            "displaced": [list(entry) for entry in forced.displaced]}


def answer_why_not(question, report=None):
    """Fill `question.answer`, as `why_not` answers over the waiting list as it is now. `report(percent)`
    as the work goes (the job commits each)."""
    report = report or (lambda percent: None)
    proposal = db.session.get(MatchingProposal, question.proposal_id)
    mentee, mentor = db.session.get(Mentee, question.mentee_id), db.session.get(Mentor, question.mentor_id)
    if mentee is None or mentor is None:
        raise LookupError("the mentee or the mentor no longer exists")
    pool = batch.load_pool(progress=lambda done, of: report(10 + 70 * done // max(of, 1)))
    report(85)
    rule = why_not_rule(proposal, mentee, mentor, pool)
    question.answer = {"rule": rule} if rule else {"forced": forced_answer(batch.force_pair(
        pool, mentee.id, mentor.id, [tuple(pair) for pair in proposal.pins],
        [tuple(pair) for pair in proposal.exclusions], proposal.mode))}
    question.status, question.progress, question.finished_at = "done", 100, utcnow()


def not_queued(record):
    """A proposal or a question whose job the queue could not take: kept, and shown so."""
    record.status, record.error = "failed", QUEUE_UNREACHABLE


# --- reading a proposal -------------------------------------------------------------

def names(model, ids):
    ids = list(set(ids))
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(model.id, model.full_name).where(model.id.in_(ids))).all())


def page_of_pairs(proposal, page):
    """The page's pairs, [(mentee id, mentee name, mentor id, mentor name, score, pinned, confirmed)],
    and the number of pages."""
    pairs = (proposal.result or {}).get("pairs", [])
    pages = max(1, -(-len(pairs) // PAIRS_PER_PAGE))
    shown = pairs[(page - 1) * PAIRS_PER_PAGE:page * PAIRS_PER_PAGE]
    mentees = names(Mentee, [pair[0] for pair in shown])
    mentors = names(Mentor, [pair[1] for pair in shown])
    confirmed = set(proposal.confirmed)
    return [(mentee_id, mentees.get(mentee_id, "—"), mentor_id, mentors.get(mentor_id, "—"), score / 10, pinned,
             mentee_id in confirmed) for mentee_id, mentor_id, score, pinned in shown], pages

"""Batch proposals in a partner's workspace: the pool single matching would use, pins,
exclusions, "why not", and confirmations through the single match's service."""
from datetime import date

import sqlalchemy as sa

from network.core.extensions import db
from network.core.submit import submit
from tenants.intake.services import withdraw_consent
from tenants.matching import batch, proposals, services
from tenants.processes.models import MentoringProcess
from tests.factories import make_mentor
from tests.processes.conftest import partner, ready_mentee, ready_mentor  # noqa: F401 (fixture)


def _open_processes():
    return db.session.execute(sa.select(MentoringProcess.mentee_id, MentoringProcess.mentor_id)).all()


def _world(partner):  # noqa: F811
    """Three waiting mentees; two ready mentors (one place each) and five that cannot be matched."""
    services.save_matching_settings({"max_mentees_per_mentor": 1})
    mentees = [ready_mentee(name, support_areas=[area]) for name, area in
               (("Ana Saúde", "health"), ("Bruno Casa", "housing"), ("Carla Saúde", "health"))]
    ready_mentee("Dora Candidata", support_areas=["health"]).status = "applicant"
    good = [ready_mentor("Helena Saúde", support_areas=["health"]),
            ready_mentor("Henrique Casa", support_areas=["housing"])]
    untrained = ready_mentor("Sem Formação", support_areas=["health"])
    untrained.training_completed_on = None
    paused = ready_mentor("Em Pausa", support_areas=["health"])
    paused.status = "paused"
    make_mentor("Sem Consentimento", email="sem@example.pt", training_completed_on=date(2026, 1, 1),
                support_areas=["health"]).status = "available"
    withdrawn = ready_mentor("Retirou Consentimento", support_areas=["health"])
    withdraw_consent(withdrawn, withdrawn.current_consents[0], partner.staff)
    full = ready_mentor("Sem Vaga", support_areas=["health"])
    services.confirm_match(full, ready_mentee("Já Emparelhada"), partner.staff, "monthly")
    db.session.flush()
    return mentees, good, {"untrained": untrained, "paused": paused, "withdrawn": withdrawn, "full": full}


def test_a_proposal_uses_only_who_single_matching_would_and_respects_places(partner):  # noqa: F811
    mentees, good, _ = _world(partner)
    proposal = proposals.create_proposal(partner.staff)
    proposals.compute(proposal)
    pairs = {mentee: mentor for mentee, mentor, *_ in proposal.result["pairs"]}
    assert set(pairs.values()) <= {mentor.id for mentor in good}
    assert len(pairs.values()) == len(set(pairs.values())) == 2  # one place each
    assert set(pairs) <= {mentee.id for mentee in mentees}
    assert proposal.result["mentees"] == 3 and proposal.result["mentors"] == 2
    # Each proposed pair scores what the single page shows for it.
    for mentee_id, mentor_id, score, _ in proposal.result["pairs"]:
        suggestion = next(item for item in services.suggest_mentors(db.session.get(type(mentees[0]), mentee_id))
                          if item.candidate.id == mentor_id)
        assert score == round(suggestion.total * 10)


def test_pins_and_exclusions_hold_when_run_again(partner):  # noqa: F811
    (ana, bruno, carla), (health, housing), _ = _world(partner)
    first = proposals.create_proposal(partner.staff)
    proposals.compute(first)
    proposals.pin(first, carla.id, health.id)
    proposals.exclude(first, bruno.id, housing.id)
    again = proposals.run_again(first, partner.staff)
    proposals.compute(again)
    pairs = {mentee: (mentor, pinned) for mentee, mentor, _, pinned in again.result["pairs"]}
    assert pairs[carla.id] == (health.id, True)
    assert pairs.get(bruno.id, (None,))[0] != housing.id
    proposals.release(again, bruno.id, housing.id)
    assert again.exclusions == [] and again.pins == [[carla.id, health.id]]


def test_why_not_names_the_rule_that_excludes_a_mentor(partner):  # noqa: F811
    (ana, *_), _, excluded = _world(partner)
    proposal = proposals.create_proposal(partner.staff)
    proposals.compute(proposal)
    expected = {
        "untrained": "Sem Formação has not completed the initial training.",
        "paused": "Em Pausa is not available for matching.",
        "withdrawn": "Retirou Consentimento has no current consent to take part.",
        "full": "Sem Vaga already follows 1 mentee, the most allowed here.",
    }
    for key, mentor in excluded.items():
        rule, answer = proposals.why_not(proposal, ana, mentor)
        assert (rule, answer) == (expected[key], None)
    mentee_id, mentor_id, *_ = proposal.result["pairs"][0]
    proposals.exclude(proposal, mentee_id, mentor_id)
    rule, _ = proposals.why_not(proposal, db.session.get(type(ana), mentee_id),
                                db.session.get(type(excluded["full"]), mentor_id))
    assert rule == "You excluded this pair from the proposal."


def test_why_not_another_mentor_says_who_would_lose_them(partner):  # noqa: F811
    (ana, bruno, carla), (health, housing), _ = _world(partner)
    proposal = proposals.create_proposal(partner.staff)
    proposals.compute(proposal)
    holder = next(mentee for mentee in (ana, carla) if proposals.proposed_mentor(proposal, mentee.id) == health.id)
    other = carla if holder is ana else ana
    rule, answer = proposals.why_not(proposal, other, health)
    assert rule is None
    assert answer.forced.mentor_of[other.id] == health.id
    assert [entry[0] for entry in answer.displaced] == [holder.id]
    pool = batch.load_pool()
    resolved = batch.solve(pool, [(other.id, health.id)], mode=proposal.mode)
    assert answer.forced.total == resolved.total and answer.total_difference == resolved.total - answer.proposed.total


def test_confirming_goes_through_the_single_match_and_a_refused_pair_leaves_the_others(partner):  # noqa: F811
    (ana, bruno, carla), (health, housing), _ = _world(partner)
    proposal = proposals.create_proposal(partner.staff)
    proposals.compute(proposal)
    pairs = [(mentee, mentor) for mentee, mentor, *_ in proposal.result["pairs"]]
    (first_mentee, first_mentor), (second_mentee, second_mentor) = pairs
    # Meanwhile someone matched the second pair's mentee from the single page.
    services.confirm_match(ready_mentor("Nova Mentora"), db.session.get(type(ana), second_mentee), partner.staff,
                           "monthly")
    db.session.commit()
    before = len(_open_processes())
    _, refusal = submit(proposals.confirm_pair, proposal.id, second_mentee, second_mentor, partner.staff,
                               "monthly")[:2]
    assert refusal.message == "This mentee is not waiting for a mentor."
    process, refusal = submit(proposals.confirm_pair, proposal.id, first_mentee, first_mentor, partner.staff,
                                     "monthly")[:2]
    assert refusal is None and (process.mentee_id, process.mentor_id) == (first_mentee, first_mentor)
    assert len(_open_processes()) == before + 1
    _, again = submit(proposals.confirm_pair, proposal.id, first_mentee, first_mentor, partner.staff, "monthly")[:2]
    assert again.message == "This pair has already been confirmed."
    _, foreign = submit(proposals.confirm_pair, proposal.id, bruno.id, 999_999, partner.staff, "monthly")[:2]
    assert foreign.message == "This pair is not in the proposal."

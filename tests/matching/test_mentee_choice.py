"""Mentees choose among suggested mentors in the portal; staff confirm the choice."""
from network.core.extensions import db
from network.core.submit import submit
from tenants.matching import choice, services
from tenants.processes.services import ProcessRefused
from tests.processes.conftest import partner, ready_mentee, ready_mentor  # noqa: F401 (fixture)


def _sharing(name, **extra):
    mentor = ready_mentor(name, **extra)
    choice.share_profile(mentor, True, f"Sou {name.split()[0]}.")
    return mentor


def _names(mentors):
    return [mentor.full_name for mentor in mentors]


def test_only_mentors_who_agreed_are_suggested_at_most_three_best_first(partner):  # noqa: F811
    services.save_matching_settings({"mentee_choice": True})
    mentee = ready_mentee(support_areas=["health", "housing"])
    _sharing("Ana Ambas", support_areas=["health", "housing"])
    _sharing("Bela Saúde", support_areas=["health"])
    _sharing("Cida Casa", support_areas=["housing"])
    _sharing("Dina Nada", support_areas=["education"])
    ready_mentor("Eva Reservada", support_areas=["health", "housing"])  # did not agree to be shown
    db.session.flush()
    assert _names(choice.suggested_mentors(mentee)) == ["Ana Ambas", "Bela Saúde", "Cida Casa"]


def test_asking_for_another_brings_the_next_and_choosing_waits_for_staff(partner):  # noqa: F811
    services.save_matching_settings({"mentee_choice": True})
    mentee = ready_mentee(support_areas=["health", "housing"])
    best = _sharing("Ana Ambas", support_areas=["health", "housing"])
    _sharing("Bela Saúde", support_areas=["health"])
    _sharing("Cida Casa", support_areas=["housing"])
    fourth = _sharing("Dina Nada", support_areas=["education"])
    db.session.flush()
    choice.ask_for_another(mentee, best.id)
    assert _names(choice.suggested_mentors(mentee)) == ["Bela Saúde", "Cida Casa", "Dina Nada"]
    try:
        choice.choose(mentee, best.id)
        raise AssertionError("a mentor asked away cannot be chosen")
    except ProcessRefused as refusal:
        assert refusal.message == "This mentor is no longer among your suggestions."
    picked = choice.choose(mentee, fourth.id)
    assert mentee.status == "waiting" and picked.chosen_mentor_id == fourth.id
    [(row, row_mentee, row_mentor)] = choice.choices_to_confirm()
    assert (row_mentee.id, row_mentor.id) == (mentee.id, fourth.id)
    process, refusal = submit(choice.confirm_choice, row.id, partner.staff, "monthly")[:2]
    assert refusal is None and (process.mentee_id, process.mentor_id) == (mentee.id, fourth.id)
    assert choice.choices_to_confirm() == []
    _, again = submit(choice.confirm_choice, row.id, partner.staff, "monthly")[:2]
    assert again.message == "This mentee is not waiting for a mentor."


def test_nothing_to_choose_when_the_partner_does_not_offer_it(partner):  # noqa: F811
    mentee = ready_mentee(support_areas=["health"])
    mentor = _sharing("Ana Ambas", support_areas=["health"])
    db.session.flush()
    try:
        choice.choose(mentee, mentor.id)
        raise AssertionError("the partner did not turn the choice on")
    except ProcessRefused as refusal:
        assert refusal.message == "Choosing a mentor in the portal is not offered here."

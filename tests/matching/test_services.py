"""Who can be suggested, read from the partner's own pool."""
from datetime import date

from flask_babel import force_locale

from network.core.extensions import db
from tenants.intake.services import withdraw_consent
from tenants.matching import services
from tests.factories import make_mentor
from tests.processes.conftest import partner, ready_mentee, ready_mentor  # noqa: F401 (fixture)


def _names(suggestions):
    return [suggestion.candidate.name for suggestion in suggestions]


def test_only_ready_consented_trained_mentors_with_room_are_suggested(partner):  # noqa: F811
    mentee = ready_mentee(support_areas=["health"])
    ready_mentor("Pronta Silva", support_areas=["health"])
    unconsented = make_mentor("Sem Consentimento", email="sem@example.pt", training_completed_on=date(2026, 1, 1))
    unconsented.status = "available"
    untrained = ready_mentor("Sem Formação")
    untrained.training_completed_on = None
    paused = ready_mentor("Em Pausa")
    paused.status = "paused"
    withdrawn = ready_mentor("Retirou Consentimento")
    withdraw_consent(withdrawn, withdrawn.current_consents[0], partner.staff)
    full = ready_mentor("Sem Vaga")
    for name in ("Um Mentorando", "Outro Mentorando"):
        services.confirm_match(full, ready_mentee(name), partner.staff, "monthly")
    db.session.flush()
    assert _names(services.suggest_mentors(mentee)) == ["Pronta Silva"]


def test_mentees_for_a_mentor_are_waiting_and_consented(partner):  # noqa: F811
    mentor = ready_mentor(support_areas=["housing"])
    ready_mentee("Precisa Casa", support_areas=["housing"])
    ready_mentee("Precisa Saúde", support_areas=["health"])
    ready_mentee("Ainda Candidata").status = "applicant"
    assert _names(services.suggest_mentees(mentor)) == ["Precisa Casa", "Precisa Saúde"]


def test_explanations_name_every_criterion(partner):  # noqa: F811
    mentee = ready_mentee(support_areas=["health", "housing"], languages=[{"code": "en", "level": "b2"}])
    ready_mentor(support_areas=["housing"], languages=[{"code": "en", "level": "c1"}])
    (suggestion,) = services.suggest_mentors(mentee)
    with force_locale("en"):
        lines = [(str(label), points, maximum, sentence) for label, points, maximum, sentence
                 in services.explain(suggestion)]
    assert [str(label) for label, *_ in lines] == ["Support areas", "Languages", "Municipality", "Availability",
                                                   "Current load", "Stated preferences"]
    sentences = [sentence for *_, sentence in lines]
    assert sentences[0].startswith("Covers 1 of 2 needs") and sentences[1] == "Shared language: English"
    assert abs(sum(points for _, points, _, _ in lines) - suggestion.total) < 0.5

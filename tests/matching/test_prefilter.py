"""The database's pre-filter changes nothing: on random pools, the suggestions (order, totals,
breakdowns) are those of the reference scoring over every eligible mentor."""
import random

import pytest

from network.core.extensions import db
from tenants.matching import services
from tenants.matching.scoring import rank
from tests.processes.conftest import partner, ready_mentee, ready_mentor  # noqa: F401 (fixture)

AREAS = ["qualification_job_search", "entrepreneurship", "health", "parenting", "housing", "education"]
LANGUAGES = ["en", "fr", "ar", "es"]
LEVELS = ["a1", "a2", "b1", "b2", "c1", "native"]
DAYS = ["mon", "tue", "wed", "sat"]
PERIODS = ["morning", "afternoon", "evening"]
# Spellings `scoring` treats as one place (most people live there: the pre-filter scores them
# first), and others.
PLACES = ["Lisboa", "lisboa", "LISBOA ", " Lisboa"] * 3 + ["Porto", "Vila  Nova de Gaia", "vila nova de gaia", "Évora"]


def _some(rng, values, most):
    return rng.sample(values, rng.randint(0, most))


def _person(rng):
    return {
        "municipality": rng.choice(PLACES),
        "support_areas": _some(rng, AREAS, 3),
        "languages": [{"code": code, "level": rng.choice(LEVELS)} for code in _some(rng, LANGUAGES, 2)],
        "availability_days": _some(rng, DAYS, 3),
        "availability_periods": _some(rng, PERIODS, 2),
        "gender": rng.choice(["female", "male", None]),
    }


def _reference(mentee, limit=10):
    """The ranking of every eligible mentor, as before the pre-filter."""
    settings = services.matching_settings()
    return rank(services.mentee_profile(mentee), services.eligible_mentors(settings.max_mentees_per_mentor),
                settings.weights, settings.max_mentees_per_mentor, subject_is_mentee=True, limit=limit)


def _comparable(suggestions):
    return [(s.candidate.id, s.total, [(item.criterion, item.points, item.facts) for item in s.breakdown])
            for s in suggestions]


# The mentors of the mentee's place are scored first, the others only if they can still reach
# the top: weights where the place decides most, or nothing, move that bar.
WEIGHTS = {
    "default": None,
    "place first": {"support_areas": 10, "languages": 10, "location": 60, "availability": 10, "load": 5,
                    "preferences": 5},
    "place ignored": {"support_areas": 40, "languages": 20, "location": 0, "availability": 20, "load": 10,
                      "preferences": 10},
}


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_fast_path_ranks_as_the_reference_scoring(partner, seed, weights):  # noqa: F811
    if WEIGHTS[weights]:
        services.save_matching_settings({f"weight_{criterion}": value for criterion, value in WEIGHTS[weights].items()})
    rng = random.Random(seed)
    mentors = []
    for number in range(60):
        person = _person(rng)
        mentors.append(ready_mentor(f"Mentor {number:02d} {rng.choice('ABC')}", **person))
    mentees = []
    for number in range(8):
        person = _person(rng)
        mentee = ready_mentee(f"Mentee {number}", portuguese_level=rng.choice(["none", "a2", "b1", "native"]),
                              **{key: value for key, value in person.items() if key != "gender"})
        mentee.gender = person["gender"]
        mentee.preferred_mentor_gender = rng.choice(["female", "male", None, None])
        mentees.append(mentee)
    # Some mentors already follow mentees (the load criterion), one is full.
    for mentor, mentee in zip(rng.sample(mentors, 4), mentees[:4]):
        services.confirm_match(mentor, mentee, partner.staff, "monthly")
    db.session.flush()
    for mentee in mentees[4:]:
        for limit in (10, 3):
            expected = _reference(mentee, limit)
            assert len(expected) == limit
            assert _comparable(services.suggest_mentors(mentee, limit)) == _comparable(expected)


def test_a_mentor_elsewhere_at_the_floor_set_by_the_mentees_place_is_kept(partner):  # noqa: F811
    """Twelve mentors of the mentee's place score 85 (no availability, not the preferred
    gender); one mentor elsewhere scores 85 too (all but the place), the most its own row
    allows: the floor the place sets must keep it, and the tie goes to its name."""
    native = [{"code": "pt", "level": "native"}]
    mentee = ready_mentee(municipality="Lisboa", support_areas=["health", "housing"], portuguese_level="native",
                          availability_days=["mon", "tue"], availability_periods=["evening"])
    mentee.preferred_mentor_gender = "female"
    for number in range(12):
        ready_mentor(f"Perto {number:02d}", municipality=["Lisboa", "lisboa "][number % 2],
                     support_areas=["health", "housing"], languages=native, gender="male")
    ready_mentor("Ana Longe", municipality="Porto", support_areas=["health", "housing"], languages=native,
                 availability_days=["mon", "tue"], availability_periods=["evening"], gender="female")
    db.session.flush()
    expected = _reference(mentee)
    assert expected[0].candidate.name == "Ana Longe" and {s.total for s in expected} == {85.0}
    assert _comparable(services.suggest_mentors(mentee)) == _comparable(expected)


def test_a_mentor_elsewhere_missing_a_need_but_at_the_floor_is_kept(partner):  # noqa: F811
    """As above, but the mentor elsewhere covers only the first need: what its areas and gender
    allow (71.7) still reaches the floor of the place, and it is read and suggested first."""
    native = [{"code": "pt", "level": "native"}]
    mentee = ready_mentee(municipality="Lisboa", support_areas=["health", "housing"], portuguese_level="native",
                          availability_days=["mon", "tue"], availability_periods=["evening"])
    mentee.preferred_mentor_gender = "female"
    for number in range(12):
        ready_mentor(f"Perto {number:02d}", municipality="Lisboa", support_areas=["health"], languages=native,
                     gender="male")
    ready_mentor("Ana Longe", municipality="Porto", support_areas=["health"], languages=native,
                 availability_days=["mon", "tue"], availability_periods=["evening"], gender="female")
    db.session.flush()
    expected = _reference(mentee)
    assert expected[0].candidate.name == "Ana Longe" and {s.total for s in expected} == {71.7}
    assert _comparable(services.suggest_mentors(mentee)) == _comparable(expected)


def test_a_place_with_fewer_mentors_than_suggestions_leaves_room_for_the_others(partner):  # noqa: F811
    mentee = ready_mentee(municipality="Évora", support_areas=["health"])
    for number in range(3):
        ready_mentor(f"Perto {number}", municipality=" évora", support_areas=["health"])
    for number in range(12):
        ready_mentor(f"Longe {number:02d}", municipality="Porto", support_areas=["health", "housing"][:number % 2 + 1])
    db.session.flush()
    expected = _reference(mentee)
    assert len(expected) == 10 and {s.candidate.name for s in expected[:3]} == {"Perto 0", "Perto 1", "Perto 2"}
    assert _comparable(services.suggest_mentors(mentee)) == _comparable(expected)


def test_ties_beyond_the_limit_are_broken_as_the_reference_does(partner):  # noqa: F811
    mentee = ready_mentee(support_areas=["health"])
    for number in range(25):  # identical candidates: names, then ids decide
        ready_mentor(f"Mentor {25 - number:02d}", support_areas=["health"])
    db.session.flush()
    assert _comparable(services.suggest_mentors(mentee)) == _comparable(_reference(mentee))


@pytest.mark.isolation
def test_the_database_scores_only_the_current_partners_mentors(partner):  # noqa: F811
    """A perfect mentor of another partner is neither scored nor suggested."""
    from network.core.tenancy import tenant_context
    from tests.factories import make_tenant

    other = make_tenant("beta")
    with tenant_context(other.id):
        ready_mentor("Perfeita Noutro", support_areas=["health"], municipality="Lisboa")
        db.session.flush()
    mentee = ready_mentee(support_areas=["health"], municipality="Lisboa")
    ready_mentor("Sofia Daqui", support_areas=["housing"], municipality="Porto")
    db.session.flush()
    assert [s.candidate.name for s in services.suggest_mentors(mentee)] == ["Sofia Daqui"]


def test_days_without_periods_count_as_no_time_slots(partner):  # noqa: F811
    """A mentee with days but no periods has no time slots: half the availability points for any
    mentor with slots (5), not half per day in common (15 for three days). Counted so, ten mentors
    with the three days would outscore the one the mentee prefers and push it out."""
    mentee = ready_mentee(support_areas=["health"], availability_days=["mon", "tue", "wed"], availability_periods=[])
    mentee.preferred_mentor_gender = "female"
    for number in range(10):
        ready_mentor(f"Mentor {number:02d}", support_areas=["health"], gender="male",
                     availability_days=["mon", "tue", "wed"], availability_periods=["evening"])
    ready_mentor("Beatriz Preferida", support_areas=["health"], gender="female", availability_days=["mon"],
                 availability_periods=["evening"])
    db.session.flush()
    expected = _reference(mentee)
    assert expected[0].candidate.name == "Beatriz Preferida" and expected[0].total == expected[1].total + 5
    assert _comparable(services.suggest_mentors(mentee)) == _comparable(expected)


def test_mentees_of_every_shape_share_one_statement(partner):  # noqa: F811
    """What differs between mentees (needs, languages, days, periods, preference, place) is bound
    to one statement: SQLAlchemy compiles it once, not once per kind of mentee (10 to 25 ms each
    for a large partner)."""
    from sqlalchemy import event

    ready_mentor("Mentor Um", support_areas=["health"], municipality="Lisboa")
    mentees = [
        ready_mentee("Sem Nada", municipality="", support_areas=[], languages=[], availability_days=[]),
        ready_mentee("Uma Necessidade", support_areas=["health"], municipality="Porto"),
        ready_mentee("Tres Necessidades", support_areas=["health", "housing", "parenting"], municipality="Lisboa",
                     languages=[{"code": "en", "level": "b2"}, {"code": "ar", "level": "native"}],
                     availability_days=["mon", "wed", "sat"], availability_periods=["morning", "evening"]),
    ]
    mentees[2].preferred_mentor_gender = "female"
    db.session.flush()
    compiled = []

    def keep(connection, cursor, statement, parameters, context, executemany):
        if " scored" in statement:
            compiled.append(context.compiled)

    engine = db.session.get_bind()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        for mentee in mentees:
            services.suggest_mentors(mentee)
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert len(compiled) == 3 and compiled[0] is compiled[1] is compiled[2]

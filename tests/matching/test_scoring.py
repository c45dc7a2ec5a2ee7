"""Matching scores on hand-built cases where the right answer is obvious."""
from tenants.matching.models import DEFAULT_WEIGHTS
from tenants.matching.scoring import Profile, rank, score_pair

HEALTH, HOUSING, JOBS, LANGUAGE = 1, 2, 3, 4


def mentee(**values):
    defaults = dict(id=1, name="Amina", municipality="Lisboa", areas={JOBS: 1, LANGUAGE: 2, HOUSING: 3},
                    languages={"ar": "native", "en": "b1", "pt": "a1"})
    return Profile(**{**defaults, **values})


def mentor(id, name, **values):
    defaults = dict(municipality="Porto", areas={}, languages={"pt": "native"})
    return Profile(id=id, name=name, **{**defaults, **values})


def test_the_mentor_who_covers_the_first_need_ranks_above_one_covering_the_last():
    first = mentor(10, "Rui", areas={JOBS: 1})
    last = mentor(11, "Sara", areas={HOUSING: 1})
    ranked = rank(mentee(), [last, first], DEFAULT_WEIGHTS, max_mentees=2)
    assert [s.candidate.name for s in ranked] == ["Rui", "Sara"]


def test_a_mentor_covering_every_need_gets_every_support_area_point():
    total, breakdown = score_pair(mentee(), mentor(10, "Rui", areas={JOBS: 1, LANGUAGE: 1, HOUSING: 1}),
                                  DEFAULT_WEIGHTS, 2)
    areas = next(item for item in breakdown if item.criterion == "support_areas")
    assert areas.fit == 1 and areas.points == 40


def test_a_shared_comfortable_language_beats_portuguese_at_beginner_level():
    english = mentor(10, "Rui", languages={"pt": "native", "en": "c1"})
    portuguese_only = mentor(11, "Sara")
    ranked = rank(mentee(), [portuguese_only, english], DEFAULT_WEIGHTS, 2)
    assert ranked[0].candidate.name == "Rui"
    languages = {item.criterion: item for item in ranked[1].breakdown}["languages"]
    assert languages.fit == 0  # A1 in Portuguese is not enough to work together


def test_same_municipality_counts_whatever_the_spelling_case():
    _, breakdown = score_pair(mentee(municipality="Lisboa"), mentor(10, "Rui", municipality="  lisboa "),
                              DEFAULT_WEIGHTS, 2)
    assert {item.criterion: item.fit for item in breakdown}["location"] == 1


def test_availability_is_the_share_of_the_mentees_slots_in_common():
    slots = frozenset({("mon", "evening"), ("sat", "morning")})
    _, breakdown = score_pair(mentee(slots=slots), mentor(10, "Rui", slots=frozenset({("sat", "morning")})),
                              DEFAULT_WEIGHTS, 2)
    assert {item.criterion: item.fit for item in breakdown}["availability"] == 0.5


def test_a_busy_mentor_ranks_below_an_equal_free_one():
    busy = mentor(10, "Rui", areas={JOBS: 1}, open_processes=1)
    free = mentor(11, "Sara", areas={JOBS: 1})
    assert [s.candidate.name for s in rank(mentee(), [busy, free], DEFAULT_WEIGHTS, 2)] == ["Sara", "Rui"]


def test_a_stated_gender_preference_is_respected():
    woman = mentor(10, "Sara", gender="female")
    man = mentor(11, "Rui", gender="male")
    ranked = rank(mentee(preferred_gender="female"), [man, woman], DEFAULT_WEIGHTS, 2)
    assert ranked[0].candidate.name == "Sara"


def test_weights_change_the_ranking():
    near = mentor(10, "Rui", municipality="Lisboa")
    expert = mentor(11, "Sara", areas={JOBS: 1, LANGUAGE: 1})
    by_default = rank(mentee(), [near, expert], DEFAULT_WEIGHTS, 2)
    location_first = rank(mentee(), [near, expert], {**DEFAULT_WEIGHTS, "support_areas": 0, "location": 90}, 2)
    assert by_default[0].candidate.name == "Sara" and location_first[0].candidate.name == "Rui"


def test_scores_add_up_to_the_total_and_stay_within_100():
    total, breakdown = score_pair(mentee(), mentor(10, "Rui", areas={JOBS: 1}), DEFAULT_WEIGHTS, 2)
    assert abs(total - sum(item.points for item in breakdown)) < 0.2
    assert 0 <= total <= 100

"""Batch matching's arithmetic, on random small instances: the score matrix is `score_pair`'s,
and the solver's assignment is as good as the best one found by trying every assignment."""
import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.matching import batch
from tenants.matching.models import CRITERIA
from tenants.matching.scoring import LEVEL_ORDER, Profile, score_pair
from tenants.participants.models import DAY_PERIODS, WEEKDAYS

PLACES = ["Lisboa", " lisboa", "Porto", "", " "]
GENDER = st.sampled_from([None, "female", "male", "other"])
SLOT = st.tuples(st.sampled_from(list(WEEKDAYS)[:3]), st.sampled_from(list(DAY_PERIODS)))
LANGUAGES = st.dictionaries(st.sampled_from(["pt", "en", "fr"]), st.sampled_from(list(LEVEL_ORDER)), max_size=3)


@st.composite
def mentees(draw, number):
    areas = draw(st.lists(st.sampled_from([1, 2, 3, 4, 5]), unique=True, max_size=4))
    return Profile(id=number, name=f"Mentoranda {number}", municipality=draw(st.sampled_from(PLACES)),
                   areas={area: rank for rank, area in enumerate(areas, start=1)}, languages=draw(LANGUAGES),
                   slots=frozenset(draw(st.lists(SLOT, max_size=4))), gender=draw(GENDER),
                   preferred_gender=draw(GENDER))


@st.composite
def mentors(draw, number, max_mentees):
    return Profile(id=number, name=f"Mentora {number}", municipality=draw(st.sampled_from(PLACES)),
                   areas={area: 1 for area in draw(st.sets(st.sampled_from([1, 2, 3, 4, 6]), max_size=3))},
                   languages=draw(LANGUAGES), slots=frozenset(draw(st.lists(SLOT, max_size=4))),
                   gender=draw(GENDER), open_processes=draw(st.integers(0, max_mentees - 1)))


@st.composite
def pools(draw, most_mentees=12, most_mentors=12):
    max_mentees = draw(st.integers(1, 3))
    weights = draw(st.fixed_dictionaries({criterion: st.integers(0, 100) for criterion in CRITERIA}))
    mentee_list = [draw(mentees(number)) for number in range(1, draw(st.integers(1, most_mentees)) + 1)]
    mentor_list = [draw(mentors(100 + number, max_mentees)) for number in range(draw(st.integers(1, most_mentors)))]
    return mentee_list, mentor_list, weights, max_mentees


@settings(max_examples=60, deadline=None)
@given(pools())
def test_the_matrix_holds_every_pairs_single_matching_score(drawn):
    mentee_list, mentor_list, weights, max_mentees = drawn
    matrix = batch.score_matrix(mentee_list, mentor_list, weights, max_mentees)
    for row, mentee in enumerate(mentee_list):
        for column, mentor in enumerate(mentor_list):
            total, _ = score_pair(mentee, mentor, weights, max_mentees)
            assert matrix[row, column] == round(total * 10), (mentee, mentor, weights)


def _pool(scores, capacity):
    """A pool of the given scores: the solver reads only ids, scores and capacities."""
    scores = np.asarray(scores, dtype=np.int32)
    rows, columns = scores.shape
    return batch.Pool([Profile(id=row + 1, name=f"e{row}") for row in range(rows)],
                      [Profile(id=100 + column, name=f"o{column}") for column in range(columns)],
                      scores, np.asarray(capacity, dtype=np.int64))


def _value(assignment, mode):
    scores = list(assignment.score_of.values())
    if mode == "total":
        return (sum(scores),)
    return len(scores), min(scores, default=0), sum(scores)


def _brute_force(pool, mode, pins=(), exclusions=()):
    """The best objective over every assignment: each mentee with one mentor or none."""
    pinned = dict(pins)
    excluded = set(exclusions)
    best = None
    options = [[None, *range(len(pool.mentors))] for _ in pool.mentees]
    for choice in itertools.product(*options):
        used = np.zeros(len(pool.mentors), dtype=int)
        scores = []
        for row, column in enumerate(choice):
            mentee_id = pool.mentees[row].id
            if mentee_id in pinned and (column is None or pool.mentors[column].id != pinned[mentee_id]):
                break
            if column is None:
                continue
            if (mentee_id, pool.mentors[column].id) in excluded:
                break
            used[column] += 1
            scores.append(int(pool.scores[row, column]))
        else:
            if (used <= pool.capacity).all():
                value = (sum(scores),) if mode == "total" else (len(scores), min(scores, default=0), sum(scores))
                best = value if best is None or value > best else best
    return best


def _check_feasible(pool, assignment, pins=(), exclusions=()):
    used = {}
    for mentee_id, mentor_id in assignment.mentor_of.items():
        used[mentor_id] = used.get(mentor_id, 0) + 1
        assert (mentee_id, mentor_id) not in set(exclusions)
        row, column = pool.mentee_index[mentee_id], pool.mentor_index[mentor_id]
        assert assignment.score_of[mentee_id] == pool.scores[row, column]
    for mentor_id, count in used.items():
        assert count <= pool.capacity[pool.mentor_index[mentor_id]]
    for mentee_id, mentor_id in pins:
        assert assignment.mentor_of[mentee_id] == mentor_id


SMALL = st.integers(1, 5).flatmap(lambda rows: st.integers(1, 3).flatmap(lambda columns: st.tuples(
    st.lists(st.lists(st.integers(0, 1000), min_size=columns, max_size=columns), min_size=rows, max_size=rows),
    st.lists(st.integers(0, 2), min_size=columns, max_size=columns))))


@settings(max_examples=150, deadline=None)
@given(SMALL, st.sampled_from(batch.MODES))
def test_the_solver_is_as_good_as_trying_every_assignment(instance, mode):
    pool = _pool(*instance)
    assignment = batch.solve(pool, mode=mode)
    _check_feasible(pool, assignment)
    assert _value(assignment, mode) == _brute_force(pool, mode)


@settings(max_examples=150, deadline=None)
@given(SMALL, st.sampled_from(batch.MODES), st.data())
def test_pins_and_exclusions_are_kept_and_the_rest_is_optimal(instance, mode, data):
    pool = _pool(*instance)
    pairs = [(mentee.id, mentor.id) for mentee in pool.mentees for mentor in pool.mentors]
    exclusions = data.draw(st.lists(st.sampled_from(pairs), unique=True, max_size=3))
    # Pins that can all hold: distinct mentees, within places, none excluded.
    pins, left = [], pool.capacity.copy()
    for mentee_id, mentor_id in data.draw(st.lists(st.sampled_from(pairs), max_size=2)):
        column = pool.mentor_index[mentor_id]
        if mentee_id not in dict(pins) and left[column] > 0 and (mentee_id, mentor_id) not in exclusions:
            pins.append((mentee_id, mentor_id))
            left[column] -= 1
    assignment = batch.solve(pool, pins, exclusions, mode)
    _check_feasible(pool, assignment, pins, exclusions)
    assert assignment.dropped_pins == []
    assert _value(assignment, mode) == _brute_force(pool, mode, pins, exclusions)


@settings(max_examples=100, deadline=None)
@given(SMALL, st.sampled_from(batch.MODES), st.data())
def test_why_not_agrees_with_solving_again_with_the_pair_forced(instance, mode, data):
    pool = _pool(*instance)
    mentee = data.draw(st.sampled_from(pool.mentees))
    mentor = data.draw(st.sampled_from([mentor for mentor in pool.mentors
                                        if pool.capacity[pool.mentor_index[mentor.id]] > 0] or [None]))
    if mentor is None:
        return
    answer = batch.force_pair(pool, mentee.id, mentor.id, mode=mode)
    assert answer.forced.mentor_of[mentee.id] == mentor.id
    assert _value(answer.proposed, mode) == _brute_force(pool, mode)
    assert _value(answer.forced, mode) == _brute_force(pool, mode, pins=[(mentee.id, mentor.id)])
    assert answer.total_difference == answer.forced.total - answer.proposed.total
    for displaced_id, _score_with, mentor_then, _ in answer.displaced:
        assert answer.proposed.mentor_of[displaced_id] == mentor.id and mentor_then != mentor.id


def test_greedy_gives_the_first_mentee_the_best_mentor_and_the_batch_does_better():
    # Both want mentor A; the second has nobody else worth having.
    pool = _pool([[900, 800], [850, 100]], [1, 1])
    first_come = batch.greedy(pool)
    assert first_come.mentor_of == {1: 100, 2: 101} and first_come.total == 1000
    best = batch.solve(pool, mode="total")
    assert best.mentor_of == {1: 101, 2: 100} and best.total == 1650 and best.worst == 800


def test_the_fair_mode_lifts_the_worst_score_before_the_total():
    pool = _pool([[1000, 200], [500, 100]], [1, 1])
    assert batch.solve(pool, mode="total").score_of == {1: 1000, 2: 100}
    assert batch.solve(pool, mode="fair").score_of == {1: 200, 2: 500}


def test_the_fair_mode_matches_as_many_as_it_can_first():
    # The total would rather give mentor A to the first (1000) and leave the second alone.
    pool = _pool([[1000, 10], [50, -1]], [1, 1])
    assert batch.solve(pool, mode="total").mentor_of == {1: 100}
    assert batch.solve(pool, mode="fair").mentor_of == {1: 101, 2: 100}

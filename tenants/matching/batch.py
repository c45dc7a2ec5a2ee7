"""Batch matching: a partner's whole waiting list at once.

The pool is what single matching reads: the waiting, consented mentees (`eligible_mentees`)
and the eligible mentors with room (`eligible_mentors`), scored with the partner's weights.
Every pair's score is the one `scoring.score_pair` gives, computed for the whole matrix at
once with numpy (`score_matrix`): each criterion of each pair is reduced to a small code (the
counts its fit is a ratio of), and its points are looked up in a table `scoring._points`
filled, so the matrix holds `score_pair`'s totals exactly, in whole tenths of a point;
`tests/matching/test_batch_solver.py` checks it pair by pair on random profiles.

The assignment is solved by scipy (`min_weight_full_bipartite_matching`, LAPJVsp, on a
sparse graph; `maximum_bipartite_matching`, Hopcroft-Karp, for the fair mode's thresholds):
each mentor's capacity becomes that many identical slot columns, and each mentee has a
column of its own meaning "no mentor", so a full matching always exists.

Objectives:
- `total`: the largest sum of scores. It may leave a mentee without a mentor when that
  frees a mentor whose other mentee gains more.
- `fair` (the default): lexicographic. First as many mentees matched as the capacity and
  eligibility allow; then the worst matched mentee's score as high as possible; then the
  largest total. Why: the total alone trades a few poor matches for many good ones, and the
  poor ones fall on the mentees with rare needs, who are the ones the programme must not
  leave behind; max-min alone ignores everyone above the worst, so the total breaks its ties.

Only a few of each mentee's columns matter: its best mentors whose places add up to the
number of mentees (`_candidates`). In any solution a mentee placed with a mentor outside
that set could move to one inside it with a free place (the other mentees hold fewer places
than the set has) and score at least as much: no objective above gets worse, so an optimum
over the candidates is an optimum over all pairs.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

from tenants.matching.scoring import (
    LEVEL_ORDER,
    Profile,
    _points,
    load_fit,
    need_weights,
    normalized_place,
    shared_language_fit,
)
from tenants.matching.services import eligible_mentees, eligible_mentors, matching_settings
from tenants.participants.models import DAY_PERIODS, WEEKDAYS

MODES = ("fair", "total")
FORBIDDEN = -1  # a pair staff excluded
ROWS_PER_CHUNK = 256  # mentees scored at once: 256 x 10,000 codes per criterion, about 10 MB
TOP_LEVEL = max(LEVEL_ORDER, key=LEVEL_ORDER.get)
LANGUAGE_FITS = (1.0, 0.5)  # the fits `shared_language_fit` gives above zero, best first
SLOTS = [(day, period) for day in WEEKDAYS for period in DAY_PERIODS]


@dataclass
class Pool:
    """Who can be matched now, and every pair's score in tenths of a point."""

    mentees: list  # scoring.Profile, in registration order (the order greedy staff open them)
    mentors: list  # scoring.Profile, by name then id (the single page's order among equals)
    scores: np.ndarray  # (mentees, mentors) int32 tenths
    capacity: np.ndarray  # (mentors,) places left

    def __post_init__(self):
        self.mentee_index = {profile.id: row for row, profile in enumerate(self.mentees)}
        self.mentor_index = {profile.id: column for column, profile in enumerate(self.mentors)}


@dataclass
class Assignment:
    """Who goes with whom, and how good that is (scores in tenths)."""

    mentor_of: dict  # mentee id -> mentor id
    score_of: dict  # mentee id -> score (tenths)
    pinned: set = field(default_factory=set)  # mentee ids whose pair staff pinned
    dropped_pins: list = field(default_factory=list)  # pins no longer possible: (mentee id, mentor id)

    @property
    def total(self):
        return sum(self.score_of.values())

    @property
    def worst(self):
        return min(self.score_of.values(), default=None)

    @property
    def matched(self):
        return len(self.mentor_of)


# --- the score matrix ---------------------------------------------------------

def _indicator(rows, keys_of, index):
    matrix = np.zeros((len(rows), len(index)), dtype=np.float32)
    for row, profile in enumerate(rows):
        for key in keys_of(profile):
            if key in index:
                matrix[row, index[key]] = 1
    return matrix


def _speaks(profiles, fit, index):
    """Who speaks each language at a level that allows `fit` (the lower of two levels decides)."""
    return _indicator(profiles, lambda profile: [code for code, level in profile.languages.items()
                                                 if shared_language_fit(level, TOP_LEVEL) >= fit], index)


class _Criteria:
    """Every criterion of every pair as a small whole number, a *code*, with the fit each code
    stands for: the fits are ratios of small counts (needs covered of needs, slots in common of
    slots), a language level, a yes or no. Each criterion's points are then looked up in a table
    built with `scoring._points`, the single page's own rounding, once per code: the matrix
    holds exactly `score_pair`'s totals, in tenths, without a float per pair."""

    def __init__(self, mentees, mentors, max_mentees):
        self.areas = {area: number for number, area in
                      enumerate(sorted({area for profile in mentees for area in profile.areas}))}
        self.offers = _indicator(mentors, lambda profile: profile.areas, self.areas)
        self.most_needed = max((sum(need_weights(profile).values()) for profile in mentees), default=0) + 1
        self.languages = {code: number for number, code in
                          enumerate(sorted({code for profile in mentees for code in profile.languages}))}
        self.speaks = {fit: _speaks(mentors, fit, self.languages) for fit in LANGUAGE_FITS}
        places = {}
        self.place = np.array([places.setdefault(normalized_place(profile.municipality), len(places))
                               for profile in mentors], dtype=np.int32)
        self.places = places
        every_slot = dict.fromkeys([*SLOTS, *(slot for profile in (*mentees, *mentors) for slot in profile.slots)])
        self.slots = {slot: number for number, slot in enumerate(every_slot)}
        self.free_slots = _indicator(mentors, lambda profile: profile.slots, self.slots)
        self.most_slots = len(self.slots) + 1
        self.has_slots = np.array([bool(profile.slots) for profile in mentors])
        self.genders = {}
        self.gender = np.array([self.genders.setdefault(profile.gender, len(self.genders)) for profile in mentors],
                               dtype=np.int32)
        self.load = [profile.open_processes for profile in mentors]
        self.max_mentees = max_mentees

    def fits(self):
        """{criterion: the fit of each code}: codes index these lists."""
        ratio = [covered / needed if needed else 0.0
                 for covered in range(self.most_needed) for needed in range(self.most_needed)]
        common = [common / asked if asked else 0.0
                  for common in range(self.most_slots) for asked in range(self.most_slots)]
        return {"support_areas": ratio, "languages": [0.0, *LANGUAGE_FITS[::-1]], "location": [0.0, 1.0],
                "availability": [0.0, 0.5, *common], "preferences": [0.0, 1.0]}

    def codes(self, mentees):
        """{criterion: (mentees, mentors) codes}, each as `scoring`'s function of that name decides."""
        count = len(self.gender)
        needs = np.zeros((len(mentees), len(self.areas)), dtype=np.float32)
        for row, profile in enumerate(mentees):
            for area, weight in need_weights(profile).items():
                needs[row, self.areas[area]] = weight
        needed = needs.sum(axis=1, keepdims=True).astype(np.int32)  # whole numbers, exact in float32
        covered = np.rint(needs @ self.offers.T).astype(np.int32)
        support = covered * self.most_needed + needed

        languages = np.zeros((len(mentees), count), dtype=np.int32)
        for code, fit in enumerate(LANGUAGE_FITS[::-1], start=1):  # the better fit last, so it wins
            languages[(_speaks(mentees, fit, self.languages) @ self.speaks[fit].T) > 0] = code

        # A mentee with a place of its own (any text) is where mentors of the same spelling are.
        place = np.array([self.places.get(normalized_place(profile.municipality), -2) if profile.municipality
                          else -1 for profile in mentees], dtype=np.int32)
        location = (place[:, None] == self.place[None, :]).astype(np.int32)

        wanted = _indicator(mentees, lambda profile: profile.slots, self.slots)
        asked = np.array([len(profile.slots) for profile in mentees], dtype=np.int32)[:, None]
        common = np.rint(wanted @ self.free_slots.T).astype(np.int32)
        availability = np.where(asked > 0, 2 + common * self.most_slots + asked, 1)
        availability[:, ~self.has_slots] = 0

        # No preference: every mentor meets it (-1); a gender no mentor has: none does (-2).
        preferred = np.array([self.genders.get(profile.preferred_gender, -2) if profile.preferred_gender else -1
                              for profile in mentees], dtype=np.int32)[:, None]
        preferences = ((preferred == -1) | (preferred == self.gender[None, :])).astype(np.int32)
        return {"support_areas": support, "languages": languages, "location": location,
                "availability": availability, "preferences": preferences}


def _tenths(fit, weight, total_weight):
    return round(_points(fit, weight, total_weight) * 10)


def score_matrix(mentees, mentors, weights, max_mentees, progress=None):
    """(mentees, mentors) int32: `score_pair(mentee, mentor)`'s total x 10 for every pair.

    Each criterion's points are `scoring._points` of its fit, a whole number of tenths, so the
    sum of the six is `score_pair`'s rounded total exactly. `progress(done, of)` after each
    chunk of mentees."""
    total_weight = sum(weights.values()) or 1
    criteria = _Criteria(mentees, mentors, max_mentees)
    tables = {criterion: np.array([_tenths(fit, weights[criterion], total_weight) for fit in fits], dtype=np.int32)
              for criterion, fits in criteria.fits().items()}
    # The load is the mentor's alone: one row for every mentee.
    load = np.array([_tenths(load_fit(Profile(id=0, name="", open_processes=count), max_mentees)[0],
                             weights["load"], total_weight) for count in criteria.load], dtype=np.int32)
    scores = np.zeros((len(mentees), len(mentors)), dtype=np.int32)
    for start in range(0, len(mentees), ROWS_PER_CHUNK):
        chunk = mentees[start:start + ROWS_PER_CHUNK]
        block = scores[start:start + len(chunk)]
        block += load
        for criterion, codes in criteria.codes(chunk).items():
            block += tables[criterion][codes]
        if progress:
            progress(start + len(chunk), len(mentees))
    return scores


def load_pool(progress=None):
    """The current tenant's pool, scored with its settings. `progress(done, of)` while scoring."""
    settings = matching_settings()
    mentors = sorted(eligible_mentors(settings.max_mentees_per_mentor), key=lambda profile: (profile.name, profile.id))
    mentees = sorted(eligible_mentees(), key=lambda profile: profile.id)
    scores = score_matrix(mentees, mentors, settings.weights, settings.max_mentees_per_mentor, progress)
    capacity = np.array([settings.max_mentees_per_mentor - profile.open_processes for profile in mentors],
                        dtype=np.int32)
    return Pool(mentees, mentors, scores, capacity)


# --- the assignment ------------------------------------------------------------

def _candidates(scores, capacity):
    """(rows, columns) of each row's best allowed columns whose capacities reach the number of
    rows (or every allowed column): the only ones an optimum needs (see the module's note)."""
    needed = scores.shape[0]
    allowed = (scores >= 0) & (capacity[None, :] > 0)
    masked = np.where(allowed, scores, -1)
    keep = min(needed, scores.shape[1])
    rows, columns = [], []
    for start in range(0, scores.shape[0], ROWS_PER_CHUNK):
        block = masked[start:start + ROWS_PER_CHUNK]
        top = np.argpartition(-block, keep - 1, axis=1)[:, :keep] if keep < block.shape[1] else \
            np.broadcast_to(np.arange(block.shape[1]), block.shape)
        top_scores = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        top_scores = np.take_along_axis(top_scores, order, axis=1)
        places = capacity[top]
        before = np.cumsum(places, axis=1) - places
        chosen = (before < needed) & (top_scores >= 0)
        chunk_rows, positions = np.nonzero(chosen)
        rows.append(chunk_rows + start)
        columns.append(top[chunk_rows, positions])
    if not rows:
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32)
    return np.concatenate(rows), np.concatenate(columns)


class _SlotGraph:
    """Rows x each column's places, built once: every edge of a row to a column is an edge to
    each of its places (as many as the column has, or as rows want it). Thresholds keep a part
    of the edges without building the graph again."""

    def __init__(self, rows, columns, scores, capacity, row_count):
        places = np.minimum(capacity, np.bincount(columns, minlength=len(capacity)))
        first_slot = np.concatenate(([0], np.cumsum(places)))
        copies = places[columns]
        self.rows = np.repeat(rows, copies)  # in row order, as `_candidates` gives them
        self.slots = (first_slot[np.repeat(columns, copies)] + np.arange(copies.sum())
                      - np.repeat(np.cumsum(copies) - copies, copies))
        self.scores = np.repeat(scores, copies)
        self.column_of_slot = np.repeat(np.arange(len(capacity)), places)
        self.slot_count = int(first_slot[-1])
        self.row_count = row_count

    def _csr(self, kept, data, extra_columns=0):
        counts = np.bincount(self.rows[kept], minlength=self.row_count)
        return csr_matrix((data, self.slots[kept], np.concatenate(([0], np.cumsum(counts)))),
                          shape=(self.row_count, self.slot_count + extra_columns))

    def most_matched(self, kept):
        """How many rows can have a column at once with the `kept` edges (Hopcroft-Karp)."""
        if not kept.any():
            return 0
        graph = self._csr(kept, np.ones(int(kept.sum())))
        return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())

    def best(self, kept, weights):
        """Row -> column (or -1) of a full matching of largest total weight over the `kept` edges
        (`weights` > 1) and one "no mentor" column of weight 1 per row (LAPJVsp)."""
        real = self._csr(kept, weights, extra_columns=self.row_count).tocoo()
        graph = csr_matrix((np.concatenate((real.data, np.ones(self.row_count))),
                            (np.concatenate((real.row, np.arange(self.row_count))),
                             np.concatenate((real.col, self.slot_count + np.arange(self.row_count))))),
                           shape=(self.row_count, self.slot_count + self.row_count))
        matched_rows, matched_slots = min_weight_full_bipartite_matching(graph, maximize=True)
        column_of = np.full(self.row_count, -1)
        placed = matched_slots < self.slot_count
        column_of[matched_rows[placed]] = self.column_of_slot[matched_slots[placed]]
        return column_of


def solve_matrix(scores, capacity, mode="fair", floor=None):
    """Row -> column (or -1) for the (rows, columns) int `scores` (FORBIDDEN: not allowed) and
    each column's `capacity`, optimal for `mode`. `floor`: in the fair mode, the worst score
    already fixed elsewhere (pins): raising the others' worst above it gains nothing, so the
    total decides among them."""
    row_count = scores.shape[0]
    if row_count == 0 or scores.shape[1] == 0:
        return np.full(row_count, -1)
    rows, columns = _candidates(scores, capacity)
    if len(rows) == 0:
        return np.full(row_count, -1)
    graph = _SlotGraph(rows, columns, scores[rows, columns].astype(np.float64), capacity, row_count)
    every = np.ones(len(graph.scores), dtype=bool)
    if mode == "total":
        return graph.best(every, graph.scores + 1)
    most = graph.most_matched(every)
    levels = np.unique(graph.scores)
    low, high = 0, len(levels) - 1  # the highest level whose edges still match `most` rows
    while low < high:
        middle = (low + high + 1) // 2
        if graph.most_matched(graph.scores >= levels[middle]) == most:
            low = middle
        else:
            high = middle - 1
    threshold = levels[low] if floor is None else min(levels[low], floor)
    kept = graph.scores >= threshold
    # One more mentee matched outweighs any difference of totals.
    bonus = float(scores.max() + 1) * row_count + 1
    return graph.best(kept, graph.scores[kept] + bonus + 1)


def _constrained(pool, pins, exclusions):
    """The pool's scores with the exclusions forbidden, the pinned mentees' rows out and their
    places taken: (scores, capacity, free row numbers, Assignment of the pins)."""
    scores = pool.scores.copy()
    for mentee_id, mentor_id in exclusions:
        if mentee_id in pool.mentee_index and mentor_id in pool.mentor_index:
            scores[pool.mentee_index[mentee_id], pool.mentor_index[mentor_id]] = FORBIDDEN
    capacity = pool.capacity.copy()
    fixed = Assignment({}, {})
    for mentee_id, mentor_id in pins:
        row, column = pool.mentee_index.get(mentee_id), pool.mentor_index.get(mentor_id)
        if row is None or column is None or mentee_id in fixed.mentor_of or capacity[column] <= 0 \
                or scores[row, column] == FORBIDDEN:
            fixed.dropped_pins.append((mentee_id, mentor_id))
            continue
        capacity[column] -= 1
        fixed.mentor_of[mentee_id] = mentor_id
        fixed.score_of[mentee_id] = int(scores[row, column])
        fixed.pinned.add(mentee_id)
    free = np.array([row for row, profile in enumerate(pool.mentees) if profile.id not in fixed.mentor_of],
                    dtype=np.int32)
    return scores, capacity, free, fixed


def _completed(pool, fixed, free, column_of, scores):
    for row, column in zip(free, column_of):
        if column >= 0:
            mentee_id = pool.mentees[row].id
            fixed.mentor_of[mentee_id] = pool.mentors[column].id
            fixed.score_of[mentee_id] = int(scores[row, column])
    return fixed


def solve(pool, pins=(), exclusions=(), mode="fair"):
    """The best assignment of the pool for `mode`, keeping the `pins` ((mentee id, mentor id)
    pairs, in order while places last) and never making the `exclusions`."""
    scores, capacity, free, fixed = _constrained(pool, pins, exclusions)
    column_of = solve_matrix(scores[free], capacity, mode, floor=fixed.worst)
    return _completed(pool, fixed, free, column_of, scores)


def greedy(pool, pins=(), exclusions=()):
    """One mentee at a time, in registration order, each given the best mentor with a place left
    (the first suggestion of the single page): what matching without the batch amounts to."""
    scores, capacity, free, fixed = _constrained(pool, pins, exclusions)
    column_of = np.full(len(free), -1)
    for position, row in enumerate(free):
        open_scores = np.where(capacity > 0, scores[row], FORBIDDEN)
        if len(open_scores) and open_scores.max() >= 0:
            column = int(np.argmax(open_scores))  # the first of equals: by name, as the page ranks
            column_of[position] = column
            capacity[column] -= 1
    return _completed(pool, fixed, free, column_of, scores)


@dataclass
class ForcedPair:
    """What making one pair would cost: the answer to "why not this mentor?"."""

    mentee_id: int
    mentor_id: int
    score: int  # the pair's score (tenths)
    proposed: Assignment
    forced: Assignment

    @property
    def total_difference(self):
        return self.forced.total - self.proposed.total

    @property
    def displaced(self):
        """[(mentee id, their score with the mentor, their mentor then or None, score then)]: who
        the mentor stops following when the pair is made."""
        return [(mentee_id, self.proposed.score_of[mentee_id], self.forced.mentor_of.get(mentee_id),
                 self.forced.score_of.get(mentee_id))
                for mentee_id, mentor_id in self.proposed.mentor_of.items()
                if mentor_id == self.mentor_id and self.forced.mentor_of.get(mentee_id) != self.mentor_id]


def force_pair(pool, mentee_id, mentor_id, pins=(), exclusions=(), mode="fair", proposed=None):
    """The assignment solved again with (mentee, mentor) pinned first, beside `proposed` (solved
    here when not given). The mentee's own pin, if any, gives way; an exclusion of the pair too."""
    proposed = proposed or solve(pool, pins, exclusions, mode)
    pins = [(mentee_id, mentor_id)] + [pin for pin in pins if pin[0] != mentee_id]
    exclusions = [pair for pair in exclusions if tuple(pair) != (mentee_id, mentor_id)]
    forced = solve(pool, pins, exclusions, mode)
    score = int(pool.scores[pool.mentee_index[mentee_id], pool.mentor_index[mentor_id]])
    return ForcedPair(mentee_id, mentor_id, score, proposed, forced)

"""Outcome answers for the demo's processes, so that the impact pages show something: the
mentee's situation at the start (mostly precarious), a closing that improved more often than
not, expected outcomes of the goals scored mostly as expected or better, and the mentor's answers.
Drawn from their own random sequence, so the rest of the demo is the same with or without them.
The draws (`start_levels`, `closing_levels`, `mentor_closing`, `goal_score`, `expected_outcome`)
are the benchmarks' too (bench/generate.py), which write the same answers straight to the tables."""
import random

from tenants.outcomes import services as outcomes
from tenants.outcomes.measures import current_measures

# Where a mentee tends to start on each scale (0 = the worst level), and how likely a step up is.
START = {"employment": (0, 1), "portuguese": (0, 2), "qualification": (1, 1), "housing": (1, 2), "network": (0, 1),
         "rights": (0, 1)}
STEP_UP, STEP_DOWN = 0.55, 0.08
GAS_SCORES = (-2, -1, -1, 0, 0, 0, 0, 1, 1, 2)


def outcome_rng(rng):
    """A sequence of its own, seeded from `rng`'s state without drawing from it."""
    return random.Random(repr(rng.getstate()[1][:8]))


def start_levels(rng):
    levels = {}
    for indicator in current_measures().mentee:
        low, high = START[indicator.code]
        levels[indicator.code] = indicator.levels[rng.randint(low, high)][0]
    return levels


def closing_levels(start, rng):
    levels = {}
    for indicator in current_measures().mentee:
        codes = [code for code, _ in indicator.levels]
        position = codes.index(start[indicator.code])
        draw = rng.random()
        if draw < STEP_UP:
            position = min(position + rng.choice((1, 1, 2)), len(codes) - 1)
        elif draw < STEP_UP + STEP_DOWN:
            position = max(position - 1, 0)
        levels[indicator.code] = codes[position]
    return levels


def mentor_closing(rng):
    """The mentor's answers at closing."""
    return {"hours_given": rng.randint(12, 60), "satisfaction": str(rng.choice((3, 4, 4, 5, 5))),
            "mentor_again": "yes" if rng.random() < 0.8 else "no"}


def goal_score(rng):
    """A goal's attainment, -2..+2: mostly as expected or better."""
    return rng.choice(GAS_SCORES)


def expected_outcome(goal_text):
    return f"{goal_text}: um primeiro passo concreto."


def at_start(process, staff, rng):
    """The mentee's answers at the start and the expected outcome of each goal; returns the answers."""
    answers = start_levels(rng)
    outcomes.record_assessment(process, "mentee", "intake", answers, staff)
    outcomes.save_expectations(process, {goal.id: {"expected_outcome": expected_outcome(goal.text), "weight": 1}
                                         for goal in process.agreement.goals}, staff)
    return answers


def at_closing(process, staff, start, rng):
    """The mentee's and the mentor's answers at closing and the goals' scores (in final evaluation)."""
    outcomes.record_assessment(process, "mentee", "closing", closing_levels(start, rng), staff)
    outcomes.record_assessment(process, "mentor", "closing", mentor_closing(rng), staff)
    outcomes.score_goals(process, {goal.id: goal_score(rng) for goal in process.agreement.goals}, staff)

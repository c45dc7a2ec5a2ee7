"""Scoring a mentor-mentee pair: pure functions over plain profiles, so the rules are
easy to read and to test, and fast over thousands of candidates."""
import heapq
from dataclasses import dataclass, field

LEVEL_ORDER = {"none": 0, "a1": 1, "a2": 2, "b1": 3, "b2": 4, "c1": 5, "c2": 6, "native": 7}
CONVERSATIONAL = LEVEL_ORDER["b1"]
BASIC = LEVEL_ORDER["a2"]


@dataclass
class Profile:
    """What matching knows of one participant."""

    id: int
    name: str
    municipality: str = ""
    areas: dict = field(default_factory=dict)  # support area id -> rank (mentees) or 1 (mentors)
    languages: dict = field(default_factory=dict)  # language code -> level
    slots: frozenset = frozenset()  # (day, period) pairs
    gender: str | None = None
    preferred_gender: str | None = None
    open_processes: int = 0


@dataclass
class CriterionScore:
    criterion: str
    fit: float  # 0..1
    points: float  # fit x weight
    weight: int
    facts: dict  # what the explanation names: areas covered, shared language, ...


@dataclass
class Suggestion:
    candidate: Profile
    total: float
    breakdown: list


def normalized_place(text):
    return " ".join((text or "").casefold().split())


def need_weights(mentee):
    """Needs weighted by the mentee's ranking: the first need counts most. {area: weight}, ranked."""
    needs = sorted(mentee.areas.items(), key=lambda item: item[1])
    return {area: len(needs) - position for position, (area, _) in enumerate(needs)}


def support_area_fit(mentee, mentor):
    if not mentee.areas:
        return 0.0, {"covered": [], "needed": 0}
    weights = need_weights(mentee)
    covered = [area for area in weights if area in mentor.areas]
    return sum(weights[area] for area in covered) / sum(weights.values()), {"covered": covered, "needed": len(weights)}


def shared_language_fit(mentee_level, mentor_level):
    """Comfortable for both, or at least basic."""
    both = min(LEVEL_ORDER[mentee_level], LEVEL_ORDER[mentor_level])
    return 1.0 if both >= CONVERSATIONAL else 0.5 if both >= BASIC else 0.0


def language_fit(mentee, mentor):
    """The best language they share."""
    best, best_code = 0.0, None
    for code, mentee_level in mentee.languages.items():
        mentor_level = mentor.languages.get(code)
        if mentor_level is None:
            continue
        fit = shared_language_fit(mentee_level, mentor_level)
        if fit > best:
            best, best_code = fit, code
    return best, {"language": best_code}


def location_fit(mentee, mentor):
    same = bool(mentee.municipality) and normalized_place(mentee.municipality) == normalized_place(mentor.municipality)
    return (1.0 if same else 0.0), {"municipality": mentor.municipality, "same": same}


def availability_fit(mentee, mentor):
    """Time slots in common; with no slots recorded for the mentee, the mentor's own
    availability decides half the points."""
    if not mentor.slots:
        return 0.0, {"common": 0, "of": len(mentee.slots)}
    if not mentee.slots:
        return 0.5, {"common": None, "of": 0}
    common = len(mentee.slots & mentor.slots)
    return common / len(mentee.slots), {"common": common, "of": len(mentee.slots)}


def load_fit(mentor, max_mentees):
    return max(0.0, 1 - mentor.open_processes / max_mentees), {"open": mentor.open_processes, "max": max_mentees}


def preference_fit(mentee, mentor):
    if not mentee.preferred_gender:
        return 1.0, {"preference": None}
    met = mentor.gender == mentee.preferred_gender
    return (1.0 if met else 0.0), {"preference": mentee.preferred_gender, "met": met}


def _fits(mentee, mentor, max_mentees):
    return {
        "support_areas": support_area_fit(mentee, mentor),
        "languages": language_fit(mentee, mentor),
        "location": location_fit(mentee, mentor),
        "availability": availability_fit(mentee, mentor),
        "load": load_fit(mentor, max_mentees),
        "preferences": preference_fit(mentee, mentor),
    }


def _points(fit, weight, total_weight):
    return round(100 * fit * weight / total_weight, 1)


def score_pair(mentee, mentor, weights, max_mentees):
    total_weight = sum(weights.values()) or 1
    breakdown = [
        CriterionScore(criterion, fit, _points(fit, weights[criterion], total_weight), weights[criterion], facts)
        for criterion, (fit, facts) in _fits(mentee, mentor, max_mentees).items()
    ]
    return round(sum(item.points for item in breakdown), 1), breakdown


def rank(subject, candidates, weights, max_mentees, subject_is_mentee=True, limit=10):
    """The best `limit` candidates for `subject`, highest score first (ties by name).

    Every candidate gets its total; only the best `limit` get the breakdown the page explains
    (a tenant may have 10,000 candidates)."""
    total_weight = sum(weights.values()) or 1

    def pair(candidate):
        return (subject, candidate) if subject_is_mentee else (candidate, subject)

    def order(candidate):
        fits = _fits(*pair(candidate), max_mentees)
        total = round(sum(_points(fit, weights[criterion], total_weight) for criterion, (fit, _) in fits.items()), 1)
        return -total, candidate.name, candidate.id

    best = heapq.nsmallest(limit, candidates, key=order)
    return [Suggestion(candidate, *score_pair(*pair(candidate), weights, max_mentees)) for candidate in best]

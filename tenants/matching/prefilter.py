"""Which mentors can still reach a mentee's top suggestions, decided by the database.

Scoring every one of a partner's 10,000 candidates in Python costs about a second (their
rows, JSON columns and profiles). The database computes each eligible mentor's total with
the rules of `scoring` but without its rounding: each criterion's points are rounded to
0.1 there, then their sum, so the exact total is within 0.35 points of this one. A mentor
whose total here is more than MARGIN below the `limit`-th best has at least `limit` others
that beat it whatever the rounding, so it cannot be suggested. Only the others (tens, or a
few hundred on ties) are loaded and ranked by `scoring.rank`: the suggestions, their order
and their breakdowns are those of the reference scoring over every candidate.

The mentors of the mentee's place are scored first. The others miss the location's points:
when the place's `limit`-th best is more than MARGIN above the most they can score, they
cannot be suggested either, and are not read at all; otherwise only those whose areas,
languages and gender still allow them to reach it are scored.

One statement serves every mentee: what differs between mentees (needs, languages, slots,
preference, place, the partner's weights) are bound values, never its shape. SQLAlchemy
compiles it once per process (each new shape cost 10 to 25 ms to compile, as much as
scoring 10,000 mentors), and PostgreSQL, planning each call with the values
(`plan_cache_mode`), folds away what a mentee does not use: an unused need slot or day
reads nothing.

The availability arrays are JSON, read as their text.
"""
from functools import cache, reduce
from operator import add

import sqlalchemy as sa

from network.core.extensions import db
from tenants.matching.eligibility import mentor_eligibility
from tenants.matching.models import CRITERIA
from tenants.matching.scoring import LEVEL_ORDER, need_weights, normalized_place, shared_language_fit
from tenants.participants.models import DAY_PERIODS, WEEKDAYS, Mentor, MentorLanguage, MentorSupportArea
from tenants.participants.schemas import MAX_RANKED_NEEDS
from tenants.processes.models import OPEN_STATES, MentoringProcess

MARGIN = 1.0  # > 2 x 0.35: the rounding can move each of two totals by 0.35 points
LANGUAGE_FITS = (1.0, 0.5)
TOP_LEVEL = max(LEVEL_ORDER, key=LEVEL_ORDER.get)


def _real(value):
    return sa.literal(float(value), sa.Float)


def _value(name, type_):
    return sa.bindparam(name, type_=type_)


def _real_value(name):
    return _value(name, sa.Float)


def _offered_by(mentor_ids):
    """1 for the mentors among `mentor_ids`, else 0. An uncorrelated IN: the database hashes the
    few thousand ids once and probes each mentor, cheaper than grouping the link rows by mentor
    and joining them. Each set is a CTE, read once however many parts of the statement probe it."""
    return sa.case((Mentor.id.in_(sa.select(mentor_ids.c.mentor_id)), 1), else_=0)


def _support_areas_fit(slots):
    """Each need in a slot of its own, with its weight; an unused slot asks for area NULL."""
    covered = reduce(add, (
        _offered_by(sa.select(MentorSupportArea.mentor_id)
                    .where(MentorSupportArea.support_area_id == _value(f"need_{slot}", sa.Integer))
                    .cte(f"need_{slot}")) * _real_value(f"need_weight_{slot}")
        for slot in range(1, slots + 1)
    ))
    return covered * _real_value("needs_scale")


def _languages_fit():
    """`shared_language_fit` is the fit of the lower of two levels: a mentor shares a language at
    `fit` when the mentee's level of it (the codes bound as `languages_<n>`) and the mentor's both
    allow it."""
    whens = []
    for number, fit in enumerate(LANGUAGE_FITS):
        levels = [level for level in LEVEL_ORDER if shared_language_fit(TOP_LEVEL, level) >= fit]
        speakers = sa.select(MentorLanguage.mentor_id).where(
            MentorLanguage.language_code.in_(sa.bindparam(f"languages_{number}", expanding=True)),
            MentorLanguage.level.in_(levels))
        whens.append((_offered_by(speakers.cte(f"speakers_{number}")) == 1, fit))
    return sa.case(*whens, else_=0.0)


def _listed(array, codes, prefix):
    """How many of the codes flagged `prefix`_<code> the JSON array lists. Codes are plain
    identifiers: `"mon"` appears in the array's text iff it is listed."""
    text = sa.cast(array, sa.Text)
    return reduce(add, (sa.case((sa.and_(_value(f"{prefix}_{code}", sa.Boolean), text.like(f'%"{code}"%')), 1),
                                else_=0)
                        for code in codes))


def _availability_fit():
    # The slots are every (day, period) pair of each side: the common slots are the common
    # days times the common periods. With no slots, the mentee's fit is half, for any mentor
    # who has slots at all.
    common = _listed(Mentor.availability_days, WEEKDAYS, "day") * _listed(Mentor.availability_periods,
                                                                         DAY_PERIODS, "period")
    has_slots = sa.and_(sa.cast(Mentor.availability_days, sa.Text).like('%"%'),
                        sa.cast(Mentor.availability_periods, sa.Text).like('%"%'))
    return sa.case((_value("has_slots", sa.Boolean), common * _real_value("slots_scale")),
                   (has_slots, 0.5), else_=0.0)


def _preferences_fit():
    preferred = _value("preferred_gender", sa.String)
    return sa.case((preferred.is_(None), 1.0), (Mentor.gender == preferred, 1.0), else_=0.0)


def _of_mentor(column, mentor_id):
    """`column` of the mentor `mentor_id`, looked up by key for the few survivors: joining
    `mentors` instead made PostgreSQL hash the whole partner's mentors for them."""
    return sa.select(column).where(Mentor.id == mentor_id).scalar_subquery()


def _links(mentor_id):
    """The support areas ("3,7") and languages ("pt:native,en:b2") of the mentor `mentor_id`
    in one text each: the survivors' links come with their rows, without more queries."""
    areas = (sa.select(sa.func.aggregate_strings(sa.cast(MentorSupportArea.support_area_id, sa.String), ","))
             .where(MentorSupportArea.mentor_id == mentor_id).scalar_subquery())
    languages = (sa.select(sa.func.aggregate_strings(MentorLanguage.language_code + ":" + MentorLanguage.level, ","))
                 .where(MentorLanguage.mentor_id == mentor_id).scalar_subquery())
    return areas.label("support_areas"), languages.label("languages")


def candidate_links(rows):
    """(support area rows, language rows) of rows of `candidate_rows`, as services' `_mentor_links`
    gives them."""
    areas, languages = [], []
    for row in rows:
        areas += [(row.id, int(area), 1) for area in (row.support_areas or "").split(",") if area]
        languages += [(row.id, *skill.split(":")) for skill in (row.languages or "").split(",") if skill]
    return areas, languages


def _nth_best(scored):
    """The `limit`-th best score of `scored`, or -1000 when it has fewer rows."""
    nth = (sa.select(scored.c.score).order_by(scored.c.score.desc())
           .offset(_value("nth", sa.Integer)).limit(1).scalar_subquery())
    return sa.func.coalesce(nth, _real(-1000))


def _scoring(slots):
    """(points per criterion, the mentors' load subquery, their open processes, the fit per
    criterion, the score without the location) as SQL expressions."""
    points = {criterion: _real_value(f"points_{criterion}") for criterion in CRITERIA}
    load = (sa.select(MentoringProcess.mentor_id, sa.func.count().label("open"))
            .where(MentoringProcess.state.in_(OPEN_STATES))
            .group_by(MentoringProcess.mentor_id).subquery("load"))
    open_processes = sa.func.coalesce(load.c.open, 0)
    fits = {  # and the location, known in each part of the partner's mentors below
        "support_areas": _support_areas_fit(slots),
        "languages": _languages_fit(),
        "availability": _availability_fit(),
        "load": _real(1) - open_processes * _real_value("load_scale"),
        "preferences": _preferences_fit(),
    }
    score = reduce(add, (points[criterion] * fit for criterion, fit in fits.items()))
    return points, load, open_processes, fits, score


@cache
def _statement(slots):
    """The statement, with `slots` need slots (MAX_RANKED_NEEDS, unless older records have more)."""
    points, load, open_processes, fits, score = _scoring(slots)

    def scored_where(*conditions, location):
        return (sa.select(Mentor.id, open_processes.label("open_processes"),
                          (score + points["location"] * _real(location)).label("score"))
                .outerjoin(load, load.c.mentor_id == Mentor.id)
                .where(*mentor_eligibility(), open_processes < _value("max_mentees", sa.Integer), *conditions))

    # The mentors of the mentee's place first (read by index): when their `limit`-th best is
    # more than MARGIN above the most a mentor elsewhere can score, the others cannot be
    # suggested and are not even read (a condition PostgreSQL checks once, before their scan).
    # A mentee with no place (or none of the mentors') has nobody here: everyone is elsewhere.
    # (Two parameters with the same list: SQLAlchemy renders an empty list for the last use of
    # one parameter, here NOT IN, in both places.)
    here = scored_where(Mentor.municipality.in_(sa.bindparam("spellings_here", expanding=True)),
                        location=1).cte("here")
    floor = _nth_best(here) - _real(MARGIN)
    best_elsewhere = _real_value("best_elsewhere")
    # When they are read, the most each can score given its areas, languages and gender must
    # reach it too (checked as the mentors are scanned: the others are neither joined nor scored).
    missed = reduce(add, (points[criterion] * (_real(1) - fits[criterion])
                          for criterion in ("support_areas", "languages", "preferences")))
    elsewhere = scored_where(Mentor.municipality.not_in(sa.bindparam("spellings_not_here", expanding=True)),
                             floor <= best_elsewhere,
                             best_elsewhere - missed >= floor, location=0)
    return _suggested(sa.union_all(sa.select(here.c.id, here.c.open_processes, here.c.score), elsewhere).cte("scored"))


def _suggested(scored):
    """The mentors within MARGIN of the `limit`-th best score, with what the page shows of them."""
    profile = (Mentor.full_name, Mentor.municipality, Mentor.availability_days, Mentor.availability_periods,
               Mentor.gender)
    return (sa.select(scored.c.id, scored.c.open_processes,
                      *(_of_mentor(column, scored.c.id).label(column.key) for column in profile),
                      *_links(scored.c.id))
            .where(scored.c.score >= _nth_best(scored) - _real(MARGIN)))


def _spellings(mentee):
    """The spellings of the mentee's place among the partner's mentors, compared as `scoring` does."""
    if not mentee.municipality:
        return []
    place = normalized_place(mentee.municipality)
    return [name for name in db.session.scalars(sa.select(Mentor.municipality).distinct())
            if normalized_place(name) == place]


def _values(mentee, weights, max_mentees, limit, slots):
    """The statement's bound values for `mentee`."""
    total_weight = sum(weights.values()) or 1
    points = {criterion: 100 * weights[criterion] / total_weight for criterion in CRITERIA}
    needs = list(need_weights(mentee).items()) + [(None, 0)] * (slots - len(mentee.areas))
    total_need = sum(weight for _, weight in needs)
    days = {day for day, _ in mentee.slots}
    periods = {period for _, period in mentee.slots}
    return {
        **{f"points_{criterion}": value for criterion, value in points.items()},
        **{f"need_{slot}": area for slot, (area, _) in enumerate(needs, start=1)},
        **{f"need_weight_{slot}": float(weight) for slot, (_, weight) in enumerate(needs, start=1)},
        "needs_scale": 1 / total_need if total_need else 0.0,
        **{f"languages_{number}": sorted(code for code, level in mentee.languages.items()
                                         if shared_language_fit(level, TOP_LEVEL) >= fit)
           for number, fit in enumerate(LANGUAGE_FITS)},
        **{f"day_{day}": day in days for day in WEEKDAYS},
        **{f"period_{period}": period in periods for period in DAY_PERIODS},
        "has_slots": bool(mentee.slots),
        "slots_scale": 1 / len(mentee.slots) if mentee.slots else 0.0,
        "preferred_gender": mentee.preferred_gender or None,
        "load_scale": 1 / max_mentees,
        "max_mentees": max_mentees,
        "spellings_here": (spellings := _spellings(mentee)),
        "spellings_not_here": spellings,
        "best_elsewhere": sum(points.values()) - points["location"] + 1e-6,  # (a hair for the float sums)
        "nth": limit - 1,
    }


def candidate_rows(mentee, weights, max_mentees, limit):
    """The eligible mentors with room left that may be among the best `limit` for `mentee`: the
    columns of their profiles, their links (`candidate_links`) and their open processes."""
    # psycopg prepares a statement run 5 times on a connection, and PostgreSQL may then use one
    # generic plan for every tenant: with an average partner's row estimates, this query ran
    # 40 s on the partner with 10,000 mentors.
    db.session.execute(sa.text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"))
    slots = max(MAX_RANKED_NEEDS, len(mentee.areas))
    return db.session.execute(_statement(slots), _values(mentee, weights, max_mentees, limit, slots)).all()

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
cannot be suggested either, and are not read at all; otherwise only those whose areas and
gender still allow them to reach it are scored.

Portable SQL (PostgreSQL and SQLite): the availability arrays are JSON, read as their text.
"""
from functools import reduce
from operator import add

import sqlalchemy as sa

from network.extensions import db
from tenants.matching.scoring import LEVEL_ORDER, need_weights, normalized_place, shared_language_fit
from tenants.participants.models import Mentor, MentorLanguage, MentorSupportArea
from tenants.processes.models import OPEN_STATES, MentoringProcess

MARGIN = 1.0  # > 2 x 0.35: the rounding can move each of two totals by 0.35 points


def _real(value):
    return sa.literal(float(value), sa.Float)


def _offered_by(mentor_ids):
    """1 for the mentors among `mentor_ids` (a subquery), else 0. An uncorrelated IN: the
    database hashes the few thousand ids once and probes each mentor, cheaper than grouping
    the link rows by mentor and joining them."""
    return sa.case((Mentor.id.in_(mentor_ids), 1), else_=0)


def _support_areas_fit(mentee):
    weights = need_weights(mentee)
    if not weights:
        return _real(0)
    covered = reduce(add, (
        _offered_by(sa.select(MentorSupportArea.mentor_id).where(MentorSupportArea.support_area_id == area)) * weight
        for area, weight in weights.items()
    ))
    return covered * _real(1 / sum(weights.values()))


def _speakers(mentee, fit):
    """The mentors sharing a language with `mentee` at `fit` (1.0 or 0.5), or None."""
    levels = {code: [level for level in LEVEL_ORDER if shared_language_fit(mentee_level, level) == fit]
              for code, mentee_level in mentee.languages.items()}
    spoken = [sa.and_(MentorLanguage.language_code == code, MentorLanguage.level.in_(at))
              for code, at in levels.items() if at]
    return sa.select(MentorLanguage.mentor_id).where(sa.or_(*spoken)) if spoken else None


def _languages_fit(mentee):
    whens = [(Mentor.id.in_(speakers), fit) for fit in (1.0, 0.5)
             if (speakers := _speakers(mentee, fit)) is not None]
    return sa.case(*whens, else_=0.0) if whens else _real(0)


def _spellings(mentee):
    """The spellings of the mentee's place among the partner's mentors, compared as `scoring` does."""
    if not mentee.municipality:
        return []
    place = normalized_place(mentee.municipality)
    return [name for name in db.session.scalars(sa.select(Mentor.municipality).distinct())
            if normalized_place(name) == place]


def _listed(array, codes):
    """How many of `codes` the JSON array lists. Codes are plain identifiers: `"mon"` appears
    in the array's text iff it is listed; with no codes, 1 if it lists anything at all."""
    text = sa.cast(array, sa.Text)
    patterns = [f'%"{code}"%' for code in sorted(codes)] or ['%"%']
    return reduce(add, (sa.case((text.like(pattern), 1), else_=0) for pattern in patterns))


def _availability_fit(mentee):
    # The slots are every (day, period) pair of each side: the common slots are the common
    # days times the common periods.
    days = {day for day, _ in mentee.slots}
    periods = {period for _, period in mentee.slots}
    common = _listed(Mentor.availability_days, days) * _listed(Mentor.availability_periods, periods)
    return common * _real(1 / len(mentee.slots) if mentee.slots else 0.5)


def _preferences_fit(mentee):
    if not mentee.preferred_gender:
        return _real(1)
    return sa.case((Mentor.gender == mentee.preferred_gender, 1.0), else_=0.0)


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


def _nth_best(scored, limit):
    """The `limit`-th best score of `scored`, or -1000 when it has fewer rows."""
    nth = sa.select(scored.c.score).order_by(scored.c.score.desc()).offset(limit - 1).limit(1).scalar_subquery()
    return sa.func.coalesce(nth, _real(-1000))


def candidate_rows(mentee, eligibility, weights, max_mentees, limit):
    """The eligible mentors with room left that may be among the best `limit` for `mentee`: the
    columns of their profiles, their links (`candidate_links`) and their open processes."""
    if db.session.connection().dialect.name == "postgresql":
        # psycopg prepares a statement run 5 times on a connection, and PostgreSQL may then use one
        # generic plan for every tenant: with an average partner's row estimates, this query ran
        # 40 s on the partner with 10,000 mentors.
        db.session.execute(sa.text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"))
    total_weight = sum(weights.values()) or 1
    points = {criterion: 100 * weight / total_weight for criterion, weight in weights.items()}
    load = (sa.select(MentoringProcess.mentor_id, sa.func.count().label("open"))
            .where(MentoringProcess.state.in_(OPEN_STATES))
            .group_by(MentoringProcess.mentor_id).subquery("load"))
    open_processes = sa.func.coalesce(load.c.open, 0)
    fits = {  # and the location, known in each part of the partner's mentors below
        "support_areas": _support_areas_fit(mentee),
        "languages": _languages_fit(mentee),
        "availability": _availability_fit(mentee),
        "load": _real(1) - open_processes * _real(1 / max_mentees),
        "preferences": _preferences_fit(mentee),
    }
    score = reduce(add, (_real(points[criterion]) * fit for criterion, fit in fits.items()))

    def scored_where(*conditions, location):
        return (sa.select(Mentor.id, open_processes.label("open_processes"),
                          (score + _real(points["location"] * location)).label("score"))
                .outerjoin(load, load.c.mentor_id == Mentor.id)
                .where(*eligibility, open_processes < max_mentees, *conditions))

    spellings = _spellings(mentee)
    if spellings:
        # The mentors of the mentee's place first (read by index): when their `limit`-th best is
        # more than MARGIN above the most a mentor elsewhere can score, the others cannot be
        # suggested and are not even read (a condition PostgreSQL checks once, before their scan).
        here = scored_where(Mentor.municipality.in_(spellings), location=1).cte("here")
        floor = _nth_best(here, limit) - _real(MARGIN)
        best_elsewhere = sum(points.values()) - points["location"] + 1e-6  # (a hair for the float sums)
        # When they are read, the most each can score given its areas and gender must reach it too
        # (checked as the mentors are scanned: the others are neither joined nor scored).
        missed = reduce(add, (_real(points[criterion]) * (_real(1) - fits[criterion])
                              for criterion in ("support_areas", "preferences")))
        elsewhere = scored_where(Mentor.municipality.not_in(spellings), floor <= _real(best_elsewhere),
                                 _real(best_elsewhere) - missed >= floor, location=0)
        scored = sa.union_all(sa.select(here.c.id, here.c.open_processes, here.c.score), elsewhere).cte("scored")
    else:
        scored = scored_where(location=0).cte("scored")
    profile = (Mentor.full_name, Mentor.municipality, Mentor.availability_days, Mentor.availability_periods,
               Mentor.gender)
    return db.session.execute(
        sa.select(scored.c.id, scored.c.open_processes,
                  *(_of_mentor(column, scored.c.id).label(column.key) for column in profile),
                  *_links(scored.c.id))
        .where(scored.c.score >= _nth_best(scored, limit) - _real(MARGIN))
    ).all()

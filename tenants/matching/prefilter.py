"""Which mentors can still reach a mentee's top suggestions, decided by the database.

Scoring every one of a partner's 10,000 candidates in Python costs about a second (their
rows, JSON columns and profiles). The database computes each eligible mentor's total with
the rules of `scoring` but without its rounding: each criterion's points are rounded to
0.1 there, then their sum, so the exact total is within 0.35 points of this one. A mentor
whose total here is more than MARGIN below the `limit`-th best has at least `limit` others
that beat it whatever the rounding, so it cannot be suggested. Only the others (tens, or a
few hundred on ties) are loaded and ranked by `scoring.rank`: the suggestions, their order
and their breakdowns are those of the reference scoring over every candidate.

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


def _support_areas_fit(mentee):
    weights = need_weights(mentee)
    if not weights:
        return None, _real(0)
    covered = (
        sa.select(MentorSupportArea.mentor_id,
                  sa.func.sum(sa.case(weights, value=MentorSupportArea.support_area_id, else_=0)).label("weight"))
        .where(MentorSupportArea.support_area_id.in_(list(weights)))
        .group_by(MentorSupportArea.mentor_id).subquery("covered")
    )
    return covered, sa.func.coalesce(covered.c.weight, 0) * _real(1 / sum(weights.values()))


def _languages_fit(mentee):
    if not mentee.languages:
        return None, _real(0)

    def levels_with(fit):
        return sa.or_(*(
            sa.and_(MentorLanguage.language_code == code,
                    MentorLanguage.level.in_([level for level in LEVEL_ORDER
                                              if shared_language_fit(mentee_level, level) == fit]))
            for code, mentee_level in mentee.languages.items()
        ))

    best = (
        sa.select(MentorLanguage.mentor_id,
                  sa.func.max(sa.case((levels_with(1.0), 1.0), (levels_with(0.5), 0.5), else_=0.0)).label("fit"))
        .where(MentorLanguage.language_code.in_(list(mentee.languages)))
        .group_by(MentorLanguage.mentor_id).subquery("spoken")
    )
    return best, sa.func.coalesce(best.c.fit, 0.0)


def _location_fit(mentee):
    if not mentee.municipality:
        return _real(0)
    # The spellings of the mentee's place among the partner's mentors, compared as `scoring` does.
    place = normalized_place(mentee.municipality)
    spellings = [name for name in db.session.scalars(sa.select(Mentor.municipality).distinct())
                 if normalized_place(name) == place]
    return sa.case((Mentor.municipality.in_(spellings), 1.0), else_=0.0) if spellings else _real(0)


def _availability_flags(mentee):
    """{label: 0/1 column expression}: whether the mentor lists each day and period the
    mentee's slots use, each looked up once per row (the JSON arrays read as their text)."""
    days = sa.cast(Mentor.availability_days, sa.Text)
    periods = sa.cast(Mentor.availability_periods, sa.Text)

    def listed(array_text, pattern):
        return sa.case((array_text.like(pattern), 1), else_=0)

    if not mentee.slots:  # any string at all: the mentor has slots
        return {"day_any": listed(days, '%"%'), "period_any": listed(periods, '%"%')}
    # Codes are plain identifiers: `"mon"` appears in the JSON text iff it is listed.
    return ({f"day_{day}": listed(days, f'%"{day}"%') for day, _ in mentee.slots}
            | {f"period_{period}": listed(periods, f'%"{period}"%') for _, period in mentee.slots})


def _availability_fit(mentee, flags):
    if not mentee.slots:
        return flags.c.day_any * flags.c.period_any * _real(0.5)
    common = reduce(add, (flags.c[f"day_{day}"] * flags.c[f"period_{period}"] for day, period in sorted(mentee.slots)))
    return common * _real(1 / len(mentee.slots))


def _preferences_fit(mentee):
    if not mentee.preferred_gender:
        return _real(1)
    return sa.case((Mentor.gender == mentee.preferred_gender, 1.0), else_=0.0)


def candidate_rows(mentee, eligibility, weights, max_mentees, limit):
    """The eligible mentors with room left that may be among the best `limit` for `mentee`: the
    columns of their profiles, and their open processes."""
    if db.session.connection().dialect.name == "postgresql":
        # psycopg prepares a statement run 5 times on a connection, and PostgreSQL may then use one
        # generic plan for every tenant: with an average partner's row estimates, this query ran
        # 40 s on the partner with 10,000 mentors.
        db.session.execute(sa.text("SELECT set_config('plan_cache_mode', 'force_custom_plan', true)"))
    total_weight = sum(weights.values()) or 1
    load = (sa.select(MentoringProcess.mentor_id, sa.func.count().label("open"))
            .where(MentoringProcess.state.in_(OPEN_STATES))
            .group_by(MentoringProcess.mentor_id).subquery("load"))
    open_processes = sa.func.coalesce(load.c.open, 0)
    covered, areas = _support_areas_fit(mentee)
    spoken, languages = _languages_fit(mentee)
    fits = {
        "support_areas": areas,
        "languages": languages,
        "location": _location_fit(mentee),
        "load": _real(1) - open_processes * _real(1 / max_mentees),
        "preferences": _preferences_fit(mentee),
    }
    rows = sa.select(Mentor.id, open_processes.label("open_processes"),
                     *(fit.label(criterion) for criterion, fit in fits.items()),
                     *(flag.label(label) for label, flag in _availability_flags(mentee).items()))
    rows = rows.outerjoin(load, load.c.mentor_id == Mentor.id)
    for joined in (covered, spoken):
        if joined is not None:
            rows = rows.outerjoin(joined, joined.c.mentor_id == Mentor.id)
    # OFFSET 0 keeps the planner from copying each flag's LIKE into every product that uses it.
    rows = rows.where(*eligibility, open_processes < max_mentees).offset(0).subquery("candidates")
    columns = {criterion: rows.c[criterion] for criterion in fits} | {"availability": _availability_fit(mentee, rows)}
    score = reduce(add, (_real(100 * weights[criterion] / total_weight) * column
                         for criterion, column in columns.items()))
    scored = sa.select(rows.c.id, rows.c.open_processes, score.label("score")).cte("scored")
    threshold = (sa.select(scored.c.score).order_by(scored.c.score.desc()).offset(limit - 1).limit(1)
                 .scalar_subquery())
    return db.session.execute(
        sa.select(Mentor.id, Mentor.full_name, Mentor.municipality, Mentor.availability_days,
                  Mentor.availability_periods, Mentor.gender, scored.c.open_processes)
        .join(scored, scored.c.id == Mentor.id)
        .where(scored.c.score >= sa.func.coalesce(threshold, _real(-1000)) - _real(MARGIN))
    ).all()

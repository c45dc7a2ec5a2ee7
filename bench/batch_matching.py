"""Batch matching at three sizes: scoring the whole matrix, solving it (fair and total), and
the greedy one-by-one result beside it.

    .venv/bin/python -m bench.batch_matching [--sizes 100x1000,500x5000,2000x10000] [--write]
        [--database postgresql://…]

The pools are synthetic profiles drawn like `bench.generate` draws one partner's mentors and
mentees (support areas, Portuguese plus another language, a few places, one to four days),
so no database is needed; `--write` replaces the batch matching section of docs/benchmarks.md.

`--database URL` (a migrated PostgreSQL database this may write to; never production) also
writes the largest size as a new partner there and times the whole proposal as the job runs
it: reading the pool (`batch.load_pool`), scoring, solving, and the single page's suggestions
for one mentee beside it.
"""
import argparse
import os
import random
import re
import time

import numpy as np
import sqlalchemy as sa

from config import PROJECT_ROOT
from tenants.matching import batch
from tenants.matching.models import DEFAULT_MAX_MENTEES_PER_MENTOR, DEFAULT_WEIGHTS
from tenants.matching.scoring import Profile
from tenants.participants.models import DAY_PERIODS, WEEKDAYS

# The last is a scarce pool (fewer places than mentees): where the order of greedy matching costs most.
SIZES = ((100, 1_000), (500, 5_000), (2_000, 10_000), (2_000, 1_100))
PLACES = ("Lisboa", "Amadora", "Sintra", "Oeiras", "Cascais", "Loures", "Odivelas")
AREAS = range(1, 11)  # as many as the support areas the migrations seed
OTHER_LANGUAGES = {"en": ("c1", 0.6), "es": ("b2", 0.3), "fr": ("b1", 0.25), "uk": ("c2", 0.03), "ar": ("b2", 0.03)}
MENTEE_LANGUAGES = ("uk", "ar", "en", "fr", "es", "pt")
SECTION_START = "<!-- batch-matching:start -->"
SECTION_END = "<!-- batch-matching:end -->"


def _slots(rng):
    days = rng.sample(list(WEEKDAYS), rng.randint(1, 4))
    periods = rng.sample(list(DAY_PERIODS), rng.randint(1, 2))
    return frozenset((day, period) for day in days for period in periods)


def synthetic_pool(mentees, mentors, seed=25):
    """Profiles in the shape `eligible_mentees` and `eligible_mentors` return."""
    rng = random.Random(seed)
    mentor_profiles = []
    for number in range(mentors):
        languages = {"pt": "native"} | {code: level for code, (level, share) in OTHER_LANGUAGES.items()
                                        if rng.random() < share}
        mentor_profiles.append(Profile(
            id=number + 1, name=f"Mentora {number:05d}", municipality=rng.choice(PLACES),
            areas={area: 1 for area in rng.sample(AREAS, rng.randint(1, 4))}, languages=languages,
            slots=_slots(rng), gender=rng.choice(("female", "male", "female")),
            open_processes=rng.choice((0, 0, 0, 1))))
    mentee_profiles = []
    for number in range(mentees):
        own = rng.choice(MENTEE_LANGUAGES)
        languages = {"pt": "native"} if own == "pt" else {
            "pt": rng.choice(("none", "a1", "a2", "b1", "b2")), own: "native"}
        mentee_profiles.append(Profile(
            id=number + 1, name=f"Mentoranda {number:05d}", municipality=rng.choice(PLACES),
            areas={area: rank for rank, area in enumerate(rng.sample(AREAS, rng.randint(1, 3)), start=1)},
            languages=languages, slots=_slots(rng) if rng.random() < 0.8 else frozenset(),
            gender=rng.choice(("female", "male")),
            preferred_gender=rng.choice((None, None, None, "female"))))
    return mentee_profiles, mentor_profiles


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def measure(mentees, mentors):
    mentee_profiles, mentor_profiles = synthetic_pool(mentees, mentors)
    max_mentees = DEFAULT_MAX_MENTEES_PER_MENTOR
    scores, scoring = _timed(lambda: batch.score_matrix(mentee_profiles, mentor_profiles, DEFAULT_WEIGHTS,
                                                        max_mentees))
    capacity = np.array([max_mentees - profile.open_processes for profile in mentor_profiles])
    pool = batch.Pool(mentee_profiles, sorted(mentor_profiles, key=lambda profile: (profile.name, profile.id)),
                      scores, capacity)
    fair, fair_seconds = _timed(lambda: batch.solve(pool, mode="fair"))
    total, total_seconds = _timed(lambda: batch.solve(pool, mode="total"))
    greedy, greedy_seconds = _timed(lambda: batch.greedy(pool))
    return {
        "size": f"{mentees:,} × {mentors:,}", "scoring": scoring, "fair_seconds": fair_seconds,
        "total_seconds": total_seconds, "greedy_seconds": greedy_seconds,
        "results": {"fair": fair, "total": total, "greedy": greedy},
    }


def measure_in_database(url, mentees, mentors):
    """The largest size as a partner of `url`: the job's own path, from the rows to the result."""
    from datetime import date

    from network.core.extensions import db
    from network.core.reference.models import SupportArea
    from network.core.tenancy import tenant_context
    from network.core.tenancy.services import create_tenant
    from network.national.app import create_app
    from tenants.matching import proposals, services
    from tenants.participants.models import (
        MATCHING_CONSENT,
        Consent,
        Mentee,
        MenteeLanguage,
        MenteeSupportArea,
        Mentor,
        MentorLanguage,
        MentorSupportArea,
    )

    mentee_profiles, mentor_profiles = synthetic_pool(mentees, mentors)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        slug = f"bench-batch-{int(time.time())}"
        tenant = create_tenant("Bench batch matching", slug, "ngo", "lisboa", "pt_PT")
        db.session.commit()
        areas = sorted(db.session.scalars(sa.select(SupportArea.id)))
        area_of = {number: areas[(number - 1) % len(areas)] for number in AREAS}
        consent = {"purpose": MATCHING_CONSENT, "text_version": "2026-01", "given_on": date(2026, 1, 1)}
        with tenant_context(tenant.id):
            for profile in mentor_profiles:
                days = sorted({day for day, _ in profile.slots})
                periods = sorted({period for _, period in profile.slots})
                db.session.add(Mentor(
                    full_name=profile.name, email=f"m{profile.id}@bench.example", municipality=profile.municipality,
                    availability_days=days, availability_periods=periods, gender=profile.gender, status="available",
                    training_completed_on=date(2026, 1, 10),
                    languages=[MentorLanguage(language_code=code, level=level)
                               for code, level in profile.languages.items()],
                    support_areas=[MentorSupportArea(support_area_id=area_of[area]) for area in profile.areas]))
            for profile in mentee_profiles:
                days = sorted({day for day, _ in profile.slots})
                periods = sorted({period for _, period in profile.slots})
                db.session.add(Mentee(
                    full_name=profile.name, email=f"e{profile.id}@bench.example", municipality=profile.municipality,
                    availability_days=days, availability_periods=periods, gender=profile.gender,
                    preferred_mentor_gender=profile.preferred_gender, status="waiting",
                    languages=[MenteeLanguage(language_code=code, level=level)
                               for code, level in profile.languages.items()],
                    support_areas=[MenteeSupportArea(support_area_id=area_of[area], rank=rank)
                                   for area, rank in profile.areas.items()]))
            db.session.flush()
            db.session.add_all([Consent(mentor_id=mentor_id, **consent) for mentor_id in db.session.scalars(
                sa.select(Mentor.id))] + [Consent(mentee_id=mentee_id, **consent) for mentee_id in db.session.scalars(
                    sa.select(Mentee.id))])
            db.session.commit()
        # Fresh statistics, as the database would gather them on its own after a while.
        owner = sa.create_engine(url, isolation_level="AUTOCOMMIT")
        with owner.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        owner.dispose()
        with tenant_context(tenant.id):
            proposal = proposals.create_proposal(None)
            started, started_cpu = time.perf_counter(), time.process_time()
            proposals.compute(proposal)
            whole, whole_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            mentee = db.session.scalar(sa.select(Mentee).limit(1))
            services.suggest_mentors(mentee)  # the statement compiled once, as in a running app
            single = []
            for _ in range(20):
                began = time.perf_counter()
                services.suggest_mentors(mentee)
                single.append(time.perf_counter() - began)
            db.session.rollback()
    assert proposal.result["mentees"] == mentees and proposal.result["mentors"] == mentors, proposal.result["mentors"]
    return {"size": f"{mentees:,} × {mentors:,}", "whole": whole, "whole_cpu": whole_cpu,
            "load": os.getloadavg()[0], "seconds": proposal.result["seconds"],
            "summary": proposal.result["summary"], "single_ms": 1000 * sorted(single)[len(single) // 2]}


def database_table(row):
    return "\n".join([
        "| mentees × mentors | reading and scoring (s) | solving and greedy (s) | whole proposal (s) "
        "| whole proposal, CPU (s) | load average | single page's suggestions, median (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {row['size']} | {row['seconds']['scoring']:.2f} | {row['whole'] - row['seconds']['scoring']:.2f} "
        f"| {row['whole']:.2f} | {row['whole_cpu']:.2f} | {row['load']:.1f} | {row['single_ms']:.1f} |",
    ])


def _points(tenths):
    return "—" if tenths is None else f"{tenths / 10:,.1f}"


def table(rows):
    lines = [
        "| mentees × mentors | scoring (s) | solve fair (s) | solve total (s) | greedy (s) "
        "| matched fair / total / greedy | total fair / total / greedy | worst fair / total / greedy |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        results = [row["results"][name] for name in ("fair", "total", "greedy")]
        lines.append(
            f"| {row['size']} | {row['scoring']:.2f} | {row['fair_seconds']:.2f} | {row['total_seconds']:.2f} "
            f"| {row['greedy_seconds']:.2f} | {' / '.join(f'{result.matched:,}' for result in results)} "
            f"| {' / '.join(_points(result.total) for result in results)} "
            f"| {' / '.join(_points(result.worst) for result in results)} |")
    return "\n".join(lines)


INTRODUCTION = """## Batch matching

A partner's whole waiting list matched at once (`tenants/matching/batch.py`), measured by
`.venv/bin/python -m bench.batch_matching --write` (add `--database URL` for the rows read from
PostgreSQL). Synthetic pools drawn like one partner of `bench.generate`; two places per mentor,
a quarter of the mentors already following one mentee. Scores in points (0 to 100 per pair);
*greedy* is matching one mentee at a time in order of registration, each given the best
mentor with a place left. The target is the whole proposal at 2,000 × 10,000 within 10 s.
The machine is shared (2 cores): the load average column says how busy it was, and the CPU
column is the process's own time, what the job costs a core it has to itself.
"""


def section_of(document):
    """The batch matching section of `document` (docs/benchmarks.md), or "" (`bench.report`
    keeps it when it writes the rest)."""
    match = re.search(re.escape(SECTION_START) + ".*?" + re.escape(SECTION_END), document, flags=re.S)
    return match.group(0) if match else ""


def write_section(text):
    path = PROJECT_ROOT / "docs" / "benchmarks.md"
    document = path.read_text()
    section = f"{SECTION_START}\n{INTRODUCTION}\n{text}\n{SECTION_END}"
    if SECTION_START in document:
        document = re.sub(re.escape(SECTION_START) + ".*?" + re.escape(SECTION_END), lambda _: section, document,
                          flags=re.S)
    else:
        document = document.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(document)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(f"{m}x{n}" for m, n in SIZES))
    parser.add_argument("--write", action="store_true", help="replace the section in docs/benchmarks.md")
    parser.add_argument("--database", help="also time the largest size read from this PostgreSQL database")
    arguments = parser.parse_args()
    sizes = [tuple(int(part) for part in size.split("x")) for size in arguments.sizes.split(",")]
    rows = []
    for mentees, mentors in sizes:
        rows.append(measure(mentees, mentors))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    result = table(rows)
    if arguments.database:
        mentees, mentors = max(sizes, key=lambda size: size[0] * size[1])
        result += "\n\nFrom PostgreSQL, the job's own path (`proposals.compute`, fair):\n\n" + database_table(
            measure_in_database(arguments.database, mentees, mentors))
    print(result)
    if arguments.write:
        write_section(result)


if __name__ == "__main__":
    main()

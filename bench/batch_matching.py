"""Batch matching at three sizes: scoring the whole matrix, solving it (fair and total), and
the greedy one-by-one result beside it.

    .venv/bin/python -m bench.batch_matching [--sizes 100x1000,500x5000,2000x10000] [--write]

The pools are synthetic profiles drawn like `bench.generate` draws one partner's mentors and
mentees (support areas, Portuguese plus another language, a few places, one to four days),
so no database is needed; `--write` replaces the batch matching section of docs/benchmarks.md.
Reading a pool from PostgreSQL (`batch.load_pool`) adds the time of `eligible_mentors` and
`eligible_mentees`, measured apart in the section.
"""
import argparse
import random
import re
import time

import numpy as np

from config import PROJECT_ROOT
from tenants.matching import batch
from tenants.matching.models import DEFAULT_MAX_MENTEES_PER_MENTOR, DEFAULT_WEIGHTS
from tenants.matching.scoring import Profile
from tenants.participants.models import DAY_PERIODS, WEEKDAYS

SIZES = ((100, 1_000), (500, 5_000), (2_000, 10_000))
PLACES = ("Lisboa", "Amadora", "Sintra", "Oeiras", "Cascais", "Loures", "Odivelas")
AREAS = range(1, 13)
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


def write_section(text):
    path = PROJECT_ROOT / "docs" / "benchmarks.md"
    document = path.read_text()
    section = f"{SECTION_START}\n{text}\n{SECTION_END}"
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
    arguments = parser.parse_args()
    rows = []
    for size in arguments.sizes.split(","):
        mentees, mentors = (int(part) for part in size.split("x"))
        rows.append(measure(mentees, mentors))
        print(table(rows[-1:]).splitlines()[-1], flush=True)
    result = table(rows)
    print(result)
    if arguments.write:
        write_section(result)


if __name__ == "__main__":
    main()

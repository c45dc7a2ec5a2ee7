"""The plan of one demo partner before anything is written: its people (form data drawn by
`demo_people.PeopleDrawer`), who is ready (consented and interviewed), each mentee's processes
over the last two years (`demo_history.ProcessHistory`, the benchmark's shape) with their
mentors, and the day each person registered, early enough for their first match.

Dates count back from `today`: the same seed on the same day gives the same plan."""
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from network.core.extensions import db
from network.national.demo_distributions import (
    CADENCES,
    EARLIER_STATE,
    FREQUENCIES,
    LAST_STATE,
    OUTCOMES,
    SUPPORT_AREA_WEIGHTS,
    chooser,
)
from network.national.demo_history import HISTORY_COLUMNS, OPEN, ProcessHistory, mentor_for, plan_mentees

# A mentor or mentee whose registration is not finished yet (no interview): the demo's waiting work.
APPLICANT_SHARE = 0.12
# Partners with at least this many ready mentors and mentees show a process at every step
# (`demo_people.walkthrough`), through the services, dated from today.
WALKTHROUGH_PEOPLE = 6
# How many people at least an imported waiting list holds.
WAITING_LIST_PEOPLE = 3


@dataclass(eq=False)
class Person:
    role: str
    data: dict
    ready: bool
    registered: date | None = None
    first_match: date | None = None
    open_processes: int = 0
    participant: object = field(default=None, repr=False)


class SequenceIds:
    """Ids for rows written without the ORM, reserved from the tables' own sequences in blocks."""

    BLOCK = 256

    def __init__(self):
        self.free = {}

    def next(self, table):
        free = self.free.setdefault(table, [])
        if not free:
            free.extend(reversed(db.session.scalars(
                sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
                {"table": table, "count": self.BLOCK}).all()))
        return free.pop()


class InsertRows:
    """The history's rows, kept per table and inserted in a few statements (parents first)."""

    def __init__(self):
        self.tables = {table: [] for table in HISTORY_COLUMNS}

    def add(self, table, *values):
        self.tables[table].append(dict(zip(HISTORY_COLUMNS[table], values)))

    def insert(self):
        for table, rows in self.tables.items():
            if rows:
                db.session.execute(sa.insert(db.metadata.tables[table]), rows)


class PartnerPlan:
    """`waiting_list`: the role whose last few people are applicants the partner imports as a list."""

    def __init__(self, drawer, counts, seed, slug, today, process_ratio, waiting_list=None):
        self.today, self.seed_key = today, f"{seed}/{slug}"
        rng = drawer.rng
        self.people = {role: [Person(role, getattr(drawer, role)(number),
                                     ready=number <= WALKTHROUGH_PEOPLE or rng.random() >= APPLICANT_SHARE)
                              for number in range(1, count + 1)] for role, count in counts.items()}
        if waiting_list:
            for person in self.people[waiting_list][WALKTHROUGH_PEOPLE:][-WAITING_LIST_PEOPLE:]:
                person.ready = False
        ready = {role: [person for person in people if person.ready] for role, people in self.people.items()}
        self.walkthrough = min(len(people) for people in ready.values()) >= WALKTHROUGH_PEOPLE
        skip = WALKTHROUGH_PEOPLE if self.walkthrough else 0
        self.walkthrough_people = {role: people[:skip] for role, people in ready.items()}
        history_rng = random.Random(f"{seed}/{slug}/history")
        pick = {name: chooser(history_rng, weights) for name, weights in {
            "last_state": LAST_STATE, "earlier_state": EARLIER_STATE, "outcome": OUTCOMES, "cadence": CADENCES,
            "frequency": FREQUENCIES}.items()}
        self.history = ProcessHistory(history_rng, pick, SequenceIds(), SUPPORT_AREA_WEIGHTS, today,
                                      confirm_meetings=True)
        self.chains = self._chains(history_rng, ready["mentor"][skip:], ready["mentee"][skip:], process_ratio)
        self._date_people(history_rng)

    def _chains(self, rng, mentors, mentees, process_ratio):
        """[(mentee, their processes oldest first, the mentor of each)]."""
        if not mentors or not mentees:
            return []
        plans = plan_mentees(rng, len(mentees), round(len(mentees) * process_ratio))
        open_slots = [mentor for mentor in mentors for _ in range(2)]
        rng.shuffle(open_slots)
        chains = []
        for mentee, plan in zip(mentees, plans):
            chain, assigned, previous = self.history.chain(plan), [], None
            for step in chain:
                previous = mentor_for(rng, step, previous, open_slots, mentors)
                assigned.append(previous)
                if previous.first_match is None or step["matched_on"] < previous.first_match:
                    previous.first_match = step["matched_on"]
                previous.open_processes += step["state"] in OPEN
            mentee.first_match = chain[0]["matched_on"] if chain else None
            chains.append((mentee, chain, assigned))
        return chains

    def _date_people(self, rng):
        """Registered (and, for mentors, trained) before their first match; the people of the
        walkthrough before its oldest process; applicants recently."""
        walkthrough = {person for people in self.walkthrough_people.values() for person in people}
        today = self.today
        for person in (person for people in self.people.values() for person in people):
            if person in walkthrough:
                registered = today - timedelta(days=rng.randint(440, 700))
            elif person.first_match is not None:
                registered = person.first_match - timedelta(days=rng.randint(40, 90) if person.role == "mentor"
                                                            else rng.randint(10, 60))
            elif person.ready:
                registered = today - timedelta(days=rng.randint(5, 300))
            else:
                registered = today - timedelta(days=rng.randint(1, 45))
            person.registered = registered
            if person.role == "mentor":
                trained = min(registered + timedelta(days=rng.randint(10, 30)), today)
                person.data["training_completed_on"] = trained.isoformat()
                if not person.ready:
                    del person.data["training_completed_on"]
            else:
                person.data["arrival_year"] = min(person.data["arrival_year"], registered.year)

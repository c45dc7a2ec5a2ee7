"""The synthetic network: tenants, staff, mentors, mentees and their whole mentoring
processes, written straight to PostgreSQL with COPY (psycopg 3 `cursor.copy()`).

    python -m bench.generate --size small|national|europe [--database-url URL] [--seed N]
                             [--tenants N] [--mentors N] [--mentees N] [--processes N] [--meetings N]

Rows obey every constraint of the real schema (run `flask db upgrade heads` first): enums,
composite tenant foreign keys, one open process per pair, and states consistent with what
the services would have written: a process in `active` has an agreement accepted by both
sides, meetings, follow-ups on its cadence and the ProcessEvent timeline the roll-ups read;
a closed one has both final evaluations and its outcome. Participants' statuses follow their
processes. Most processes with an agreement have the mentee's outcome answers at the start and
the goals' expected outcomes; most closed ones the answers at closing and the goals' scores,
drawn as the demo draws them (network.national.demo_outcomes), so the impact page has data. The generator writes as the owner role (Row-Level Security does not apply to it)
and replaces every row of the bench database except the seeded reference tables.

Work goes in chunks of tenants: one thread builds the rows of the next chunk while the
previous one is being copied, each chunk in its own transaction. Checking foreign keys row
by row (one trigger per row and key) would cost most of the time, so the foreign keys of the
generated tables are dropped for the load and added back at the end: PostgreSQL then checks
every row against them in one set-based pass, and a row that broke one fails the run.
"""
import argparse
import json
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields, replace
from datetime import date, timedelta

import click
import psycopg
from argon2 import PasswordHasher

from network.national import demo_outcomes
from network.national.demo import COORDINATION, FIRST_NAMES, PARTNERS, SURNAMES
from network.national.demo_distributions import (
    AGE_BANDS,
    CADENCES,
    COUNTRIES,
    DAYS,
    DISTRICT_WEIGHTS,
    EARLIER_STATE,
    EMPLOYMENT,
    FREQUENCIES,
    GENDERS,
    KIND_WEIGHTS,
    LAST_STATE,
    MIGRATION_REASONS,
    MUNICIPALITIES,
    OUTCOMES,
    PERIODS,
    PROFESSIONAL_AREAS,
    REFERRALS,
    RESIDENCE,
    SIZES,
    SUPPORT_AREA_WEIGHTS,
    Size,
    chooser,
    partner_shares,
)
from network.national.demo_history import (
    HISTORY_COLUMNS,
    ProcessHistory,
    at,
    mentee_status,
    mentor_for,
    plan_mentees,
)

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/bench"
BENCH_PASSWORD = "bench-password-2026"
MATCHING_TENANT_SLUG = "bench-matching"

# Tables in foreign-key order, with the columns the generator writes.
COLUMNS = {
    "tenants": ("id", "name", "slug", "kind", "district", "default_locale", "active", "created_at"),
    "users": ("id", "email", "name", "password_hash", "preferred_locale", "active", "session_epoch", "created_at"),
    "memberships": ("id", "user_id", "tenant_id", "role", "active", "created_at"),
    "companies": ("id", "name", "active", "created_at"),
    "mentors": ("id", "tenant_id", "full_name", "email", "municipality", "created_at", "updated_at",
                "shares_contact", "referral_source", "training_completed_on", "professional_area", "company_id",
                "availability_days", "availability_periods", "hours_per_week", "gender", "status"),
    "mentees": ("id", "tenant_id", "full_name", "email", "municipality", "created_at", "updated_at",
                "shares_contact", "referral_source", "country_of_origin", "nationality", "arrival_year",
                "residence_status", "migration_reason", "employment_status", "age_band", "gender",
                "availability_days", "availability_periods", "preferred_mentor_gender", "status"),
    "mentor_languages": ("id", "tenant_id", "mentor_id", "language_code", "level"),
    "mentee_languages": ("id", "tenant_id", "mentee_id", "language_code", "level"),
    "mentor_support_areas": ("id", "tenant_id", "mentor_id", "support_area_id"),
    "mentee_support_areas": ("id", "tenant_id", "mentee_id", "support_area_id", "rank"),
    "consents": ("id", "tenant_id", "mentor_id", "mentee_id", "purpose", "text_version", "given_on", "recorded_at",
                 "recorded_by_id"),
    "interviews": ("id", "tenant_id", "mentor_id", "mentee_id", "held_on", "interviewer_id", "recommendation",
                   "recorded_at", "recorded_by_id"),
    **HISTORY_COLUMNS,
}
# Kept between runs: the migrations seed them and the rows above point at them.
SEEDED_TABLES = ("support_areas", "questions", "question_sets", "alembic_version", "disclosure_key")

# --- realistic distributions ---------------------------------------------------------

class Rows:
    """COPY text rows of one chunk, per table."""

    def __init__(self):
        self.tables = {table: [] for table in COLUMNS}
        self.count = 0

    def add(self, table, *values):
        self.tables[table].append("\t".join(_copy_text(value) for value in values))
        self.count += 1


def _copy_text(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class Ids:
    """Explicit ids per table: children reference parents without a round trip."""

    def __init__(self):
        self.last = {table: 0 for table in COLUMNS}

    def next(self, table):
        self.last[table] += 1
        return self.last[table]


class Generator:
    def __init__(self, size, seed, support_areas, today=None, password_hash=""):
        self.size = size
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.ids = Ids()
        self.areas = support_areas  # code -> id
        self.password_hash = password_hash
        rng = self.rng
        self.pick = {name: chooser(rng, weights) for name, weights in {
            "district": DISTRICT_WEIGHTS, "kind": KIND_WEIGHTS, "age": AGE_BANDS, "gender": GENDERS,
            "residence": RESIDENCE, "migration": MIGRATION_REASONS, "employment": EMPLOYMENT,
            "referral": REFERRALS, "last_state": LAST_STATE, "earlier_state": EARLIER_STATE,
            "outcome": OUTCOMES, "cadence": CADENCES, "frequency": FREQUENCIES,
            "country": {code: weight for code, (weight, _) in COUNTRIES.items()},
            "area": {self.areas[code]: weight for code, weight in SUPPORT_AREA_WEIGHTS.items() if code in self.areas},
        }.items()}
        # The outcome answers from a sequence of their own: the rest of the network is the same with them.
        self.history = ProcessHistory(rng, self.pick, self.ids, self.areas, self.today,
                                      meetings_per_process=size.meetings / max(size.processes, 1),
                                      outcome_rng=demo_outcomes.outcome_rng(rng))
        self.companies = []

    # --- the network level -----------------------------------------------------------

    def network(self, rows):
        """The coordination team, the companies and the list of partners to generate."""
        rng, created = self.rng, at(self.today - timedelta(days=5 * 365))
        coordination = self._tenant(rows, COORDINATION[0], COORDINATION[1], "coordination", COORDINATION[3], created)
        self._user(rows, "coordenacao@bench.rede-mentores.pt", "Coordenação (bench)", coordination, "coordinator")
        for number in range(1, 41):
            company = self.ids.next("companies")
            rows.add("companies", company, f"Empresa Parceira {number:02d}, S.A.", True, created)
            self.companies.append(company)
        partners = []
        for index in range(self.size.tenants):
            if self.size.tenants <= len(PARTNERS):
                name, slug, kind, district = PARTNERS[index]
            else:
                district, kind = self.pick["district"](), self.pick["kind"]()
                place = rng.choice(MUNICIPALITIES[district])
                name, slug = f"Parceiro {index + 1:05d} de {place}", f"parceiro-{index + 1:05d}"
            partners.append((name, slug, kind, district))
        # Partner sizes follow a long tail: a few large municipalities, many small associations.
        return list(zip(partners, partner_shares(rng, len(partners)))), created

    def _tenant(self, rows, name, slug, kind, district, created):
        tenant = self.ids.next("tenants")
        rows.add("tenants", tenant, name, slug, kind, district, "pt_PT", True, created)
        return tenant

    def _user(self, rows, email, name, tenant, role):
        user = self.ids.next("users")
        rows.add("users", user, email, name, self.password_hash, "pt_PT", True, 0, at(self.today - timedelta(days=400)))
        rows.add("memberships", self.ids.next("memberships"), user, tenant, role, True,
                 at(self.today - timedelta(days=400)))
        return user

    # --- one partner --------------------------------------------------------------------

    def partner(self, rows, partner, share, created, matching_tenant=False):
        name, slug, kind, district = partner
        size = self.size
        tenant = self._tenant(rows, name, slug, kind, district, created)
        self._user(rows, f"admin@{slug}.bench.rede-mentores.pt", f"Administração {name}"[:200], tenant, "partner_admin")
        staff = self._user(rows, f"tecnico@{slug}.bench.rede-mentores.pt", f"Técnico {name}"[:200], tenant, "staff")
        if matching_tenant:
            mentors = size.matching_mentors
            mentees, processes = max(2, mentors // 8), mentors * 3 // 20
        else:
            mentors = max(2, round(size.mentors * share))
            mentees = max(2, round(size.mentees * share))
            processes = round(size.processes * share)
        places = MUNICIPALITIES[district]
        context = PartnerContext(tenant, staff, places, every_one_ready=matching_tenant)
        mentee_plans = plan_mentees(self.rng, mentees, processes)
        trained = self._mentors(context, mentors)
        self._mentees_and_processes(rows, context, mentee_plans, trained)

    def _name(self, index):
        rng = self.rng
        return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)} {index}"

    def _availability(self):
        rng = self.rng
        return sorted(rng.sample(DAYS, rng.randint(1, 4)), key=DAYS.index), \
            sorted(rng.sample(PERIODS, rng.randint(1, 2)), key=PERIODS.index)

    def _mentors(self, context, count):
        """Plan the mentors (written once their processes are known); returns the ids of the
        trained ones, who can be matched."""
        rng, trained = self.rng, []
        for _ in range(count):
            mentor = self.ids.next("mentors")
            registered = self.today - timedelta(days=rng.randint(60, 4 * 365))
            ready = context.every_one_ready or rng.random() < 0.75
            days, periods = self._availability()
            status = "available" if ready else rng.choice(("applicant", "interviewed"))
            training = registered + timedelta(days=rng.randint(10, 40)) if ready else None
            if training and training > self.today:
                training = self.today
            company = rng.choice(self.companies) if rng.random() < 0.15 else None
            context.mentors[mentor] = [registered, training, days, periods, rng.choice(("female", "male", "female")),
                                       company, status]
            if ready:
                trained.append(mentor)
        return trained

    def _mentees_and_processes(self, rows, context, plans, trained):
        rng = self.rng
        open_slots = [mentor for mentor in trained for _ in range(2)]
        rng.shuffle(open_slots)
        for plan in plans:
            mentee = self.ids.next("mentees")
            country = self.pick["country"]()
            chain = self.history.chain(plan)
            first_day = chain[0]["matched_on"] if chain else self.today - timedelta(days=rng.randint(1, 700))
            registered = first_day - timedelta(days=rng.randint(10, 60))
            status = mentee_status(chain, rng)
            days, periods = self._availability()
            rows.add("mentees", mentee, context.tenant, self._name(mentee), f"mentorando{mentee}@bench.example",
                     rng.choice(context.places), at(registered), at(registered), False, self.pick["referral"](),
                     country, country, rng.randint(2012, self.today.year), self.pick["residence"](),
                     self.pick["migration"](), self.pick["employment"](), self.pick["age"](), self.pick["gender"](),
                     days, periods, "female" if rng.random() < 0.05 else None, status)
            self._mentee_details(rows, context, mentee, country, registered, status)
            previous = None
            for step in chain:
                mentor = mentor_for(rng, step, previous and previous["mentor"], open_slots, trained)
                previous = self.history.process(rows, context.tenant, context.staff, mentor, mentee, step, previous)
                context.mentor_used(mentor, step["matched_on"], step["state"])
        self._write_mentors(rows, context)

    def _mentee_details(self, rows, context, mentee, country, registered, status):
        rng, tenant = self.rng, context.tenant
        own_language = COUNTRIES[country][1]
        portuguese = "native" if own_language == "pt" else rng.choice(("none", "a1", "a2", "b1", "b2"))
        rows.add("mentee_languages", self.ids.next("mentee_languages"), tenant, mentee, "pt", portuguese)
        if own_language != "pt":
            rows.add("mentee_languages", self.ids.next("mentee_languages"), tenant, mentee, own_language, "native")
        for rank, area in enumerate(self._areas(rng.randint(1, 3)), start=1):
            rows.add("mentee_support_areas", self.ids.next("mentee_support_areas"), tenant, mentee, area, rank)
        if status != "applicant":
            self._intake(rows, context, None, mentee, registered)
            if rng.random() < 0.7:
                rows.add("consents", self.ids.next("consents"), tenant, None, mentee, "sensitive_data", "2026-01",
                         registered + timedelta(days=3), at(registered + timedelta(days=3)), context.staff)

    def _intake(self, rows, context, mentor, mentee, registered):
        """The interview and the consent to take part: both come before any match."""
        held = registered + timedelta(days=self.rng.randint(1, 8))
        rows.add("interviews", self.ids.next("interviews"), context.tenant, mentor, mentee, min(held, self.today),
                 context.staff, "accept", at(min(held, self.today)), context.staff)
        rows.add("consents", self.ids.next("consents"), context.tenant, mentor, mentee, "programme", "2026-01",
                 registered + timedelta(days=1), at(registered + timedelta(days=1)), context.staff)

    def _areas(self, count):
        areas = []
        while len(areas) < count:
            area = self.pick["area"]()
            if area not in areas:
                areas.append(area)
        return areas

    def _write_mentors(self, rows, context):
        rng, tenant = self.rng, context.tenant
        for mentor, (registered, training, days, periods, gender, company, status) in context.mentors.items():
            if context.open_load.get(mentor):
                status = "matched"
            elif status == "available" and rng.random() < 0.1 and not context.every_one_ready:
                status = rng.choice(("paused", "left"))
            first_match = context.first_match.get(mentor)
            if first_match is not None and (registered >= first_match or training >= first_match):
                # Registered, interviewed, consented and trained before the first match.
                registered = first_match - timedelta(days=40)
                training = first_match - timedelta(days=10)
            rows.add("mentors", mentor, tenant, self._name(mentor), f"mentor{mentor}@bench.example",
                     rng.choice(context.places), at(registered), at(registered), False, self.pick["referral"](),
                     training, rng.choice(PROFESSIONAL_AREAS), company, days, periods, rng.choice((2, 3, 4, 6)),
                     gender, status)
            rows.add("mentor_languages", self.ids.next("mentor_languages"), tenant, mentor, "pt", "native")
            for code, level in (("en", "c1"), ("es", "b2"), ("fr", "b1"), ("uk", "c2"), ("ar", "b2")):
                if rng.random() < {"en": 0.6, "es": 0.3, "fr": 0.25}.get(code, 0.03):
                    rows.add("mentor_languages", self.ids.next("mentor_languages"), tenant, mentor, code, level)
            for area in self._areas(rng.randint(1, 4)):
                rows.add("mentor_support_areas", self.ids.next("mentor_support_areas"), tenant, mentor, area)
            if status != "applicant":
                self._intake(rows, context, mentor, None, registered)


class PartnerContext:
    def __init__(self, tenant, staff, places, every_one_ready):
        self.tenant, self.staff, self.places = tenant, staff, places
        self.mentors = {}  # id -> [registered, training, days, periods, gender, company, status]
        self.open_load = {}
        self.first_match = {}
        # The matching benchmark's tenant: every mentor is a candidate (the worst case).
        self.every_one_ready = every_one_ready

    def mentor_used(self, mentor, matched_on, state):
        if state in ("matched", "agreement_signed", "active", "in_evaluation"):
            self.open_load[mentor] = self.open_load.get(mentor, 0) + 1
        first = self.first_match.get(mentor)
        if first is None or matched_on < first:
            self.first_match[mentor] = matched_on


# --- writing ------------------------------------------------------------------------------

def reset(connection):
    tables = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND NOT (tablename = ANY(%s))",
        [list(SEEDED_TABLES)],
    ).fetchall()
    connection.execute(f"TRUNCATE {', '.join(name for (name,) in tables)} RESTART IDENTITY CASCADE")


def foreign_keys(connection):
    """(table, name, definition) of every foreign key of the generated tables."""
    return connection.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY conrelid::regclass::text, conname",
        [list(COLUMNS)],
    ).fetchall()


def drop_foreign_keys(connection, keys):
    for table, name, _ in keys:
        connection.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    connection.commit()


def add_foreign_keys(connection, keys, echo):
    """Add the keys back; each is validated over the whole table at once."""
    started = time.monotonic()
    for table, name, definition in keys:
        connection.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    connection.commit()
    echo(f"{len(keys)} foreign keys checked in {time.monotonic() - started:.1f} s")


def copy_rows(connection, rows):
    """One chunk in one transaction (the connection has none open between chunks)."""
    with connection.transaction(), connection.cursor() as cursor:
        for table, columns in COLUMNS.items():
            lines = rows.tables[table]
            if not lines:
                continue
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for start in range(0, len(lines), 5000):
                    copy.write("\n".join(lines[start:start + 5000]) + "\n")


# Rules the services keep, as queries that count the rows breaking them (all must be 0).
CONSISTENCY_CHECKS = {
    "signed process without an agreement accepted by both": """
        SELECT count(*) FROM mentoring_processes p WHERE p.state IN ('agreement_signed', 'active', 'in_evaluation', 'closed')
        AND NOT EXISTS (SELECT 1 FROM agreements a WHERE a.tenant_id = p.tenant_id AND a.process_id = p.id
                        AND a.mentor_accepted_at IS NOT NULL AND a.mentee_accepted_at IS NOT NULL)""",
    "dates missing for the state": """
        SELECT count(*) FROM mentoring_processes WHERE (state IN ('active', 'in_evaluation', 'closed') AND activated_on IS NULL)
        OR (state IN ('closed', 'cancelled') AND closed_on IS NULL) OR (state = 'closed' AND outcome IS NULL)
        OR (state = 'cancelled' AND cancel_reason IS NULL) OR (state <> 'closed' AND outcome IS NOT NULL)""",
    "open process whose mentor or mentee is not matched": """
        SELECT count(*) FROM mentoring_processes p JOIN mentors r ON r.tenant_id = p.tenant_id AND r.id = p.mentor_id
        JOIN mentees m ON m.tenant_id = p.tenant_id AND m.id = p.mentee_id
        WHERE p.state IN ('matched', 'agreement_signed', 'active', 'in_evaluation')
        AND (r.status <> 'matched' OR m.status <> 'matched')""",
    "mentee with more than one open process": """
        SELECT count(*) FROM (SELECT 1 FROM mentoring_processes WHERE state IN ('matched', 'agreement_signed', 'active',
        'in_evaluation') GROUP BY tenant_id, mentee_id HAVING count(*) > 1) AS doubles""",
    "matched participant without consent to take part": """
        SELECT count(*) FROM mentoring_processes p WHERE NOT EXISTS (SELECT 1 FROM consents c WHERE c.tenant_id = p.tenant_id
        AND c.mentor_id = p.mentor_id AND c.purpose = 'programme' AND c.given_on <= p.matched_on)
        OR NOT EXISTS (SELECT 1 FROM consents c WHERE c.tenant_id = p.tenant_id AND c.mentee_id = p.mentee_id
        AND c.purpose = 'programme' AND c.given_on <= p.matched_on)""",
    "mentor matched before their training": """
        SELECT count(*) FROM mentoring_processes p JOIN mentors r ON r.tenant_id = p.tenant_id AND r.id = p.mentor_id
        WHERE r.training_completed_on IS NULL OR r.training_completed_on > p.matched_on""",
    "process whose events do not end in its state": """
        SELECT count(*) FROM mentoring_processes p WHERE p.state <> (SELECT e.to_state FROM process_events e
        WHERE e.tenant_id = p.tenant_id AND e.process_id = p.id AND e.to_state IS NOT NULL
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1)""",
    "meeting outside the process's meeting time": """
        SELECT count(*) FROM meetings g JOIN mentoring_processes p ON p.tenant_id = g.tenant_id AND p.id = g.process_id
        WHERE g.held_on < p.matched_on OR g.held_on > CURRENT_DATE OR (p.closed_on IS NOT NULL AND g.held_on > p.closed_on)""",
    "outcome answers at closing of a process not in its final evaluation or closed": """
        SELECT count(*) FROM outcome_assessments o JOIN mentoring_processes p ON p.tenant_id = o.tenant_id
        AND p.id = o.process_id WHERE o.stage = 'closing' AND p.state NOT IN ('in_evaluation', 'closed')""",
    "closed process without both final evaluations": """
        SELECT count(*) FROM mentoring_processes p WHERE p.state = 'closed' AND (SELECT count(*) FROM evaluations v
        WHERE v.tenant_id = p.tenant_id AND v.process_id = p.id) <> 2""",
}


def check_consistency(connection):
    """{rule: rows breaking it} for every rule that does not hold."""
    broken = {rule: connection.execute(query).fetchone()[0] for rule, query in CONSISTENCY_CHECKS.items()}
    connection.rollback()
    return {rule: count for rule, count in broken.items() if count}


def finish(connection, ids):
    for table, last in ids.last.items():
        if last:
            connection.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last])
    connection.commit()
    connection.autocommit = True
    connection.execute("VACUUM ANALYZE")
    connection.autocommit = False


def generate(database_url, size_name, seed=2026, chunk_rows=400_000, echo=click.echo, **counts):
    """Fill the bench database; returns a summary with rows per table and the rate. `counts`
    (tenants, mentors, ...) override the size's own."""
    size = replace(SIZES[size_name], **{name: value for name, value in counts.items() if value is not None})
    started = time.monotonic()
    with psycopg.connect(database_url) as connection:
        support_areas = dict(connection.execute("SELECT code, id FROM support_areas").fetchall())
        if not support_areas:
            raise click.ClickException("No support areas: run `flask db upgrade heads` on the bench database first.")
        reset(connection)
        connection.commit()
        keys = foreign_keys(connection)
        drop_foreign_keys(connection, keys)
        try:
            copied, generator, totals = _load(connection, size, size_name, seed, support_areas, chunk_rows, started)
        finally:
            connection.rollback()
            add_foreign_keys(connection, keys, echo)
        echo("Resetting sequences and analysing…")
        finish(connection, generator.ids)
        broken = check_consistency(connection)
        if broken:
            raise click.ClickException(f"The generated network breaks the programme's rules: {broken}")
    elapsed = time.monotonic() - started
    total_rows = sum(totals.values())
    return {"size": size_name, "rows": totals, "total_rows": total_rows, "seconds_copy": round(copied, 1),
            "seconds": round(elapsed, 1), "rows_per_second": round(total_rows / copied)}


def _load(connection, size, size_name, seed, support_areas, chunk_rows, started):
    """Generate and copy every chunk; returns (seconds, the generator, rows per table)."""
    generator = Generator(size, seed, support_areas, password_hash=PasswordHasher().hash(BENCH_PASSWORD))
    rows = Rows()
    partners, created = generator.network(rows)
    partners.append((("Parceiro de teste de sugestões", MATCHING_TENANT_SLUG, "ngo", "lisboa"), None))
    totals = {table: 0 for table in COLUMNS}
    pending = None
    with ThreadPoolExecutor(1) as copier, click.progressbar(
            length=len(partners), label=f"Generating {size_name}", file=sys.stderr) as bar:
        for index, (partner, share) in enumerate(partners, start=1):
            generator.partner(rows, partner, share, created, matching_tenant=share is None)
            bar.update(1)
            if rows.count >= chunk_rows or index == len(partners):
                if pending:
                    pending.result()
                for table, lines in rows.tables.items():
                    totals[table] += len(lines)
                pending, rows = copier.submit(copy_rows, connection, rows), Rows()
        pending.result()
    return time.monotonic() - started, generator, totals


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=SIZES, default="small")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--seed", type=int, default=2026)
    for field in fields(Size):
        parser.add_argument(f"--{field.name}", type=int, help=f"override the size's {field.name}")
    arguments = parser.parse_args(argv)
    summary = generate(arguments.database_url, arguments.size, arguments.seed,
                       **{field.name: getattr(arguments, field.name) for field in fields(Size)})
    click.echo(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()

"""Demo mentors and mentees at the programme's real size, and mentoring processes at every step,
created through the same schema and services staff use (each person is validated as the
registration form validates them, consented and interviewed), so the demo shows the programme.

People are drawn from `network.demo_distributions` (the benchmark's distributions) with one
random generator per partner seeded by the demo's seed and the partner's slug: the same seed
gives the same people, whichever partners were seeded before."""
import random
from datetime import date, timedelta

import sqlalchemy as sa

from network.demo_distributions import (
    AGE_BANDS, COUNTRIES, DAYS, EMPLOYMENT, GENDERS, MIGRATION_REASONS, NAMES_BY_ORIGIN, PERIODS,
    PROFESSIONAL_AREAS, REFERRALS, RESIDENCE, SUPPORT_AREA_WEIGHTS, chooser,
)
from network.extensions import db
from tenants.participants.models import Mentee, Mentor
from tenants.participants.schemas import PARTICIPANT_SCHEMAS
from tenants.participants.services import create_participant, record_consent, record_interview
from tenants.processes import services as processes
from tenants.tenancy import tenant_context

MENTOR_FIRST_NAMES = {
    "female": ("Joana", "Sofia", "Teresa", "Inês", "Catarina", "Marta", "Rita", "Filipa", "Helena", "Mariana"),
    "male": ("Miguel", "Ricardo", "Nuno", "Tiago", "João", "Pedro", "Rui", "André", "Luís", "Francisco"),
}
MENTOR_SURNAMES = ("Ribeiro", "Antunes", "Marques", "Lopes", "Gonçalves", "Ferreira", "Carvalho", "Pinto",
                   "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira", "Monteiro")
# Mentors' other languages, with how often a mentor speaks each.
MENTOR_LANGUAGES = (("en", "c1", 0.6), ("es", "b2", 0.3), ("fr", "b1", 0.25), ("uk", "c2", 0.03),
                    ("ar", "b2", 0.03))
# A mentor or mentee whose registration is not finished yet (no interview): the demo's waiting work.
APPLICANT_SHARE = 0.12
GOALS = [{"kind": "need", "text": "Encontrar trabalho na minha área", "target_date": None},
         {"kind": "dream", "text": "Abrir o meu próprio negócio", "target_date": None}]
# Partners with at least this many ready mentors and mentees show a process at every step.
PROCESS_WALKTHROUGH_PEOPLE = 4


def _email(name, number, slug, role):
    local = "".join(character for character in name.lower().replace(" ", ".") if character.isascii() and
                    (character.isalnum() or character == "."))
    return f"{local}.{number}.{role}@{slug}.demo.rede-mentores.pt"


def _availability(rng):
    return (sorted(rng.sample(DAYS, rng.randint(1, 4)), key=DAYS.index),
            sorted(rng.sample(PERIODS, rng.randint(1, 2)), key=PERIODS.index))


def _areas(pick_area, count):
    areas = []
    while len(areas) < count:
        area = pick_area()
        if area not in areas:
            areas.append(area)
    return areas


class PeopleDrawer:
    """The form data of demo mentors and mentees of one partner, drawn at random."""

    def __init__(self, rng, slug, places, today):
        self.rng, self.slug, self.places, self.today = rng, slug, places, today
        self.pick = {name: chooser(rng, weights) for name, weights in {
            "age": AGE_BANDS, "gender": GENDERS, "residence": RESIDENCE, "migration": MIGRATION_REASONS,
            "employment": EMPLOYMENT, "referral": REFERRALS, "area": SUPPORT_AREA_WEIGHTS,
            "country": {code: weight for code, (weight, _) in COUNTRIES.items()},
        }.items()}
        self.names_of = {code: names for codes, names in NAMES_BY_ORIGIN.items() for code in codes}

    def mentor(self, number):
        rng = self.rng
        gender = rng.choice(("female", "female", "male"))
        name = f"{rng.choice(MENTOR_FIRST_NAMES[gender])} {rng.choice(MENTOR_SURNAMES)} {rng.choice(MENTOR_SURNAMES)}"
        days, periods = _availability(rng)
        languages = [{"code": "pt", "level": "native"}] + [
            {"code": code, "level": level} for code, level, share in MENTOR_LANGUAGES if rng.random() < share]
        return {
            "full_name": name, "email": _email(name, number, self.slug, "mentor"),
            "municipality": rng.choice(self.places), "gender": gender, "languages": languages,
            "support_areas": _areas(self.pick["area"], rng.randint(1, 4)), "availability_days": days,
            "availability_periods": periods, "hours_per_week": rng.choice((2, 3, 4, 6)),
            "professional_area": rng.choice(PROFESSIONAL_AREAS), "referral_source": self.pick["referral"](),
            "training_completed_on": (self.today - timedelta(days=rng.randint(20, 600))).isoformat(),
        }

    def mentee(self, number):
        rng = self.rng
        country = self.pick["country"]()
        gender = self.pick["gender"]()
        female_names, male_names, surnames = self.names_of[country]
        first = rng.choice(female_names if gender == "female" else male_names if gender == "male"
                           else female_names + male_names)
        name = f"{first} {rng.choice(surnames)}"
        own_language = COUNTRIES[country][1]
        days, periods = _availability(rng)
        return {
            "full_name": name, "email": _email(name, number, self.slug, "mentee"),
            "municipality": rng.choice(self.places), "gender": gender, "country_of_origin": country,
            "nationality": country, "age_band": self.pick["age"](), "residence_status": self.pick["residence"](),
            "migration_reason": self.pick["migration"](), "employment_status": self.pick["employment"](),
            "arrival_year": rng.randint(self.today.year - 6, self.today.year),
            "portuguese_level": "native" if own_language == "pt" else rng.choice(("none", "a1", "a2", "b1", "b2")),
            "languages": [] if own_language == "pt" else [{"code": own_language, "level": "native"}],
            "support_areas": _areas(self.pick["area"], rng.randint(1, 3)), "availability_days": days,
            "availability_periods": periods, "referral_source": self.pick["referral"](),
        }


def seed_people(tenant, staff, places, mentors, mentees, seed, today=None):
    """`mentors` and `mentees` for `tenant` (skipped when it has any already: idempotent)."""
    today = today or date.today()
    with tenant_context(tenant.id):
        if db.session.scalar(sa.select(sa.func.count(Mentor.id))) or \
                db.session.scalar(sa.select(sa.func.count(Mentee.id))):
            return
        drawer = PeopleDrawer(random.Random(f"{seed}/{tenant.slug}"), tenant.slug, places, today)
        ready = {"mentor": [], "mentee": []}
        for role, count in (("mentor", mentors), ("mentee", mentees)):
            schema = PARTICIPANT_SCHEMAS[role]()
            for number in range(1, count + 1):
                data = schema.load(getattr(drawer, role)(number))
                participant = create_participant(role, data, staff)
                if number > PROCESS_WALKTHROUGH_PEOPLE and drawer.rng.random() < APPLICANT_SHARE:
                    continue  # registered, not yet interviewed
                registered = today - timedelta(days=drawer.rng.randint(30, 700))
                record_consent(participant, {"purpose": "programme", "text_version": "2026-01",
                                             "given_on": registered}, staff)
                record_interview(participant, {"held_on": registered, "interviewer_id": staff.id,
                                               "recommendation": "accept", "notes": None}, staff)
                ready[role].append(participant)
        if min(len(ready["mentor"]), len(ready["mentee"])) >= PROCESS_WALKTHROUGH_PEOPLE:
            _processes(ready["mentor"], ready["mentee"], staff, today)


def _processes(mentors, mentees, staff, today):
    """Processes at each step: matched, signed, active (with meetings and a follow-up), closed."""
    agreement = {"meeting_frequency": "weekly", "mode": "in_person", "place": "Biblioteca municipal",
                 "mentor_duties": "Encontrar-se todas as semanas e partilhar contactos úteis.",
                 "mentee_duties": "Preparar cada encontro e dizer o que precisa.", "goals": GOALS}
    processes.create_process(mentors[0], mentees[0], staff, today=today - timedelta(days=3))
    signed = processes.create_process(mentors[1], mentees[1], staff, today=today - timedelta(days=20))
    active = processes.create_process(mentors[2], mentees[2], staff, today=today - timedelta(days=75))
    closed = processes.create_process(mentors[3], mentees[3], staff, today=today - timedelta(days=200))
    for process in (signed, active, closed):
        processes.save_agreement(process, agreement, 0, staff)
        for side in ("mentor", "mentee"):
            processes.accept_agreement(process, side, staff, version=1)
    for process, started in ((active, today - timedelta(days=70)), (closed, today - timedelta(days=195))):
        processes.transition(process, "active", staff, today=started)
        for week in range(1, 5):
            processes.log_meeting(process, {"held_on": started + timedelta(days=7 * week), "duration_minutes": 60,
                                            "mode": "in_person", "topics": ["qualification_job_search"]},
                                  staff, "staff", today=today)
        goals = process.agreement.goals
        processes.record_follow_up(process, {"held_on": started + timedelta(days=31), "mentor_satisfaction": 4,
                                             "mentee_satisfaction": 5, "progress": {g.id: 2 for g in goals}},
                                   staff, today=today)
    processes.transition(closed, "in_evaluation", staff)
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(closed, side, {
            "satisfaction": 5, "changes": ["employment_found"], "would_repeat": True,
            "goal_outcomes": {goal.id: "met" for goal in closed.agreement.goals}}, staff)
    processes.close_process(closed, "goals_met", "end", staff, today=today - timedelta(days=10))

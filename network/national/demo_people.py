"""Demo mentors and mentees at the programme's real size, and mentoring processes at every step,
created through the same schema and services staff use (each person is validated as the
registration form validates them, consented and interviewed), so the demo shows the programme.

People are drawn from `network.national.demo_distributions` (the benchmark's distributions) with one
random generator per partner seeded by the demo's seed and the partner's slug: the same seed
gives the same people, whichever partners were seeded before."""
import random
from datetime import date, timedelta

import sqlalchemy as sa

from network.core.accounts.services import accept_invitation, create_user
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.national import demo_outcomes
from network.national.demo_activities import seed_activities
from network.national.demo_distributions import (
    AGE_BANDS,
    CANCEL_REASONS,
    COUNTRIES,
    DAYS,
    EMPLOYMENT,
    GENDERS,
    MIGRATION_REASONS,
    NAMES_BY_ORIGIN,
    OUTCOMES,
    PERIODS,
    PROFESSIONAL_AREAS,
    REFERRALS,
    RESIDENCE,
    SUPPORT_AREA_WEIGHTS,
    chooser,
)
from network.national.demo_history import mentee_status
from network.national.demo_plan import InsertRows, PartnerPlan
from network.national.demo_register import IMPORTED_LISTS, register
from tenants.participants.models import PARTICIPANT_MODELS, Mentee, Mentor
from tenants.portal import services as portal
from tenants.portal.services import invite_participant
from tenants.processes import services as processes

MENTOR_FIRST_NAMES = {
    "female": ("Joana", "Sofia", "Teresa", "Inês", "Catarina", "Marta", "Rita", "Filipa", "Helena", "Mariana"),
    "male": ("Miguel", "Ricardo", "Nuno", "Tiago", "João", "Pedro", "Rui", "André", "Luís", "Francisco"),
}
MENTOR_SURNAMES = ("Ribeiro", "Antunes", "Marques", "Lopes", "Gonçalves", "Ferreira", "Carvalho", "Pinto",
                   "Teixeira", "Moreira", "Correia", "Mendes", "Nunes", "Soares", "Vieira", "Monteiro")
# Mentors' other languages, with how often a mentor speaks each.
MENTOR_LANGUAGES = (("en", "c1", 0.6), ("es", "b2", 0.3), ("fr", "b1", 0.25), ("uk", "c2", 0.03),
                    ("ar", "b2", 0.03))
GOALS = [{"kind": "need", "text": "Encontrar trabalho na minha área", "target_date": None},
         {"kind": "dream", "text": "Abrir o meu próprio negócio", "target_date": None}]
# Mentors who volunteer through their employer (corporate social responsibility).
COMPANY_VOLUNTEER_SHARE = 0.15


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

    def __init__(self, rng, slug, places, today, company_ids):
        self.rng, self.slug, self.places, self.today, self.company_ids = rng, slug, places, today, company_ids
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
            "company_id": rng.choice(self.company_ids) if rng.random() < COMPANY_VOLUNTEER_SHARE else None,
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


def seed_people(tenant, staff, places, counts, seed, company_ids, today=None, process_ratio=1.0):
    """`counts` ({"mentor": n, "mentee": n}) people for `tenant` with two years of history
    (skipped when it has any already: idempotent). Returns (whether anything was seeded, the
    walkthrough's active process if one was created)."""
    today = today or date.today()
    with tenant_context(tenant.id):
        if db.session.scalar(sa.select(sa.func.count(Mentor.id))) or \
                db.session.scalar(sa.select(sa.func.count(Mentee.id))):
            return False, None
        drawer = PeopleDrawer(random.Random(f"{seed}/{tenant.slug}"), tenant.slug, places, today, company_ids)
        plan = PartnerPlan(drawer, counts, seed, tenant.slug, today, process_ratio, IMPORTED_LISTS.get(tenant.slug))
        register(plan, staff, IMPORTED_LISTS.get(tenant.slug))
        active = None
        if plan.walkthrough:
            active = _processes(*(_participants(plan.walkthrough_people[role]) for role in ("mentor", "mentee")),
                                staff, today, drawer.rng)
            _date_walkthrough_events()
        _write_history(plan, tenant.id, staff)
        seed_activities(plan, staff, today)
        return True, active


def _participants(people):
    return [person.participant for person in people]


# The moment of each step of the walkthrough's processes, from the days the services were given.
_WALKTHROUGH_MOMENTS = sa.text("""
    UPDATE process_events AS e SET occurred_at = CASE
        WHEN e.kind = 'created' THEN (p.matched_on + time '09:00') AT TIME ZONE 'UTC'
        WHEN e.kind IN ('agreement_saved', 'agreement_accepted') OR e.to_state = 'agreement_signed'
            THEN (p.matched_on + 3 + time '11:00') AT TIME ZONE 'UTC'
        WHEN e.to_state = 'active' THEN (p.activated_on + time '12:00') AT TIME ZONE 'UTC'
        WHEN e.kind = 'meeting_logged' THEN (CAST(e.details ->> 'held_on' AS date) + time '18:00') AT TIME ZONE 'UTC'
        WHEN e.to_state IN ('closed', 'cancelled') THEN (p.closed_on + time '16:00') AT TIME ZONE 'UTC'
        WHEN p.closed_on IS NOT NULL THEN (p.closed_on + time '10:00') AT TIME ZONE 'UTC'
        ELSE e.occurred_at END
    FROM mentoring_processes AS p WHERE p.tenant_id = e.tenant_id AND p.id = e.process_id""")


def _date_walkthrough_events():
    """The services stamp each step with the moment it is recorded; the walkthrough's steps
    happened on the days they were given (the roll-ups count signed agreements by month, the
    process page shows the timeline)."""
    db.session.flush()
    db.session.execute(_WALKTHROUGH_MOMENTS)


def _write_history(plan, tenant_id, staff):
    """The other mentees' processes over two years, written as rows (demo_history); the
    people's statuses then follow their last process."""
    rows, history = InsertRows(), plan.history
    for mentee, chain, mentors in plan.chains:
        previous = None
        for step, mentor in zip(chain, mentors):
            previous = history.process(rows, tenant_id, staff.id, mentor.participant.id, mentee.participant.id,
                                       step, previous)
    rows.insert()
    statuses = {"mentor": [{"person_id": mentor.participant.id, "new_status": "matched"}
                           for mentor in plan.people["mentor"] if mentor.open_processes],
                "mentee": [{"person_id": mentee.participant.id, "new_status": mentee_status(chain, history.rng)}
                           for mentee, chain, _ in plan.chains if chain]}
    for role, changes in statuses.items():
        table = PARTICIPANT_MODELS[role].__table__
        if changes:
            db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("person_id"))
                               .values(status=sa.bindparam("new_status")).execution_options(synchronize_session=False),
                               changes)


def _agreed(process, staff, agreement):
    processes.save_agreement(process, agreement, 0, staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, staff, version=1)


def _followed(process, staff, started, today, weeks):
    processes.transition(process, "active", staff, today=started)
    for week in range(1, weeks + 1):
        meeting = processes.log_meeting(process, {"held_on": started + timedelta(days=7 * week),
                                                  "duration_minutes": 60, "mode": "in_person",
                                                  "topics": ["qualification_job_search"]}, staff, "staff", today=today)
        # Both sides confirm each meeting in the portal (verified hours), but the mentee has not
        # answered about the latest one yet.
        for side in ("mentor", "mentee") if week < weeks else ("mentor",):
            portal.answer_meeting(process, side, meeting, {"answer": "confirmed"}, None)
    goals = process.agreement.goals
    processes.record_follow_up(process, {"held_on": started + timedelta(days=31), "mentor_satisfaction": 4,
                                         "mentee_satisfaction": 5, "progress": {goal.id: 2 for goal in goals}},
                               staff, today=today)


def _processes(mentors, mentees, staff, today, rng):
    """One process at each step: matched, agreement signed, active (meetings and a follow-up),
    in final evaluation, closed with an outcome drawn as in the programme (a redefined one goes
    on as a new process of the same pair), and cancelled."""
    agreement = {"meeting_frequency": "weekly", "mode": "in_person", "place": "Biblioteca municipal",
                 "mentor_duties": "Encontrar-se todas as semanas e partilhar contactos úteis.",
                 "mentee_duties": "Preparar cada encontro e dizer o que precisa.", "goals": GOALS}
    pairs = iter(zip(mentors, mentees))

    def started(days_ago):
        return processes.create_process(*next(pairs), staff, today=today - timedelta(days=days_ago))

    started(3)
    _agreed(started(20), staff, agreement)
    active = started(75)
    _agreed(active, staff, agreement)
    _followed(active, staff, today - timedelta(days=70), today, weeks=4)
    evaluating = started(240)
    _agreed(evaluating, staff, agreement)
    impact = demo_outcomes.outcome_rng(rng)
    demo_outcomes.at_start(evaluating, staff, impact)
    _followed(evaluating, staff, today - timedelta(days=235), today, weeks=8)
    processes.transition(evaluating, "in_evaluation", staff)
    closed = started(400)
    _agreed(closed, staff, agreement)
    _closed(closed, staff, today, rng, impact)
    cancelled = started(60)
    processes.transition(cancelled, "cancelled", staff, reason=rng.choice(CANCEL_REASONS),
                         today=today - timedelta(days=30))
    return active


def _closed(closed, staff, today, rng, impact):
    """Followed for six weeks, evaluated by both and closed with an outcome drawn as in the
    programme (a redefined one goes on as a new process of the same pair)."""
    start = demo_outcomes.at_start(closed, staff, impact)
    _followed(closed, staff, today - timedelta(days=395), today, weeks=6)
    processes.transition(closed, "in_evaluation", staff)
    demo_outcomes.at_closing(closed, staff, start, impact)
    outcome = chooser(rng, OUTCOMES)()
    goal_outcome = {"goals_met": "met", "partly_met": "partly", "not_met": "not_met", "redefined": "partly"}[outcome]
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(closed, side, {
            "satisfaction": 5 if outcome == "goals_met" else 3, "changes": ["employment_found"],
            "would_repeat": True, "goal_outcomes": {goal.id: goal_outcome for goal in closed.agreement.goals}}, staff)
    next_step = "redefine" if outcome == "redefined" else "end"
    processes.close_process(closed, outcome, next_step, staff, today=today - timedelta(days=150))


def portal_accounts(tenant, staff, process, password):
    """The active process's mentor (in Portuguese) and mentee (in English) get portal accounts,
    invited and accepted as staff and participants do; returns their logins."""
    with tenant_context(tenant.id):
        for participant, locale in ((process.mentor, "pt_PT"), (process.mentee, "en")):
            invitation, _token = invite_participant(tenant, participant, staff, valid_days=14)
            user = create_user(participant.email, participant.full_name, password, preferred_locale=locale)
            accept_invitation(invitation, tenant, user)


def portal_logins(tenant):
    """(role, e-mail) of the demo's portal accounts in `tenant`."""
    with tenant_context(tenant.id):
        return [(f"{model.__name__.lower()} (portal)", email) for model in (Mentor, Mentee)
                for email in db.session.scalars(sa.select(model.email).where(model.user_id.is_not(None))
                                                 .order_by(model.id))]

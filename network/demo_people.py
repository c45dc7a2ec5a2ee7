"""Demo mentors, mentees and mentoring processes for a few partners, created through
the same services staff use, so the demo shows every step of the programme."""
from datetime import date, timedelta

import sqlalchemy as sa

from network.extensions import db
from tenants.participants.models import Mentor
from tenants.participants.services import create_participant, record_consent
from tenants.processes import services as processes
from tenants.tenancy import tenant_context

MENTORS = [
    ("Joana Ribeiro", "female", [("en", "c1")], ["qualification_job_search", "digital_skills"]),
    ("Miguel Antunes", "male", [("en", "b2"), ("fr", "b1")], ["entrepreneurship", "legal_documentation"]),
    ("Sofia Marques", "female", [("es", "c1")], ["health", "parenting"]),
    ("Ricardo Lopes", "male", [("en", "c2")], ["housing", "citizenship_participation"]),
    ("Teresa Gonçalves", "female", [("fr", "c1"), ("en", "b2")], ["portuguese_language", "education"]),
    ("Nuno Ferreira", "male", [("uk", "b1"), ("ru", "b2")], ["qualification_job_search"]),
]
MENTEES = [
    ("Amina Yusuf", "female", "NG", "25_34", "international_protection", [("en", "c1")], ["qualification_job_search", "portuguese_language"]),
    ("Olena Kovalenko", "female", "UA", "35_44", "temporary_protection", [("uk", "native"), ("ru", "c1")], ["qualification_job_search", "housing"]),
    ("Mohammed Al-Hassan", "male", "SY", "25_34", "international_protection", [("ar", "native"), ("en", "b1")], ["legal_documentation", "entrepreneurship"]),
    ("Lucía Fernández", "female", "VE", "45_54", "residence_permit", [("es", "native")], ["health", "parenting"]),
    ("Ibrahima Diallo", "male", "SN", "18_24", "application_pending", [("fr", "native"), ("wo", "native")], ["education", "portuguese_language"]),
    ("Priya Sharma", "female", "IN", "25_34", "residence_permit", [("hi", "native"), ("en", "c1")], ["digital_skills", "citizenship_participation"]),
    ("Bashir Ahmadi", "male", "AF", "35_44", "asylum_seeker", [("fa", "native"), ("en", "a2")], ["housing", "health"]),
]
GOALS = [{"kind": "need", "text": "Encontrar trabalho na minha área", "target_date": None},
         {"kind": "dream", "text": "Abrir o meu próprio negócio", "target_date": None}]


def _email(name, slug, role):
    local = name.lower().replace(" ", ".").replace("í", "i").replace("ç", "c").replace("-", "")
    return f"{local}.{role}@{slug}.demo.rede-mentores.pt"


def seed_people(tenant, staff, today=None):
    """A small pool for `tenant` (skipped when it already has mentors: idempotent)."""
    today = today or date.today()
    with tenant_context(tenant.id):
        if db.session.scalar(sa.select(sa.func.count(Mentor.id))):
            return
        consent = {"purpose": "programme", "text_version": "2026-01", "given_on": today - timedelta(days=90)}
        mentors = []
        for name, gender, languages, areas in MENTORS:
            mentor = create_participant("mentor", {
                "full_name": name, "email": _email(name, tenant.slug, "mentor"), "municipality": "Lisboa",
                "gender": gender, "languages": [{"code": c, "level": lv} for c, lv in [("pt", "native"), *languages]],
                "support_areas": areas, "availability_days": ["tue", "thu", "sat"],
                "availability_periods": ["evening"], "hours_per_week": 2,
                "training_completed_on": today - timedelta(days=60)}, staff)
            record_consent(mentor, consent, staff)
            mentor.status = "available"
            mentors.append(mentor)
        mentees = []
        for name, gender, country, age_band, residence, languages, areas in MENTEES:
            mentee = create_participant("mentee", {
                "full_name": name, "email": _email(name, tenant.slug, "mentee"), "municipality": "Lisboa",
                "gender": gender, "country_of_origin": country, "nationality": country, "age_band": age_band,
                "residence_status": residence, "arrival_year": today.year - 2, "portuguese_level": "a2",
                "languages": [{"code": c, "level": lv} for c, lv in languages], "support_areas": areas,
                "availability_days": ["thu", "sat"], "availability_periods": ["evening"]}, staff)
            record_consent(mentee, consent, staff)
            mentee.status = "waiting"
            mentees.append(mentee)
        _processes(mentors, mentees, staff, today)


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

"""The demo's activities: each partner's initial trainings, presentation sessions, company
presentations and workshops over the last year, past ones with their attendance and the next
few weeks' with their invitations; and the coordination team's network activities.

The activities are created through the activity form's schema and services; the invitations and
the attendance of past sessions are history written as rows (the services would e-mail every
person invited, and attendance is recorded only on or after the day)."""
import random
from datetime import timedelta

import sqlalchemy as sa

from network.core.extensions import db
from network.national.demo_history import at
from tenants.activities.models import ActivityInvitation, NetworkActivity
from tenants.activities.schemas import ActivitySchema, PartnerActivitySchema
from tenants.activities.services import save_activity, save_network_activity

# (days from today, kind, audience, title)
ACTIVITIES = (
    (-330, "training_mentors", "mentors", "Formação inicial de mentores"),
    (-290, "presentation_session", "public", "Sessão de apresentação do Programa de Mentores"),
    (-240, "training_mentees", "mentees", "Formação inicial de mentorandos"),
    (-170, "company_presentation", "companies", "Apresentação do programa a empresas"),
    (-120, "workshop", "participants", "Troca de talentos: preparar uma entrevista de emprego"),
    (-60, "training_mentors", "mentors", "Formação inicial de mentores"),
    (-25, "workshop", "participants", "Troca de talentos: o meu currículo em português"),
    (9, "presentation_session", "public", "Sessão de apresentação do Programa de Mentores"),
    (16, "training_mentees", "mentees", "Formação inicial de mentorandos"),
    (37, "training_mentors", "mentors", "Formação inicial de mentores"),
)
# A small partner (fewer people than this) runs the last training, a workshop and the next session.
SMALL_PARTNER_PEOPLE = 12
SMALL_PARTNER_ACTIVITIES = ACTIVITIES[5:8]
PLACES = ("Biblioteca municipal", "Sede do parceiro", "Centro comunitário", "Sessão online")
NETWORK_ACTIVITIES = (
    (-200, "annual_meeting", "partners", "Encontro anual da rede de mentores"),
    (-95, "seminar", "public", "Seminário: mentoria, emprego e habitação"),
    (45, "seminar", "partners", "Seminário: acolher e acompanhar mentorandos refugiados"),
)
INVITED_PER_ACTIVITY = 12
ATTENDANCE_RATE = 0.8


def seed_activities(plan, staff, today):
    """The partner's activities (once: the caller runs this with the partner's people)."""
    people = [person for role_people in plan.people.values() for person in role_people]
    chosen = ACTIVITIES if len(people) >= SMALL_PARTNER_PEOPLE else SMALL_PARTNER_ACTIVITIES
    rng = random.Random(f"{plan.seed_key}/activities")
    company_id = next((person.data["company_id"] for person in people if person.data.get("company_id")), None)
    facilitators = [person for person in people if person.ready]
    invitations = []
    for index, (days, kind, audience, title) in enumerate(chosen):
        data = {"kind": kind, "audience": audience, "title": title, "place": PLACES[index % len(PLACES)],
                "held_on": (today + timedelta(days=days)).isoformat(),
                "description": "Sessão do Programa de Mentores para Migrantes."}
        if kind == "workshop":
            leader = facilitators[index % len(facilitators)].participant
            data["facilitator"] = f"{leader.role}:{leader.id}"
        if kind == "company_presentation" and company_id is not None:
            data["company_id"] = company_id
        activity = save_activity(PartnerActivitySchema().load(data), staff)
        invitations += _invitations(rng, activity, people, staff, today)
    if invitations:
        db.session.execute(sa.insert(ActivityInvitation.__table__), invitations)


def _invitations(rng, activity, people, staff, today):
    """Some of the partner's people invited; for a past session, who came."""
    candidates = [person.participant for person in people if person.role in activity.invitable_roles]
    invited = rng.sample(candidates, min(INVITED_PER_ACTIVITY, len(candidates)))
    past = activity.held_on < today
    rows = []
    for participant in invited:
        rows.append({
            "tenant_id": activity.tenant_id, "activity_id": activity.id, "mentor_id": None, "mentee_id": None,
            f"{participant.role}_id": participant.id,
            "invited_at": at(min(activity.held_on - timedelta(days=14), today), 9), "invited_by_id": staff.id,
            "attended": (rng.random() < ATTENDANCE_RATE) if past else None,
            "attendance_recorded_at": at(activity.held_on + timedelta(days=1), 17) if past else None,
            "attendance_recorded_by_id": staff.id if past else None,
        })
    return rows


def seed_network_activities(coordinator, today):
    """The coordination team's activities, once (call inside the coordination's tenant
    context); returns whether they were created now."""
    if db.session.scalar(sa.select(sa.func.count(NetworkActivity.id))):
        return False
    for days, kind, audience, title in NETWORK_ACTIVITIES:
        save_network_activity(ActivitySchema().load({
            "kind": kind, "audience": audience, "title": title, "place": "Lisboa, Auditório da Coordenação",
            "held_on": (today + timedelta(days=days)).isoformat()}), coordinator)
    return True


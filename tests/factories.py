"""Factories: tenants, users with memberships, and logging in, as a test reads best."""
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa

from network.core.accounts import services as accounts
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.tenancy.services import create_tenant
from network.core.timeutil import utcnow
from tenants.intake import services as intake
from tenants.intake.services import record_consent, record_interview
from tenants.participants.imports import start_import
from tenants.participants.services import create_participant

PASSWORD = "um-segredo-bem-comprido"


def make_tenant(slug, kind="ngo", district="lisboa", name=None, locale="pt_PT"):
    return create_tenant(name or slug.replace("-", " ").title(), slug, kind, district, locale)


def make_user(email, name=None, roles=(), password=PASSWORD, locale=None, active=True):
    """`roles`: (tenant, role) pairs."""
    user = accounts.create_user(email, name or email.split("@")[0].title(), password, preferred_locale=locale)
    user.active = active
    for tenant, role in roles:
        accounts.grant_membership(user, tenant, role)
    return user


def two_partner_network():
    coordination = make_tenant("coordenacao", kind="coordination", name="Coordenação Nacional")
    alpha = make_tenant("alpha", kind="municipality", district="porto", name="Câmara Municipal Alfa")
    beta = make_tenant("beta", kind="ngo", district="faro", name="Associação Beta")
    coordinator = make_user("coord@example.pt", "Helena Coordenadora", [(coordination, "coordinator")])
    alpha_admin = make_user("admin@alpha.pt", "Ana Admin", [(alpha, "partner_admin")])
    alpha_staff = make_user("staff@alpha.pt", "Tiago Técnico", [(alpha, "staff")])
    beta_admin = make_user("admin@beta.pt", "Bruno Admin", [(beta, "partner_admin")])
    beta_staff = make_user("staff@beta.pt", "Beatriz Técnica", [(beta, "staff")])
    db.session.flush()
    return SimpleNamespace(
        coordination=SimpleNamespace(id=coordination.id, slug=coordination.slug),
        alpha=SimpleNamespace(id=alpha.id, slug=alpha.slug),
        beta=SimpleNamespace(id=beta.id, slug=beta.slug),
        coordinator=coordinator.email,
        alpha_admin=alpha_admin.email,
        alpha_staff=alpha_staff.email,
        beta_admin=beta_admin.email,
        beta_staff=beta_staff.email,
    )


def login(client, email, password=PASSWORD, locale=None):
    if locale:
        client.post("/locale", data={"locale": locale})
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _participant_data(full_name, email, phone, municipality, extra):
    return {
        "full_name": full_name, "email": email, "phone": phone, "municipality": municipality,
        "languages": [], "support_areas": [], "availability_days": [], "availability_periods": [], **extra,
    }


def make_mentor(full_name="Marta Mentora", email=None, phone=None, municipality="Lisboa", actor=None, **extra):
    """A mentor of the current tenant (call inside tenant_context)."""
    email = email if email is not None else f"{full_name.split()[0].lower()}.mentor@example.pt"
    return create_participant("mentor", _participant_data(full_name, email, phone, municipality, extra), actor)


def make_mentee(full_name="Amina Mentoranda", email=None, phone=None, municipality="Lisboa", actor=None, **extra):
    """A mentee of the current tenant (call inside tenant_context)."""
    email = email if email is not None else f"{full_name.split()[0].lower()}.mentee@example.pt"
    return create_participant("mentee", _participant_data(full_name, email, phone, municipality, extra), actor)


def give_consent(participant, actor=None, purpose="programme"):
    return record_consent(participant, {"purpose": purpose, "text_version": "2026-01", "given_on": date.today()},
                          actor)


def one_participant_record_of_each_kind(actor):
    """A mentor and a mentee with a language, a support area, a consent and an interview,
    and a pending import: a row in every participants table of the current tenant."""
    mentor = make_mentor(languages=[{"code": "en", "level": "c1"}], support_areas=["housing"], actor=actor)
    mentee = make_mentee(portuguese_level="a2", languages=[{"code": "ar", "level": "native"}],
                         support_areas=["health"], actor=actor)
    consents = [give_consent(mentor, actor), give_consent(mentee, actor)]
    for participant in (mentor, mentee):
        record_interview(participant, {"held_on": date.today(), "interviewer_id": actor.id,
                                       "recommendation": "accept"}, actor)
    csv = b"full_name,email,municipality\nRui Importado,rui@example.pt,Porto\n"
    participant_import = start_import("mentor", "list.csv", csv, actor)
    partner_question = intake.add_partner_question(
        "mentee", {"kind": "yes_no", "prompt_pt": "Tem filhos?", "prompt_en": "Do you have children?",
                   "required": False}, actor)
    question_set, questions = intake.questionnaire("mentee")
    intake.record_intake(mentee, {question.key: None for question in questions}, actor)
    return SimpleNamespace(mentor_id=mentor.id, mentee_id=mentee.id, consent_id=consents[0].id,
                           mentee_consent_id=consents[1].id, import_id=participant_import.id,
                           partner_question_id=partner_question.id, question_set_id=question_set.id,
                           question_id=questions[0].id)


def _email_for(name, role):
    return f"{name.lower().replace(' ', '.')}.{role}@example.pt"


def make_ready_mentor(name="Marta Mentora", **extra):
    """A trained, consented mentor, available for matching (current tenant)."""
    mentor = make_mentor(name, email=_email_for(name, "mentor"), training_completed_on=date(2026, 1, 10), **extra)
    mentor.status = "available"
    give_consent(mentor)
    return mentor


def make_ready_mentee(name="Amina Mentoranda", **extra):
    """A consented mentee waiting for a mentor (current tenant)."""
    mentee = make_mentee(name, email=_email_for(name, "mentee"), **extra)
    mentee.status = "waiting"
    give_consent(mentee)
    return mentee


def one_process_record_of_each_kind(actor):
    """A process with an agreement, a meeting, a follow-up and both final evaluations, and
    the partner's matching settings: a row in every processes and matching table."""
    from tenants.casework.services import assign_owner, snooze_task
    from tenants.matching import proposals
    from tenants.matching.models import MenteeChoice
    from tenants.matching.services import save_matching_settings
    from tenants.outcomes import services as outcomes
    from tenants.portal import services as portal
    from tenants.processes import services as processes

    process = processes.create_process(make_ready_mentor("Paulo Processo"), make_ready_mentee("Paula Processo"),
                                       actor, today=date(2026, 1, 5))
    processes.save_agreement(process, {
        "meeting_frequency": "weekly", "mode": "online", "mentor_duties": "Meet.", "mentee_duties": "Come.",
        "goals": [{"kind": "need", "text": "Find work", "target_date": None}]}, 0, actor)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, actor, version=1)
    processes.transition(process, "active", actor, today=date(2026, 1, 5))
    meeting = processes.log_meeting(process, {"held_on": date(2026, 1, 12), "duration_minutes": 60,
                                              "mode": "online"}, actor, "staff")
    portal.answer_meeting(process, "mentor", meeting, {"answer": "confirmed"}, None)  # the portal's confirmations
    goal_id = process.agreement.goals[0].id
    processes.record_follow_up(process, {"held_on": date(2026, 2, 5), "progress": {goal_id: 2}}, actor)
    outcomes.record_assessment(process, "mentee", "intake", {}, actor)  # the outcome tables (tenants.outcomes)
    outcomes.save_expectations(process, {goal_id: {"expected_outcome": "A job in six months"}}, actor)
    processes.transition(process, "in_evaluation", actor)
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(process, side, {"satisfaction": 4, "would_repeat": True,
                                                    "goal_outcomes": {goal_id: "met"}}, actor)
    save_matching_settings({"max_mentees_per_mentor": 3})
    proposal = proposals.create_proposal(actor)
    proposals.compute(proposal)
    why_not = proposals.ask_why_not(proposal, process.mentee, process.mentor, actor)
    proposals.answer_why_not(why_not)
    db.session.add(MenteeChoice(mentee_id=process.mentee_id, declined=[process.mentor_id]))
    assign_owner(process, actor.id, actor)
    snooze_task("follow_up_due", process.id, date(2026, 3, 1), "Férias do mentor", actor, today=date(2026, 1, 5))
    db.session.flush()
    return SimpleNamespace(process_id=process.id, mentor_id=process.mentor_id, mentee_id=process.mentee_id,
                           proposal_id=proposal.id, why_not_id=why_not.id)


def one_portal_record_of_each_kind(tenant, actor):
    """A mentee invited to the portal, and a mentor's answer to a follow-up: a row in every
    portal table of the current tenant."""
    from tenants.portal import services as portal
    from tenants.processes import services as processes

    portal.invite_participant(tenant, make_ready_mentee("Inês Convidada"), actor, 14)
    process = processes.create_process(make_ready_mentor("Rui Respondente"), make_ready_mentee("Rita Respondente"),
                                       actor, today=date(2026, 1, 5))
    processes.save_agreement(process, {
        "meeting_frequency": "weekly", "mode": "online", "mentor_duties": "Meet.", "mentee_duties": "Come.",
        "goals": [{"kind": "need", "text": "Find work", "target_date": None}]}, 0, actor)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, actor, version=1)
    processes.transition(process, "active", actor, today=date(2026, 1, 5))
    portal.answer_follow_up(process, "mentor", {"satisfaction": 4, "progress": {process.agreement.goals[0].id: 2}},
                            actor, today=date(2026, 2, 1))
    return SimpleNamespace(process_id=process.id)


def one_activity_record_of_each_kind(actor):
    """An activity of the current tenant with an invitation (attended) of a mentor, and an
    invitation of a mentee to a network activity: a row in every activities table."""
    from tenants.activities import services as activities
    from tenants.activities.models import NetworkActivity

    mentor = make_mentor("Inês Formanda", email="ines.formanda@example.pt", actor=actor)
    mentee = make_mentee("Omar Convidado", email="omar.convidado@example.pt", actor=actor)
    activity = activities.save_activity({"kind": "training_mentors", "title": "Formação inicial",
                                         "held_on": date(2026, 2, 1), "place": "Biblioteca",
                                         "audience": "mentors"}, actor)
    invitation, = activities.invite(activity, [f"mentor:{mentor.id}"], actor)
    activities.record_attendance(activity, {invitation.id: True}, actor)
    network_activity = db.session.scalar(db.select(NetworkActivity).order_by(NetworkActivity.id))
    if network_activity is None:
        network_activity = NetworkActivity(kind="seminar", title="Seminário nacional", held_on=date(2026, 3, 1),
                                           place="Lisboa", audience="participants")
        db.session.add(network_activity)
        db.session.flush()
    network_invitation, = activities.invite(network_activity, [f"mentee:{mentee.id}"], actor)
    return SimpleNamespace(activity_id=activity.id, invitation_id=invitation.id,
                           network_activity_id=network_activity.id, network_invitation_id=network_invitation.id,
                           mentor_id=mentor.id, mentee_id=mentee.id)


def one_privacy_record_of_each_kind(actor):
    """The partner's retention rules and an anonymised mentee: a row in every privacy table."""
    from tenants.privacy.erasure import erase_participant
    from tenants.privacy.retention import save_retention_rules

    save_retention_rules({"months_after_last_process": 12, "import_days": None}, actor)
    mentee = make_mentee("Eva Apagada", email="eva.apagada@example.pt", actor=actor)
    erasure = erase_participant(mentee, actor, "Pedido da titular")
    return SimpleNamespace(mentee_id=mentee.id, erasure_id=erasure.id)


def one_notes_record_of_each_kind(actor):
    """A note on a mentee, edited once, and a file on it: a row in every case-file table."""
    from tenants.notes import services as notes

    mentee = make_mentee("Nádia Notada", email="nadia.notada@example.pt", actor=actor)
    note = notes.add_note(mentee, "Primeira conversa.", actor)
    notes.edit_note(note, "Primeira conversa, com intérprete.", actor)
    attachment = notes.add_attachment(mentee, "plano.pdf", b"%PDF-1.4 plano", actor, 1024 * 1024)
    return SimpleNamespace(mentee_id=mentee.id, note_id=note.id, attachment_id=attachment.id)


def objects_for_every_route(tenant, admin, staff):
    """One object of every kind a workspace URL names by id, in `tenant` (the id of each,
    by URL parameter name). Network-level objects (partners, companies, network
    activities) are the caller's to add."""
    from network.core.accounts import services as accounts
    from network.core.accounts.models import Membership
    from network.core.mail import send_email
    from network.core.tenancy import tenant_context
    from network.national.dashboards.models import DashboardExport

    with tenant_context(tenant.id):
        invitation, _ = accounts.invite(tenant, admin, {"partner_admin"}, f"new@{tenant.slug}.pt", "staff", 14)
        participants = one_participant_record_of_each_kind(staff)
        process = one_process_record_of_each_kind(staff)
        activity = one_activity_record_of_each_kind(staff)
        case_file = one_notes_record_of_each_kind(staff)
        message = send_email(f"new@{tenant.slug}.pt", "accounts/email/password_reset.txt", "pt_PT",
                             name="Nova", reset_url="http://localhost/")
        export = DashboardExport(user_id=staff.id, file_format="csv", locale="pt_PT", filters={}, status="done",
                                 progress=100, filename="export.csv", content=b"x")
        db.session.add(export)
        db.session.flush()
        ids = _ids_by_url_parameter(invitation, message, export, participants, process, activity, case_file)
    ids["membership_id"] = db.session.scalar(sa.select(Membership.id).filter_by(user_id=staff.id))
    ids["incoming_id"] = _incoming_transfer(tenant)
    ids["grant_id"] = _break_glass_grant(tenant, admin, participants.mentee_id)
    return ids


def _ids_by_url_parameter(invitation, message, export, participants, process, activity, case_file):
    """The id of each object `objects_for_every_route` made, by the URL parameter that names it."""
    return {
        "proposal_id": process.proposal_id,
        "why_not_id": process.why_not_id,
        "invitation_id": invitation.id,
        "message_id": message.id,
        "export_id": export.id,
        "mentor_id": participants.mentor_id,
        "mentee_id": participants.mentee_id,
        "consent_id": participants.consent_id,
        "import_id": participants.import_id,
        "partner_question_id": participants.partner_question_id,
        "question_set_id": participants.question_set_id,
        "question_id": participants.question_id,
        "process_id": process.process_id,
        "activity_id": activity.activity_id,
        "network_activity_id": activity.network_activity_id,
        "side": "mentor",
        "task_kind": "follow_up_due",
        "subject_id": process.process_id,
        "note_id": case_file.note_id,
        "attachment_id": case_file.attachment_id,
        "stage": "closing",  # an outcome form's stage (tenants.outcomes)
    }


def _break_glass_grant(tenant, user, mentee_id):
    from tenants.breakglass.models import BreakGlassGrant

    with tenant_context(tenant.id):
        grant = BreakGlassGrant(requested_by_id=user.id, mentee_id=mentee_id, reason="Incidente",
                                requested_at=utcnow(), expires_at=utcnow())
        db.session.add(grant)
        db.session.flush()
        return grant.id


def one_transfer_record_of_each_kind(tenant, other_tenant_id, mentee_id):
    """Both sides of a transfer in the current tenant (rows only: the functions are tested in
    tests/transfers)."""
    from tenants.transfers.models import IncomingTransfer, OutgoingTransfer

    db.session.add(OutgoingTransfer(mentee_id=mentee_id, to_tenant_id=other_tenant_id, items=["profile"],
                                    package={}, consent_text_version="t-1", consent_given_on=date.today()))
    db.session.add(IncomingTransfer(from_tenant_id=other_tenant_id, source_transfer_id=0, role="mentee",
                                    items=["profile"]))
    from tenants.breakglass.models import BreakGlassGrant

    db.session.add(BreakGlassGrant(mentee_id=mentee_id, reason="Incidente", requested_at=utcnow(),
                                   expires_at=utcnow()))
    db.session.flush()


def _incoming_transfer(tenant):
    """A transfer offered to `tenant` (its side only: the sending side is not needed to list it)."""
    from tenants.transfers.models import IncomingTransfer

    with tenant_context(tenant.id):
        incoming = IncomingTransfer(from_tenant_id=tenant.id, source_transfer_id=0, role="mentee", items=["profile"])
        db.session.add(incoming)
        db.session.flush()
        return incoming.id


def make_api_token(user, scopes=None, days=90, name="Integração"):
    """An API token of `user` (every scope unless told); returns the secret to send."""
    from network.core.api.models import SCOPES
    from network.core.api.tokens import create_token

    _token, secret = create_token(user, name, list(SCOPES) if scopes is None else scopes, days)
    return secret


def bearer(secret, locale=None):
    headers = {"Authorization": f"Bearer {secret}"}
    if locale:
        headers["Accept-Language"] = locale
    return headers

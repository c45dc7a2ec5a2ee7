"""The `flask` commands: create-tenant, create-user, seed-demo, doctor."""
import re
from datetime import date

import sqlalchemy as sa

from network.core.accounts.models import Membership, User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.reference.models import Company
from network.core.tenancy import national_rollup_bypass
from network.core.tenancy.models import Tenant
from network.national.coordination.companies import company_report
from network.national.dashboards.models import RollupCount
from tenants.activities.models import Activity, ActivityInvitation, NetworkActivity
from tenants.participants.models import Mentee, Mentor, ParticipantImport
from tenants.processes.models import Evaluation, FollowUp, Meeting, MentoringProcess, ProcessEvent


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                     for model in (Tenant, User, Membership))


def _people(app):
    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count(model.id)).where(*where))

    with app.app_context(), national_rollup_bypass("test: demo counts"):
        states = dict(db.session.execute(sa.select(MentoringProcess.state, sa.func.count())
                                         .group_by(MentoringProcess.state)).all())
        countries = dict(db.session.execute(sa.select(Mentee.country_of_origin, sa.func.count())
                                            .group_by(Mentee.country_of_origin)).all())
        largest = db.session.execute(sa.select(Tenant.slug, sa.func.count(Mentee.id))
                                     .join(Mentee, Mentee.tenant_id == Tenant.id).group_by(Tenant.slug)
                                     .order_by(sa.func.count(Mentee.id).desc())).first()
        volunteers = db.session.scalar(sa.select(sa.func.count(Mentor.id)).where(Mentor.company_id.is_not(None)))
        volunteer_minutes = sum(company_report(company_id).minutes
                                for company_id in db.session.scalars(sa.select(Company.id)))
        return {"mentors": count(Mentor), "mentees": count(Mentee), "states": states, "countries": countries,
                "volunteers": volunteers, "volunteer_minutes": volunteer_minutes,
                "companies": db.session.scalar(sa.select(sa.func.count(Company.id))),
                "rollup_rows": db.session.scalar(sa.select(sa.func.count()).select_from(RollupCount)),
                "largest": tuple(largest), "names": sorted(db.session.scalars(sa.select(Mentee.full_name))),
                **_history(count)}


def _history(count):
    """What two years of the programme leave: dated processes, meetings, activities, imports, audit."""
    matched_on = db.session.execute(sa.select(sa.func.min(MentoringProcess.matched_on),
                                              sa.func.max(MentoringProcess.matched_on))).one()
    months = db.session.scalar(sa.select(sa.func.count(sa.distinct(sa.func.date_trunc(
        "month", sa.cast(MentoringProcess.matched_on, sa.DateTime))))))
    today = date.today()
    return {"matched_on": tuple(matched_on), "matched_months": months,
            "matched_mentees": db.session.scalar(sa.select(sa.func.count(sa.distinct(MentoringProcess.mentee_id)))),
            "meetings": count(Meeting), "follow_ups": count(FollowUp), "evaluations": count(Evaluation),
            "events": count(ProcessEvent),
            "activities": (count(Activity, Activity.held_on < today), count(Activity, Activity.held_on > today)),
            "network_activities": count(NetworkActivity),
            "attended": count(ActivityInvitation, ActivityInvitation.attended.is_(True)),
            "imports": count(ParticipantImport, ParticipantImport.confirmed_at.is_not(None)),
            "audit_events": count(AuditEvent)}


def test_seed_demo_builds_the_network_at_the_programmes_size_and_running_it_twice_changes_nothing(
        app, client, demo_network):
    runner = app.test_cli_runner()
    assert "coordenacao@demo.rede-mentores.pt" in demo_network  # what the first run printed
    counts = _counts(app)
    assert counts == (57, 1 + 56 * 3 + 2, 1 + 56 * 3 + 2)  # and the two portal accounts
    people = _people(app)
    _check_people(people)

    second = runner.invoke(args=["seed-demo", "--password", "demo-password-123"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == counts and _people(app) == people
    _check_partners(app)
    _check_logins(client, second.output)


def _check_people(people):
    assert (people["mentors"], people["mentees"]) == (622, 255)
    # The programme's volume: most mentees matched, many processes closed, some redefined,
    # cancelled or waiting; every state of a process, in every partner with enough people.
    states = people["states"]
    assert set(states) == {"matched", "agreement_signed", "active", "in_evaluation", "closed", "cancelled"}
    assert sum(states.values()) >= 240 and states["closed"] >= 60 and states["active"] >= 40, states
    assert people["matched_mentees"] >= 0.7 * 255
    # Two years of history, every month of it.
    first, last = people["matched_on"]
    assert (date.today() - first).days >= 540 and (date.today() - last).days <= 31
    assert people["matched_months"] >= 20
    assert people["meetings"] >= 10 * states["active"] and people["follow_ups"] >= states["active"]
    assert people["evaluations"] >= 2 * states["closed"]
    past, upcoming = people["activities"]
    assert past >= 100 and upcoming >= 56 and people["network_activities"] == 3 and people["attended"] >= 500
    assert people["imports"] == 3 and people["audit_events"] > 1000
    assert people["volunteers"] >= 50 and people["companies"] == 10 and people["volunteer_minutes"] > 0
    assert people["rollup_rows"] > 0
    # Brazil first, as in the programme; many origins; Lisbon the largest partner.
    assert max(people["countries"], key=people["countries"].get) == "BR" and len(people["countries"]) >= 15
    assert people["largest"] == ("cm-lisboa", 30)


def _check_partners(app):
    with app.app_context():
        kinds = dict(db.session.execute(sa.select(Tenant.kind, sa.func.count()).group_by(Tenant.kind)).all())
        districts = db.session.scalar(sa.select(sa.func.count(sa.distinct(Tenant.district))))
    assert kinds["coordination"] == 1 and kinds["municipality"] >= 20 and kinds["ngo"] >= 10
    assert kinds["immigrant_association"] >= 10 and districts >= 18


def _check_logins(client, output):
    response = client.post("/login",
                           data={"email": "admin@cm-lisboa.demo.rede-mentores.pt", "password": "demo-password-123"})
    assert response.status_code == 302
    assert client.get("/t/cm-lisboa/members").status_code == 200
    client.post("/logout")
    client.post("/login", data={"email": "coordenacao@demo.rede-mentores.pt", "password": "demo-password-123"})
    assert "Tejo Digital, Lda." in client.get("/t/coordenacao/companies").get_data(as_text=True)

    # A mentor (in Portuguese) and a mentee (in English) of an active process, printed with the rest.
    portal = re.findall(r"(mentor|mentee) \(portal\)\s+(\S+)\s+/t/cm-lisboa/portal/", output)
    assert [role for role, _ in portal] == ["mentor", "mentee"]
    for (role, email), pending in zip(portal, ("Responder às perguntas de acompanhamento",
                                               "Answer the follow-up questions")):
        client.post("/logout")
        assert client.post("/login", data={"email": email, "password": "demo-password-123"}).status_code == 302
        page = client.get("/t/cm-lisboa/portal/").get_data(as_text=True)
        assert re.search(r'href="/t/cm-lisboa/portal/processes/\d+"', page), role
        assert pending in page, role  # in the account's language


def test_create_tenant_and_user(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-tenant", "--name", "Associação Nova", "--slug", "nova",
                                 "--kind", "ngo", "--district", "braga"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-user", "--email", "Chefe@Nova.pt", "--name", "Chefe", "--password",
                                 "uma-senha-longa", "--tenant", "nova", "--role", "partner_admin"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).filter_by(email="chefe@nova.pt"))
        assert [(m.tenant.slug, m.role) for m in user.memberships] == [("nova", "partner_admin")]


def test_create_commands_refuse_bad_input_and_write_nothing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-tenant", "--name", "X", "--slug", "Not A Slug", "--kind", "ngo",
                                 "--district", "braga"])
    assert result.exit_code != 0 and "slug" in result.output
    runner.invoke(args=["create-tenant", "--name", "Nova", "--slug", "nova", "--kind", "ngo", "--district", "braga"])
    result = runner.invoke(args=["create-tenant", "--name", "Outra", "--slug", "nova", "--kind", "ngo",
                                 "--district", "braga"])
    assert result.exit_code != 0
    result = runner.invoke(args=["create-user", "--email", "x@nova.pt", "--name", "X", "--password", "curta",
                                 "--tenant", "nova", "--role", "coordinator"])
    assert result.exit_code != 0 and "password" in result.output
    result = runner.invoke(args=["create-user", "--email", "x@nova.pt", "--name", "X", "--password",
                                 "uma-senha-longa", "--tenant", "nova", "--role", "coordinator"])
    assert result.exit_code != 0 and "role" in result.output
    assert _counts(app) == (1, 0, 0)


def test_doctor_finds_the_second_wall_standing(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output
    for found in ("the app logs in as rede_app_login: rede_app_login",
                  "a request's transaction runs as the runtime role: rede_app",
                  "FORCE ROW LEVEL SECURITY on the", "(the owner) is refused: permission denied to set role",
                  "after RESET ROLE no table can be read"):
        assert found in result.output

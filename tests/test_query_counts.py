"""No N+1 queries on list pages: a page runs as many SQL statements with 25 rows as with 5.

Each test fills a list with 5 rows, counts the statements of one request (SQLAlchemy's
`before_cursor_execute`), adds 20 rows and counts again. A relationship loaded row by row
would add statements with every row and fail here.
"""
from datetime import date
from itertools import count
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.mail.models import OutboxMessage
from network.core.tenancy import tenant_context
from network.core.tenancy.models import Tenant
from tenants.processes import services as processes
from tests.factories import login, make_ready_mentee, make_ready_mentor, make_tenant, make_user

SMALL, LARGE = 5, 25
AGREEMENT = {"meeting_frequency": "weekly", "mode": "online", "mentor_duties": "Meet.", "mentee_duties": "Come.",
             "goals": [{"kind": "need", "text": "Find work", "target_date": None}]}


def statements_of(app, client, path):
    statements = []

    def remember(connection, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", remember)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", remember)
    assert response.status_code == 200, path
    return statements


def _mentor(number):
    return make_ready_mentor(f"Mentor Number{number}", languages=[{"code": "en", "level": "b2"}],
                             support_areas=["housing", "health"])


def _mentee(number):
    return make_ready_mentee(f"Mentee Number{number}", portuguese_level="a2",
                             languages=[{"code": "ar", "level": "native"}],
                             support_areas=["qualification_job_search", "housing"])


def add_mentors(numbers, how_many, partner):
    for _ in range(how_many):
        _mentor(next(numbers))


def add_mentees(numbers, how_many, partner):
    for _ in range(how_many):
        _mentee(next(numbers))


def add_processes(numbers, how_many, partner):
    """Processes in several states: matched, with an agreement, active."""
    for _ in range(how_many):
        number = next(numbers)
        staff = partner.staff
        process = processes.create_process(_mentor(number), _mentee(number), staff, today=date(2026, 1, 5))
        if number % 3:
            processes.save_agreement(process, AGREEMENT, 0, staff)
        if number % 3 == 2:
            for side in ("mentor", "mentee"):
                processes.accept_agreement(process, side, staff, version=1)
            processes.transition(process, "active", staff, today=date(2026, 1, 5))


def add_outbox_messages(numbers, how_many, partner):
    for _ in range(how_many):
        number = next(numbers)
        db.session.add(OutboxMessage(tenant_id=partner.tenant.id, recipient=f"person{number}@example.pt", locale="en",
                                     template="workspace/email/invitation.txt", context={},
                                     message_id=f"<{number}@bench.test>", status="failed", attempts=3,
                                     last_error="550 mailbox unavailable", subject=f"Invitation {number}"))


def add_team_members(numbers, how_many, partner):
    for _ in range(how_many):
        make_user(f"member{next(numbers)}@example.pt", roles=[(partner.tenant, "staff")])


LIST_PAGES = {
    "mentors": ("/t/alpha/mentors", add_mentors),
    "mentees": ("/t/alpha/mentees", add_mentees),
    "processes": ("/t/alpha/processes/", add_processes),
    "outbox": ("/t/alpha/outbox", add_outbox_messages),
    "team": ("/t/alpha/members", add_team_members),
}


@pytest.mark.parametrize("page", LIST_PAGES)
def test_a_list_page_runs_as_many_queries_for_25_rows_as_for_5(app, client, page):
    path, add_rows = LIST_PAGES[page]
    numbers = count(1)
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        admin = make_user("admin@alpha.pt", "Ana Admin", [(tenant, "partner_admin"), (tenant, "staff")])
        tenant_id, admin_id = tenant.id, admin.id
        db.session.commit()
    login(client, "admin@alpha.pt", locale="en")

    def fill(how_many):
        with app.app_context(), tenant_context(tenant_id):
            partner = SimpleNamespace(tenant=db.session.get(Tenant, tenant_id), staff=db.session.get(User, admin_id))
            add_rows(numbers, how_many, partner)
            db.session.commit()

    fill(SMALL)
    with_small = statements_of(app, client, path)
    fill(LARGE - SMALL)
    with_large = statements_of(app, client, path)
    assert len(with_large) == len(with_small), "\n".join(with_large)


def test_the_partners_page_runs_as_many_queries_for_25_partners_as_for_5(app, client):
    with app.app_context():
        coordination = make_tenant("coordenacao", kind="coordination")
        make_user("coord@example.pt", roles=[(coordination, "coordinator")])
        db.session.commit()
    login(client, "coord@example.pt", locale="en")

    def add_partners(first, last):
        with app.app_context():
            for number in range(first, last):
                partner = make_tenant(f"partner-{number}", kind="ngo", district="porto")
                make_user(f"admin{number}@example.pt", roles=[(partner, "partner_admin")])
            db.session.commit()

    add_partners(0, SMALL)
    with_small = statements_of(app, client, "/t/coordenacao/partners")
    add_partners(SMALL, LARGE)
    with_large = statements_of(app, client, "/t/coordenacao/partners")
    assert len(with_large) == len(with_small), "\n".join(with_large)


def test_the_matching_page_runs_as_many_queries_for_10_suggestions_as_for_2(app, client):
    numbers = count(1)
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        make_user("admin@alpha.pt", "Ana Admin", [(tenant, "partner_admin"), (tenant, "staff")])
        tenant_id = tenant.id
        db.session.commit()
        with tenant_context(tenant_id):
            mentee_id = _mentee(0).id
            db.session.commit()
    login(client, "admin@alpha.pt", locale="en")

    def fill(how_many):
        with app.app_context(), tenant_context(tenant_id):
            add_mentors(numbers, how_many, None)
            db.session.commit()

    path = f"/t/alpha/matching/mentees/{mentee_id}"
    fill(2)
    with_few = statements_of(app, client, path)
    fill(8)
    with_ten = statements_of(app, client, path)
    assert client.get(path).get_data(as_text=True).count('name="candidate_id"') == 10
    assert len(with_ten) == len(with_few), "\n".join(with_ten)


def _without_settings(statements):
    """The page's own statements: PostgreSQL adds the transaction's tenant and role settings."""
    return [statement for statement in statements if "set_config" not in statement]


def _lived_process(partner, numbers, meetings, follow_ups):
    """A process evaluated by both sides, with its meetings (on topics) and follow-ups, run by
    two members of staff."""
    staff, colleague, number = partner.staff, partner.colleague, next(numbers)
    process = processes.create_process(_mentor(number), _mentee(number), staff, today=date(2026, 1, 5))
    processes.save_agreement(process, {**AGREEMENT, "goals": AGREEMENT["goals"] * 2}, 0, staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, staff, version=1)
    processes.transition(process, "active", staff, today=date(2026, 1, 5))
    for day in range(meetings):
        processes.log_meeting(process, {"held_on": date(2026, 1, 6 + day), "duration_minutes": 60, "mode": "online",
                                        "topics": ["housing", "health"]}, colleague, "staff", today=date(2026, 1, 30))
    goals = process.agreement.goals
    for _ in range(follow_ups):
        processes.record_follow_up(process, {"held_on": date(2026, 6, 1), "mentor_satisfaction": 4,
                                             "progress": {goal.id: 1 for goal in goals}}, colleague,
                                   today=date(2026, 6, 1))
    processes.transition(process, "in_evaluation", staff)
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(process, side, {"satisfaction": 4, "changes": [], "would_repeat": True,
                                                    "goal_outcomes": {goal.id: "met" for goal in goals}}, staff)
    return process.id


def test_the_process_pages_run_a_fixed_number_of_statements(app, client):
    """The list: the user (with their memberships), the page of processes and its count. The
    detail, however long the process and however many people worked on it: the user, the process
    in five statements (with the pair and its agreements; meetings and who logged them; follow-ups
    with their progress; evaluations with their outcomes; events and who did them), the support
    areas' labels, the participants' follow-up answers, the partner's staff (the form giving
    the process to one of them; its owner comes with the process), and the case file's notes and files."""
    numbers = count(1)
    with app.app_context():
        tenant = make_tenant("alpha", kind="municipality")
        admin = make_user("admin@alpha.pt", "Ana Admin", [(tenant, "partner_admin"), (tenant, "staff")])
        colleague = make_user("tecnico@alpha.pt", "Tiago Técnico", [(tenant, "staff")])
        tenant_id, admin_id, colleague_id = tenant.id, admin.id, colleague.id
        db.session.commit()
        with tenant_context(tenant_id):
            partner = SimpleNamespace(tenant=db.session.get(Tenant, tenant_id), staff=db.session.get(User, admin_id),
                                      colleague=db.session.get(User, colleague_id))
            short = _lived_process(partner, numbers, meetings=1, follow_ups=1)
            long = _lived_process(partner, numbers, meetings=6, follow_ups=3)
            db.session.commit()
    login(client, "admin@alpha.pt", locale="en")

    assert len(_without_settings(statements_of(app, client, "/t/alpha/processes/"))) == 3
    # The meetings' confirmations by each side: one statement for all of them.
    assert len(_without_settings(statements_of(app, client, f"/t/alpha/processes/{short}"))) == 12
    assert len(_without_settings(statements_of(app, client, f"/t/alpha/processes/{long}"))) == 12

"""The `flask` commands: create-tenant, create-user, seed-demo, doctor."""
import sqlalchemy as sa

from network.accounts.models import Membership, User
from network.extensions import db
from tenants.participants.models import Mentee, Mentor
from tenants.processes.models import MentoringProcess
from tenants.tenancy import national_rollup_bypass
from tenants.tenancy.models import Tenant


def _counts(app):
    with app.app_context():
        return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in (Tenant, User, Membership))


def _people(app):
    def count(model, *where):
        return db.session.scalar(sa.select(sa.func.count(model.id)).where(*where))

    with app.app_context(), national_rollup_bypass("test: demo counts"):
        return {"mentors": count(Mentor), "mentees": count(Mentee), "processes": count(MentoringProcess),
                "closed": count(MentoringProcess, MentoringProcess.state == "closed")}


def test_seed_demo_builds_the_network_and_running_it_twice_changes_nothing(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "coordenacao@demo.rede-mentores.pt" in first.output
    counts = _counts(app)
    assert counts == (57, 1 + 56 * 3, 1 + 56 * 3)
    people = _people(app)
    assert people == {"mentors": 3 * 6, "mentees": 3 * 7, "processes": 3 * 4, "closed": 3}
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _counts(app) == counts and _people(app) == people
    with app.app_context():
        kinds = dict(db.session.execute(sa.select(Tenant.kind, sa.func.count()).group_by(Tenant.kind)).all())
        districts = db.session.scalar(sa.select(sa.func.count(sa.distinct(Tenant.district))))
    assert kinds["coordination"] == 1 and kinds["municipality"] >= 20 and kinds["ngo"] >= 10
    assert kinds["immigrant_association"] >= 10 and districts >= 18


def test_demo_accounts_can_log_in(app, client):
    app.test_cli_runner().invoke(args=["seed-demo", "--password", "demo-password-123"])
    response = client.post("/login", data={"email": "admin@cm-lisboa.demo.rede-mentores.pt", "password": "demo-password-123"})
    assert response.status_code == 302
    assert client.get("/t/cm-lisboa/members").status_code == 200


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

"""Erasure: an anonymised participant leaves no personal value anywhere in the database, the
history and the national roll-ups stay as they were, and the audit log changes only through
its one narrow path."""
import pytest
import sqlalchemy as sa

from network.core.accounts.models import Membership, User
from network.core.audit.models import AuditEvent
from network.core.database import owner_engine
from network.core.extensions import db
from network.core.tenancy import tenant_context
from network.core.tenancy.rls import apply_transaction_settings
from network.national.dashboards.rollups import refresh_tenant_rollups
from tenants.participants.models import Consent, Mentee
from tenants.privacy.audit_redaction import REDACTED
from tenants.privacy.erasure import ErasureRefused, erase_participant
from tenants.privacy.models import Erasure
from tenants.processes import services as processes
from tenants.processes.models import Meeting, MentoringProcess
from tests.factories import PASSWORD, login, make_ready_mentee, make_ready_mentor, make_user, two_partner_network
from tests.privacy.helpers import TOKENS, leftovers, mentee_with_everything, rollup_tables


@pytest.fixture
def world(app_context):
    network = two_partner_network()
    admin = db.session.scalar(sa.select(User).filter_by(email=network.alpha_admin))
    staff = db.session.scalar(sa.select(User).filter_by(email=network.alpha_staff))
    ids = mentee_with_everything(network.alpha.id, staff)
    db.session.commit()
    return network, admin, ids


def test_an_anonymised_participant_leaves_no_personal_value_anywhere(world):
    network, admin, ids = world
    assert {token for _, _, token in leftovers()} == set(TOKENS)  # the search finds what is there
    rollups_before = rollup_tables()
    assert rollups_before["rollup_counts"]  # the processes were counted

    with tenant_context(network.alpha.id):
        erase_participant(db.session.get(Mentee, ids.mentee_id), admin, "Pedido da titular dos dados")
    db.session.commit()

    assert leftovers() == []
    assert rollup_tables() == rollups_before
    # Recounting from the case tables gives the same roll-ups: what they count was kept.
    with tenant_context(network.alpha.id):
        refresh_tenant_rollups(network.alpha.id)
    db.session.commit()
    assert rollup_tables() == rollups_before


def test_the_history_stays_in_anonymous_form(world):
    network, admin, ids = world
    with tenant_context(network.alpha.id):
        erase_participant(db.session.get(Mentee, ids.mentee_id), admin, "Pedido da titular dos dados")
        db.session.commit()
        mentee = db.session.get(Mentee, ids.mentee_id)
        assert mentee.full_name == f"Mentorando anonimizado n.º {mentee.id}"
        assert (mentee.email, mentee.phone, mentee.expectations, mentee.user_id) == (None, None, None, None)
        assert (mentee.country_of_origin, mentee.status) != (None, None)
        process = db.session.get(MentoringProcess, ids.process_id)
        assert (process.state, process.outcome, process.matched_on.year) == ("closed", "goals_met", 2024)
        assert [goal.text for goal in process.agreement.goals] == [""]
        assert process.agreement.mentor_duties == "" and process.agreement.accepted_by_both
        assert db.session.scalars(sa.select(Meeting.notes)).all() == [None]
        assert len(process.events) > 5
        cancelled = db.session.get(MentoringProcess, ids.second_process_id)
        assert cancelled.state == "cancelled" and cancelled.cancel_reason is None
        consents = db.session.scalars(sa.select(Consent).filter_by(mentee_id=mentee.id)).all()
        assert consents and all(consent.withdrawn_at is not None for consent in consents)
        erasure = db.session.scalar(sa.select(Erasure))
        assert (erasure.mentee_id, erasure.erased_by_id, erasure.trigger) == (mentee.id, admin.id, "request")
        # The audit log: the old values redacted, what changed and who did it kept, the erasure recorded.
        updated = db.session.scalar(sa.select(AuditEvent).filter_by(action="participant.updated"))
        assert updated.changes == {"full_name": REDACTED, "expectations": REDACTED}
        assert updated.actor_id is not None
        consent_given = db.session.scalar(sa.select(AuditEvent).filter_by(action="consent.given"))
        assert consent_given.changes["purpose"] == "programme"
        erased = db.session.scalar(sa.select(AuditEvent).filter_by(action="privacy.erased"))
        assert (erased.actor_id, erased.record_id) == (admin.id, mentee.id)
        assert erased.changes == {"trigger": "request", "reason": "Pedido da titular dos dados"}
    account = db.session.get(User, ids.user_id)
    assert not account.active and account.password_hash is None and account.email.endswith("@invalid.rede-mentores.pt")
    assert not account.check_password(PASSWORD)
    assert [m.active for m in db.session.scalars(sa.select(Membership).filter_by(user_id=account.id))] == [False]


def test_an_account_that_serves_another_role_is_kept(app_context):
    network = two_partner_network()
    staff = db.session.scalar(sa.select(User).filter_by(email=network.alpha_staff))
    with tenant_context(network.alpha.id):
        mentor = make_ready_mentor("Carlos Voluntario")
    # The mentor is also staff of another partner.
    beta_tenant = db.session.get(type(staff.memberships[0].tenant), network.beta.id)
    account = make_user("carlos@example.pt", "Carlos Voluntario", roles=[(beta_tenant, "staff")])
    with tenant_context(network.alpha.id):
        mentor.user_id = account.id
        erase_participant(mentor, staff, "Pedido do titular")
    db.session.commit()
    account = db.session.get(User, account.id)
    assert account.active and account.email == "carlos@example.pt"


def test_erasure_is_refused_while_a_process_is_open(app_context):
    network = two_partner_network()
    admin = db.session.scalar(sa.select(User).filter_by(email=network.alpha_admin))
    with tenant_context(network.alpha.id):
        mentee = make_ready_mentee("Amina Aberta")
        processes.create_process(make_ready_mentor(), mentee, admin)
        with pytest.raises(ErasureRefused, match="processo de mentoria em curso"):
            erase_participant(mentee, admin, "Pedido")
        erase_participant(make_ready_mentee("Outra Pessoa"), admin, "Pedido")
        with pytest.raises(ErasureRefused, match="já foram anonimizados"):
            erase_participant(db.session.scalars(sa.select(Mentee).order_by(Mentee.id.desc())).first(), admin, "Again")


def test_the_erase_page_asks_for_a_reason_and_refuses_open_processes(app, client):
    with app.app_context():
        network = two_partner_network()
        admin = db.session.scalar(sa.select(User).filter_by(email=network.alpha_admin))
        with tenant_context(network.alpha.id):
            busy = make_ready_mentee("Amina Aberta")
            processes.create_process(make_ready_mentor(), busy, admin)
            free = make_ready_mentee("Fatima Livre")
            busy_id, free_id = busy.id, free.id
        db.session.commit()
    login(client, network.alpha_admin)
    page = client.get(f"/t/alpha/mentees/{free_id}/privacy/erase")
    assert page.status_code == 200 and "Anonimizar" in page.get_data(as_text=True)
    missing = client.post(f"/t/alpha/mentees/{free_id}/privacy/erase", data={"reason": " "})
    assert missing.status_code == 400 and "Este campo é obrigatório." in missing.get_data(as_text=True)
    refused = client.get(f"/t/alpha/mentees/{busy_id}/privacy/erase").get_data(as_text=True)
    assert "processo de mentoria em curso" in refused
    assert client.post(f"/t/alpha/mentees/{busy_id}/privacy/erase", data={"reason": "Pedido"}).status_code == 400
    done = client.post(f"/t/alpha/mentees/{free_id}/privacy/erase", data={"reason": "Pedido da titular"})
    assert done.status_code == 302
    detail = client.get(done.location).get_data(as_text=True)
    assert "Fatima" not in detail and "Mentorando anonimizado" in detail
    assert "foram anonimizados em" in detail and "privacy/erase" not in detail
    client.post("/logout")
    login(client, network.alpha_staff)
    assert client.get(f"/t/alpha/mentees/{free_id}/privacy/erase").status_code == 404


def test_the_redaction_function_is_the_only_narrow_way_into_the_audit_log(world):
    network, admin, ids = world
    with db.engine.connect() as connection, connection.begin():
        apply_transaction_settings(connection, network.alpha.id, bypass=False)
        with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
            connection.exec_driver_sql("UPDATE audit_events SET changes = NULL")
    with db.engine.connect() as connection, connection.begin():
        apply_transaction_settings(connection, network.alpha.id, bypass=False)
        with pytest.raises(sa.exc.ProgrammingError, match="not a record type about a person"):
            connection.exec_driver_sql("SELECT privacy_redact_audit_values(1, 'Activity', ARRAY[1])")


def _audit_changes_about(record_type, record_id):
    """As the owner, past Row-Level Security: what the log holds about the record."""
    with owner_engine().connect() as connection:
        return connection.execute(sa.text(
            "SELECT id, changes::text FROM audit_events WHERE record_type = :t AND record_id = :id ORDER BY id"),
            {"t": record_type, "id": record_id}).all()


def test_the_redaction_function_refuses_without_an_erasure_of_that_person(world):
    network, admin, ids = world
    before = _audit_changes_about("Mentee", ids.mentee_id)
    assert "Zorvana" in str(before)  # an old value the log keeps
    # The app role, in the mentee's own tenant, with nobody erased: neither the form that trusted
    # the tenant alone nor one naming an erasure that does not exist redacts anything.
    for call in (f"privacy_redact_audit_values('Mentee', ARRAY[{ids.mentee_id}])",
                 f"privacy_redact_audit_values(1, 'Mentee', ARRAY[{ids.mentee_id}])"):
        with db.engine.connect() as connection, connection.begin():
            apply_transaction_settings(connection, network.alpha.id, bypass=False)
            with pytest.raises(sa.exc.ProgrammingError):
                connection.exec_driver_sql(f"SELECT {call}")
    assert _audit_changes_about("Mentee", ids.mentee_id) == before


def test_an_erasure_allows_only_its_own_person_and_only_in_its_own_transaction(world):
    network, admin, ids = world
    before = _audit_changes_about("Mentee", ids.mentee_id)
    with tenant_context(network.alpha.id):
        other = make_ready_mentee("Outra Pessoa")
        db.session.flush()
        erasure = Erasure(erased_by_id=admin.id, trigger="request", reason="Pedido", mentee_id=other.id)
        db.session.add(erasure)
        db.session.flush()
        # Another person's erasure, in this very transaction: not a way to our mentee's entries.
        with pytest.raises(sa.exc.ProgrammingError, match="not about the person"):
            db.session.execute(sa.text("SELECT privacy_redact_audit_values(:e, 'Mentee', ARRAY[:m])"),
                               {"e": erasure.id, "m": ids.mentee_id})
        db.session.rollback()

        erased = erase_participant(db.session.get(Mentee, ids.mentee_id), admin, "Pedido da titular dos dados")
        db.session.commit()
        assert "Zorvana" not in str(_audit_changes_about("Mentee", ids.mentee_id))
        # A committed erasure is no key for a later transaction.
        with pytest.raises(sa.exc.ProgrammingError, match="recorded in this transaction"):
            db.session.execute(sa.text("SELECT privacy_redact_audit_values(:e, 'Mentee', ARRAY[:m])"),
                               {"e": erased.id, "m": ids.mentee_id})
        db.session.rollback()
    assert before != _audit_changes_about("Mentee", ids.mentee_id)



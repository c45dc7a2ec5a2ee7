"""Consented transfers between partners: end to end, declined, and the walls on the way."""
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from network.core.accounts.models import User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.submit import Refused, submit
from network.core.tenancy import national_rollup_bypass, tenant_context
from network.core.tenancy.rls import RUNTIME_ROLE
from network.national.dashboards.models import RollupCount
from network.national.dashboards.rebuild import rebuild_rollups
from tenants.participants.models import Mentee
from tenants.transfers import services as transfers
from tenants.transfers.models import IncomingTransfer, OutgoingTransfer
from tests.factories import make_ready_mentee, make_ready_mentor

CONSENT = {"consent_text_version": "transfer-2026-12", "consent_given_on": date(2026, 12, 1)}


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def _mentee_at_alpha(app, two_partners, with_open_process=False):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        staff = _user(two_partners.alpha_staff)
        mentee = make_ready_mentee("Olena Shevchenko", languages=[{"code": "uk", "level": "native"}],
                                   support_areas=["housing"], actor=staff)
        mentee.expectations = "Find work in nursing."
        if with_open_process:
            from tenants.processes import services as processes

            processes.create_process(make_ready_mentor("Marta Mentora"), mentee, staff, today=date(2026, 1, 5))
        db.session.commit()
        return mentee.id


def _start(app, two_partners, mentee_id, items=("languages", "support_needs", "history")):
    with app.app_context(), tenant_context(two_partners.alpha.id):
        staff = _user(two_partners.alpha_staff)
        outcome = submit(transfers.start_transfer, db.session.get(Mentee, mentee_id),
                         {"to_tenant_id": two_partners.beta.id, "items": list(items), **CONSENT}, staff)
        assert outcome.ok, outcome.refusal
        return outcome.result.id


def _incoming(app, two_partners):
    with app.app_context(), tenant_context(two_partners.beta.id):
        return db.session.scalar(sa.select(IncomingTransfer.id))


def _decide(app, two_partners, incoming_id, service):
    with app.app_context(), tenant_context(two_partners.beta.id), force_locale("en"):
        admin = _user(two_partners.beta_admin)
        return submit(service, transfers.get_incoming(incoming_id), admin)


def _actions(app, tenant_id):
    with app.app_context(), tenant_context(tenant_id):
        return sorted(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action.like("transfer.%"))))


def _registered(app):
    with app.app_context():
        rebuild_rollups()
        with national_rollup_bypass("test: mentees registered"):
            return db.session.scalar(sa.select(sa.func.sum(RollupCount.count)).where(
                RollupCount.metric == "mentees_registered", RollupCount.dimension == "all"))


def test_a_consented_transfer_end_to_end(app, two_partners):
    mentee_id = _mentee_at_alpha(app, two_partners)
    assert _registered(app) == 1
    _start(app, two_partners, mentee_id)
    incoming_id = _incoming(app, two_partners)
    with app.app_context(), tenant_context(two_partners.beta.id):
        waiting = transfers.get_incoming(incoming_id)
        # Before B decides, B holds no personal data: the role and what would travel.
        assert (waiting.role, waiting.status, waiting.carried, waiting.mentee_id) == ("mentee", "pending", None, None)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentee)) == 0
    outcome = _decide(app, two_partners, incoming_id, transfers.accept_transfer)
    assert outcome.ok, outcome.refusal
    with app.app_context(), tenant_context(two_partners.beta.id):
        new = db.session.scalar(sa.select(Mentee))
        assert (new.full_name, new.email, new.expectations) == (
            "Olena Shevchenko", "olena.shevchenko.mentee@example.pt", "Find work in nursing.")
        assert [(skill.language_code, skill.level) for skill in new.languages] == [("uk", "native")]
        assert [link.support_area.code for link in new.support_areas] == ["housing"]
        assert new.tenant_id == two_partners.beta.id and new.status == "applicant"
        provenance = transfers.provenance(new)
        assert (provenance.from_tenant_id, provenance.status) == (two_partners.alpha.id, "accepted")
        assert provenance.carried == {"history": []}
    with app.app_context(), tenant_context(two_partners.alpha.id):
        old = db.session.get(Mentee, mentee_id)
        assert old.status == "transferred"
        sent = db.session.scalar(sa.select(OutgoingTransfer))
        assert (sent.status, sent.package) == ("accepted", None)
    assert _actions(app, two_partners.alpha.id) == ["transfer.accepted", "transfer.started"]
    assert _actions(app, two_partners.beta.id) == ["transfer.accepted", "transfer.received"]
    # The network counts the person once: registered at A, transferred in at B.
    assert _registered(app) == 1


def test_a_declined_transfer_leaves_nothing_in_b(app, two_partners):
    mentee_id = _mentee_at_alpha(app, two_partners)
    _start(app, two_partners, mentee_id)
    incoming_id = _incoming(app, two_partners)
    assert _decide(app, two_partners, incoming_id, transfers.decline_transfer).ok
    with app.app_context(), tenant_context(two_partners.beta.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentee)) == 0
        declined = transfers.get_incoming(incoming_id)
        assert (declined.status, declined.carried, declined.mentee_id) == ("declined", None, None)
        # A decided transfer cannot be accepted afterwards.
        with pytest.raises(Refused):
            transfers.accept_transfer(declined, None)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        assert db.session.get(Mentee, mentee_id).status == "waiting"
        sent = db.session.scalar(sa.select(OutgoingTransfer))
        assert (sent.status, sent.package) == ("declined", None)
    assert _actions(app, two_partners.alpha.id) == ["transfer.declined", "transfer.started"]


def test_open_processes_must_be_closed_first(app, two_partners):
    mentee_id = _mentee_at_alpha(app, two_partners, with_open_process=True)
    with app.app_context(), tenant_context(two_partners.alpha.id), force_locale("en"):
        outcome = submit(transfers.start_transfer, db.session.get(Mentee, mentee_id),
                         {"to_tenant_id": two_partners.beta.id, "items": [], **CONSENT}, None)
        assert "open mentoring process" in outcome.refusal.message
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutgoingTransfer)) == 0


def test_an_open_process_started_after_the_offer_refuses_the_acceptance(app, two_partners):
    mentee_id = _mentee_at_alpha(app, two_partners)
    _start(app, two_partners, mentee_id)
    with app.app_context(), tenant_context(two_partners.alpha.id):
        from tenants.processes import services as processes

        processes.create_process(make_ready_mentor("Marta Mentora"), db.session.get(Mentee, mentee_id), None,
                                 today=date(2026, 1, 5))
        db.session.commit()
    outcome = _decide(app, two_partners, _incoming(app, two_partners), transfers.accept_transfer)
    assert outcome.refusal and "open mentoring process" in outcome.refusal.message
    with app.app_context(), tenant_context(two_partners.beta.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentee)) == 0


def _as(connection, tenant_id):
    connection.exec_driver_sql("SELECT set_config('app.tenant_id', %(t)s, true), set_config('role', %(r)s, true)",
                               {"t": str(tenant_id), "r": RUNTIME_ROLE})


def test_neither_partner_reads_the_others_side_or_record(app, two_partners):
    mentee_id = _mentee_at_alpha(app, two_partners)
    _start(app, two_partners, mentee_id)
    incoming_id = _incoming(app, two_partners)
    assert _decide(app, two_partners, incoming_id, transfers.accept_transfer).ok
    with app.app_context(), db.engine.connect() as connection:
        with connection.begin():
            _as(connection, two_partners.alpha.id)
            # A's staff: their own closed record, never B's new one nor B's side of the transfer.
            seen = connection.exec_driver_sql("SELECT tenant_id FROM mentees").scalars().all()
            assert seen == [two_partners.alpha.id]
            assert connection.exec_driver_sql("SELECT count(*) FROM transfers_in").scalar() == 0
        with connection.begin():
            _as(connection, two_partners.beta.id)
            # B's staff: none of A's notes, records or package.
            for table in ("transfers_out", "interviews", "consents", "intake_responses", "mentoring_processes"):
                assert connection.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE tenant_id <> "
                                                  f"{two_partners.beta.id}").scalar() == 0, table
            assert connection.exec_driver_sql("SELECT tenant_id FROM mentees").scalars().all() == [two_partners.beta.id]


def test_the_functions_act_only_from_the_callers_tenant(app, two_partners):
    mentee_id = _mentee_at_alpha(app, two_partners)
    transfer_id = _start(app, two_partners, mentee_id)
    incoming_id = _incoming(app, two_partners)
    with app.app_context(), db.engine.connect() as connection:
        for tenant, call in ((two_partners.alpha.id, f"transfers_accept({incoming_id})"),
                             (two_partners.alpha.id, f"transfers_decline({incoming_id})"),
                             (two_partners.beta.id, f"transfers_offer({transfer_id})")):
            with connection.begin():
                _as(connection, tenant)
                with pytest.raises(sa.exc.DBAPIError, match="insufficient_privilege|no pending|no consented"):
                    connection.exec_driver_sql(f"SELECT {call}")
        with connection.begin():
            _as(connection, two_partners.alpha.id)
            # Nor can A's role become the functions' owner.
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                connection.exec_driver_sql("SET ROLE rede_transfer")


def test_the_transfer_role_is_narrow(app_context):
    role = db.session.execute(sa.text(
        "SELECT rolcanlogin, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = 'rede_transfer'")).one()
    assert tuple(role) == (False, False, False)
    tables = set(db.session.execute(sa.text(
        "SELECT DISTINCT table_name FROM information_schema.role_table_grants WHERE grantee = 'rede_transfer'"
    )).scalars())
    assert tables <= {"transfers_out", "transfers_in", "mentors", "mentees", "mentoring_processes", "audit_events",
                      "tenants", "duplicate_fingerprints"}
    assert "interviews" not in tables and "intake_responses" not in tables


def test_a_forged_incoming_row_cannot_take_another_partners_transfer(app, two_partners):
    """B writes its own transfers_in rows: one naming A's transfer to someone else gets nothing."""
    mentee_id = _mentee_at_alpha(app, two_partners)
    with app.app_context():
        from tests.factories import make_tenant

        gamma = make_tenant("gamma", kind="ngo", name="Associação Gama")
        db.session.commit()
        gamma_id = gamma.id
    with app.app_context(), tenant_context(two_partners.alpha.id):
        outcome = submit(transfers.start_transfer, db.session.get(Mentee, mentee_id),
                         {"to_tenant_id": gamma_id, "items": [], **CONSENT}, None)
        transfer_id = outcome.result.id
    with app.app_context(), tenant_context(two_partners.beta.id):
        forged = IncomingTransfer(from_tenant_id=two_partners.alpha.id, source_transfer_id=transfer_id,
                                  role="mentee", items=["profile"])
        db.session.add(forged)
        db.session.commit()
        forged_id = forged.id
        with force_locale("en"):
            for service in (transfers.accept_transfer, transfers.decline_transfer):
                refusal = submit(service, transfers.get_incoming(forged_id), None).refusal
                assert refusal and "withdrawn" in refusal.message
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentee)) == 0
    with app.app_context(), tenant_context(two_partners.alpha.id):
        sent = db.session.scalar(sa.select(OutgoingTransfer))
        assert sent.status == "awaiting_acceptance" and sent.package is not None

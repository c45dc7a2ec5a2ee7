"""The subject-access export: every row about the person, every column of it, in JSON with
stable keys and as a printable page in the reader's language; handing it over is audited."""
import json

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.audit.models import AuditEvent
from network.core.extensions import db
from network.core.tenancy import TenantScoped, tenant_context
from tenants.participants.models import Mentee
from tenants.privacy import walk
from tenants.privacy.erasure import ERASURE_POLICY
from tenants.privacy.export import subject_access_export
from tenants.privacy.labels import COLUMN_LABELS, SECTION_TITLES
from tests.factories import login, two_partner_network
from tests.privacy.helpers import mentee_with_everything

TEXT_TYPES = (sa.String, sa.Text, sa.JSON, sa.Enum)


@pytest.fixture
def world(app):
    with app.app_context():
        network = two_partner_network()
        staff = db.session.scalar(sa.select(User).filter_by(email=network.alpha_staff))
        ids = mentee_with_everything(network.alpha.id, staff)
        db.session.commit()
        return network, ids


def _referencing(table_names):
    """Tenant-owned tables with a foreign key to one of `table_names`."""
    scoped = {mapper.local_table.name for mapper in db.Model.registry.mappers
              if issubclass(mapper.class_, TenantScoped)}
    return {table.name for table in db.metadata.tables.values() if table.name in scoped
            for fk in table.foreign_key_constraints if fk.referred_table.name in table_names}


def test_every_tenant_owned_table_about_a_participant_or_a_process_is_exported(app):
    """A new table that references a participant (or a process, or what hangs below one) is
    found by the walk; this fails if the walk ever stops finding one."""
    for role, root in walk.PARTICIPANT_TABLES.items():
        sections = set(walk.section_names(role))
        about_them = _referencing({root})
        below = _referencing({"mentoring_processes", "agreements", "follow_ups", "evaluations", "agreement_goals"})
        missing = (about_them | below) - sections
        assert missing == set(), f"{role}: not exported: {missing}"


def test_every_text_column_the_walk_reaches_has_an_erasure_decision(app):
    """Adding a text or JSON column to a table about a person fails here until its erasure
    (keep, clear, pseudonym) is written in ERASURE_POLICY."""
    undecided = []
    for _role, root in walk.PARTICIPANT_TABLES.items():
        for table_name in {root, *(name for name, _ in walk.walk_plan(root))}:
            policy = ERASURE_POLICY.get(table_name)
            assert policy is not None, f"{table_name}: add it to ERASURE_POLICY"
            for column in db.metadata.tables[table_name].columns:
                if isinstance(column.type, TEXT_TYPES) and column.name not in policy and not column.foreign_keys:
                    undecided.append(f"{table_name}.{column.name}")
    assert undecided == []


def test_every_section_and_field_has_a_name_in_the_printable_page(app):
    for role in walk.PARTICIPANT_TABLES:
        sections = walk.section_names(role)
        assert set(sections) - set(SECTION_TITLES) == set()
        columns = {column.name for name in sections for column in db.metadata.tables[name].columns}
        secret = set().union(*walk.SECRET_COLUMNS.values())
        assert columns - secret - set(COLUMN_LABELS) == set()


def test_the_export_holds_every_column_of_every_row_about_the_person(app, world):
    network, ids = world
    with app.app_context(), tenant_context(network.alpha.id):
        document = subject_access_export(db.session.get(Mentee, ids.mentee_id))
    records = document["records"]
    assert (document["format"], document["subject"]) == ("rede-mentores/subject-access-export",
                                                         {"role": "mentee", "id": ids.mentee_id})
    for name, rows in records.items():
        if name in ("participant_imports",):
            continue
        table = db.metadata.tables[name]
        secret = walk.SECRET_COLUMNS.get(name, set())
        for row in rows:
            assert set(row) == {column.name for column in table.columns} - secret, name
    _check_her_records(records)
    json.dumps(document)  # machine-readable as it stands


def _check_her_records(records):
    empty = {name for name, rows in records.items() if not rows}
    # Everything the story gave her is there; she led no activity, was not anonymised and did
    # not choose her mentor in the portal.
    # Nor was she transferred, nor was her case opened by a coordinator, nor were outcomes measured.
    assert empty == {"activities", "erasures", "mentee_choices", "transfers_out", "transfers_in", "break_glass_grants",
                     "outcome_assessments", "goal_attainments"}
    assert records["mentees"][0]["full_name"] == "Zorvana Quixley"
    assert [row["notes"] for row in records["interviews"]] == ["Quixley has two children and asthma"]
    # The consent history: given, and withdrawn with when and by whom.
    consents = {row["purpose"]: row for row in records["consents"]}
    assert consents["programme"]["withdrawn_at"] is None and consents["sensitive_data"]["withdrawn_at"]
    assert consents["sensitive_data"]["withdrawn_by_id"] is not None
    assert len(records["mentoring_processes"]) == 2
    assert [row["side"] for row in records["evaluations"]] == ["mentee"]  # her side, not her mentor's
    assert len(records["goal_outcomes"]) == 1
    assert records["users"][0]["email"] == "zorvana.account@example.pt" and "password_hash" not in records["users"][0]
    assert [row["role"] for row in records["memberships"]] == ["mentee"]
    assert [row["name"] for row in records["api_tokens"]] == ["Telemóvel da Zorvana"]
    assert "token_hash" not in records["api_tokens"][0]
    assert [row["email"] for row in records["invitations"]] == ["zorvana.quixley@example.pt"]
    assert "token_hash" not in records["invitations"][0]
    assert {row["recipient"] for row in records["outbox"]} == {"zorvana.quixley@example.pt"}
    # No one-time link handed over; the activity invitation's e-mail is there too.
    resets = [row["context"] for row in records["outbox"] if row["template"] == "accounts/email/password_reset.txt"]
    assert [context["reset_url"] for context in resets] == [None]
    assert {row["template"] for row in records["outbox"]} == {"accounts/email/password_reset.txt",
                                                             "activities/email/invitation.txt"}
    assert {row["action"] for row in records["audit_events"]} >= {"participant.created", "participant.updated",
                                                                  "consent.given", "member.invited"}
    assert [row[2] for row in records["participant_imports"][0]["rows"]] == ["zorvana.quixley@example.pt"]
    # The staff's notes about her and her processes, with the earlier text; not her mentor's own.
    assert sorted(row["body"] for row in records["case_notes"]) == ["Quixley's permit expires in May",
                                                                    "Zorvana and her mentor get on well"]
    assert [row["body"] for row in records["case_note_revisions"]] == ["Quixley told us about her permit"]
    assert sorted(row["filename"] for row in records["case_attachments"]) == ["plan.pdf", "quixley-permit.pdf"]


def test_staff_download_the_json_and_read_the_printable_page_and_both_are_audited(app, client, world):
    network, ids = world
    login(client, network.alpha_staff)
    response = client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["records"]["mentees"][0]["email"] == "zorvana.quixley@example.pt"
    page = client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy").get_data(as_text=True)
    assert "Dados pessoais de Zorvana Quixley" in page and "Consentimentos" in page
    assert "Quixley has two children" in page
    detail = client.get(f"/t/alpha/mentees/{ids.mentee_id}").get_data(as_text=True)
    assert f"/t/alpha/mentees/{ids.mentee_id}/privacy" in detail
    assert "privacy/erase" not in detail  # erasing is the partner administrator's
    client.post("/logout")
    login(client, network.alpha_admin, locale="en")
    english = client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy").get_data(as_text=True)
    assert "Personal data of Zorvana Quixley" in english and "Audit log entries about this person" in english
    with app.app_context(), tenant_context(network.alpha.id):
        formats = db.session.scalars(sa.select(AuditEvent.changes).filter_by(action="privacy.exported")
                                     .order_by(AuditEvent.id)).all()
    assert formats == [{"format": "json"}, {"format": "html"}, {"format": "html"}]
    client.post("/logout")
    login(client, network.beta_staff)
    assert client.get(f"/t/alpha/mentees/{ids.mentee_id}/privacy/export.json").status_code == 404
    assert client.get(f"/t/beta/mentees/{ids.mentee_id}/privacy/export.json").status_code == 404

"""Retention rules: the dry run lists exactly what the real run changes, the daily job runs
in each partner's workspace with that partner's rules, and partner administrators set them."""
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from network.core.accounts.models import User
from network.core.extensions import db
from network.core.tenancy import tenant_context
from tenants.participants.imports import start_import
from tenants.participants.models import Mentee, Mentor, ParticipantImport
from tenants.privacy.models import Erasure
from tenants.privacy.retention import apply_retention, apply_retention_everywhere, retention_plan, save_retention_rules
from tenants.processes import services as processes
from tests.factories import login, make_ready_mentee, make_ready_mentor, two_partner_network

TODAY = date(2026, 11, 24)
OLD = datetime(2023, 1, 1, tzinfo=UTC)


def _pair_ended_on(name, day, staff):
    """A mentor and a mentee whose only process was cancelled on `day`."""
    process = processes.create_process(make_ready_mentor(f"{name} Mentor"), make_ready_mentee(f"{name} Mentee"),
                                       staff, today=day)
    processes.transition(process, "cancelled", staff, reason="Mudou de cidade", today=day)
    return process


@pytest.fixture
def partners(app_context):
    network = two_partner_network()
    staff = {slug: db.session.scalar(sa.select(User).filter_by(email=getattr(network, f"{slug}_staff")))
             for slug in ("alpha", "beta")}
    expected = {}
    for slug in ("alpha", "beta"):
        tenant_id = getattr(network, slug).id
        with tenant_context(tenant_id):
            old = _pair_ended_on("Antigo", date(2024, 1, 10), staff[slug])
            mid = _pair_ended_on("Medio", date(2025, 6, 1), staff[slug])
            _pair_ended_on("Recente", date(2026, 10, 1), staff[slug])
            # Ended long ago, but matched again since: an open process keeps everything.
            again = _pair_ended_on("Outra Vez", date(2024, 2, 1), staff[slug])
            processes.create_process(again.mentor, again.mentee, staff[slug], today=date(2026, 9, 1))
            left = make_ready_mentee("Saiu Cedo")
            left.status, left.updated_at, left.consents[0].recorded_at = "left", OLD, OLD
            staying = make_ready_mentee("Ainda Espera")
            staying.updated_at = OLD
            # Never matched, and withdrew their consent to take part long ago: nothing to keep.
            withdrawn = make_ready_mentee("Retirou Cedo")
            withdrawn.updated_at = withdrawn.consents[0].recorded_at = withdrawn.consents[0].withdrawn_at = OLD
            # ... but a withdrawal last month starts the clock again.
            recent = make_ready_mentee("Retirou Agora")
            recent.updated_at = recent.consents[0].recorded_at = OLD
            recent.consents[0].withdrawn_at = datetime(2026, 10, 20, tzinfo=UTC)
            stale = start_import("mentee", "antiga.csv", b"full_name,email,municipality\nRui,rui@example.pt,Porto\n",
                                 staff[slug])
            stale.created_at = OLD
            start_import("mentee", "nova.csv", b"full_name,email,municipality\nAna,ana@example.pt,Porto\n", staff[slug])
            ended = [old] + ([mid] if slug == "beta" else [])
            if slug == "beta":
                save_retention_rules({"months_after_last_process": 12, "import_days": None}, staff[slug])
            db.session.flush()
            expected[slug] = {
                "mentor": sorted(process.mentor_id for process in ended),
                "mentee": sorted([process.mentee_id for process in ended] + [left.id, withdrawn.id]),
                "import": [stale.id],
            }
    db.session.commit()
    return network, expected


def test_the_dry_run_lists_exactly_what_the_run_changes(partners):
    network, expected = partners
    for slug in ("alpha", "beta"):
        with tenant_context(getattr(network, slug).id):
            dry_run = retention_plan(TODAY).ids()
            assert dry_run == expected[slug], slug
            db.session.rollback()
            applied = apply_retention(TODAY).ids()
            db.session.commit()
            assert applied == dry_run
            erased = {role: sorted(db.session.scalars(sa.select(getattr(Erasure, f"{role}_id"))
                                                      .where(getattr(Erasure, f"{role}_id").isnot(None))))
                      for role in ("mentor", "mentee")}
            assert erased == {"mentor": dry_run["mentor"], "mentee": dry_run["mentee"]}
            assert db.session.scalars(sa.select(ParticipantImport.filename)).all() == ["nova.csv"]
            # Applied: nothing left for the rules today.
            assert retention_plan(TODAY).ids() == {"mentor": [], "mentee": [], "import": []}


def test_the_daily_job_applies_each_partners_rules_in_its_own_workspace(partners):
    network, expected = partners
    apply_retention_everywhere(scheduled_for=datetime(2026, 11, 24, 4, 0, tzinfo=UTC))
    db.session.remove()
    for slug in ("alpha", "beta"):
        with tenant_context(getattr(network, slug).id):
            erasures = db.session.scalars(sa.select(Erasure)).all()
            assert sorted(e.mentee_id for e in erasures if e.mentee_id) == expected[slug]["mentee"]
            assert sorted(e.mentor_id for e in erasures if e.mentor_id) == expected[slug]["mentor"]
            assert {e.trigger for e in erasures} == {"retention"} and {e.erased_by_id for e in erasures} == {None}
            names = db.session.scalars(sa.select(Mentee.full_name).where(Mentee.id.in_(expected[slug]["mentee"])))
            assert all(name.startswith("Mentorando anonimizado") for name in names)
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Mentor)) == 4


def test_the_cli_dry_run_changes_nothing_and_the_real_run_applies(app, partners):
    network, expected = partners
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["privacy", "retention", "--dry-run", "--today", "2026-11-24", "--tenant", "beta"])
    assert dry.exit_code == 0, dry.output
    assert f"would anonymise mentors {expected['beta']['mentor']}, mentees {expected['beta']['mentee']}" in dry.output
    with tenant_context(network.beta.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Erasure)) == 0
    db.session.remove()
    real = runner.invoke(args=["privacy", "retention", "--today", "2026-11-24"])
    assert real.exit_code == 0, real.output
    assert f"beta: anonymised mentors {expected['beta']['mentor']}" in real.output
    assert f"alpha: anonymised mentors {expected['alpha']['mentor']}" in real.output
    with tenant_context(network.beta.id):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Erasure)) == 6


def test_partner_admins_set_the_rules_and_read_the_dry_run_report(app, client):
    with app.app_context():
        network = two_partner_network()
        db.session.commit()
    login(client, network.alpha_admin)
    assert client.get("/t/alpha/privacy/settings").status_code == 200
    bad = client.post("/t/alpha/privacy/settings", data={"months_after_last_process": "0", "import_days": "x"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Introduza um número de 1 a 120." in page and 'value="0"' in page
    assert client.post("/t/alpha/privacy/settings",
                       data={"months_after_last_process": "6", "import_days": ""}).status_code == 302
    page = client.get("/t/alpha/privacy/settings").get_data(as_text=True)
    assert 'value="6"' in page
    report = client.get("/t/alpha/privacy/retention").get_data(as_text=True)
    assert "anonimizados 6 meses depois" in report and "apagadas ao fim de 30 dias" in report
    client.post("/logout")
    login(client, network.alpha_staff)
    assert client.get("/t/alpha/privacy/settings").status_code == 404
    assert client.get("/t/alpha/privacy/retention").status_code == 404

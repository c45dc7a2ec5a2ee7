"""The company's impact pack and the participation certificates: PDFs in the reader's language,
their text extracted (pypdf) and checked; the pack's counts suppressed (published, rounded)."""
import io
from datetime import date

import pytest
from flask_babel import force_locale
from pypdf import PdfReader

from network.core.extensions import db
from network.core.reference.services import create_company
from network.core.tenancy import tenant_context
from network.national.coordination.company_pack import company_pack
from network.national.coordination.pdfs import pack_pdf
from tenants.outcomes import services as outcomes
from tenants.outcomes.certificates import certificate_pdf
from tenants.processes import services as processes
from tests.factories import login, make_tenant, make_user
from tests.outcomes.test_services import CLOSING, INTAKE
from tests.processes.conftest import AGREEMENT, evaluation, ready_mentee, ready_mentor


def text_of(content):
    assert content.startswith(b"%PDF")
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages)


def test_a_certificate_in_portuguese_and_in_english(app_context):
    with force_locale("pt_PT"):
        portuguese = text_of(certificate_pdf("Amélia Conceição", "mentee", "Associação Solidária",
                                             date(2026, 1, 5), date(2026, 6, 30), 12.5))
    assert "Certificado de participação" in portuguese
    assert "Amélia Conceição participou como mentorando(a)" in portuguese and "Associação Solidária" in portuguese
    assert "30 de junho de 2026" in portuguese and "12,5 horas" in portuguese
    with force_locale("en"):
        english = text_of(certificate_pdf("Amélia Conceição", "mentor", "Associação Solidária",
                                          date(2026, 1, 5), date(2026, 6, 30)))
    assert "Certificate of participation" in english and "Amélia Conceição took part as a mentor" in english
    assert "June 30, 2026" in english


def _closed_process(mentor, mentee, staff, closed_on):
    process = processes.create_process(mentor, mentee, staff, today=date(2026, 1, 5))
    processes.save_agreement(process, AGREEMENT, 0, staff)
    outcomes.record_assessment(process, "mentee", "intake", INTAKE, staff)
    outcomes.save_expectations(process, {goal.id: {"expected_outcome": "As agreed", "weight": 1}
                                         for goal in process.agreement.goals}, staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, staff, version=1)
    processes.transition(process, "active", staff, today=date(2026, 1, 5))
    processes.log_meeting(process, {"held_on": date(2026, 2, 2), "duration_minutes": 90, "mode": "in_person"},
                          staff, "staff")
    processes.transition(process, "in_evaluation", staff)
    outcomes.record_assessment(process, "mentee", "closing", CLOSING, staff)
    outcomes.score_goals(process, {goal.id: 1 for goal in process.agreement.goals}, staff)
    for side in ("mentor", "mentee"):
        processes.submit_evaluation(process, side, evaluation(process), staff)
    processes.close_process(process, "goals_met", "end", staff, today=closed_on)
    return process


@pytest.fixture
def acme(app_context):
    company = create_company("Açores & Companhia")
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
    with tenant_context(tenant.id):
        for n in range(3):
            _closed_process(ready_mentor(f"Mentor {n}", company_id=company.id), ready_mentee(f"Mentee {n}"), staff,
                            date(2026, 6, 30))
    db.session.commit()
    return company, tenant, staff


def test_the_company_pack_holds_published_counts_only(acme):
    company, _, _ = acme
    pack = company_pack(company, 2026)
    base = pack.rounding_base
    assert pack.year == 2026 and base == 6
    # Exact: 3 volunteers, 3 completed processes, 3 mentees whose work improved: each published
    # count is a multiple of the rounding base (one partner: 0 or 6).
    for figure in (pack.volunteers, pack.completed, pack.gas_processes,
                   *(count for counts in pack.changes.values() for count in counts.values())):
        assert figure % base == 0 and figure in (0, 6)
    assert pack.changes["housing"]["improved"] == 0 or pack.changes["housing"]["improved"] % base == 0
    assert company_pack(company, 2026) == pack  # the same figures every time
    with force_locale("pt_PT"):
        portuguese = text_of(pack_pdf(pack))
    assert "Relatório de impacto 2026: Açores & Companhia" in portuguese and "Trabalho" in portuguese
    assert "arredondadas para um múltiplo de 6" in portuguese
    with force_locale("en"):
        english = text_of(pack_pdf(pack))
    assert "Impact report 2026: Açores & Companhia" in english and "Change from the start to closing" in english


def test_the_pdfs_are_served_to_coordinators_and_partner_staff(app, client, acme):
    company, tenant, staff = acme
    coordination = make_tenant("coordenacao", kind="coordination", name="Coordenação Nacional")
    coordinator = make_user("coord@example.pt", roles=[(coordination, "coordinator")])
    db.session.commit()
    login(client, coordinator.email, locale="en")
    response = client.get(f"/t/coordenacao/companies/{company.id}/impact.pdf?year=2026")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Impact report 2026" in text_of(response.data)
    client.post("/logout")
    login(client, staff.email, locale="en")
    with tenant_context(tenant.id):
        process_id = db.session.scalar(db.select(db.func.min(processes.MentoringProcess.id)))
    certificate = client.get(f"/t/alpha/processes/{process_id}/outcomes/certificate/mentee.pdf")
    assert certificate.status_code == 200
    # In the participant's language (pt_PT until they choose another), whatever the staff's.
    assert "Certificado de participação" in text_of(certificate.data)
    assert client.get(f"/t/alpha/companies/{company.id}/impact.pdf").status_code in (403, 404)

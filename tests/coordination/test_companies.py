"""Companies and their corporate social responsibility report: volunteers and volunteer hours."""
from datetime import date

import pytest
from marshmallow import ValidationError

from network.core.extensions import db
from network.core.reference.models import Company
from network.core.reference.services import create_company, update_company
from network.core.tenancy import activate_tenant, tenant_context
from network.national.coordination.companies import company_report, volunteer_counts, volunteer_minutes
from tenants.participants.services import form_data, update_participant
from tenants.processes import services as processes
from tests.factories import login, make_tenant, make_user
from tests.processes.conftest import AGREEMENT, ready_mentee, ready_mentor


def _active_process(mentor, mentee, staff):
    process = processes.create_process(mentor, mentee, staff, today=date(2025, 11, 3))  # before every meeting below
    processes.save_agreement(process, AGREEMENT, 0, staff)
    for side in ("mentor", "mentee"):
        processes.accept_agreement(process, side, staff, version=1)
    processes.transition(process, "active", staff, today=date(2025, 11, 3))
    return process


def _meet(process, held_on, minutes, staff):
    processes.log_meeting(process, {"held_on": held_on, "duration_minutes": minutes, "mode": "in_person"},
                          staff, "staff")


def test_volunteer_hours_are_the_meetings_of_the_companys_mentors_across_partners(app_context):
    acme, other = create_company("Acme"), create_company("Outra")
    totals = {}
    for slug, meetings in (("alpha", [(date(2026, 1, 12), 60), (date(2026, 2, 2), 90)]),
                           ("beta", [(date(2026, 1, 20), 45), (date(2025, 12, 1), 30)])):
        tenant = make_tenant(slug)
        staff = make_user(f"staff@{slug}.pt", roles=[(tenant, "staff")])
        with tenant_context(tenant.id):
            process = _active_process(ready_mentor(company_id=acme.id), ready_mentee(), staff)
            for held_on, minutes in meetings:
                _meet(process, held_on, minutes, staff)
            # Another company's volunteer, and a mentor of no company: not in Acme's report.
            elsewhere = _active_process(ready_mentor("Outro Mentor", company_id=other.id),
                                        ready_mentee("Outra Mentoranda"), staff)
            _meet(elsewhere, date(2026, 1, 15), 120, staff)
            ready_mentor("Sem Empresa")
        totals[slug] = tenant.id
    report = company_report(acme.id)
    assert (report.partners, report.years, report.year) == (2, [2026, 2025], 2026)
    # Counts of people by employer are published (docs/disclosure.md): each partner's count
    # rounded to a multiple of 6 (minutes of 30), then added up; exact: January 2 volunteers,
    # 2 meetings, 105 minutes (60 + 45, two partners), February 1, 1, 90 (one partner).
    assert [m.month for m in report.months] == [1, 2]  # which months had meetings: only "at least one"
    for figures in report.months:
        assert figures.volunteers % 6 == 0 and figures.meetings % 6 == 0 and figures.minutes % 30 == 0
    assert abs(report.minutes - 195) <= 3 * 29 and abs(report.meetings - 3) <= 3 * 5
    assert report.volunteers % 6 == 0 and abs(report.volunteers - 2) <= 2 * 5
    assert company_report(acme.id) == report  # the same figures every time
    assert company_report(acme.id, 2025).minutes in (0, 30)
    assert volunteer_counts().get(acme.id, 0) == report.volunteers
    # The companies page's hours: each company's latest year, the report's own cells added up.
    assert {company.id: volunteer_minutes().get(company.id, 0) for company in (acme, other)} == {
        company.id: company_report(company.id).minutes for company in (acme, other)}


def test_an_inactive_company_keeps_its_volunteers_and_gets_no_new_ones(app_context):
    tenant = make_tenant("alpha")
    staff = make_user("staff@alpha.pt", roles=[(tenant, "staff")])
    acme = create_company("Acme")
    activate_tenant(tenant.id)
    kept, newcomer = ready_mentor(company_id=acme.id), ready_mentor("Nova Mentora")
    update_company(acme, {"name": "Acme", "contact_name": None, "contact_email": None, "active": False})
    update_participant(kept, form_data(kept) | {"full_name": "Marta M. Mentora"}, staff)
    assert kept.company_id == acme.id
    with pytest.raises(ValidationError) as error:
        update_participant(newcomer, form_data(newcomer) | {"company_id": acme.id}, staff)
    assert list(error.value.normalized_messages()) == ["company_id"]


def test_coordinators_manage_companies_and_read_the_report(app, client, two_partners):
    login(client, two_partners.coordinator, locale="en")
    base = f"/t/{two_partners.coordination.slug}/companies"
    refused = client.post(f"{base}/new", data={"name": "", "contact_email": "nope"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "This field is required." in page and "Enter a valid e-mail" in page
    assert client.post(f"{base}/new", data={"name": "Acme", "contact_name": "Rita RSE",
                                            "contact_email": "rse@acme.pt"}).status_code == 302
    with app.app_context():
        acme_id = db.session.scalar(db.select(Company.id))
    assert client.post(f"{base}/new", data={"name": "acme"}).status_code == 400
    edited = client.post(f"{base}/{acme_id}/edit", data={"name": "Acme, S.A.", "contact_name": "Rita RSE"})
    assert edited.status_code == 302
    listing = client.get(base).get_data(as_text=True)
    assert "Acme, S.A." in listing and "Inactive" in listing
    report = client.get(f"{base}/{acme_id}")
    assert report.status_code == 200 and "No meeting has been logged" in report.get_data(as_text=True)
    assert client.get(f"{base}/{acme_id}?year=abc").status_code == 200
    assert client.get(f"{base}/999").status_code == 404


def test_the_report_page_shows_hours_per_month_and_no_names(app, client, two_partners):
    with app.app_context():
        from network.core.accounts.models import User

        company_id = create_company("Acme").id
        staff = db.session.scalar(db.select(User).filter_by(email=two_partners.alpha_staff))
        with tenant_context(two_partners.alpha.id):
            process = _active_process(ready_mentor(company_id=company_id), ready_mentee(), staff)
            _meet(process, date(2026, 1, 12), 90, staff)
        db.session.commit()
    login(client, two_partners.coordinator, locale="en")
    page = client.get(f"/t/{two_partners.coordination.slug}/companies/{company_id}").get_data(as_text=True)
    assert "Volunteer hours per month in 2026" in page and "January" in page and "1.5" in page
    assert "Marta Mentora" not in page and "Amina Mentoranda" not in page
